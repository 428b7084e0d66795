"""`helmpy serve`: run a chart repository (ChartMuseum-compatible upload API) in the foreground."""

from __future__ import annotations

import click

from helmpy.cli.root import debug_option
from helmpy.errors import UsageError
from helmpy.server.limits import DEFAULT_MAX_UPLOAD, ServerLimits

_LIMITS = ServerLimits()


@click.command()
@debug_option
@click.argument("directory", default="repo-index", required=False, type=click.Path(file_okay=False))
@click.option("--address", default="127.0.0.1:8879", show_default=True,
              help="HOST:PORT to listen on (port 0 = any).")
@click.option("--basic-auth-user", default=None, help="User name required for uploads and deletes.")
@click.option("--basic-auth-pass", default=None, help="Password for --basic-auth-user.")
@click.option("--basic-auth-file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="File of user:password lines (or user:{SHA}hash from htpasswd -s).")
@click.option("--auth-reads", is_flag=True, help="Require the credentials for downloads too.")
@click.option("--tls-cert", default=None, type=click.Path(dir_okay=False, exists=True), help="PEM certificate.")
@click.option("--tls-key", default=None, type=click.Path(dir_okay=False, exists=True), help="PEM private key.")
@click.option("--allow-overwrite", is_flag=True, help="Let uploads replace an existing chart version.")
@click.option("--disable-api", is_flag=True, help="Serve only the index, the charts and the pages: no /api/ routes "
              "and no upload form.")
@click.option("--max-upload-size", default=DEFAULT_MAX_UPLOAD, show_default=True, type=click.IntRange(min=1),
              help="Largest accepted upload body, in bytes (larger ones get 413 before they are read).")
@click.option("--read-header-timeout", default=f"{_LIMITS.header_timeout:g}s", show_default=True, metavar="DURATION",
              help="Time a client has to send a complete request header (idle connections are closed after it).")
@click.option("--read-timeout", default=f"{_LIMITS.read_timeout:g}s", show_default=True, metavar="DURATION",
              help="Time a client has to send the rest of a request (an upload body) once it is being served.")
@click.option("--workers", default=_LIMITS.workers, show_default=True, type=click.IntRange(min=1, max=1024),
              help="Threads serving requests (slow or idle clients do not hold one).")
@click.option("--max-connections", default=_LIMITS.max_connections, show_default=True, type=click.IntRange(min=1),
              help="Open connections at most; further ones are closed at once.")
def serve(directory: str, address: str, basic_auth_user: str | None, basic_auth_pass: str | None,
          basic_auth_file: str | None, auth_reads: bool, tls_cert: str | None, tls_key: str | None,
          allow_overwrite: bool, disable_api: bool, max_upload_size: int, read_header_timeout: str,
          read_timeout: str, workers: int, max_connections: int) -> None:
    """Serve DIRECTORY (default ./repo-index) as a chart repository.

    Helm clients use it with `helm repo add NAME URL`; charts are uploaded with
    `curl --data-binary @chart.tgz URL/api/charts` (the ChartMuseum API, as used by helm cm-push).
    The index is rebuilt from the directory at start and updated after every upload or delete.

    \b
    Examples:
      helmpy serve ./charts --address 0.0.0.0:8879
      helmpy serve ./charts --basic-auth-user ci --basic-auth-pass s3cret --allow-overwrite
      helmpy serve ./charts --tls-cert tls.crt --tls-key tls.key --auth-reads --basic-auth-file users.txt
    """
    from helmpy.cli.duration import parse_duration
    from helmpy.server.app import BasicAuth, ChartRepoApp
    from helmpy.server.runner import make_server
    from helmpy.server.storage import ChartStorage

    header_timeout, body_timeout = parse_duration(read_header_timeout), parse_duration(read_timeout)
    if header_timeout <= 0 or body_timeout <= 0:
        raise UsageError("--read-header-timeout and --read-timeout must be more than 0")

    if basic_auth_file and (basic_auth_user or basic_auth_pass):
        raise UsageError("use either --basic-auth-file or --basic-auth-user/--basic-auth-pass, not both")
    if bool(basic_auth_user) != bool(basic_auth_pass):
        raise UsageError("--basic-auth-user and --basic-auth-pass must be given together")
    auth = None
    if basic_auth_file:
        auth = BasicAuth.from_file(basic_auth_file)
    elif basic_auth_user and basic_auth_pass:
        auth = BasicAuth({basic_auth_user: basic_auth_pass})
    if auth_reads and auth is None:
        raise UsageError("--auth-reads needs credentials "
                         "(--basic-auth-user/--basic-auth-pass or --basic-auth-file)")
    storage = ChartStorage(directory, allow_overwrite=allow_overwrite)
    app = ChartRepoApp(storage, auth=auth, auth_reads=auth_reads, max_upload=max_upload_size,
                       api_enabled=not disable_api)
    limits = ServerLimits(header_timeout=header_timeout, read_timeout=body_timeout, workers=workers,
                          max_connections=max_connections, max_body=max_upload_size + 1024 * 1024)
    server = make_server(app, address, tls_cert, tls_key, limits)
    index = storage.rebuild()  # after binding: a server that cannot start leaves the directory alone
    charts = sum(len(v) for v in index.entries.values())
    click.echo(f"Serving {directory} ({charts} chart versions) at {server.url}", nl=True)
    click.get_text_stream("stdout").flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM (helmpy/cli/signals.py): the normal way to stop a server
        pass
    finally:
        server.shutdown()  # also ends the worker threads, which would otherwise keep the process alive
