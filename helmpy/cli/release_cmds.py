"""Release commands: install, upgrade, rollback, uninstall, history, status, list, get, test.

Each command turns flags into an action's options, calls ``run()`` once and prints the result with
``release_output``; the actions decide everything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from helmpy import settings
from helmpy.cli.duration import parse_duration
from helmpy.cli.main import CONTEXT_SETTINGS, debug_enabled, debug_option
from helmpy.cli.options import post_renderer_options, remote_options, values_options, verify_options
from helmpy.cli.output import FORMATS, format_table, output_option
from helmpy.errors import HelmpyError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


# --- shared options ---------------------------------------------------------------------------------
KUBE_OPTIONS = [
    click.option("--kubeconfig", envvar=settings.names("KUBECONFIG"), metavar="FILE", default=None,
                 help="kubeconfig file(s) (KUBECONFIG; default ~/.kube/config)."),
    click.option("--kube-context", envvar=settings.names("KUBECONTEXT"), metavar="NAME", default=None,
                 help="kubeconfig context to use (HELMPY_KUBECONTEXT, HELM_KUBECONTEXT)."),
    click.option("--kube-apiserver", envvar=settings.names("KUBEAPISERVER"), metavar="URL", default=None,
                 help="Address of the Kubernetes API server (HELMPY_KUBEAPISERVER, HELM_KUBEAPISERVER)."),
    click.option("--kube-token", envvar=settings.names("KUBETOKEN"), metavar="TOKEN", default=None,
                 help="Bearer token for the API server (HELMPY_KUBETOKEN, HELM_KUBETOKEN)."),
    click.option("--kube-ca-file", envvar=settings.names("KUBECAFILE"), metavar="FILE", default=None,
                 help="CA certificate of the API server (HELMPY_KUBECAFILE, HELM_KUBECAFILE)."),
    click.option("--kube-insecure-skip-tls-verify", is_flag=True, envvar=settings.names("KUBEINSECURE_SKIP_TLS_VERIFY"),
                 help="Do not verify the API server's certificate (insecure)."),
    click.option("--kube-tls-server-name", envvar=settings.names("KUBETLS_SERVER_NAME"), metavar="NAME", default=None,
                 help="Server name to check the API server's certificate against (default: its host)."),
]


def cluster_options(f: F) -> F:
    """``-n/--namespace``, ``--cluster`` and ``--debug``; passes ``cfg`` (a lazily built Configuration)."""

    @functools.wraps(f)
    def wrapper(*args: Any, namespace: str | None, cluster: str | None, kubeconfig: str | None,
                kube_context: str | None, kube_apiserver: str | None, kube_token: str | None,
                kube_ca_file: str | None, kube_insecure_skip_tls_verify: bool, kube_tls_server_name: str | None,
                **kwargs: Any) -> Any:
        from helmpy.action.config import Configuration
        from helmpy.cli.holder import summarize

        command = summarize(click.get_current_context())
        overrides = {"apiserver": kube_apiserver, "token": kube_token, "ca_file": kube_ca_file,
                     "insecure_skip_tls_verify": kube_insecure_skip_tls_verify or None,
                     "tls_server_name": kube_tls_server_name}
        kwargs["cfg"] = _LazyConfig(lambda: Configuration.from_env(
            namespace=namespace, cluster=cluster, kubeconfig=kubeconfig, context=kube_context,
            kube_overrides={k: v for k, v in overrides.items() if v is not None}, command=command))
        return f(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(KUBE_OPTIONS):
        decorated = option(decorated)
    decorated = click.option("--cluster", envvar=settings.names("CLUSTER"), metavar="local:PATH",
                             help="Cluster to talk to, e.g. local:/tmp/c.db (HELMPY_CLUSTER; default: "
                                  "kubeconfig, else the embedded cluster).")(decorated)
    decorated = click.option("-n", "--namespace", envvar=settings.names("NAMESPACE"), metavar="NS",
                             help="Namespace of the release (HELMPY_NAMESPACE, HELM_NAMESPACE; default \"default\").")(decorated)
    return debug_option(decorated)  # type: ignore[no-any-return]


class _LazyConfig:
    """Build the Configuration only when a command needs it (so usage errors need no cluster)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._cfg: Any = None

    def __call__(self) -> Any:
        if self._cfg is None:
            self._cfg = self._factory()
        return self._cfg


