"""``plugin install/list/uninstall/update/package/verify`` and running an installed plugin as ``helmpy NAME ...``.

Thin: the work is in :mod:`helmpy.plugin`. ``plugin_command`` builds the click command for a plugin when the
top-level group meets a name it does not know (no plugin directory is read for helmpy's own commands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import click

from helmpy.cli.output import format_table
from helmpy.cli.repo_cmds import AliasGroup
from helmpy.cli.root import debug_option


class PluginGroup(AliasGroup):
    aliases: ClassVar[dict[str, str]] = {"add": "install", "ls": "list", "rm": "uninstall", "remove": "uninstall",
                                         "up": "update"}


def _reserved() -> frozenset[str]:
    from helmpy.cli.root import ALIASES, LAZY_COMMANDS, cli

    return frozenset({*LAZY_COMMANDS, *cli.commands, *ALIASES, "help"})


@click.group(cls=PluginGroup)
def plugin() -> None:
    """Install, list, update, uninstall, package and verify Helm plugins (Helm 3 and 4 plugin.yaml).

    \b
    An installed plugin runs as `helmpy NAME ARGS...` with Helm's environment (HELM_BIN, HELM_PLUGIN_DIR,
    HELM_NAMESPACE, ...). Plugins live in HELMPY_PLUGINS (else HELM_PLUGINS, else <data home>/plugins).

    \b
    Examples:
      helmpy plugin install ./my-plugin
      helmpy plugin list
      helmpy my-plugin --some-flag
    """


@plugin.command()
@debug_option
@click.argument("source")
@click.option("--version", default="", help="A git ref, or a version constraint over the repository's tags.")
@click.option("--verify", type=click.BOOL, default=True, show_default=True, is_flag=False, flag_value=True,
              help="Check a .tgz plugin's .prov signature (--verify=false to skip; directories are never checked).")
@click.option("--keyring", default=None, type=click.Path(),
              help="Public keys for --verify (default ~/.gnupg/pubring.gpg).")
@click.option("--ca-file", default="", help="Verify HTTPS registries and download servers with this CA bundle.")
@click.option("--cert-file", default="", help="Identify to the registry or download server with this SSL certificate.")
@click.option("--key-file", default="", help="Identify to the registry or download server with this SSL key.")
@click.option("--insecure-skip-tls-verify", is_flag=True, help="Skip TLS certificate checks for the plugin download.")
@click.option("--plain-http", is_flag=True, help="Use plain HTTP to reach an oci:// registry.")
@click.option("--username", default="", help="Registry (or download server) username.")
@click.option("--password", default="", help="Registry (or download server) password.")
def install(source: str, version: str, verify: bool, keyring: str | None, ca_file: str, cert_file: str,
            key_file: str, insecure_skip_tls_verify: bool, plain_http: bool, username: str, password: str) -> None:
    """Install a plugin from a local directory, a .tgz (path or URL), an OCI registry or a git repository.

    \b
    Examples:
      helmpy plugin install ./helm-secrets
      helmpy plugin install https://example.com/helm-diff-3.9.0.tgz --verify=false
      helmpy plugin install oci://ghcr.io/example/plugins/diff:3.9.0 --verify=false
      helmpy plugin install https://github.com/aslafy-z/helm-git --version '^1.3' --verify=false
    """
    from helmpy.cli.apiclient import client

    installed = client().plugin_install(
        source, version=version, verify=verify, keyring=keyring, username=username, password=password,
        ca_file=ca_file, cert_file=cert_file, key_file=key_file, insecure_skip_tls_verify=insecure_skip_tls_verify,
        plain_http=plain_http, reserved_names=_reserved())
    click.echo(f"Installed plugin: {installed.name}")


@plugin.command("list")
@debug_option
@click.option("--type", "kind", default="", help="Only plugins of this type (cli/v1, getter/v1, postrenderer/v1).")
def list_plugins(kind: str) -> None:
    """List installed plugins.

    \b
    Examples:
      helmpy plugin list
      helmpy plugin list --type getter/v1
    """
    from helmpy.cli.apiclient import client

    rows = [(p.name, p.version, p.type, p.api_version, p.provenance, p.source) for p in client().plugin_list(type=kind)]
    click.echo(format_table(("NAME", "VERSION", "TYPE", "APIVERSION", "PROVENANCE", "SOURCE"), rows), nl=False)


@plugin.command()
@debug_option
@click.argument("names", nargs=-1, required=True)
def uninstall(names: tuple[str, ...]) -> None:
    """Uninstall plugins (their delete hooks run first).

    \b
    Examples:
      helmpy plugin uninstall secrets
    """
    from helmpy.cli.apiclient import client

    client().plugin_uninstall(*names)


@plugin.command()
@debug_option
@click.argument("names", nargs=-1, required=True)
def update(names: tuple[str, ...]) -> None:
    """Update plugins: git checkouts are pulled; linked local directories are always current.

    \b
    Examples:
      helmpy plugin update git
    """
    from helmpy.cli.apiclient import client

    client().plugin_update(*names)


@plugin.command()
@debug_option
@click.argument("path", type=click.Path())
@click.option("-d", "--destination", default=".", show_default=True, help="Directory to write the plugin tarball to.")
@click.option("--sign", type=click.BOOL, default=True, show_default=True, is_flag=False, flag_value=True,
              help="Sign the tarball with a PGP private key, writing NAME-VERSION.tgz.prov (--sign=false to skip).")
@click.option("--key", default="", help="Name (user id or substring) of the signing key (needed with several keys).")
@click.option("--keyring", default=None, type=click.Path(),
              help="Secret keyring holding the signing key (e.g. from `gpg --export-secret-keys`).")
@click.option("--passphrase-file", default=None, help="File whose first line is the key passphrase ('-' = stdin).")
def package(path: str, destination: str, sign: bool, key: str, keyring: str | None,
            passphrase_file: str | None) -> None:
    """Package a plugin directory into NAME-VERSION.tgz, signed unless --sign=false.

    \b
    Examples:
      helmpy plugin package ./my-plugin --key 'Jane' --keyring ~/.gnupg/secring.gpg
      helmpy plugin package ./my-plugin --sign=false -d dist
    """
    from helmpy.cli.apiclient import client
    from helmpy.cli.package_cmds import read_passphrase

    client().plugin_package(path, destination=destination, sign=sign, key=key, keyring=keyring,
                            passphrase=read_passphrase(passphrase_file) if sign else None)


@plugin.command()
@debug_option
@click.argument("path", type=click.Path())
@click.option("--keyring", default=None, type=click.Path(),
              help="Public keyring with the signer's key (default ~/.gnupg/pubring.gpg).")
def verify(path: str, keyring: str | None) -> None:
    """Verify a plugin tarball against its provenance file (PATH.prov) and a keyring.

    \b
    Examples:
      helmpy plugin verify my-plugin-1.0.0.tgz --keyring pubring.gpg
    """
    from helmpy.cli.apiclient import client

    for line in client().plugin_verify(path, keyring=keyring).lines():
        click.echo(line)


def plugin_command(name: str) -> click.Command | None:
    """A click command running the installed CLI plugin ``name``, or None when there is none."""
    from helmpy.plugin.loader import find
    from helmpy.plugin.manifest import CLI

    found = find(name, kind=CLI)
    if found is None:
        return None

    def run(args: tuple[str, ...]) -> None:
        from helmpy.plugin.runner import run as run_plugin

        run_plugin(found, list(args))

    def complete(ctx: click.Context, incomplete: str) -> list[Any]:
        from helmpy.cli.completion import plugin_candidates

        return plugin_candidates(ctx, found, incomplete)

    m = found.manifest
    return _PluginCommand(
        name, callback=run, help=m.long_help or m.short_help, short_help=m.short_help or f'the "{name}" plugin',
        add_help_option=False,  # as Helm: every argument, --help included, goes to the plugin
        context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED,
                               shell_complete=lambda ctx, _param, incomplete: complete(ctx, incomplete))],
        complete=complete)


class _PluginCommand(click.Command):
    """A plugin's command: its words complete from completion.yaml and plugin.complete (helmpy/plugin/completion.py),
    a word starting with ``-`` too (click would offer only the command's own options)."""

    def __init__(self, *args: Any, complete: Callable[[click.Context, str], list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._complete = complete

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        return self._complete(ctx, incomplete)


def plugin_names() -> list[str]:
    """Names of the installed CLI plugins (for ``helmpy --help`` and completion)."""
    from helmpy.plugin.loader import load_all
    from helmpy.plugin.manifest import CLI

    return [p.name for p in load_all(kind=CLI)]
