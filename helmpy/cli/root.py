"""The `helmpy` click group and the one place errors become exit codes.

Sub-command modules are imported only when their command runs, so ``helmpy --help`` and light
commands stay fast (no Kubernetes client or HTTP server imports on the hot path); logging is set up
just before a sub-command module is imported. The console script's entry point is
:func:`helmpy.cli.main.main`, which answers ``version`` and the top-level ``--help`` without importing this
module (and click) at all (:mod:`helmpy.cli.fastpath`), and hands every other command line to :func:`run`.
tests/cli/test_import_set.py pins what the small commands import.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from helmpy import __version__
from helmpy.cli.fastpath import COMPLETE_VAR
from helmpy.cli.signals import interrupts_raise
from helmpy.errors import ExitCode, HelmpyError, Terminated, interrupted_error
from helmpy.gctune import one_shot_process

# command name -> "module:attribute"
LAZY_COMMANDS: dict[str, str] = {
    "create": "helmpy.cli.chart_cmds:create",
    "template": "helmpy.cli.chart_cmds:template",
    "lint": "helmpy.cli.chart_cmds:lint",
    "show": "helmpy.cli.chart_cmds:show",
    "package": "helmpy.cli.package_cmds:package",
    "verify": "helmpy.cli.package_cmds:verify",
    "dependency": "helmpy.cli.dependency_cmds:dependency",
    "repo": "helmpy.cli.repo_cmds:repo",
    "search": "helmpy.cli.repo_cmds:search",
    "pull": "helmpy.cli.repo_cmds:pull",
    "push": "helmpy.cli.repo_cmds:push",
    "serve": "helmpy.cli.serve_cmds:serve",
    "install": "helmpy.cli.release_cmds:install",
    "upgrade": "helmpy.cli.release_cmds:upgrade",
    "rollback": "helmpy.cli.release_cmds:rollback",
    "uninstall": "helmpy.cli.release_cmds:uninstall",
    "history": "helmpy.cli.release_cmds:history",
    "status": "helmpy.cli.release_cmds:status",
    "list": "helmpy.cli.release_cmds:list_releases",
    "get": "helmpy.cli.release_cmds:get",
    "test": "helmpy.cli.release_cmds:test",
    "cluster": "helmpy.cli.cluster_cmds:cluster",
    "registry": "helmpy.cli.registry_cmds:registry",
    "diff": "helmpy.cli.diff_cmds:diff",
    "plugin": "helmpy.cli.plugin_cmds:plugin",
    "env": "helmpy.cli.env_cmd:env_cmd",
}
# command name -> the first sentence of its help, for the ``helmpy --help`` listing without importing every
# command module (~70 ms of click objects); tests/cli/test_import_set.py checks each against the command's own.
# A command missing here is imported for its summary.
LAZY_SUMMARIES: dict[str, str] = {
    'create': 'Create a new chart directory NAME (the last path element is the chart name).',
    'template': 'Render a chart locally and print the manifests (manifest first, then hooks).',
    'lint': 'Examine charts for possible issues ([ERROR] fails a chart; with --strict, [WARNING] too).',
    'show': 'Show information about a chart (Chart.yaml, values, README, CRDs).',
    'package': 'Package chart directories into versioned chart archives (NAME-VERSION.tgz).',
    'verify': 'Verify a chart archive against its provenance file (CHART.tgz.prov).',
    'dependency': "Manage a chart's dependencies (the charts/ directory and Chart.lock).",
    'repo': 'Add, list, remove, update and index chart repositories.',
    'search': 'Search configured repositories (search repo) or Artifact Hub (search hub) for charts.',
    'pull': 'Download a chart from a repository (and optionally unpack it) (alias: fetch).',
    'push': 'Upload a packaged chart to an OCI registry, or to a ChartMuseum-compatible repository.',
    'serve': 'Serve DIRECTORY (default ./repo-index) as a chart repository.',
    'install': 'Install CHART as a new release NAME (on the embedded cluster when no kubeconfig exists).',
    'upgrade': 'Upgrade release NAME to CHART (or roll it back with --rollback).',
    'rollback': 'Roll release NAME back to REVISION (default: the previous one).',
    'uninstall': 'Uninstall releases: delete their objects (resource-policy keep survives) and records.',
    'history': 'Show the revisions of release NAME, oldest first.',
    'status': 'Show the state of release NAME, its live objects and who holds its lock.',
    'list': 'List releases (every status unless a status flag is given).',
    'get': 'Show stored data of a release: values, manifest, notes, hooks, metadata, all.',
    'test': 'Run the test hooks of release NAME.',
    'cluster': "Work with helmpy's embedded cluster.",
    'registry': 'Log in to and out of OCI registries (credentials go to the registry config.json).',
    'diff': 'Show what an upgrade or rollback would change, how revisions differ, and drift.',
    'plugin': 'Install, list, update, uninstall, package and verify Helm plugins (Helm 3 and 4 plugin.yaml).',
    'env': "Print helmpy's settings: Helm's HELM_* variables and helmpy's HELMPY_* ones, as KEY=\"value\" lines.",
}
ALIASES = {"dep": "dependency", "fetch": "pull", "ls": "list", "hist": "history", "del": "uninstall",
           "delete": "uninstall", "un": "uninstall", "inspect": "show"}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(LAZY_COMMANDS)
        if _plugins_installed():  # Helm lists its plugins in --help too
            names.update(_plugin_cmds().plugin_names())
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = ALIASES.get(cmd_name, cmd_name)
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return accept_global_options(cmd)
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:  # not helmpy's: an installed plugin's (the plugin directory is read only now)
            if not _plugins_installed():
                return None
            _setup_logging()
            return _plugin_cmds().plugin_command(cmd_name)
        module_name, attr = target.split(":")
        _setup_logging()  # before the module: its loggers (and its libraries') go through the redacting handler
        loaded: click.Command = accept_global_options(getattr(importlib.import_module(module_name), attr))
        if _COMPLETE_VAR in os.environ:  # a shell asks for completions: arguments get their candidates
            importlib.import_module("helmpy.cli.completion").attach(loaded)
        return loaded

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with lazy commands' summaries from :data:`LAZY_SUMMARIES` (their modules stay unloaded)."""
        entries: list[tuple[str, Callable[[int], str]]] = []
        for name in self.list_commands(ctx):
            summary = LAZY_SUMMARIES.get(name) if name not in self.commands else None
            if summary is not None:  # click shortens it as for a loaded command with that help
                entries.append((name, click.Command(name, help=summary).get_short_help_str))
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                entries.append((name, cmd.get_short_help_str))
        if entries:
            limit = formatter.width - 6 - max(len(name) for name, _ in entries)
            with formatter.section("Commands"):
                formatter.write_dl([(name, short_help(limit)) for name, short_help in entries])

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C/SIGTERM in a command become one ``Error:`` line (click would print "Aborted!" after a blank line)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise interrupted_error(exc) from exc