def parse_labels(text: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in filter(None, (text or "").split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"invalid --labels entry {item!r}: expected key=value")
        out[key.strip()] = None if value.strip() == "null" else value.strip()
    return out


def _dry_run(value: str) -> bool:
    if value in ("true", "client", "server"):
        return True
    return False


def _wrap(prefix: str, err: HelmpyError) -> HelmpyError:
    """Helm's ``INSTALLATION FAILED: ...`` style prefix, same error class (same exit code)."""
    new = type(err)(f"{prefix}{err.message}", hint=err.hint)
    return new


timeout_option = click.option("--timeout", default="5m0s", show_default=True, metavar="DURATION",
                              help="Time to wait for any single Kubernetes operation (e.g. hooks).")
wait_option = click.option("--wait", "wait", type=click.Choice(["watcher", "legacy", "hookOnly"]), is_flag=False,
                           flag_value="watcher", default="hookOnly", show_default=True,
                           help="Wait until all resources are ready (bare --wait = watcher).")
dry_run_option = click.option("--dry-run", "dry_run", type=click.Choice(["none", "client", "server", "true",
                                                                          "false"]),
                              is_flag=False, flag_value="client", default="none",
                              help="Simulate: render and check, change nothing (bare --dry-run = client).")
wait_for_jobs_option = click.option("--wait-for-jobs", is_flag=True,
                                    help="With --wait: wait for Jobs to complete too (else a created Job is ready).")
server_side_option = click.option("--server-side", type=click.Choice(["true", "false", "auto"]), is_flag=False,
                                  flag_value="true", default="auto", metavar="true|auto",
                                  help="Apply server-side (helmpy always does; \"false\", client-side apply, is "
                                       "refused).")
force_conflicts_option = click.option("--force-conflicts", is_flag=True,
                                      help="Server-side apply: take over fields other managers own instead of failing.")
atomic_option = click.option("--rollback-on-failure", "--atomic", "atomic", is_flag=True,
                             help="On failure roll back (upgrade) or uninstall (install); --atomic is the Helm 3 "
                                  "name.")
deploy_options = [
    click.option("--description", default="", help="Custom description of the revision."),
    click.option("--no-hooks", is_flag=True, help="Do not run hooks."),
    click.option("--skip-crds", is_flag=True, help="Do not install CRDs from crds/."),
    click.option("--skip-schema-validation", "skip_schema", is_flag=True, help="Skip values.schema.json."),
    click.option("--take-ownership", is_flag=True, help="Adopt existing objects that are not this release's."),
    force_conflicts_option,
    click.option("-l", "--labels", default=None, metavar="K=V,...", help="Labels on the release record."),
    click.option("--version", "chart_version", default=None, metavar="CONSTRAINT", help="Chart version constraint."),
    click.option("--devel", is_flag=True, help="Consider development (pre-release) versions."),
    click.option("--repo", "repo_url", default=None, metavar="URL", help="Chart repository URL."),
    click.option("--create-namespace", is_flag=True, help="Create the release namespace if absent."),
    timeout_option, wait_option, dry_run_option, atomic_option,
    click.option("--render-subchart-notes", "subchart_notes", is_flag=True,
                 help="Render the sub-charts' NOTES.txt too, after the chart's own."),
    click.option("--dependency-update", is_flag=True,
                 help="Fetch the dependencies missing from a chart directory's charts/ first (dependency update)."),
    click.option("--disable-openapi-validation", is_flag=True,
                 help="Accepted for Helm: helmpy never validates against the OpenAPI schema client-side "
                      "(the API server validates what is applied)."),
    wait_for_jobs_option, server_side_option,
]
common_deploy = [
    *deploy_options, output_option,
    click.option("--hide-secret", is_flag=True, help="With --dry-run: print Secrets as one '# HIDDEN' line."),
    click.option("--diff", "show_diff", is_flag=True,
                 help="Print the plan first (what `helmpy diff` shows: live objects against the new revision)."),
    click.option("--hide-notes", is_flag=True, help="Do not print the chart's NOTES (they are still stored)."),
]


def _apply(opts: list[Callable[[F], F]], f: F) -> F:
    for opt in reversed(opts):
        f = opt(f)
    return f


def _echo(text: str) -> None:
    click.echo(text, nl=False)


def _print_release(rel: Any, output: str, *, dry_run: bool = False, hide_notes: bool = False,
                   drop_chart: bool = False) -> None:
    from helmpy.cli import release_output as ro

    if output != "table":
        _echo(ro.structured(ro.release_data(rel, drop_chart=drop_chart), output))
        return
    _echo(ro.status_block(rel, show_manifest=dry_run or debug_enabled(), hide_notes=hide_notes))


# --- install ----------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("args", nargs=-1, metavar="[NAME] CHART")
@click.option("-g", "--generate-name", is_flag=True, help="Generate the release name.")
@click.option("--name-template", default="", metavar="TEMPLATE",
              help="Jinja2 template for the release name, e.g. 'web-{{ randAlpha(5) | lower }}'.")
@click.option("--replace", is_flag=True, help="Re-use the name of an uninstalled or failed release.")
@click.option("--force-replace", "--force", "force_replace", is_flag=True,
              help="Force object updates (as --force-conflicts: helmpy applies server-side).")
@verify_options
@post_renderer_options
@values_options
@remote_options
@cluster_options
def install(args: tuple[str, ...], generate_name: bool, name_template: str, replace: bool, value_options: Any,
            cfg: Any, **flags: Any) -> None:
    """Install CHART as a new release NAME (on the embedded cluster when no kubeconfig exists).

    \b
    Examples:
      helmpy install web ./charts/web
      helmpy install web ./charts/web -n prod --create-namespace --set image.tag=v2
      helmpy install --generate-name ./charts/web -o json
      helmpy install --name-template 'web-{{ randAlpha(5) | lower }}' ./charts/web
      helmpy install web ./charts/web --dry-run
    """
    from helmpy.action import install as action

    if len(args) == 1 and (generate_name or name_template):
        name, chart_ref = None, args[0]
    elif len(args) == 2:
        name, chart_ref = args
    else:
        raise UsageError("install needs NAME and CHART (or --generate-name/--name-template and CHART)")
    opts = action.InstallOptions(
        name=name, chart_ref=chart_ref, values=value_options.merge(), generate_name=generate_name,
        name_template=name_template,
        replace=replace, force_conflicts=flags["force_conflicts"] or flags["force_replace"], **_deploy_flags(flags))
    config = cfg()  # an unreachable cluster is not an install/upgrade failure (Helm prints no prefix either)
    try:
        if flags["show_diff"]:
            from helmpy.action import diff

            print_plan(diff.install(config, opts, diff.DiffOptions()), err=flags["output"] != "table")
        result = action.run(config, opts)
    except HelmpyError as err:
        raise _wrap("INSTALLATION FAILED: ", err) from err
    _print_release(result.release, flags["output"], dry_run=opts.dry_run, hide_notes=flags["hide_notes"])


def _check_server_side(value: str) -> None:
    if value == "false":
        raise UsageError("--server-side=false: helmpy applies server-side only (client-side apply is not implemented)",
                         hint="leave --server-side out, or set it to true or auto")


def _deploy_flags(flags: dict[str, Any]) -> dict[str, Any]:
    _check_server_side(flags["server_side"])
    return dict(post_renderer=flags["post_renderer"], subchart_notes=flags["subchart_notes"], verify=flags["verify"],
                dependency_update=flags["dependency_update"], wait_for_jobs=flags["wait_for_jobs"],
                version=flags["chart_version"], devel=flags["devel"], repo_url=flags["repo_url"], remote=flags["remote"],
                create_namespace=flags["create_namespace"], dry_run=_dry_run(flags["dry_run"]),
                wait=flags["wait"] in ("watcher", "legacy"), timeout=parse_duration(flags["timeout"]),
                rollback_on_failure=flags["atomic"], description=flags["description"], skip_crds=flags["skip_crds"],
                skip_schema=flags["skip_schema"], take_ownership=flags["take_ownership"],
                no_hooks=flags["no_hooks"], labels=parse_labels(flags["labels"]), hide_secret=flags["hide_secret"])


def _history_max_default() -> int:
    return settings.integer("MAX_HISTORY", 10)


# --- upgrade ----------------------------------------------------------------------------------------
upgrade_options = [
    click.option("-i", "--install", "install_missing", is_flag=True, help="Install if the release does not exist."),
    click.option("--reuse-values", is_flag=True, help="Merge new values over the last release's values."),
    click.option("--reset-values", is_flag=True, help="Use only the chart's defaults and new values."),
    click.option("--reset-then-reuse-values", is_flag=True,
                 help="Like --reuse-values but with the new chart defaults."),
    click.option("--cleanup-on-fail", is_flag=True, help="Delete objects created by a failed upgrade."),
    click.option("--history-max", type=int, default=_history_max_default,
                 show_default="10 (HELMPY_MAX_HISTORY, HELM_MAX_HISTORY)",
                 help="Keep at most this many revisions (0 = no limit)."),
    click.option("--force", "--force-replace", "force", is_flag=True, help="Force object updates."),
]


def upgrade_opts(name: str, chart: str, value_options: Any, flags: dict[str, Any]) -> Any:
    """The UpgradeOptions of ``upgrade``'s flags (``diff upgrade`` takes the same)."""
    from helmpy.action import upgrade as action

    return action.UpgradeOptions(
        name=name, chart_ref=chart, values=value_options.merge(), values_given=not value_options.is_empty(),
        install=flags["install_missing"], reuse_values=flags["reuse_values"], reset_values=flags["reset_values"],
        reset_then_reuse_values=flags["reset_then_reuse_values"], cleanup_on_fail=flags["cleanup_on_fail"],
        history_max=flags["history_max"], force=flags["force"] or flags["force_conflicts"], **_deploy_flags(flags))


def print_plan(report: Any, *, err: bool = False) -> None:
    """``--diff``: the plan, in colour on a terminal (stderr when stdout carries -o json/yaml)."""
    from helmpy.cli.diff_cmds import colour_wanted
    from helmpy.diff.render import render

    colour = colour_wanted(None, err=err)
    click.echo(render(report, "diff", colour=colour), nl=False, err=err, color=colour)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.argument("chart", required=False)
@click.option("--rollback", "rollback_to", is_flag=False, flag_value="0", default=None, metavar="[REVISION]",
              help="Shorthand for `helmpy rollback NAME [REVISION]`.")
@verify_options
@post_renderer_options
@values_options
@remote_options
@cluster_options
def upgrade(name: str, chart: str | None, rollback_to: str | None, value_options: Any, cfg: Any,
            **flags: Any) -> None:
    """Upgrade release NAME to CHART (or roll it back with --rollback).

    \b
    Examples:
      helmpy upgrade web ./charts/web --set replicas=3
      helmpy upgrade --install web ./charts/web
      helmpy upgrade web ./charts/web --reuse-values --atomic
      helmpy upgrade web --rollback 2
    """
    if rollback_to is not None:
        from helmpy.action import rollback as rb

        try:
            revision = int(rollback_to) if chart is None else int(chart)
        except ValueError as err:
            raise UsageError(f"invalid revision {chart or rollback_to!r}") from err
        rb.run(cfg(), rb.RollbackOptions(name=name, revision=revision, dry_run=_dry_run(flags["dry_run"]),
                                         wait=flags["wait"] in ("watcher", "legacy"),
                                         wait_for_jobs=flags["wait_for_jobs"],
                                         timeout=parse_duration(flags["timeout"]), no_hooks=flags["no_hooks"],
                                         force=flags["force"], cleanup_on_fail=flags["cleanup_on_fail"],
                                         history_max=flags["history_max"]))
        click.echo("Rollback was a success! Happy Helming!")
        return
    if chart is None:
        raise UsageError("upgrade needs NAME and CHART (or --rollback)")
    from helmpy.action import upgrade as action

    opts = upgrade_opts(name, chart, value_options, flags)
    config = cfg()  # an unreachable cluster is not an install/upgrade failure (Helm prints no prefix either)
    try:
        if flags["show_diff"]:
            from helmpy.action import diff

            print_plan(diff.upgrade(config, opts, diff.DiffOptions()), err=flags["output"] != "table")
        result = action.run(config, opts)
    except HelmpyError as err:
        raise _wrap("UPGRADE FAILED: ", err) from err
    if flags["output"] == "table":
        if result.installed:
            click.echo(f'Release "{name}" does not exist. Installing it now.')
        else:
            click.echo(f'Release "{name}" has been upgraded. Happy Helming!')
    _print_release(result.release, flags["output"], dry_run=opts.dry_run, hide_notes=flags["hide_notes"])


for _opt in reversed(common_deploy):
    install = _opt(install)
    upgrade = _opt(upgrade)
for _opt in reversed(upgrade_options):
    upgrade = _opt(upgrade)


# --- rollback ---------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.argument("revision", type=int, required=False, default=0)
@dry_run_option
@wait_option
@timeout_option
@click.option("--no-hooks", is_flag=True, help="Do not run hooks.")
@click.option("--force", "--force-replace", "force", is_flag=True, help="Force object updates.")
@click.option("--cleanup-on-fail", is_flag=True, help="Delete objects created by a failed rollback.")
@click.option("--history-max", type=int, default=_history_max_default, show_default="10 (HELMPY_MAX_HISTORY, HELM_MAX_HISTORY)",
              help="Keep at most this many revisions (0 = no limit).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the plan first (what `helmpy diff rollback` shows).")
@wait_for_jobs_option
@server_side_option
@force_conflicts_option
@cluster_options
def rollback(name: str, revision: int, dry_run: str, wait: str, timeout: str, no_hooks: bool, force: bool,
             cleanup_on_fail: bool, history_max: int, show_diff: bool, wait_for_jobs: bool, server_side: str,
             force_conflicts: bool, cfg: Any) -> None:
    """Roll release NAME back to REVISION (default: the previous one).

    A pending revision left by a killed process is marked failed first.

    \b
    Examples:
      helmpy rollback web            # to the previous revision
      helmpy rollback web 2
    """
    from helmpy.action import rollback as action

    _check_server_side(server_side)
    if show_diff:
        from helmpy.action import diff

        print_plan(diff.rollback(cfg(), name, revision, diff.DiffOptions(hooks=not no_hooks),
                                 force=force or force_conflicts))
    action.run(cfg(), action.RollbackOptions(
        name=name, revision=revision, dry_run=_dry_run(dry_run), wait=wait in ("watcher", "legacy"),
        wait_for_jobs=wait_for_jobs, timeout=parse_duration(timeout), no_hooks=no_hooks, force=force or force_conflicts,
        cleanup_on_fail=cleanup_on_fail, history_max=history_max))
    click.echo("Rollback was a success! Happy Helming!")


# --- uninstall --------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--keep-history", is_flag=True, help="Keep the release records (status uninstalled).")
@click.option("--ignore-not-found", is_flag=True, help="A missing release is not an error.")
@click.option("--no-hooks", is_flag=True, help="Do not run hooks.")
@click.option("--description", default="", help="Custom description.")
@click.option("--cascade", type=click.Choice(["background", "foreground", "orphan"]), default="background",
              show_default=True, help="Deletion propagation of dependents.")
@dry_run_option
@wait_option
@timeout_option
@cluster_options
def uninstall(names: tuple[str, ...], keep_history: bool, ignore_not_found: bool, no_hooks: bool, description: str,
              cascade: str, dry_run: str, wait: str, timeout: str, cfg: Any) -> None:
    """Uninstall releases: delete their objects (resource-policy keep survives) and records.

    \b
    Examples:
      helmpy uninstall web
      helmpy uninstall web api --keep-history
      helmpy uninstall web --ignore-not-found
    """
    from helmpy.action import uninstall as action

    opts = action.UninstallOptions(keep_history=keep_history, dry_run=_dry_run(dry_run),
                                   wait=wait in ("watcher", "legacy"), timeout=parse_duration(timeout),
                                   ignore_not_found=ignore_not_found, no_hooks=no_hooks, description=description,
                                   cascade=cascade)
    for name in names:
        result = action.run(cfg(), name, opts)
        if result.not_found:
            continue
        if result.kept:
            click.echo("These resources were kept due to the resource policy:")
            for item in result.kept:
                click.echo(item)
            click.echo("")
        click.echo(f'release "{name}" uninstalled')


# --- history ----------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("--max", "max_revisions", type=int, default=256, show_default=True,
              help="Maximum number of revisions to include.")
