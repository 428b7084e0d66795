"""``helmpy rollback``: a new revision copied from an earlier one, applied to the cluster (Helm's ``action.Rollback``).

Nothing is re-rendered: chart, config, manifest, hooks, labels and notes come from the target revision.
Unlike Helm, a ``pending-*`` latest revision left by a dead process is first marked failed (we hold the
release lock, so nobody else is working on it), which is how a killed upgrade is recovered.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

from helmpy.action import apply as applying
from helmpy.action.config import DEFAULT_TIMEOUT, Configuration
from helmpy.action.install import APPLY_METHOD, fail, validate_name
from helmpy.action.interruption import recorded_on_interrupt, rollback_advice
from helmpy.action.lock import ReleaseLock, recover_stale_pending
from helmpy.action.upgrade import DEFAULT_HISTORY_MAX
from helmpy.errors import HelmpyError, ReleaseFailed, ReleaseNotFound, UsageError
from helmpy.release.model import Info, Release, Status

logger = logging.getLogger(__name__)


@dataclass
class RollbackOptions:
    """Flags of ``helmpy rollback``."""

    name: str
    revision: int = 0
    dry_run: bool = False
    wait: bool = False
    wait_for_jobs: bool = False
    timeout: float = DEFAULT_TIMEOUT
    no_hooks: bool = False
    force: bool = False
    cleanup_on_fail: bool = False
    history_max: int = DEFAULT_HISTORY_MAX


@dataclass
class RollbackResult:
    release: Release
    target: Release
    applied: applying.ApplyResult | None = None
    recovered: Release | None = None


def run(cfg: Configuration, opts: RollbackOptions) -> RollbackResult:
    validate_name(opts.name)
    if opts.revision < 0:
        raise UsageError("invalid release revision")
    if opts.dry_run:
        return run_locked(cfg, opts)
    with ReleaseLock(cfg.kube, cfg.namespace, opts.name, cfg.command, clock=cfg.clock):
        return run_locked(cfg, opts)


def run_locked(cfg: Configuration, opts: RollbackOptions) -> RollbackResult:
    name = opts.name
    recovered = None if opts.dry_run else recover_stale_pending(cfg.storage, name, cfg.command)
    try:
        history = sorted(cfg.storage.history(name), key=lambda r: r.version)
    except ReleaseNotFound as err:
        raise ReleaseNotFound(f"release: not found: {name}") from err
    if not history:
        raise ReleaseNotFound(f"release: not found: {name}")
    latest = history[-1]
    revision = opts.revision or latest.version - 1
    by_version = {r.version: r for r in history}
    if revision not in by_version:
        raise ReleaseNotFound(f"release has no {revision} version")
    target = by_version[revision]
    ts = cfg.clock()
    rel = Release(name=name, namespace=cfg.namespace, version=latest.version + 1,
                  info=Info(last_deployed=ts, status=Status.PENDING_ROLLBACK, description=f"Rollback to {revision}",
                            notes=target.info.notes).first_deployed_of(latest.info),
                  chart=copy.deepcopy(target.chart), config=copy.deepcopy(target.config), manifest=target.manifest,
                  hooks=copy.deepcopy(target.hooks), apply_method=APPLY_METHOD, labels=dict(target.labels))
    if opts.dry_run:
        return RollbackResult(rel, target, recovered=recovered)
    current_objs = applying.parse_manifest(latest.manifest, cfg.kube, cfg.namespace)
    target_objs = applying.parse_manifest(rel.manifest, cfg.kube, cfg.namespace)
    if opts.history_max > 0:
        cfg.storage.prune(name, opts.history_max)
    with recorded_on_interrupt(cfg, rel, "rollback", rollback_advice(cfg, name, revision)):
        cfg.storage.create(rel)
        deployed = [r for r in history if r.info.status == Status.DEPLOYED]
        plan = applying.Deployment(release=rel, current=current_objs, target=target_objs, pre_event="pre-rollback",
                                   post_event="post-rollback", supersede=deployed,
                                   description=f"Rollback to {revision}")
        try:
            applied = applying.deploy(cfg, plan, wait=opts.wait, timeout=opts.timeout, no_hooks=opts.no_hooks,
                                      force=opts.force, wait_for_jobs=opts.wait_for_jobs)
        except HelmpyError as err:
            fail(cfg, rel, f"Rollback \"{name}\" failed: {err}")
            if opts.cleanup_on_fail:
                owned = {applying.object_key(o) for o in current_objs}
                applying.delete_objects(cfg.kube, [o for o in target_objs if applying.object_key(o) not in owned])
            raise ReleaseFailed(str(err), hint=err.hint) from err
        except Exception as err:  # a bug must not leave the revision pending: record it, then let it surface
            fail(cfg, rel, f"Rollback \"{name}\" failed: internal error: {type(err).__name__}: {err}")
            raise
    return RollbackResult(rel, target, applied=applied, recovered=recovered)

