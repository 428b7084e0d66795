"""``helmpy install``: render a chart as revision 1 of a new release and apply it (Helm's ``action.Install``)."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmpy.action import apply as applying
from helmpy.action.chartload import check_installable, load_chart
from helmpy.action.config import DEFAULT_TIMEOUT, Configuration
from helmpy.action.hooks import from_rendered
from helmpy.action.interruption import install_advice, recorded_on_interrupt
from helmpy.action.lock import ReleaseLock
from helmpy.errors import HelmpyError, InvalidReleaseName, ReleaseError, ReleaseFailed, ReleaseNotFound, UsageError
from helmpy.release.model import ChartRecord, Info, Release, Status

if TYPE_CHECKING:  # the repository machinery is imported only when a chart is remote
    from helmpy.action.chartload import Verify
    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.postrender import PostRenderer

logger = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_NAME_LEN = 53
RESERVED_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")
#: Helm 4's record of how a revision's objects were applied: helmpy always applies server-side ("csa" is Helm's
#: client-side three-way merge, which helmpy does not do; ``--server-side=false`` is refused).
APPLY_METHOD = "ssa"


def validate_name(name: str) -> None:
    """Helm's release name rule."""
    if not name or len(name) > MAX_NAME_LEN or not NAME_RE.match(name):
        raise InvalidReleaseName(
            f"invalid release name {name!r}, must match regex {NAME_RE.pattern} and the length must not be "
            f"longer than {MAX_NAME_LEN}")


def validate_labels(labels: dict[str, Any]) -> None:
    bad = [k for k in labels if k in RESERVED_LABELS]
    if bad:
        raise UsageError(f"user supplied labels contains system reserved label name. System labels: "
                         f"[{' '.join(RESERVED_LABELS)}]")


def generate_name(chart_ref: str, clock: Any) -> str:
    """``<chart basename up to its first '.'>-<unix seconds>`` like Helm's --generate-name."""
    base = os.path.basename(chart_ref.rstrip("/")).split(".", 1)[0] or "chart"
    return f"{base}-{int(clock().timestamp())}"


def render_name_template(text: str) -> str:
    """``--name-template``: a Jinja2 template with the chart functions and no data (Helm: Go + Sprig)."""
    from helmpy.engine import funcs
    from helmpy.engine.sandbox import ChartEnvironment, Guard, HelmUndefined, Limits

    env = ChartEnvironment(chart_path="name-template", sources={"name-template": text}, guard=Guard(Limits()),
                           undefined=HelmUndefined, value_paths={})
    funcs.install(env, None)
    try:
        return env.get_template("name-template").render().strip()
    except Exception as err:  # noqa: BLE001 - any template failure is a user error about this flag
        msg = getattr(err, "message", None) or str(err)
        raise UsageError(f"--name-template {text!r}: {type(err).__name__}: {msg}") from err


def cluster_lookup(kube: Any) -> Any:
    """The templates' ``lookup(apiVersion, kind, namespace, name)`` against the release's cluster, as in Helm:
    one object (or ``{}`` when absent), or with an empty name a ``<Kind>List`` of every match."""
    def lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        if name:
            return kube.get(api_version, kind, name, namespace or None) or {}
        items = kube.list(api_version, kind, namespace or None)
        return {"apiVersion": api_version, "kind": f"{kind}List", "metadata": {"resourceVersion": ""},
                "items": items}

    return lookup


def render(cfg: Configuration, chart: Any, values: dict[str, Any], release: Release, *, is_upgrade: bool,
           opts: DeployOptions) -> Any:
    """Render ``chart`` for ``release`` (``opts``: schema, post-renderer, sub-chart notes) and copy manifest, hooks
    and notes onto it."""
    from helmpy.action.render import render_release
    from helmpy.engine.render import ReleaseContext

    ctx = ReleaseContext(name=release.name, namespace=release.namespace, revision=release.version,
                         is_install=not is_upgrade, is_upgrade=is_upgrade)
    rendered = render_release(chart, values, ctx, cfg.get_capabilities(), skip_schema=opts.skip_schema,
                              lookup=cluster_lookup(cfg.kube), post_renderer=opts.post_renderer,
                              subchart_notes=opts.subchart_notes)
    release.manifest = rendered.manifest
    release.hooks = from_rendered(rendered.hooks)
    release.info.notes = rendered.notes or ""
    return rendered