@output_option
@cluster_options
def history(name: str, max_revisions: int, output: str, cfg: Any) -> None:
    """Show the revisions of release NAME, oldest first.

    \b
    Examples:
      helmpy history web
      helmpy history web --max 5 -o json
    """
    from helmpy.action import history as action
    from helmpy.cli import release_output as ro

    entries = action.run(cfg(), name, max_revisions)
    if output != "table":
        _echo(ro.structured([e.to_dict() for e in entries], output))
        return
    rows = [[e.revision, ro.ansic(e.updated), e.status, e.chart, e.app_version, e.description] for e in entries]
    _echo(format_table(ro.HISTORY_HEADERS, rows, max_col_width=ro.UNLIMITED))  # Helm 4: descriptions in full


# --- status -----------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("--revision", type=int, default=0, help="Show this revision (default: the latest).")
@click.option("--show-resources/--hide-resources", default=True, show_default=True,
              help="List the release's live objects (Helm 4 always does).")
@click.option("--show-desc", is_flag=True, hidden=True)
@click.option("--drift", "show_drift", is_flag=True,
              help="Compare each object with its live state and name who changed it (as `helmpy diff drift`).")
@output_option
@cluster_options
def status(name: str, revision: int, show_resources: bool, show_desc: bool, show_drift: bool, output: str,
           cfg: Any) -> None:
    """Show the state of release NAME, its live objects and who holds its lock.

    \b
    Examples:
      helmpy status web
      helmpy status web --revision 2 -o json
    """
    from helmpy.action import status as action
    from helmpy.cli import release_output as ro

    c = cfg()
    result = action.run(c, name, revision, show_resources=show_resources)
    if output != "table":
        data = ro.status_data(result.release, result.resources, result.lock, result.explanation)
        if show_drift:
            from helmpy.action import drift

            data["drift"] = drift.run(c, name, result.release.version).to_dict()
        _echo(ro.structured(data, output))
        return
    from helmpy.kube.factory import describe

    _echo(ro.status_block(result.release, resources=result.resources, lock=result.lock,
                          explanation=result.explanation, now=c.clock(), cluster=describe(c.kube)))
    if show_drift:
        from helmpy.action import drift
        from helmpy.cli.diff_cmds import colour_wanted
        from helmpy.diff.drift import render

        colour = colour_wanted(None)
        click.echo("DRIFT:\n" + render(drift.run(c, name, result.release.version), "text", colour=colour), nl=False,
                   color=colour)


