"""The `helmpy` command: a lazy click group and the one place errors become exit codes.

Sub-command modules are imported only when their command runs, so ``helmpy --help`` and light
commands stay fast (no Kubernetes client or HTTP server imports on the hot path); logging is set up
just before a sub-command module is imported (``version`` and ``--help`` never import ``logging``).
tests/cli/test_import_set.py pins what the small commands import.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import Any, Callable

import click

from helmpy import __version__
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
}
# command name -> the first sentence of its help, for the ``helmpy --help`` listing without importing every
# command module (~70 ms of click objects); tests/cli/test_import_set.py checks each against the command's own.
# A command missing here is imported for its summary.
LAZY_SUMMARIES: dict[str, str] = {
    'create': 'Create a new Jinja2 chart directory NAME (the last path element is the chart name).',
    'template': 'Render a chart locally and print the manifests (manifest first, then hooks).',
    'lint': 'Examine charts for possible issues ([ERROR] fails a chart; with --strict, [WARNING] too).',
    'show': 'Show information about a chart (Chart.yaml, values, README, CRDs).',
    'package': 'Package chart directories into versioned chart archives (NAME-VERSION.tgz).',
    'verify': 'Verify a chart archive against its provenance file (CHART.tgz.prov).',
    'dependency': "Manage a chart's dependencies (the charts/ directory and Chart.lock).",
    'repo': 'Add, list, remove, update and index chart repositories.',
    'search': 'Search configured repositories for charts.',
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
}
ALIASES = {"dep": "dependency", "fetch": "pull", "ls": "list", "hist": "history", "del": "uninstall",
           "delete": "uninstall", "un": "uninstall", "inspect": "show"}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(LAZY_COMMANDS)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = ALIASES.get(cmd_name, cmd_name)
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        _setup_logging()  # before the module: its loggers (and its libraries') go through the redacting handler
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with lazy commands' summaries from :data:`LAZY_SUMMARIES` (their modules stay unloaded)."""
        from click.utils import make_default_short_help

        entries: list[tuple[str, Callable[[int], str]]] = []
        for name in self.list_commands(ctx):
            summary = LAZY_SUMMARIES.get(name) if name not in self.commands else None
            if summary is not None:
                entries.append((name, functools.partial(make_default_short_help, summary)))
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
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="level=%(levelname)s msg=%(message)s" if not debug else "%(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )


def debug_enabled() -> bool:
    """True when --debug was given anywhere or HELMPY_DEBUG is set."""
    return os.environ.get("HELMPY_DEBUG", "").lower() in ("1", "true", "yes")


def _debug_callback(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        import logging

        os.environ["HELMPY_DEBUG"] = "1"
        _setup_logging()
        logging.getLogger().setLevel(logging.DEBUG)
    return value


debug_option = click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                            callback=_debug_callback, help="Debug logs; tracebacks for internal errors; `template` prints what it rendered.")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