def _plugins_installed() -> bool:
    from helmpy import paths

    return paths.plugins_installed()


def _plugin_cmds() -> Any:
    return importlib.import_module("helmpy.cli.plugin_cmds")


_COMPLETE_VAR = COMPLETE_VAR
_logging_debug: bool | None = None  # set by main(): --debug anywhere on the command line (or HELMPY_DEBUG)


def _setup_logging() -> None:
    """Configure the root logger once per :func:`main` call, the first time a command needs it."""
    global _logging_debug
    if _logging_debug is None:
        return
    debug, _logging_debug = _logging_debug, None
    import logging

    from helmpy.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())  # --debug output never shows passwords, tokens or Authorization headers
    if not debug:
        from helmpy.logfmt import SlogFormatter

        handler.setFormatter(SlogFormatter())  # Helm 4's warning lines: level=WARN msg="..."
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )


def debug_enabled() -> bool:
    """True when --debug was given anywhere or HELMPY_DEBUG (or Helm's HELM_DEBUG) is set."""
    from helmpy import settings

    return settings.flag("DEBUG")


def _debug_callback(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        import logging

        from helmpy import settings

        settings.set_override("DEBUG", "1")  # the run's settings (plugins get HELM_DEBUG=true), not os.environ
        _setup_logging()
        logging.getLogger().setLevel(logging.DEBUG)
    return value


debug_option = click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                            callback=_debug_callback,
                            help="Debug logs; tracebacks for internal errors; `template` prints what it rendered.")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