# --- list -------------------------------------------------------------------------------------------
@click.command("list", context_settings=CONTEXT_SETTINGS)
@click.option("-a", "--all", "all_states", is_flag=True, help="Every status (the default in Helm 4; kept for v3).")
@click.option("-A", "--all-namespaces", is_flag=True, help="Releases of every namespace.")
@click.option("--deployed", is_flag=True, help="Only deployed releases.")
@click.option("--failed", is_flag=True, help="Only failed releases.")
@click.option("--pending", is_flag=True, help="Only pending releases.")
@click.option("--superseded", is_flag=True, help="Only superseded revisions.")
@click.option("--uninstalled", is_flag=True, help="Only uninstalled releases (kept with --keep-history).")
@click.option("--uninstalling", is_flag=True, help="Only releases being uninstalled.")
@click.option("-f", "--filter", "filter_", default="", metavar="REGEX", help="Only names matching REGEX.")
@click.option("-l", "--selector", default="", metavar="SELECTOR",
              help="Label selector on the releases' custom labels (--labels), e.g. team=a,tier!=db.")
@click.option("-m", "--max", "max_", type=int, default=256, show_default=True, help="Maximum number of releases.")
@click.option("--offset", type=int, default=0, help="Skip this many releases.")
@click.option("-r", "--reverse", is_flag=True, help="Reverse the sort order.")
@click.option("-d", "--date", "by_date", is_flag=True, help="Sort by release date.")
@click.option("-q", "--short", is_flag=True, help="Names only.")
@click.option("--no-headers", is_flag=True, help="No header row in table output.")
@click.option("--time-format", default="", help="strftime format for UPDATED.")
@output_option
@cluster_options
def list_releases(all_states: bool, all_namespaces: bool, deployed: bool, failed: bool, pending: bool,
                  superseded: bool, uninstalled: bool, uninstalling: bool, filter_: str, selector: str, max_: int,
                  offset: int, reverse: bool, by_date: bool, short: bool, no_headers: bool, time_format: str,
                  output: str, cfg: Any) -> None:
    """List releases (every status unless a status flag is given).

    \b
    Examples:
      helmpy list
      helmpy list -A --failed
      helmpy list -f '^web' -o json
      helmpy list -l team=payments
      helmpy list -q
    """
    from helmpy.action import list as action
    from helmpy.action.list import PENDING
    from helmpy.cli import release_output as ro
    from helmpy.release.model import Status

    states: set[Status] = set()
    for flag, sts in ((deployed, {Status.DEPLOYED}), (failed, {Status.FAILED}), (pending, PENDING),
                      (superseded, {Status.SUPERSEDED}), (uninstalled, {Status.UNINSTALLED}),
                      (uninstalling, {Status.UNINSTALLING})):
        if flag:
            states |= sts
    releases = action.run(cfg(), action.ListOptions(all_namespaces=all_namespaces, states=states, filter=filter_,
                                                    selector=selector, by_date=by_date, reverse=reverse, max=max_,
                                                    offset=offset))
    if short:
        names = [r.name for r in releases]
        _echo(ro.structured(names, output) if output != "table" else "".join(n + "\n" for n in names))
        return
    items = [ro.list_item(r, time_format) for r in releases]
    if output != "table":
        _echo(ro.structured(items, output))
        return
    rows = [[i["name"], i["namespace"], i["revision"], i["updated"], i["status"], i["chart"], i["app_version"]]
            for i in items]
    text = format_table(ro.LIST_HEADERS, rows)
    if no_headers:
        text = "".join(text.splitlines(keepends=True)[1:])
    _echo(text)