@dataclass(kw_only=True)
class DeployOptions:
    """Flags ``install`` and ``upgrade`` share (Helm's Install and Upgrade actions carry the same set)."""

    chart_ref: str
    values: dict[str, Any] = field(default_factory=dict)
    version: str | None = None
    devel: bool = False
    repo_url: str | None = None
    remote: RemoteOptions | None = None  # TLS/credential/--plain-http flags for a remote chart
    create_namespace: bool = False
    dry_run: bool = False
    wait: bool = False
    timeout: float = DEFAULT_TIMEOUT
    rollback_on_failure: bool = False
    description: str = ""
    skip_crds: bool = False
    skip_schema: bool = False
    take_ownership: bool = False
    no_hooks: bool = False
    labels: dict[str, Any] = field(default_factory=dict)
    hide_secret: bool = False  # dry runs only: Secrets print as one "# HIDDEN" line (Helm 4)
    wait_for_jobs: bool = False  # with wait: Jobs too must complete
    post_renderer: PostRenderer | None = None  # --post-renderer: the rendered manifests go through it
    subchart_notes: bool = False  # --render-subchart-notes
    dependency_update: bool = False  # --dependency-update: fetch missing dependencies of a chart directory first
    verify: Verify | None = None  # --verify [--keyring]: check the archive's provenance before using it

    def check_hide_secret(self) -> None:
        if self.hide_secret and not self.dry_run:
            raise UsageError("hiding Kubernetes secrets requires a dry-run mode", hint="add --dry-run")


@dataclass(kw_only=True)
class InstallOptions(DeployOptions):
    """Flags of ``helmpy install``."""

    name: str | None
    generate_name: bool = False
    name_template: str = ""
    force_conflicts: bool = False
    replace: bool = False


@dataclass
class InstallResult:
    release: Release
    applied: applying.ApplyResult | None = None
    crds_created: list[str] = field(default_factory=list)


def resolve_name(cfg: Configuration, opts: InstallOptions) -> str:
    if opts.name and (opts.generate_name or opts.name_template):
        raise UsageError("cannot set a release name and --generate-name or --name-template at the same time")
    name: str | None
    if opts.name_template:
        name = render_name_template(opts.name_template)
        if not name:
            raise UsageError(f"--name-template {opts.name_template!r} rendered an empty release name")
    else:
        name = opts.name or (generate_name(opts.chart_ref, cfg.clock) if opts.generate_name else None)
    if not name:
        raise UsageError("must either provide a name or specify --generate-name")
    validate_name(name)
    return name


def run(cfg: Configuration, opts: InstallOptions, chart: Any = None) -> InstallResult:
    """Install a release; the release lock is held for the whole operation (not for dry runs)."""
    opts.check_hide_secret()
    name = resolve_name(cfg, opts)
    validate_labels(opts.labels)
    chart = chart if chart is not None else load_chart(opts.chart_ref, opts.version, opts.devel, opts.repo_url,
                                                       opts.remote, dependency_update=opts.dependency_update,
                                                       verify=opts.verify)
    check_installable(chart)
    if opts.dry_run:
        return run_locked(cfg, opts, chart, name)
    if opts.create_namespace:
        applying.ensure_namespace(cfg.kube, cfg.namespace)
    with ReleaseLock(cfg.kube, cfg.namespace, name, cfg.command, clock=cfg.clock):
        return run_locked(cfg, opts, chart, name)