def _global_option(*decls: str, key: str, is_flag: bool = False, help: str, multiple: bool = False,
                   type: Any = None) -> click.Option:
    """A flag Helm accepts before the sub-command too (``helmpy -n prod list``), and after it on any command.

    It is handed to the sub-command as the setting ``key`` (``HELMPY_<key>``, :mod:`helmpy.settings`), which that
    sub-command already reads, so ``helmpy -n prod list`` and ``helmpy list -n prod`` mean the same (the later,
    sub-command flag wins).
    """
    def remember(_ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if multiple:  # a repeated flag: the values comma-joined, as Helm hands them to plugins (HELM_KUBEASGROUPS)
            value = ",".join(value) if value else None
        if value not in (None, False):
            from helmpy import settings

            settings.set_override(key, "true" if value is True else str(value))

    return click.Option(list(decls), is_flag=is_flag, expose_value=False, callback=remember, help=help,
                        default=None if not is_flag else False, metavar=None if is_flag else "VALUE",
                        multiple=multiple, type=type)


def _global_options() -> list[click.Option]:
    return [
        _global_option("-n", "--namespace", key="NAMESPACE", help="Namespace (like every command's -n)."),
        _global_option("--cluster", key="CLUSTER", help="Cluster: local:PATH for an embedded cluster file."),
        _global_option("--kubeconfig", key="KUBECONFIG", help="kubeconfig file."),
        _global_option("--kube-context", key="KUBECONTEXT", help="kubeconfig context."),
        _global_option("--kube-apiserver", key="KUBEAPISERVER", help="Kubernetes API server address."),
        _global_option("--kube-token", key="KUBETOKEN", help="Bearer token for the API server."),
        _global_option("--kube-ca-file", key="KUBECAFILE", help="CA certificate of the API server."),
        _global_option("--kube-insecure-skip-tls-verify", key="KUBEINSECURE_SKIP_TLS_VERIFY", is_flag=True,
                       help="Do not verify the API server's certificate."),
        _global_option("--kube-tls-server-name", key="KUBETLS_SERVER_NAME",
                       help="Server name to check the API server's certificate against."),
        _global_option("--kube-as-user", key="KUBEASUSER", help="Username to impersonate for the operation."),
        _global_option("--kube-as-group", key="KUBEASGROUPS", multiple=True,
                       help="Group to impersonate for the operation (repeat for several)."),
        _global_option("--burst-limit", key="BURST_LIMIT", type=click.IntRange(min=0),
                       help="Client-side throttling: requests the API client may send at once (default 100)."),
        _global_option("--qps", key="QPS", type=float,
                       help="Requests per second to the API server past the burst (0: 5, negative: unlimited)."),
        _global_option("--repository-config", key="REPOSITORY_CONFIG", help="repositories.yaml file."),
        _global_option("--repository-cache", key="REPOSITORY_CACHE", help="Directory of cached repository indexes."),
        _global_option("--registry-config", key="REGISTRY_CONFIG", help="Registry credentials file (config.json)."),
        _global_option("--content-cache", key="CONTENT_CACHE", help="Directory of cached charts."),
    ]


def _with_global_options(f: Any) -> Any:
    f.__click_params__ = [*getattr(f, "__click_params__", []), *reversed(_global_options())]
    return f


def accept_global_options(cmd: click.Command) -> click.Command:
    """Give ``cmd`` (and its sub-commands) each global flag it does not define itself, as Helm takes them after
    the sub-command too (``helmpy template --kube-context prod``); idempotent."""
    taken = {opt for param in cmd.params for opt in [*param.opts, *param.secondary_opts]}
    cmd.params.extend(o for o in _global_options() if not taken.intersection(o.opts))
    for sub in getattr(cmd, "commands", {}).values():
        accept_global_options(sub)
    return cmd


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@debug_option
@_with_global_options
@click.version_option(__version__, "--version", prog_name="helmpy")
def cli() -> None:
    """helmpy - the Helm-compatible package manager for Kubernetes, with Jinja2 charts.

    \b
    Examples:
      helmpy create web                      # scaffold a chart
      helmpy template rel ./web --set image.tag=v5
      helmpy install web ./web               # on the embedded cluster when no kubeconfig exists
      helmpy list -o json
    """


@cli.command()
@debug_option
@click.option("--short", is_flag=True, help="Print the version number only.")
def version(short: bool) -> None:
    """Print the helmpy version.

    \b
    Examples:
      helmpy version
      helmpy version --short
    """
    from helmpy.cli.fastpath import version_line

    click.echo(version_line(short))  # what helmpy.cli.fastpath prints for ``helmpy version`` without click


@cli.command()
@debug_option
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish", "powershell"]))
def completion(shell: str) -> None:
    """Print a shell completion script (releases, revisions, charts, repos, namespaces, contexts complete).

    \b
    Examples:
      source <(helmpy completion bash)
      helmpy completion zsh > "${fpath[1]}/_helmpy"
      helmpy completion fish > ~/.config/fish/completions/helmpy.fish
      helmpy completion powershell | Out-String | Invoke-Expression
    """
    from helmpy.cli.completion import script

    click.echo(script(cli, shell))


def format_error(err: HelmpyError) -> str:
    """One line (plus an optional hint) for a user error; URLs in it lose their passwords."""
    from helmpy.redact import redact_url

    text = f"Error: {err.message}"
    if err.hint:
        text += f"\nHint: {err.hint}"
    return redact_url(text)


def help_text() -> str:
    """What ``helmpy --help`` prints (without its final newline): click's help of the group, as its ``--help``
    option writes it (:mod:`helmpy.cli.fastpath` keeps it so a later ``--help`` need not import click)."""
    return click.Context(cli, info_name="helmpy", **cli.context_settings).get_help()


def run(args: list[str], exiting: bool) -> Any:
    """Run ``helmpy ARGS`` through click; maps errors to messages and exit codes. ``exiting``: the console
    script's run (the process ends with the command)."""
    from helmpy import settings

    completing = _COMPLETE_VAR in os.environ
    # the one settings object of this run: the environment read once, the global flags laid over it as parsed
    quiet = {"HELMPY_QUIET": "1"} if completing else None  # no embedded-cluster notice inside a user's prompt
    with settings.use(settings.for_cli(quiet)):
        _main(args, completing, exiting=exiting)


def _main(args: list[str], completing: bool, exiting: bool) -> Any:
    global _logging_debug
    _logging_debug = "--debug" in args or debug_enabled()
    if exiting:  # the console script: this process ends with the command (helmpy/gctune.py)
        one_shot_process()
    if completing:
        from helmpy.cli import completion as shell_completion

        shell_completion.register()
        shell_completion.attach(cli)
    # SIGTERM is handled like Ctrl-C, and a second signal cannot break the cleanup (helmpy/cli/signals.py)
    with interrupts_raise(exiting=exiting):
        try:
            cli.main(args=args, prog_name="helmpy", standalone_mode=False)
        except HelmpyError as err:  # a user error: the message says it all, --debug or not
            click.echo(format_error(err), err=True)
            sys.exit(err.exit_code)
        except click.exceptions.Abort as exc:
            click.echo("Aborted!", err=True)
            sys.exit(ExitCode.TERMINATED if isinstance(exc.__cause__, Terminated) else ExitCode.INTERRUPTED)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # outside a command (while parsing the arguments)
            error = interrupted_error(exc)
            click.echo(format_error(error), err=True)
            sys.exit(error.exit_code)
        except BrokenPipeError:
            sys.exit(ExitCode.ERROR)
        except (RecursionError, MemoryError) as exc:  # input too deep or large for the limits that should catch it
            if debug_enabled():
                import traceback

                traceback.print_exc()
            what = "nested too deeply" if isinstance(exc, RecursionError) else "too large to fit in memory"
            click.echo(f"Error: the input is {what} to process ({type(exc).__name__}); see the HELMPY_MAX_* limits",
                       err=True)
            sys.exit(ExitCode.ERROR)
        except Exception as exc:  # a bug, not a user error
            if debug_enabled():
                import traceback

                traceback.print_exc()
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
                       err=True)
            sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.OK)