# --- get --------------------------------------------------------------------------------------------
@click.group(context_settings=CONTEXT_SETTINGS)
@debug_option
def get() -> None:
    """Show stored data of a release: values, manifest, notes, hooks, metadata, all.

    \b
    Examples:
      helmpy get values web --all
      helmpy get manifest web --revision 2
      helmpy get metadata web -o json
    """


def _get_command(name: str, help_text: str, *, output: bool = False) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        f = cluster_options(f)
        if output:
            f = output_option(f)
        f = click.option("--revision", type=int, default=0, help="Revision (default: the latest).")(f)
        f = click.argument("release_name", metavar="NAME")(f)
        f.__doc__ = help_text
        return get.command(name, context_settings=CONTEXT_SETTINGS)(f)  # type: ignore[return-value]

    return decorate


@_get_command("values", "Print the user-supplied values of a release (--all: computed values).\n\n"
                        "\b\nExamples:\n  helmpy get values web\n  helmpy get values web -a -o json\n", output=True)
@click.option("-a", "--all", "all_values", is_flag=True, help="All computed values.")
def get_values(release_name: str, revision: int, all_values: bool, output: str, cfg: Any) -> None:
    from helmpy.action import get as action
    from helmpy.cli import release_output as ro

    rel = action.run(cfg(), release_name, revision)
    values = action.values(rel, all_values)
    if output != "table":
        _echo(ro.structured(values, output))
        return
    _echo(("COMPUTED VALUES:\n" if all_values else "USER-SUPPLIED VALUES:\n") + ro.values_yaml(values))


