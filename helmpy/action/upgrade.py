"""``helmpy upgrade``: render a new revision from a chart and move the cluster to it (Helm's ``action.Upgrade``)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, fields
from typing import Any

from helmpy.action import apply as applying
from helmpy.action import install as installing
from helmpy.action.chartload import check_installable, load_chart
from helmpy.action.config import Configuration
from helmpy.action.interruption import recorded_on_interrupt, upgrade_advice
from helmpy.action.lock import ReleaseLock, recover_stale_pending
from helmpy.errors import HelmpyError, ReleaseError, ReleaseFailed, ReleaseNotFound
from helmpy.release.model import ChartRecord, Info, Release, Status

logger = logging.getLogger(__name__)

DEFAULT_HISTORY_MAX = 10


@dataclass(kw_only=True)
class UpgradeOptions(installing.DeployOptions):
    """Flags of ``helmpy upgrade``."""

    name: str
    values_given: bool = False
    install: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    reset_then_reuse_values: bool = False
    cleanup_on_fail: bool = False
    history_max: int = DEFAULT_HISTORY_MAX
    force: bool = False


@dataclass
class UpgradeResult:
    release: Release
    installed: bool = False  # upgrade --install ran an install
    applied: applying.ApplyResult | None = None
    recovered: Release | None = None  # a stale pending revision marked failed first


def current_release(history: list[Release], name: str) -> Release:
    """Base of an upgrade: the last if deployed, else the newest deployed, else the last failed/superseded."""
    last = history[-1]
    if last.info.status == Status.DEPLOYED:
        return last
    deployed = [r for r in history if r.info.status == Status.DEPLOYED]
    if deployed:
        return deployed[-1]
    if last.info.status in (Status.FAILED, Status.SUPERSEDED):
        return last
    raise ReleaseError(f"\"{name}\" has no deployed releases")


def merge_values(chart: Any, current: Release, opts: UpgradeOptions) -> dict[str, Any]:
    """Helm's upgrade values rules (reference 4.7); may replace ``chart.values`` for --reuse-values."""
    from helmpy.values.coalesce import coalesce_tables

    new = copy.deepcopy(opts.values)
    if opts.reset_values:
        return new
    if opts.reuse_values:
        old_chart_values = copy.deepcopy(current.chart.values) if current.chart else {}
        chart.values = old_chart_values  # previous computed defaults replace the new chart's
        return coalesce_tables(new, copy.deepcopy(current.config))
    if opts.reset_then_reuse_values:
        return coalesce_tables(new, copy.deepcopy(current.config))
    if not opts.values_given:
        return copy.deepcopy(current.config)
    return new


def merge_labels(old: dict[str, str], new: dict[str, Any]) -> dict[str, str]:
    out = dict(old)
    for k, v in new.items():
        if v is None or v == "null":
            out.pop(k, None)
        else:
            out[k] = str(v)
    return out


def run(cfg: Configuration, opts: UpgradeOptions, chart: Any = None) -> UpgradeResult:
    """Upgrade (or, with ``install``, install) a release under its lock."""
    opts.check_hide_secret()
    installing.validate_name(opts.name)
    installing.validate_labels({k: v for k, v in opts.labels.items() if v is not None})
    chart = chart if chart is not None else load_chart(opts.chart_ref, opts.version, opts.devel, opts.repo_url,
                                                       opts.remote, dependency_update=opts.dependency_update,
                                                       verify=opts.verify)
    check_installable(chart)
    if opts.dry_run:
        return run_locked(cfg, opts, chart)
    if opts.install and opts.create_namespace:
        applying.ensure_namespace(cfg.kube, cfg.namespace)
    with ReleaseLock(cfg.kube, cfg.namespace, opts.name, cfg.command, clock=cfg.clock):
        return run_locked(cfg, opts, chart)


def _history(cfg: Configuration, name: str) -> list[Release]:
    try:
        return sorted(cfg.storage.history(name), key=lambda r: r.version)
    except ReleaseNotFound:
        return []


