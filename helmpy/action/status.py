"""``helmpy status``: one revision of a release, its live objects and who holds its lock."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from helmpy.action import apply as applying
from helmpy.action.config import Configuration
from helmpy.action.install import validate_name
from helmpy.action.lock import LockInfo, read_lock
from helmpy.errors import HelmpyError, ReleaseNotFound
from helmpy.release.model import Release

logger = logging.getLogger(__name__)


@dataclass
class StatusResult:
    release: Release
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "<apiVersion>/<Kind>" -> objects
    lock: LockInfo | None = None
    explanation: str = ""  # why a pending revision is pending, and what to do


def get_release(cfg: Configuration, name: str, revision: int = 0) -> Release:
    """The given revision, or the latest when ``revision`` is 0."""
    validate_name(name)
    try:
        if revision:
            return cfg.storage.get(name, revision)
        last = cfg.storage.last(name)
    except ReleaseNotFound as err:
        raise ReleaseNotFound("release: not found" if not revision else f"release: not found: {name} revision "
                              f"{revision}") from err
    if last is None:
        raise ReleaseNotFound("release: not found")
    return last


def live_resources(cfg: Configuration, rel: Release) -> dict[str, list[dict[str, Any]]]:
    """The release's manifest objects as they are in the cluster now, grouped like Helm's RESOURCES."""
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        objects = applying.parse_manifest(rel.manifest, cfg.kube, rel.namespace)
    except HelmpyError as err:
        logger.warning("cannot list resources of release %s: %s", rel.name, err)
        return out
    for obj in objects:
        meta = obj.get("metadata") or {}
        live = cfg.kube.get(str(obj["apiVersion"]), str(obj["kind"]), meta.get("name", ""), meta.get("namespace"))
        if live is not None:
            out.setdefault(f"{obj['apiVersion']}/{obj['kind']}", []).append(live)
    return out


def explain(cfg: Configuration, rel: Release, lock: LockInfo | None) -> str:
    """Say what a pending revision means: an operation running now, or one that died."""
    if not rel.info.status.is_pending:
        return ""
    at = cfg.clock()
    if lock is not None and not lock.holder_gone(at):
        return (f"revision {rel.version} is {rel.info.status}: an operation is in progress "
                f"({lock.describe(at)})")
    who = f" ({lock.describe(at)})" if lock is not None else ""
    return (f"revision {rel.version} is {rel.info.status} but no live operation holds the release lock: the "
            f"process that started it ended without finishing{who}. Run `helmpy rollback {rel.name}` (or "
            f"`helmpy upgrade {rel.name} CHART`) to recover; the stale revision will be marked failed")


def run(cfg: Configuration, name: str, revision: int = 0, show_resources: bool = True) -> StatusResult:
    rel = get_release(cfg, name, revision)
    lock = read_lock(cfg.kube, rel.namespace, name)
    result = StatusResult(rel, lock=lock, explanation=explain(cfg, rel, lock))
    if show_resources:
        result.resources = live_resources(cfg, rel)
    return result