@_get_command("manifest", "Print the stored manifest of a release.\n\n\b\nExamples:\n  helmpy get manifest web\n")
def get_manifest(release_name: str, revision: int, cfg: Any) -> None:
    from helmpy.action import get as action

    click.echo(action.run(cfg(), release_name, revision).manifest)


@_get_command("notes", "Print the notes of a release.\n\n\b\nExamples:\n  helmpy get notes web\n")
def get_notes(release_name: str, revision: int, cfg: Any) -> None:
    from helmpy.action import get as action

    rel = action.run(cfg(), release_name, revision)
    if rel.info.notes:
        click.echo(f"NOTES:\n{rel.info.notes}")


@_get_command("hooks", "Print the hooks of a release.\n\n\b\nExamples:\n  helmpy get hooks web\n")
def get_hooks(release_name: str, revision: int, cfg: Any) -> None:
    from helmpy.action import get as action
    from helmpy.cli import release_output as ro

    _echo(ro.hooks_text(action.run(cfg(), release_name, revision)))


@_get_command("metadata", "Print the metadata of a release.\n\n\b\nExamples:\n  helmpy get metadata web -o json\n",
              output=True)
def get_metadata(release_name: str, revision: int, output: str, cfg: Any) -> None:
    from helmpy.action import get as action
    from helmpy.cli import release_output as ro

    meta = action.metadata(action.run(cfg(), release_name, revision), revision)
    _echo(ro.structured(meta.to_dict(), output) if output != "table" else ro.metadata_text(meta))