def run_locked(cfg: Configuration, opts: UpgradeOptions, chart: Any) -> UpgradeResult:
    name = opts.name
    recovered = None if opts.dry_run else recover_stale_pending(cfg.storage, name, cfg.command)
    history = _history(cfg, name)
    if opts.install and (not history or history[-1].info.status == Status.UNINSTALLED):
        logger.info("Release %r does not exist. Installing it now.", name)
        shared = {f.name: getattr(opts, f.name) for f in fields(installing.DeployOptions)}
        shared["labels"] = {k: str(v) for k, v in opts.labels.items() if v is not None}  # null removes (upgrade)
        iopts = installing.InstallOptions(**shared, name=name, replace=bool(history), force_conflicts=opts.force)
        res = installing.run_locked(cfg, iopts, chart, name)
        return UpgradeResult(res.release, installed=True, applied=res.applied, recovered=recovered)
    if not history:
        raise ReleaseNotFound(f"\"{name}\" has no deployed releases",
                              hint="use `helmpy install` (or `helmpy upgrade --install`) to create it")
    last = history[-1]
    if last.info.status.is_pending:  # only reachable in a dry run: a real run recovered it above
        raise ReleaseError("another operation (install/upgrade/rollback) is in progress")
    current = current_release(history, name)
    values = merge_values(chart, current, opts)
    ts = cfg.clock()
    rel = Release(name=name, namespace=cfg.namespace, version=last.version + 1,
                  info=Info(last_deployed=ts, status=Status.PENDING_UPGRADE,
                            description="Preparing upgrade").first_deployed_of(current.info),
                  chart=ChartRecord.from_chart(chart), config=values,
                  labels=merge_labels(current.labels, opts.labels), apply_method=installing.APPLY_METHOD)
    installing.render(cfg, chart, values, rel, is_upgrade=True, opts=opts)
    rel.info.status = Status.PENDING_UPGRADE
    rel.info.description = "Preparing upgrade"
    current_objs = applying.parse_manifest(current.manifest, cfg.kube, cfg.namespace, f"release {name} "
                                           f"revision {current.version}")
    target = applying.parse_manifest(rel.manifest, cfg.kube, cfg.namespace, f"release {name} manifest")
    owned = {applying.object_key(o) for o in current_objs}
    applying.check_ownership(cfg.kube, target, name, cfg.namespace, "update", take_ownership=opts.take_ownership,
                             already_owned=owned)
    if cfg.record_size_limited:
        from helmpy.action.record_size import check_record_size

        check_record_size(rel)
    if opts.dry_run:
        rel.info.description = opts.description or "Dry run complete"
        if opts.hide_secret:
            installing.hide_release_secrets(rel)
        return UpgradeResult(rel)
    if opts.history_max > 0:
        cfg.storage.prune(name, opts.history_max)
    good = current if current.info.status in (Status.DEPLOYED, Status.SUPERSEDED) else None
    with recorded_on_interrupt(cfg, rel, "upgrade", upgrade_advice(cfg, name, good)):
        cfg.storage.create(rel)
        plan = applying.Deployment(release=rel, current=current_objs, target=target, pre_event="pre-upgrade",
                                   post_event="post-upgrade", supersede=[current],
                                   description=opts.description or "Upgrade complete")
        try:
            applied = applying.deploy(cfg, plan, wait=opts.wait, timeout=opts.timeout, no_hooks=opts.no_hooks,
                                      force=opts.force, wait_for_jobs=opts.wait_for_jobs)
        except HelmpyError as err:
            _failed(cfg, opts, rel, current_objs, err)
            raise AssertionError("unreachable") from err  # pragma: no cover
        except Exception as err:  # a bug must not leave the revision pending: record it, then let it surface
            installing.fail(cfg, rel, f"Upgrade \"{name}\" failed: internal error: {type(err).__name__}: {err}")
            raise
    return UpgradeResult(rel, applied=applied, recovered=recovered)


def _failed(cfg: Configuration, opts: UpgradeOptions, rel: Release, current_objs: list[dict[str, Any]],
            err: HelmpyError) -> None:
    """Record the failure, clean up / roll back as asked, and raise."""
    installing.fail(cfg, rel, f"Upgrade \"{rel.name}\" failed: {err}")
    if opts.cleanup_on_fail:
        owned = {applying.object_key(o) for o in current_objs}
        target = applying.parse_manifest(rel.manifest, cfg.kube, cfg.namespace)
        created = [o for o in target if applying.object_key(o) not in owned]
        deleted, _ = applying.delete_objects(cfg.kube, created)
        logger.info("cleanup-on-fail deleted %d new objects of release %s", len(deleted), rel.name)
    if opts.rollback_on_failure:
        from helmpy.action import rollback

        history = _history(cfg, rel.name)
        good = [r for r in history
                if r.info.status in (Status.SUPERSEDED, Status.DEPLOYED) and r.version != rel.version]
        if not good:
            raise ReleaseFailed(f"release {rel.name} failed, and there is no earlier revision to roll back to: "
                                f"{err}") from err
        try:
            rollback.run_locked(cfg, rollback.RollbackOptions(name=rel.name, revision=good[-1].version,
                                                              wait=opts.wait, wait_for_jobs=opts.wait_for_jobs,
                                                              timeout=opts.timeout,
                                                              history_max=opts.history_max, force=opts.force))
        except HelmpyError as rb_err:
            raise ReleaseFailed(f"an error occurred while rolling back the release. original upgrade error: "
                                f"{err}: {rb_err}") from err
        raise ReleaseFailed(f"release {rel.name} failed, and has been rolled back due to rollback-on-failure "
                            f"being set: {err}") from err
    raise ReleaseFailed(str(err), hint=err.hint) from err
