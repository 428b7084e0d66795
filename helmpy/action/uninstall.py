"""``helmpy uninstall``: delete a release's objects and (unless --keep-history) its records.

Helm's ``action.Uninstall``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from helmpy.action import apply as applying
from helmpy.action.config import DEFAULT_TIMEOUT, Configuration
from helmpy.action.hooks import run_hooks
from helmpy.action.lock import ReleaseLock
from helmpy.errors import HelmpyError, ReleaseError, ReleaseFailed, ReleaseNotFound
from helmpy.release.model import Release, Status

logger = logging.getLogger(__name__)


@dataclass
class UninstallOptions:
    """Flags of ``helmpy uninstall``."""

    keep_history: bool = False
    dry_run: bool = False
    wait: bool = False
    timeout: float = DEFAULT_TIMEOUT
    ignore_not_found: bool = False
    no_hooks: bool = False
    description: str = ""
    cascade: str = "background"


@dataclass
class UninstallResult:
    name: str
    release: Release | None
    kept: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    not_found: bool = False


def run(cfg: Configuration, name: str, opts: UninstallOptions) -> UninstallResult:
    if opts.dry_run:
        return run_locked(cfg, name, opts)
    if not _has_history(cfg, name):
        return _not_found(name, opts)
    with ReleaseLock(cfg.kube, cfg.namespace, name, cfg.command, clock=cfg.clock):
        return run_locked(cfg, name, opts)


def _has_history(cfg: Configuration, name: str) -> bool:
    try:
        return bool(cfg.storage.history(name))
    except ReleaseNotFound:
        return False


def _not_found(name: str, opts: UninstallOptions) -> UninstallResult:
    if opts.ignore_not_found:
        return UninstallResult(name, None, not_found=True)
    raise ReleaseNotFound(f"uninstall: Release not loaded: {name}: release: not found")


def run_locked(cfg: Configuration, name: str, opts: UninstallOptions) -> UninstallResult:
    try:
        history = sorted(cfg.storage.history(name), key=lambda r: r.version)
    except ReleaseNotFound:
        history = []
    if not history:
        return _not_found(name, opts)
    rel = history[-1]
    if opts.dry_run:
        return UninstallResult(name, rel)
    if rel.info.status == Status.UNINSTALLED:
        if opts.keep_history:
            raise ReleaseError(f"the release named \"{name}\" is already deleted")
        _purge(cfg, history)
        return UninstallResult(name, rel)
    rel.info.status = Status.UNINSTALLING
    rel.info.deleted = cfg.clock()
    rel.info.description = "Deletion in progress (or silently failed)"
    cfg.storage.update(rel)
    try:
        if not opts.no_hooks:
            run_hooks(cfg.kube, rel, "pre-delete", opts.timeout, clock=cfg.clock, record=cfg.storage.update)
        objects = applying.parse_manifest(rel.manifest, cfg.kube, rel.namespace)
        propagation = {"foreground": "Foreground", "orphan": "Orphan"}.get(opts.cascade, "Background")
        with cfg.kube.transaction():
            deleted, kept = applying.delete_objects(cfg.kube, objects, propagation)
        if not opts.no_hooks:
            run_hooks(cfg.kube, rel, "post-delete", opts.timeout, clock=cfg.clock, record=cfg.storage.update)
    except HelmpyError as err:
        rel.info.status = Status.FAILED
        rel.info.description = f"Uninstallation failed: {err}"
        cfg.storage.update(rel)
        raise ReleaseFailed(f"uninstallation completed with 1 error(s): {err}") from err
    rel.info.status = Status.UNINSTALLED
    rel.info.description = opts.description or "Uninstallation complete"
    if opts.keep_history:
        with cfg.kube.transaction():
            cfg.storage.update(rel)
            for old in history[:-1]:
                if old.info.status == Status.DEPLOYED:
                    old.info.status = Status.SUPERSEDED
                    cfg.storage.update(old)
    else:
        _purge(cfg, history)
    return UninstallResult(name, rel, kept=kept, deleted=deleted)


def _purge(cfg: Configuration, history: list[Release]) -> None:
    for r in history:
        try:
            cfg.storage.delete(r.name, r.version)
        except ReleaseNotFound:
            pass