@_get_command("all", "Print everything stored about a release.\n\n\b\nExamples:\n  helmpy get all web\n")
def get_all(release_name: str, revision: int, cfg: Any) -> None:
    from helmpy.action import get as action
    from helmpy.cli import release_output as ro

    rel = action.run(cfg(), release_name, revision)
    _echo(ro.status_block(rel, show_metadata=True, show_values=True, computed=action.values(rel, True),
                          show_manifest=True))


# --- test -------------------------------------------------------------------------------------------
@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@timeout_option
@click.option("--filter", "filters", multiple=True, metavar="name=NAME|!name=NAME", help="Select tests (repeat).")
@click.option("--logs", is_flag=True, hidden=True, help="Accepted for Helm compatibility; no pod logs exist here.")
@click.option("--accept-simulated", is_flag=True, envvar=settings.names("ACCEPT_SIMULATED"),
              help="Count a test the embedded cluster only simulated (no container ran) as passed.")
@cluster_options
def test(name: str, timeout: str, filters: tuple[str, ...], logs: bool, accept_simulated: bool, cfg: Any) -> None:
    """Run the test hooks of release NAME.

    On helmpy's embedded cluster no container runs: a test whose completion is simulated is "not run" and the
    command exits 1, unless --accept-simulated (or HELMPY_ACCEPT_SIMULATED=1) counts it as passed.

    \b
    Examples:
      helmpy test web
      helmpy test web --filter name=web-test-connection
      helmpy test web --accept-simulated
    """
    from helmpy.action import test_release as action
    from helmpy.cli import release_output as ro
    from helmpy.errors import TestsNotRun

    opts = action.TestOptions(timeout=parse_duration(timeout), filters=list(filters), accept_simulated=accept_simulated)
    try:
        result = action.run(cfg(), name, opts)
    except TestsNotRun as err:
        _echo(ro.status_block(err.release, hide_notes=True))  # as Helm: the status, then the error
        raise
    _echo(ro.status_block(result.release, hide_notes=True))
    if result.simulated:
        click.echo(f"NOTE: simulated, not run (accepted by --accept-simulated): {', '.join(result.simulated)}",
                   err=True)


__all__ = [
    "FORMATS",
    "get",
    "history",
    "install",
    "list_releases",
    "rollback",
    "status",
    "test",
    "uninstall",
    "upgrade",
]
