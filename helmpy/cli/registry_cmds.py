"""``registry login|logout``: thin click commands over :class:`helmpy.Client`'s ``registry_login``/``_logout``."""

from __future__ import annotations

import click

from helmpy.cli.root import debug_option


@click.group()
@debug_option
def registry() -> None:
    """Log in to and out of OCI registries (credentials go to the registry config.json).

    \b
    Examples:
      helmpy registry login registry.example.com -u me --password-stdin < token.txt
      helmpy registry logout registry.example.com
    """


@registry.command("login")
@debug_option
@click.argument("host")
@click.option("-u", "--username", default="", help="Registry username.")
@click.option("-p", "--password", default="", help="Registry password or identity token (prefer --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read the password or identity token from stdin.")
@click.option("--insecure", is_flag=True, help="Allow connections to a TLS registry without certificate checks.")
@click.option("--plain-http", is_flag=True, help="Use plain HTTP.")
@click.option("--ca-file", default="", help="Verify HTTPS registries with this CA bundle.")
@click.option("--cert-file", default="", help="Identify with this SSL certificate file.")
@click.option("--key-file", default="", help="Identify with this SSL key file.")
def login(host: str, username: str, password: str, password_stdin: bool, insecure: bool, plain_http: bool,
          ca_file: str, cert_file: str, key_file: str) -> None:
    """Check credentials against a registry and store them.

    \b
    Examples:
      helmpy registry login registry.example.com -u me --password-stdin < token.txt
      helmpy registry login 127.0.0.1:5000 -u me -p secret --plain-http
      helmpy registry login registry.internal -u me --ca-file ca.pem
    """
    import logging

    from helmpy.cli.apiclient import client
    from helmpy.cli.repo_cmds import read_password

    if password and not password_stdin:
        logging.getLogger(__name__).warning("using --password via the CLI is insecure. Use --password-stdin")
    if not password_stdin and not password and not username:
        username = str(click.prompt("Username", default="", show_default=False, err=True)).strip()
    password = read_password(username or "token", password, password_stdin)
    client().registry_login(host, username=username, password=password, insecure=insecure, plain_http=plain_http,
                            ca_file=ca_file, cert_file=cert_file, key_file=key_file)


@registry.command("logout")
@debug_option
@click.argument("host")
def logout(host: str) -> None:
    """Forget the stored credentials of a registry.

    \b
    Examples:
      helmpy registry logout registry.example.com
    """
    from helmpy.cli.apiclient import client

    client().registry_logout(host)
