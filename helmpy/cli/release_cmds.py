"""Release commands: install, upgrade, rollback, uninstall, history, status, list, get, test.

Each command turns its flags into :class:`helmpy.Client` arguments (``release_options``), calls the Client - the
same methods a Python caller uses - and prints the typed result with ``release_output`` and ``output.write``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from helmpy import settings
from helmpy.cli.duration import parse_duration
from helmpy.cli.options import post_renderer_options, remote_options, values_options, verify_options
from helmpy.cli.output import FORMATS, format_table, output_option, write
from helmpy.cli.release_options import (
    _history_max_default,
    check_server_side,
    cluster_options,
    common_deploy,
    deploy_flags,
    dry_run_option,
    dry_run_wanted,
    force_conflicts_option,
    server_side_option,
    source_flags,
    timeout_option,
    upgrade_flags,
    upgrade_options,
    wait_for_jobs_option,
    wait_option,
    waits,
    wrap_failure,
)
from helmpy.cli.root import CONTEXT_SETTINGS, debug_enabled, debug_option
from helmpy.errors import HelmpyError, UsageError

if TYPE_CHECKING:
    from helmpy.api import Client, DiffResult, Release

F = TypeVar("F", bound=Callable[..., Any])


def _echo(text: str) -> None:
    click.echo(text, nl=False)


def _print_release(rel: Release, output: str, *, dry_run: bool = False, hide_notes: bool = False) -> None:
    from helmpy.cli import release_output as ro

    write(rel.to_dict() if output != "table" else None, output,  # the record is shaped only for -o json|yaml
          lambda _: ro.status_block(rel, show_manifest=dry_run or debug_enabled(), hide_notes=hide_notes))


def print_plan(plan: DiffResult, *, err: bool = False) -> None:
    """``--diff``: the plan, in colour on a terminal (stderr when stdout carries -o json/yaml)."""
    from helmpy.cli.diff_cmds import colour_wanted

    colour = colour_wanted(None, err=err)
    click.echo(plan.text("diff", colour=colour), nl=False, err=err, color=colour)


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
            remote: Any, verify: Any, post_renderer: Any, client: Client, **flags: Any) -> None:
    """Install CHART as a new release NAME (on the embedded cluster when no kubeconfig exists).

    \b
    Examples:
      helmpy install web ./charts/web
      helmpy install web ./charts/web -n prod --create-namespace --set image.tag=v2
      helmpy install --generate-name ./charts/web -o json
      helmpy install --name-template 'web-{{ randAlpha(5) | lower }}' ./charts/web
      helmpy install web ./charts/web --dry-run
    """
    if len(args) == 1 and (generate_name or name_template):
        name, chart_ref = None, args[0]
    elif len(args) == 2:
        name, chart_ref = args
    else:
        raise UsageError("install needs NAME and CHART (or --generate-name/--name-template and CHART)")
    given = deploy_flags(flags, source_flags(value_options, remote, verify, post_renderer))
    given["force_conflicts"] = flags["force_conflicts"] or flags["force_replace"]
    operation = client.prepare_install(name, chart_ref, generate_name=generate_name, name_template=name_template,
                                       replace=replace, **given)
    client.connect()  # an unreachable cluster is not an install/upgrade failure (Helm prints no prefix either)
    try:
        if flags["show_diff"]:
            print_plan(operation.plan(), err=flags["output"] != "table")
        rel = operation.run()
    except HelmpyError as err:
        raise wrap_failure("INSTALLATION FAILED: ", err) from err
    _print_release(rel, flags["output"], dry_run=operation.options.dry_run, hide_notes=flags["hide_notes"])


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
def upgrade(name: str, chart: str | None, rollback_to: str | None, value_options: Any, remote: Any, verify: Any,
            post_renderer: Any, client: Client, **flags: Any) -> None:
    """Upgrade release NAME to CHART (or roll it back with --rollback).

    \b
    Examples:
      helmpy upgrade web ./charts/web --set replicas=3
      helmpy upgrade --install web ./charts/web
      helmpy upgrade web ./charts/web --reuse-values --atomic
      helmpy upgrade web --rollback 2
    """
    if rollback_to is not None:
        try:
            revision = int(rollback_to) if chart is None else int(chart)
        except ValueError as err:
            raise UsageError(f"invalid revision {chart or rollback_to!r}") from err
        client.rollback(name, revision, dry_run=dry_run_wanted(flags["dry_run"]), wait=waits(flags["wait"]),
                        wait_for_jobs=flags["wait_for_jobs"], timeout=parse_duration(flags["timeout"]),
                        no_hooks=flags["no_hooks"], force=flags["force"], cleanup_on_fail=flags["cleanup_on_fail"],
                        history_max=flags["history_max"])
        click.echo("Rollback was a success! Happy Helming!")
        return
    if chart is None:
        raise UsageError("upgrade needs NAME and CHART (or --rollback)")
    operation = client.prepare_upgrade(name, chart, **upgrade_flags(flags, source_flags(value_options, remote, verify,
                                                                                       post_renderer)))
    client.connect()  # an unreachable cluster is not an install/upgrade failure (Helm prints no prefix either)
    try:
        if flags["show_diff"]:
            print_plan(operation.plan(), err=flags["output"] != "table")
        rel = operation.run()
    except HelmpyError as err:
        raise wrap_failure("UPGRADE FAILED: ", err) from err
    if flags["output"] == "table":
        if rel.installed:
            click.echo(f'Release "{name}" does not exist. Installing it now.')
        else:
            click.echo(f'Release "{name}" has been upgraded. Happy Helming!')
    _print_release(rel, flags["output"], dry_run=operation.options.dry_run, hide_notes=flags["hide_notes"])


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
@click.option("--history-max", type=int, default=_history_max_default,
              show_default="10 (HELMPY_MAX_HISTORY, HELM_MAX_HISTORY)",
              help="Keep at most this many revisions (0 = no limit).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the plan first (what `helmpy diff rollback` shows).")
@wait_for_jobs_option
@server_side_option
@force_conflicts_option
@cluster_options
def rollback(name: str, revision: int, dry_run: str, wait: str, timeout: str, no_hooks: bool, force: bool,
             cleanup_on_fail: bool, history_max: int, show_diff: bool, wait_for_jobs: bool, server_side: str,
             force_conflicts: bool, client: Client) -> None:
    """Roll release NAME back to REVISION (default: the previous one).

    A pending revision left by a killed process is marked failed first.

    \b
    Examples:
      helmpy rollback web            # to the previous revision
      helmpy rollback web 2
    """
    check_server_side(server_side)
    if show_diff:
        print_plan(client.diff_rollback(name, revision, no_hooks=no_hooks, force=force or force_conflicts))
    client.rollback(name, revision, dry_run=dry_run_wanted(dry_run), wait=waits(wait), wait_for_jobs=wait_for_jobs,
                    timeout=parse_duration(timeout), no_hooks=no_hooks, force=force or force_conflicts,
                    cleanup_on_fail=cleanup_on_fail, history_max=history_max)
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
              cascade: str, dry_run: str, wait: str, timeout: str, client: Client) -> None:
    """Uninstall releases: delete their objects (resource-policy keep survives) and records.

    \b
    Examples:
      helmpy uninstall web
      helmpy uninstall web api --keep-history
      helmpy uninstall web --ignore-not-found
    """
    seconds = parse_duration(timeout)
    for name in names:
        result = client.uninstall(name, keep_history=keep_history, ignore_not_found=ignore_not_found,
                                  dry_run=dry_run_wanted(dry_run), wait=waits(wait), timeout=seconds,
                                  no_hooks=no_hooks, description=description, cascade=cascade)
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
def history(name: str, max_revisions: int, output: str, client: Client) -> None:
    """Show the revisions of release NAME, oldest first.

    \b
    Examples:
      helmpy history web
      helmpy history web --max 5 -o json
    """
    from helmpy.cli import release_output as ro

    revisions = client.history(name, max=max_revisions)
    rows = [[r.revision, ro.ansic(r.updated), r.status, r.chart, r.app_version, r.description] for r in revisions]
    # Helm 4: descriptions in full
    write([r.to_dict() for r in revisions], output, lambda _: format_table(ro.HISTORY_HEADERS, rows,
                                                                           max_col_width=ro.UNLIMITED))


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
           client: Client) -> None:
    """Show the state of release NAME, its live objects and who holds its lock.

    \b
    Examples:
      helmpy status web
      helmpy status web --revision 2 -o json
    """
    from helmpy.cli import release_output as ro

    result = client.status(name, revision=revision, show_resources=show_resources)
    if output != "table":
        data = result.to_dict()
        if show_drift:
            data["drift"] = client.drift(name, result.release.revision).to_dict()
        write(data, output)
        return
    _echo(ro.status_block(result.release, resources=result.resources, locked_by=result.locked_by,
                          explanation=result.note, now=result.read_at, cluster=result.cluster))
    if show_drift:
        from helmpy.cli.diff_cmds import colour_wanted

        colour = colour_wanted(None)
        click.echo("DRIFT:\n" + client.drift(name, result.release.revision).text("text", colour=colour), nl=False,
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
                  output: str, client: Client) -> None:
    """List releases (every status unless a status flag is given).

    \b
    Examples:
      helmpy list
      helmpy list -A --failed
      helmpy list -f '^web' -o json
      helmpy list -l team=payments
      helmpy list -q
    """
    from helmpy.cli import release_output as ro

    states = [state for flag, state in ((deployed, "deployed"), (failed, "failed"), (pending, "pending"),
                                        (superseded, "superseded"), (uninstalled, "uninstalled"),
                                        (uninstalling, "uninstalling")) if flag]
    releases = client.list_releases(all_namespaces=all_namespaces, states=states, filter=filter_, selector=selector,
                                    date=by_date, reverse=reverse, max=max_, offset=offset)
    if short:
        write([r.name for r in releases], output, lambda names: "".join(n + "\n" for n in names))
        return
    items = [ro.list_item(r, time_format) for r in releases]

    def table(_: object) -> str:
        rows = [[i["name"], i["namespace"], i["revision"], i["updated"], i["status"], i["chart"], i["app_version"]]
                for i in items]
        text = format_table(ro.LIST_HEADERS, rows)
        return "".join(text.splitlines(keepends=True)[1:]) if no_headers else text

    write(items, output, table)


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
def get_values(release_name: str, revision: int, all_values: bool, output: str, client: Client) -> None:
    from helmpy.cli import release_output as ro

    values = client.get_values(release_name, revision=revision, all=all_values)
    write(values, output, lambda _: ("COMPUTED VALUES:\n" if all_values else "USER-SUPPLIED VALUES:\n")
          + ro.values_yaml(values))


@_get_command("manifest", "Print the stored manifest of a release.\n\n\b\nExamples:\n  helmpy get manifest web\n")
def get_manifest(release_name: str, revision: int, client: Client) -> None:
    click.echo(client.get_manifest(release_name, revision=revision))


@_get_command("notes", "Print the notes of a release.\n\n\b\nExamples:\n  helmpy get notes web\n")
def get_notes(release_name: str, revision: int, client: Client) -> None:
    notes = client.get_notes(release_name, revision=revision)
    if notes:
        click.echo(f"NOTES:\n{notes}")


@_get_command("hooks", "Print the hooks of a release.\n\n\b\nExamples:\n  helmpy get hooks web\n")
def get_hooks(release_name: str, revision: int, client: Client) -> None:
    from helmpy.cli import release_output as ro

    _echo(ro.hooks_text(client.get_hooks(release_name, revision=revision)))


@_get_command("metadata", "Print the metadata of a release.\n\n\b\nExamples:\n  helmpy get metadata web -o json\n",
              output=True)
def get_metadata(release_name: str, revision: int, output: str, client: Client) -> None:
    from helmpy.cli import release_output as ro

    meta = client.get_metadata(release_name, revision=revision)
    write(meta.to_dict(), output, lambda _: ro.metadata_text(meta))


@_get_command("all", "Print everything stored about a release.\n\n\b\nExamples:\n  helmpy get all web\n")
def get_all(release_name: str, revision: int, client: Client) -> None:
    from helmpy.cli import release_output as ro

    rel = client.get(release_name, revision=revision)
    _echo(ro.status_block(rel, show_metadata=True, show_values=True, computed=rel.computed_values(),
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
def test(name: str, timeout: str, filters: tuple[str, ...], logs: bool, accept_simulated: bool,
         client: Client) -> None:
    """Run the test hooks of release NAME.

    On helmpy's embedded cluster no container runs: a test whose completion is simulated is "not run" and the
    command exits 1, unless --accept-simulated (or HELMPY_ACCEPT_SIMULATED=1) counts it as passed.

    \b
    Examples:
      helmpy test web
      helmpy test web --filter name=web-test-connection
      helmpy test web --accept-simulated
    """
    from helmpy.cli import release_output as ro
    from helmpy.errors import TestsNotRun

    try:
        rel = client.test(name, timeout=parse_duration(timeout), filter=filters, accept_simulated=accept_simulated)
    except TestsNotRun as err:
        _echo(ro.status_block(cast("Release", err.release), hide_notes=True))  # as Helm: the status, then the error
        raise TestsNotRun(err.names, "--accept-simulated", release=err.release) from err  # the CLI's flag named
    _echo(ro.status_block(rel, hide_notes=True))
    if rel.simulated_tests:
        click.echo(f"NOTE: simulated, not run (accepted by --accept-simulated): {', '.join(rel.simulated_tests)}",
                   err=True)


__all__ = [
    "FORMATS",
    "get",
    "history",
    "install",
    "list_releases",
    "print_plan",
    "rollback",
    "status",
    "test",
    "uninstall",
    "upgrade",
]
