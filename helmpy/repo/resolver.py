"""Dependency resolution: pick a version for every Chart.yaml dependency and compute Chart.lock.

The lock digest follows Helm exactly (helm-reference 1.9): sha256 of Go's ``json.Marshal`` of
``[requirements, locked]`` - Go field order, omitempty rules, compact, HTML-escaped - so a Chart.lock
written by helmpy is accepted by ``helm dependency build`` and the other way round.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy import yamlutil
from helmpy.chart.model import Dependency, Lock
from helmpy.errors import DependencyError, HelmpyError
from helmpy.registry.reference import is_oci
from helmpy.repo.cache import CachedIndex

if TYPE_CHECKING:
    from helmpy.semverutil import Constraint

logger = logging.getLogger(__name__)


def _go_value(value: Any) -> Any:
    """Go marshals maps with sorted keys; lists and scalars as they are."""
    if isinstance(value, dict):
        return {str(k): _go_value(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_go_value(v) for v in value]
    return value


def _struct(dep: Dependency) -> dict[str, Any]:
    """A dependency as Go marshals the struct: field order kept, nested maps sorted."""
    return {k: _go_value(v) for k, v in dep.to_dict().items()}


def go_json(value: Any) -> str:
    """Go's ``json.Marshal`` (:func:`helmpy.gojson.dumps`): what Helm hashes."""
    from helmpy import gojson

    return gojson.dumps(value)


def hash_req(requirements: list[Dependency], locked: list[Dependency]) -> str:
    """Helm's ``HashReq``: ``sha256:`` + hex of the JSON of ``[requirements, locked]``."""
    doc = [[_struct(d) for d in requirements], [_struct(d) for d in locked]]
    return "sha256:" + hashlib.sha256(go_json(doc).encode("utf-8")).hexdigest()


def go_time_now() -> str:
    """RFC3339Nano in UTC with trailing zeros of the fraction dropped (Go's format)."""
    now = datetime.now(UTC)
    frac = f"{now.microsecond:06d}".rstrip("0")
    return now.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def lock_yaml(lock: Lock) -> str:
    """Chart.lock text as Helm writes it (sorted keys, ``generated`` double-quoted)."""
    body = yamlutil.dump({"dependencies": [{"name": d.name, "repository": d.repository, "version": d.version}
                                           for d in lock.dependencies],
                          "digest": lock.digest})
    return body + f'generated: "{lock.generated}"\n'


def is_local_repo(repository: str) -> bool:
    return repository.startswith("file://")


def local_path(repository: str, chart_dir: Path) -> Path:
    """Helm's ``GetLocalPath``: ``file://`` paths are relative to the chart directory."""
    raw = repository[len("file://"):] if repository.startswith("file://") else repository
    p = Path(raw)
    if not p.is_absolute():
        p = chart_dir / p
    if not p.exists():
        raise DependencyError(f"directory {p} not found")
    return p


def resolve(requirements: list[Dependency], chart_dir: Path,
            index_for: Callable[[Dependency], CachedIndex],
            oci_versions: Callable[[Dependency], list[str]] | None = None) -> Lock:
    """Pick versions: ``""`` repos must be in charts/, ``file://`` charts are read, the rest come from indexes.

    ``requirements`` must already have ``@name``/``alias:name`` replaced by repository URLs;
    ``index_for`` returns the index of a dependency's repository, ``oci_versions`` the versions an
    ``oci://`` repository holds for a dependency (its strict-SemVer tags, highest first). As in Helm,
    an ``oci://`` dependency whose version is a plain version is locked to it without asking the
    registry; a range is matched against the tag list.
    """
    from helmpy.chart.loader import load
    from helmpy.semverutil import parse_constraint, try_parse

    locked: list[Dependency] = []
    missing: list[str] = []
    for d in requirements:
        try:
            constraint = parse_constraint(d.version)
        except ValueError as err:
            raise DependencyError(f'dependency "{d.name}" has an invalid version/constraint format: {err}') from err
        if not d.repository:
            local_path(str(Path("charts") / d.name), chart_dir)
            locked.append(Dependency(name=d.name, repository="", version=d.version))
            continue
        if is_local_repo(d.repository):
            sub = load(local_path(d.repository, chart_dir))
            v = try_parse(sub.metadata.version)
            if v is None or not constraint.check(v):
                missing.append(f'"{d.name}" (repository "{d.repository}", version "{d.version}")')
                continue
            locked.append(Dependency(name=d.name, repository=d.repository, version=sub.metadata.version))
            continue
        if is_oci(d.repository):
            candidates = [d.version] if try_parse(d.version) is not None else _oci_versions(d, oci_versions)
            chosen = next((v for v in candidates if _matches(constraint, v)), None)
            if chosen is None:
                missing.append(f'"{d.name}"')
            else:
                locked.append(Dependency(name=d.name, repository=d.repository, version=chosen))
            continue
        index = index_for(d)
        versions = index.entries.get(d.name)
        if versions is None:
            raise DependencyError(f"{d.name} chart not found in repo {d.repository}")
        chosen = None
        for cv in versions:  # newest first: the first match wins
            v = try_parse(cv.version)
            if v is None or not cv.urls:
                continue
            if constraint.check(v):
                chosen = cv.version
                break
        if chosen is None:
            missing.append(f'"{d.name}"')
            continue
        locked.append(Dependency(name=d.name, repository=d.repository, version=chosen))
    if missing:
        raise DependencyError(
            f"can't get a valid version for {len(missing)} subchart(s): {', '.join(missing)}. Make sure a matching "
            "chart version exists in the repo, or change the version constraint in Chart.yaml")
    return Lock(generated="", digest=hash_req(requirements, locked), dependencies=locked)


def _matches(constraint: Constraint, version: str) -> bool:
    from helmpy.semverutil import try_parse

    v = try_parse(version)
    return v is not None and constraint.check(v)


def _oci_versions(d: Dependency, oci_versions: Callable[[Dependency], list[str]] | None) -> list[str]:
    if oci_versions is None:
        raise DependencyError(f"dependency {d.name!r}: no registry client to list the tags of {d.repository}")
    try:
        return oci_versions(d)
    except DependencyError:
        raise
    except HelmpyError as err:
        raise DependencyError(f"could not retrieve list of tags for repository {d.repository}: {err}") from err
