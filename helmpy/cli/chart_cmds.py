"""Chart commands: ``create``, ``template``, ``lint`` and ``show``: options in, one :class:`helmpy.Client` call,
Helm's output out (:mod:`helmpy.cli.apiclient`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from helmpy import settings
from helmpy.cli.options import (
    install_only_options,
    post_renderer_options,
    remote_options,
    values_options,
    verify_options,
)
from helmpy.cli.root import CONTEXT_SETTINGS, debug_enabled, debug_option
from helmpy.errors import HelmpyError, LintError, UsageError


def _default_namespace() -> str:
    return settings.get("NAMESPACE") or "default"


namespace_option = click.option("-n", "--namespace", default=_default_namespace, show_default="default",
                                help="Namespace for the release (HELMPY_NAMESPACE, HELM_NAMESPACE).")
kube_version_option = click.option("--kube-version", metavar="VERSION",
                                   help="Kubernetes version used for Capabilities.KubeVersion (e.g. 1.30.0).")
skip_schema_option = click.option("--skip-schema-validation", is_flag=True,
                                  help="Do not validate values against values.schema.json.")


@click.command(context_settings=CONTEXT_SETTINGS)
@debug_option
@click.argument("name")
@click.option("-p", "--starter", metavar="NAME|PATH",
              help="Use a starter chart (a path, or a name under $HELMPY_DATA_HOME/starters).")
@click.option("--engine", type=click.Choice(["jinja2", "go"]), default="jinja2", show_default=True,
              help="Template engine of the scaffold: helmpy's Jinja2 chart, or go for the chart helm create writes.")
def create(name: str, starter: str | None, engine: str) -> None:
    """Create a new chart directory NAME (the last path element is the chart name).

    The chart has a Deployment, Service, ServiceAccount, optional Ingress/HPA/HTTPRoute, a test hook,
    NOTES.txt and shared helpers in templates/_helpers.tpl: Jinja2 macros by default, or with --engine go
    the Go-template chart that `helm create` writes, byte for byte. Existing files it writes are overwritten.

    \b
    Examples:
      helmpy create web
      helmpy create web --engine go        # the same files as `helm create web`
      helmpy create charts/api             # the parent directory must exist
      helmpy create web -p my-starter
    """
    from helmpy.cli.apiclient import client

    click.echo(f"Creating {name}")
    result = client().create(name, starter=starter, engine=engine)
    for path in result.overwritten:
        click.echo(f'WARNING: File "{path}" already exists. Overwriting.')


@click.command(context_settings=CONTEXT_SETTINGS)
@debug_option
@click.argument("args", nargs=-1, metavar="[NAME] CHART")
@values_options
@namespace_option
@click.option("-s", "--show-only", multiple=True, metavar="PATH",
              help="Only show manifests rendered from the given templates (glob, can repeat).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each template to files in this directory instead of stdout.")
@click.option("--release-name", "use_release_name", is_flag=True,
              help="Use the release name in the --output-dir path.")
@click.option("--include-crds", is_flag=True, help="Include CRDs in the templated output.")
@kube_version_option
@click.option("-a", "--api-versions", multiple=True, metavar="GROUP/VERSION",
              help="Extra API versions for Capabilities.APIVersions (can repeat, comma-separated).")
@click.option("--is-upgrade", is_flag=True, help="Set Release.IsUpgrade instead of Release.IsInstall.")
@click.option("--skip-tests", is_flag=True, help="Leave out test hooks.")
@click.option("--no-hooks", is_flag=True, help="Leave out all hooks.")
@click.option("-g", "--generate-name", is_flag=True, help="Generate the release name (<chart>-<timestamp>).")
@skip_schema_option
@click.option("--version", "chart_version", metavar="CONSTRAINT", help="Chart version constraint (repo charts).")
@click.option("--devel", is_flag=True, help="Also consider pre-release chart versions.")
@click.option("--repo", "repo_url", metavar="URL", help="Chart repository URL to find the chart in.")
@click.option("--name-template", default="", metavar="TEMPLATE", help="Template for the release name (as install).")
@click.option("--dependency-update", is_flag=True, help="Fetch the dependencies missing from charts/ first.")
@click.option("--validate", is_flag=True, help="Render against the cluster (version, API versions, lookup) and "
                                               "check it serves every kind (Helm 3's flag).")
@click.option("--dry-run", "dry_run", type=click.Choice(["client", "server"]), is_flag=False, flag_value="client",
              default="client", help="server: as --validate; client (the default): no cluster.")
@remote_options
@verify_options
@post_renderer_options
@install_only_options
def template(args: tuple[str, ...], value_options: Any, namespace: str, show_only: tuple[str, ...],
             output_dir: Path | None, use_release_name: bool, include_crds: bool, kube_version: str | None,
             api_versions: tuple[str, ...], is_upgrade: bool, skip_tests: bool, no_hooks: bool,
             generate_name: bool, skip_schema_validation: bool, chart_version: str | None, devel: bool,
             repo_url: str | None, name_template: str, dependency_update: bool, validate: bool, dry_run: str,
             remote: Any, verify: Any, post_renderer: Any) -> None:
    """Render a chart locally and print the manifests (manifest first, then hooks).

    \b
    Examples:
      helmpy template ./web
      helmpy template rel ./web --set image.tag=v5 -f prod.yaml
      helmpy template rel ./web -s templates/deployment.yaml -s 'templates/*.yaml'
      helmpy template rel ./web --output-dir out/ --include-crds
      helmpy template rel myrepo/web --version '^1.2' -n prod
      helmpy template rel ./web --debug      # on invalid YAML: print the rendered files, then the error
      helmpy template rel ./web --post-renderer ./kustomize.sh
      helmpy template rel ./web --validate   # against the cluster of kubeconfig / --kube-context

    Install's flags that do not change a render (--wait, --timeout, --atomic, ...) are accepted, as in Helm.
    """
    from helmpy.action.render import partial_render
    from helmpy.cli.apiclient import client, post_renderer_flags, remote_flags, values_flags, verify_flags

    if len(args) == 1:
        name, chart_ref = None, args[0]
    elif len(args) == 2 and not generate_name and not name_template:
        name, chart_ref = args
    else:
        raise UsageError("expected [NAME] CHART (or CHART alone with --generate-name)")
    flags: dict[str, Any] = {
        **values_flags(value_options), "show_only": list(show_only), "release_name": use_release_name,
        "include_crds": include_crds, "kube_version": kube_version,
        "api_versions": [v for a in api_versions for v in a.split(",") if v], "is_upgrade": is_upgrade,
        "skip_tests": skip_tests, "no_hooks": no_hooks, "generate_name": generate_name,
        "skip_schema_validation": skip_schema_validation, "devel": devel, "name_template": name_template,
        "dependency_update": dependency_update, "validate": validate or dry_run == "server",
        **remote_flags(remote), **verify_flags(verify), **post_renderer_flags(post_renderer)}
    flags.update({k: v for k, v in (("output_dir", output_dir), ("version", chart_version), ("repo", repo_url))
                  if v is not None})
    try:
        result = client(NAMESPACE=namespace).template(name, chart_ref, **flags)
    except HelmpyError as err:
        partial = partial_render(err)
        if partial is not None:  # Helm's partial release: --debug shows it, otherwise the error says so
            from helmpy.action.template import TemplateOptions, add_debug_hint, debug_output

            if debug_enabled():
                click.echo(debug_output(partial, TemplateOptions(show_only=list(show_only), output_dir=output_dir,
                                                                 skip_tests=skip_tests, no_hooks=no_hooks)), nl=False)
            else:
                add_debug_hint(err)
        raise
    for path in result.files:
        click.echo(f"wrote {path}")
    click.echo(result.manifest if output_dir is None else "\n", nl=False)


@click.command(context_settings=CONTEXT_SETTINGS)
@debug_option
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="Fail on warnings too, and on templates reading missing values.")
@click.option("--with-subcharts", is_flag=True, help="Also lint the charts under charts/.")
@click.option("--quiet", is_flag=True, help="Print only warnings and errors.")
@values_options
@namespace_option
@kube_version_option
@skip_schema_option
def lint(paths: tuple[str, ...], strict: bool, with_subcharts: bool, quiet: bool, value_options: Any,
         namespace: str, kube_version: str | None, skip_schema_validation: bool) -> None:
    """Examine charts for possible issues ([ERROR] fails a chart; with --strict, [WARNING] too).

    \b
    Examples:
      helmpy lint ./web
      helmpy lint ./web ./api --strict
      helmpy lint ./web-1.0.0.tgz --with-subcharts --quiet -f prod.yaml
    """
    from helmpy.cli.apiclient import client, values_flags

    report = client(NAMESPACE=namespace).lint(list(paths), strict=strict, with_subcharts=with_subcharts,
                                              kube_version=kube_version,
                                              skip_schema_validation=skip_schema_validation,
                                              **values_flags(value_options))
    out: list[str] = []
    for res in report.charts:
        if quiet and not res.has_findings:
            continue
        out.append(f"==> Linting {res.path}\n")
        if not res.messages:
            out.extend(f"Error {err}\n" for err in res.errors)
        out.extend(f"{m}\n" for m in res.messages if not quiet or m.severity != "INFO")
        out.append("\n")
    click.echo("".join(out), nl=False)
    if report.failed:
        raise LintError(report.summary)
    if not quiet or any(r.has_findings for r in report.charts):
        click.echo(report.summary)


@click.group(context_settings=CONTEXT_SETTINGS)
@debug_option
def show() -> None:
    """Show information about a chart (Chart.yaml, values, README, CRDs).

    \b
    Examples:
      helmpy show chart ./web
      helmpy show values myrepo/web --version 1.2.3
      helmpy show all ./web-1.0.0.tgz
    """


def _show_command(what: str, summary: str) -> click.Command:
    @click.command(name=what, context_settings=CONTEXT_SETTINGS, help=f"""{summary}

    \b
    Examples:
      helmpy show {what} ./web
      helmpy show {what} myrepo/web --version 1.2.3
    """)
    @debug_option
    @click.argument("chart_ref", metavar="CHART")
    @click.option("--version", "chart_version", metavar="CONSTRAINT", help="Chart version constraint.")
    @click.option("--devel", is_flag=True, help="Also consider pre-release chart versions.")
    @click.option("--repo", "repo_url", metavar="URL", help="Chart repository URL to find the chart in.")
    @remote_options
    @verify_options
    def command(chart_ref: str, chart_version: str | None, devel: bool, repo_url: str | None, remote: Any,
                verify: Any, jsonpath: str = "") -> None:
        from helmpy.cli.apiclient import client, remote_flags, verify_flags

        flags: dict[str, Any] = {"devel": devel, **remote_flags(remote), **verify_flags(verify)}
        flags.update({k: v for k, v in (("version", chart_version), ("repo", repo_url)) if v is not None})
        hp = client()
        text = hp.show_values(chart_ref, jsonpath=jsonpath, **flags) if jsonpath else hp.show(chart_ref, what,
                                                                                              **flags)
        click.echo(text, nl=False)

    if what == "values":
        command = click.option("--jsonpath", default="", metavar="TEMPLATE",
                               help="Print only what this kubectl-style JSONPath finds, e.g. '{.image.tag}'.")(command)
    return command


for _what, _summary in (("all", "Show all information of the chart."),
                        ("chart", "Show the chart's Chart.yaml (re-serialised, keys sorted)."),
                        ("values", "Show the chart's values.yaml as written (comments kept)."),
                        ("readme", "Show the chart's README."),
                        ("crds", "Show the chart's CRDs.")):
    show.add_command(_show_command(_what, _summary))