def run_locked(cfg: Configuration, opts: InstallOptions, chart: Any, name: str) -> InstallResult:
    """The install itself; the caller holds the lock (``upgrade --install`` reuses this)."""
    try:
        history = cfg.storage.history(name)
    except ReleaseNotFound:
        history = []
    last = max(history, key=lambda r: r.version) if history else None
    if last is not None and not (opts.replace and last.info.status in (Status.UNINSTALLED, Status.FAILED)):
        raise ReleaseError(f"cannot reuse a name that is still in use: release \"{name}\" exists in namespace "
                           f"\"{cfg.namespace}\" (revision {last.version}, {last.info.status})",
                           hint="pick another name, or use `helmpy upgrade` to change it")
    ts = cfg.clock()
    rel = Release(name=name, namespace=cfg.namespace, version=(last.version + 1) if last else 1,
                  info=Info(first_deployed=ts, last_deployed=ts, status=Status.UNKNOWN),
                  chart=ChartRecord.from_chart(chart), config=opts.values, labels=dict(opts.labels),
                  apply_method=APPLY_METHOD)
    rendered = render(cfg, chart, opts.values, rel, is_upgrade=False, opts=opts)
    rel.info.status = Status.PENDING_INSTALL
    rel.info.description = "Initial install underway"
    crd_kinds = applying.crd_scopes(list(rendered.crds)) if not opts.skip_crds else None
    target = applying.parse_manifest(rel.manifest, cfg.kube, cfg.namespace, f"release {name} manifest", crd_kinds)
    applying.check_ownership(cfg.kube, target, name, cfg.namespace, "install", take_ownership=opts.take_ownership,
                             new_kinds=crd_kinds)
    if cfg.record_size_limited:
        from helmpy.action.record_size import check_record_size

        check_record_size(rel)
    if opts.dry_run:
        rel.info.description = "Dry run complete"
        if opts.hide_secret:
            hide_release_secrets(rel)
        return InstallResult(rel)
    result = InstallResult(rel)
    if not opts.skip_crds and getattr(rendered, "crds", None):
        result.crds_created = applying.install_crds(cfg.kube, list(rendered.crds))
    if last is not None and last.info.status == Status.UNINSTALLED:  # --replace
        last.info.status = Status.SUPERSEDED
        last.info.description = "superseded by new release"
        cfg.storage.update(last)
    with recorded_on_interrupt(cfg, rel, "install", install_advice(cfg, name, opts.chart_ref)):
        cfg.storage.create(rel)
        plan = applying.Deployment(release=rel, current=[], target=target, pre_event="pre-install",
                                   post_event="post-install",
                                   description=opts.description or "Install complete")
        try:
            result.applied = applying.deploy(cfg, plan, wait=opts.wait, timeout=opts.timeout, no_hooks=opts.no_hooks,
                                             force=opts.force_conflicts, wait_for_jobs=opts.wait_for_jobs)
        except HelmpyError as err:
            fail(cfg, rel, f"Release \"{name}\" failed: {err}")
            if opts.rollback_on_failure:
                from helmpy.action import uninstall

                try:
                    uninstall.run_locked(cfg, name, uninstall.UninstallOptions(wait=True, timeout=opts.timeout))
                except HelmpyError as un_err:
                    raise ReleaseFailed(f"release {name} failed, and the rollback-on-failure uninstall failed too: "
                                        f"{un_err}: {err}") from err
                raise ReleaseFailed(f"release {name} failed, and has been uninstalled due to rollback-on-failure "
                                    f"being set: {err}") from err
            raise ReleaseFailed(str(err), hint=err.hint) from err
        except Exception as err:  # a bug must not leave the revision pending: record it, then let it surface
            fail(cfg, rel, f"Release \"{name}\" failed: internal error: {type(err).__name__}: {err}")
            raise
    return result


def hide_release_secrets(rel: Release) -> None:
    """``--hide-secret``: the Secrets of a dry-run release (manifest and, stricter than Helm, hooks) hidden."""
    from helmpy.redact import hide_secret_document, hide_secrets

    rel.manifest = hide_secrets(rel.manifest)
    for hook in rel.hooks:  # Helm prints hook Secrets even with --hide-secret; a hook Secret leaks the same
        hook.manifest = hide_secret_document(hook.manifest, hook.path)


def fail(cfg: Configuration, rel: Release, description: str) -> None:
    """Record a revision as failed (best effort: the original error matters more)."""
    rel.info.status = Status.FAILED
    rel.info.description = description
    try:
        cfg.storage.update(rel)
    except HelmpyError as err:
        logger.warning("could not record release %s as failed: %s", rel.name, err)
