"""`helmpy package` and `helmpy verify`: flags in, one :class:`helmpy.Client` call, Helm's output lines out."""

from __future__ import annotations

import sys
from typing import Any

import click

from helmpy.cli.options import remote_options
from helmpy.cli.root import debug_option
from helmpy.errors import UsageError


def read_passphrase(path: str | None) -> str | None:
    """First line of --passphrase-file (``-`` reads stdin), like Helm."""
    if path is None:
        return None
    try:
        if path == "-":
            text = sys.stdin.readline()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.readline()
    except OSError as err:
        raise UsageError(f"cannot read passphrase file {path!r}: {err.strerror}") from err
    return text.rstrip("\r\n")


@click.command()
@debug_option
@click.argument("charts", nargs=-1, required=True, type=click.Path())
@click.option("-d", "--destination", default=".", show_default=True, help="Directory to write the archive to.")
@click.option("--version", "version", default=None, help="Set the chart's version (SemVer).")
@click.option("--app-version", default=None, help="Set the chart's appVersion.")
@click.option("-u", "--dependency-update", is_flag=True, help="Update dependencies into charts/ first.")
@click.option("--sign", is_flag=True, help="Write a signed provenance file (.prov) next to the archive.")
@click.option("--key", default="", help="Name (user id or substring) of the signing key.")
@click.option("--keyring", default=None, type=click.Path(),
              help="Legacy secret keyring (e.g. from `gpg --export-secret-keys`). Default ~/.gnupg/pubring.gpg.")
@click.option("--passphrase-file", default=None, help="File whose first line is the key passphrase ('-' = stdin).")
@remote_options
def package(charts: tuple[str, ...], destination: str, version: str | None, app_version: str | None,
            dependency_update: bool, sign: bool, key: str, keyring: str | None,
            passphrase_file: str | None, remote: Any) -> None:
    """Package chart directories into versioned chart archives (NAME-VERSION.tgz).

    The archive is reproducible: packaging the same directory twice gives identical bytes.

    \b
    Examples:
      helmpy package ./web
      helmpy package ./web -d dist --version 1.2.3 --app-version v5
      helmpy package ./web --sign --key 'Jane' --keyring ~/.gnupg/secring.gpg
    """
    from helmpy.cli.apiclient import client, remote_flags

    if sign and not key:
        raise UsageError("--sign requires --key (the signing key's name)")
    passphrase = read_passphrase(passphrase_file) if sign else None
    hp = client()
    for chart in charts:
        result = hp.package(chart, destination=destination, version=version, app_version=app_version,
                            dependency_update=dependency_update, sign=sign, key=key, keyring=keyring,
                            passphrase=passphrase, **remote_flags(remote))
        click.echo(f"Successfully packaged chart and saved it to: {result.display_path}")


@click.command()
@debug_option
@click.argument("chart", type=click.Path())
@click.option("--keyring", default=None, type=click.Path(),
              help="Public keyring with the signer's key (default ~/.gnupg/pubring.gpg).")
def verify(chart: str, keyring: str | None) -> None:
    """Verify a chart archive against its provenance file (CHART.tgz.prov).

    Checks the OpenPGP signature with the keyring and the archive's sha256.

    \b
    Examples:
      helmpy verify web-1.0.0.tgz --keyring pubring.gpg
    """
    from helmpy.cli.apiclient import client

    for line in client().verify(chart, keyring=keyring).lines():
        click.echo(line)