def _global_option(*decls: str, env: str, is_flag: bool = False, help: str) -> Any:
    """A flag Helm accepts before the sub-command too (``helmpy -n prod list``).

    It is handed to the sub-command through the environment variable that sub-command already reads, so
    ``helmpy -n prod list`` and ``helmpy list -n prod`` mean the same (the later, sub-command flag wins).
    """
    def remember(_ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value not in (None, False):
            os.environ[env] = "true" if value is True else str(value)

    return click.option(*decls, f"global_{env.lower()}", is_flag=is_flag, expose_value=False, callback=remember, help=help,
                        default=None if not is_flag else False, metavar=None if is_flag else "VALUE")


GLOBAL_OPTIONS = [
    _global_option("-n", "--namespace", env="HELMPY_NAMESPACE", help="Namespace (like every command's -n)."),
    _global_option("--cluster", env="HELMPY_CLUSTER", help="Cluster: local:PATH for an embedded cluster file."),
    _global_option("--kubeconfig", env="HELMPY_KUBECONFIG", help="kubeconfig file."),
    _global_option("--kube-context", env="HELMPY_KUBECONTEXT", help="kubeconfig context."),
    _global_option("--kube-apiserver", env="HELMPY_KUBEAPISERVER", help="Kubernetes API server address."),
    _global_option("--kube-token", env="HELMPY_KUBETOKEN", help="Bearer token for the API server."),
    _global_option("--kube-ca-file", env="HELMPY_KUBECAFILE", help="CA certificate of the API server."),
    _global_option("--kube-insecure-skip-tls-verify", env="HELMPY_KUBEINSECURE_SKIP_TLS_VERIFY", is_flag=True,
                   help="Do not verify the API server's certificate."),
]


def _with_global_options(f: Any) -> Any:
    for option in reversed(GLOBAL_OPTIONS):
        f = option(f)
    return f


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
    if short:
        click.echo(f"v{__version__}")
    else:
        click.echo(f'version.BuildInfo{{Version:"v{__version__}", Python:"{sys.version.split()[0]}"}}')


@cli.command()
@debug_option
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print a shell completion script.

    \b
    Examples:
      source <(helmpy completion bash)
      helmpy completion zsh > "${fpath[1]}/_helmpy"
      helmpy completion fish > ~/.config/fish/completions/helmpy.fish
    """
    from click.shell_completion import get_completion_class

    comp_cls = get_completion_class(shell)
    if comp_cls is None:  # pragma: no cover - click ships all three
        raise HelmpyError(f"unsupported shell {shell}")
    comp = comp_cls(cli, {}, "helmpy", "_HELMPY_COMPLETE")
    click.echo(comp.source())


@cli.command("env")
@debug_option
def env_cmd() -> None:
    """Print helmpy's environment (paths and settings) as KEY="value" lines.

    \b
    Examples:
      helmpy env
    """
    from helmpy import paths
    from helmpy.kube.factory import select

    try:
        chosen = select(kubeconfig=os.environ.get("HELMPY_KUBECONFIG"))
        in_use = {"HELMPY_CLUSTER": f"local:{chosen.embedded}" if chosen.embedded else "",
                  "HELMPY_KUBECONFIG": os.pathsep.join(str(p) for p in chosen.kubeconfig)}
    except HelmpyError as err:  # env still prints; the error says why no cluster can be used
        in_use = {"HELMPY_CLUSTER": "", "HELMPY_KUBECONFIG": f"({err.message})"}
    items = {
        "HELMPY_CACHE_HOME": paths.cache_home(),
        "HELMPY_CLUSTER": in_use["HELMPY_CLUSTER"],
        "HELMPY_CONFIG_HOME": paths.config_home(),
        "HELMPY_DATA_HOME": paths.data_home(),
        "HELMPY_DEBUG": "true" if debug_enabled() else "false",
        "HELMPY_DRIVER": os.environ.get("HELMPY_DRIVER", "secret"),
        "HELMPY_KUBECONFIG": in_use["HELMPY_KUBECONFIG"],
        "HELMPY_NAMESPACE": os.environ.get("HELMPY_NAMESPACE", "default"),
        "HELMPY_REPOSITORY_CACHE": paths.repository_cache(),
        "HELMPY_REPOSITORY_CONFIG": paths.repository_config(),
    }
    for key, value in items.items():
        click.echo(f'{key}="{value}"')


def format_error(err: HelmpyError) -> str:
    """One line (plus an optional hint) for a user error; URLs in it lose their passwords."""
    from helmpy.redact import redact_url

    text = f"Error: {err.message}"
    if err.hint:
        text += f"\nHint: {err.hint}"
    return redact_url(text)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point; maps errors to messages and exit codes."""
    global _logging_debug
    args = list(sys.argv[1:] if argv is None else argv)
    _logging_debug = "--debug" in args or debug_enabled()
    if argv is None:  # the console script: this process ends with the command (helmpy/gctune.py)
        one_shot_process()
    # SIGTERM is handled like Ctrl-C, and a second signal cannot break the cleanup (helmpy/cli/signals.py)
    with interrupts_raise(exiting=argv is None):
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
            err = interrupted_error(exc)
            click.echo(format_error(err), err=True)
            sys.exit(err.exit_code)
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


if __name__ == "__main__":  # pragma: no cover
    main()
