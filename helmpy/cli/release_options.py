"""The options the release and diff commands share, and how they become :class:`helmpy.Client` arguments.

``cluster_options`` gives a command its ``client`` (the CLI's Client: the cluster flags over the environment,
notices on stderr, the command line as the release lock's holder); ``deploy_flags``/``install_flags``/
``upgrade_flags`` turn install's and upgrade's parsed flags into the keyword arguments of
``Client.prepare_install``/``prepare_upgrade`` (:mod:`helmpy.api.flags`), so the CLI keeps no second path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from helmpy import settings
from helmpy.cli.duration import parse_duration
from helmpy.cli.output import output_option
from helmpy.cli.root import debug_option
from helmpy.errors import HelmpyError, UsageError

if TYPE_CHECKING:
    from helmpy.action.chartload import Verify
    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.postrender import PostRenderer
    from helmpy.values.options import ValueOptions

F = TypeVar("F", bound=Callable[..., Any])


# --- the cluster: flags -> the CLI's Client -----------------------------------------------------------
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


def notice(line: str) -> None:
    """A progress line or notice of the API (the embedded-cluster line, what a wait waits for): stderr, as Helm."""
    click.echo(line, err=True)


def cluster_options(f: F) -> F:
    """``-n/--namespace``, ``--cluster``, the ``--kube*`` flags and ``--debug``; passes ``client`` (a
    :class:`helmpy.Client` that connects on first use, so usage errors need no cluster)."""

    @functools.wraps(f)
    def wrapper(*args: Any, namespace: str | None, cluster: str | None, kubeconfig: str | None,
                kube_context: str | None, kube_apiserver: str | None, kube_token: str | None,
                kube_ca_file: str | None, kube_insecure_skip_tls_verify: bool, kube_tls_server_name: str | None,
                **kwargs: Any) -> Any:
        from helmpy.cli.apiclient import client
        from helmpy.cli.holder import summarize

        kwargs["client"] = client(
            command=summarize(click.get_current_context()), on_notice=notice, on_progress=notice,
            NAMESPACE=namespace, CLUSTER=cluster, KUBECONFIG=kubeconfig, KUBECONTEXT=kube_context,
            KUBEAPISERVER=kube_apiserver, KUBETOKEN=kube_token, KUBECAFILE=kube_ca_file,
            KUBETLS_SERVER_NAME=kube_tls_server_name,
            KUBEINSECURE_SKIP_TLS_VERIFY="true" if kube_insecure_skip_tls_verify else None)
        return f(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(KUBE_OPTIONS):
        decorated = option(decorated)
    decorated = click.option("--cluster", envvar=settings.names("CLUSTER"), metavar="local:PATH",
                             help="Cluster to talk to, e.g. local:/tmp/c.db (HELMPY_CLUSTER; default: "
                                  "kubeconfig, else the embedded cluster).")(decorated)
    decorated = click.option("-n", "--namespace", envvar=settings.names("NAMESPACE"), metavar="NS",
                             help="Namespace of the release (HELMPY_NAMESPACE, HELM_NAMESPACE; "
                                  "default \"default\").")(decorated)
    return debug_option(decorated)  # type: ignore[no-any-return]


# --- flags shared by install, upgrade, rollback, uninstall and diff ----------------------------------
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


def apply_options(opts: list[Callable[[F], F]], f: F) -> F:
    for opt in reversed(opts):
        f = opt(f)
    return f


def _history_max_default() -> int:
    return settings.integer("MAX_HISTORY", 10)


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


def parse_labels(text: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in filter(None, (text or "").split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"invalid --labels entry {item!r}: expected key=value")
        out[key.strip()] = None if value.strip() == "null" else value.strip()
    return out



def dry_run_wanted(value: str) -> bool:
    """``--dry-run`` / ``--dry-run=client|server|true``: a dry run; ``none``/``false``: none."""
    return value in ("true", "client", "server")


def waits(value: str) -> bool:
    """``--wait`` / ``--wait=watcher|legacy``: wait until ready; ``hookOnly`` (the default): hooks only."""
    return value in ("watcher", "legacy")


def wrap_failure(prefix: str, err: HelmpyError) -> HelmpyError:
    """Helm's ``INSTALLATION FAILED: ...`` style prefix, same error class (same exit code)."""
    return type(err)(f"{prefix}{err.message}", hint=err.hint)


def check_server_side(value: str) -> None:
    if value == "false":
        raise UsageError("--server-side=false: helmpy applies server-side only (client-side apply is not implemented)",
                         hint="leave --server-side out, or set it to true or auto")


# --- parsed flags -> Client keyword arguments --------------------------------------------------------
_VALUE_FLAGS = (("values_files", "values_files"), ("set_values", "set"), ("set_string", "set_string"),
                ("set_json", "set_json"), ("set_file", "set_file"), ("set_literal", "set_literal"))


def source_flags(value_options: ValueOptions, remote: RemoteOptions | None, verify: Verify | None,
                 post_renderer: PostRenderer | None) -> dict[str, Any]:
    """What the shared decorators of ``helmpy.cli.options`` parsed (values, chart download, ``--verify``,
    ``--post-renderer``) as the API's flags; the files are read by the API, once."""
    from helmpy.api.flags import REMOTE_KEYS

    out: dict[str, Any] = {key: list(getattr(value_options, attr)) for attr, key in _VALUE_FLAGS
                           if getattr(value_options, attr)}
    if remote is not None:
        out.update({key: getattr(remote, key) for key in REMOTE_KEYS})
    if verify is not None:
        out["verify"] = True
        if verify.keyring:
            out["keyring"] = verify.keyring
    if post_renderer is not None:
        out.update(post_renderer=post_renderer.command, post_renderer_args=list(post_renderer.args))
    return out


def deploy_flags(flags: dict[str, Any], sources: dict[str, Any]) -> dict[str, Any]:
    """install's and upgrade's shared flags (``deploy_options``) as :class:`helmpy.api.flags.DeployFlags`."""
    check_server_side(flags["server_side"])
    out = dict(sources, render_subchart_notes=flags["subchart_notes"], dependency_update=flags["dependency_update"],
               wait_for_jobs=flags["wait_for_jobs"], devel=flags["devel"], create_namespace=flags["create_namespace"],
               dry_run=dry_run_wanted(flags["dry_run"]), wait=waits(flags["wait"]),
               timeout=parse_duration(flags["timeout"]), rollback_on_failure=flags["atomic"],
               description=flags["description"], skip_crds=flags["skip_crds"],
               skip_schema_validation=flags["skip_schema"],
               take_ownership=flags["take_ownership"], no_hooks=flags["no_hooks"], labels=parse_labels(flags["labels"]),
               hide_secret=flags.get("hide_secret", False), force_conflicts=flags["force_conflicts"])
    if flags["chart_version"] is not None:
        out["version"] = flags["chart_version"]
    if flags["repo_url"] is not None:
        out["repo"] = flags["repo_url"]
    return out


def upgrade_flags(flags: dict[str, Any], sources: dict[str, Any]) -> dict[str, Any]:
    """``upgrade``'s flags (``diff upgrade`` takes the same) as :class:`helmpy.api.flags.UpgradeFlags`."""
    return dict(deploy_flags(flags, sources), install=flags["install_missing"], reuse_values=flags["reuse_values"],
                reset_values=flags["reset_values"], reset_then_reuse_values=flags["reset_then_reuse_values"],
                cleanup_on_fail=flags["cleanup_on_fail"], history_max=flags["history_max"], force=flags["force"])
