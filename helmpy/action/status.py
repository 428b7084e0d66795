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
from helmpy.kube.client import sub_map
from helmpy.release.model import Release

logger = logging.getLogger(__name__)


@dataclass
class StatusResult:
    release: Release
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "<version>/<Kind>" -> objects
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


RELATED_PODS = "v1/Pod(related)"
_POD_OWNERS = ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job")


def resource_key(obj: dict[str, Any]) -> str:
    """Helm 4's group key: the API *version* (no group) and the kind, ``v1/Deployment`` for apps/v1 too."""
    return f"{str(obj.get('apiVersion') or '').rpartition('/')[2]}/{obj.get('kind')}"


def _pod_selector(obj: dict[str, Any]) -> dict[str, str] | None:
    spec = sub_map(obj, "spec")
    kind = obj.get("kind")
    if kind in _POD_OWNERS:
        selector = (spec.get("selector") or {}).get("matchLabels") if isinstance(spec.get("selector"), dict) else None
    elif kind == "ReplicationController":
        selector = spec.get("selector")
    else:
        return None
    return {str(k): str(v) for k, v in selector.items()} if isinstance(selector, dict) and selector else None


def live_resources(cfg: Configuration, rel: Release) -> dict[str, list[dict[str, Any]]]:
    """The release's manifest objects as they are in the cluster now, grouped like Helm 4's ``info.resources``:
    by :func:`resource_key` in manifest order, and under ``v1/Pod(related)`` one PodList per distinct pod
    selector of the workloads (Deployments, StatefulSets, Jobs, ...), as Helm lists them."""
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        objects = applying.parse_manifest(rel.manifest, cfg.kube, rel.namespace)
    except HelmpyError as err:
        logger.warning("cannot list resources of release %s: %s", rel.name, err)
        return out
    related: list[dict[str, Any]] = []
    selectors: list[dict[str, str]] = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        live = cfg.kube.get(str(obj["apiVersion"]), str(obj["kind"]), meta.get("name", ""), meta.get("namespace"))
        if live is None:
            continue
        out.setdefault(resource_key(obj), []).append(live)
        selector = _pod_selector(live)
        if selector is not None and selector not in selectors:
            selectors.append(selector)
            namespace = (live.get("metadata") or {}).get("namespace") or rel.namespace
            pods = cfg.kube.list("v1", "Pod", namespace, ",".join(f"{k}={v}" for k, v in sorted(selector.items())))
            related.append({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": ""},
                            "items": pods})
    if related:
        out[RELATED_PODS] = related
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
