"""``repo``, ``search``, ``pull`` and ``push``: thin click commands over :class:`helmpy.Client` (its ``repo_*``,
``search_*``, ``pull`` and ``push``).

``search repo`` is on a hot path, so this module imports nothing that pulls in ``requests``; the
commands that download import their action modules when they run.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import click

from helmpy.cli.duration import parse_duration
from helmpy.cli.output import FORMATS, format_table, write
from helmpy.cli.root import debug_option


class AliasGroup(click.Group):
    """A click group whose sub-commands have Helm's short aliases (``up``, ``ls``, ``rm``)."""

    aliases: ClassVar[dict[str, str]] = {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))


class RepoGroup(AliasGroup):
    aliases: ClassVar[dict[str, str]] = {"up": "update", "ls": "list", "rm": "remove"}


def tls_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Credential and TLS flags shared by repo add, pull and push."""
    for decl in reversed([
        click.option("--username", default="", help="Chart repository username."),
        click.option("--password", default="", help="Chart repository password."),
        click.option("--password-stdin", is_flag=True, help="Read the password from stdin."),
        click.option("--ca-file", default="", help="Verify HTTPS servers with this CA bundle."),
        click.option("--cert-file", default="", help="Identify with this SSL certificate file."),
        click.option("--key-file", default="", help="Identify with this SSL key file."),
        click.option("--insecure-skip-tls-verify", is_flag=True, help="Skip TLS certificate checks."),
    ]):
        f = decl(f)
    return f


def read_password(username: str, password: str, from_stdin: bool) -> str:
    """Helm's rule: a username without a password means read it from stdin or prompt for it."""
    if from_stdin:
        data = sys.stdin.read()
        if data.endswith("\n"):
            data = data[:-1]
        if data.endswith("\r"):
            data = data[:-1]
        return data
    if username and not password:
        return str(click.prompt("Password", hide_input=True, default="", show_default=False, err=True))
    return password


# --- repo --------------------------------------------------------------------------------------------
@click.group(cls=RepoGroup)
@debug_option
def repo() -> None:
    """Add, list, remove, update and index chart repositories.

    \b
    Examples:
      helmpy repo add stable https://charts.example.com/stable
      helmpy repo update
      helmpy repo list -o json
      helmpy repo remove stable
    """


@repo.command("add")
@debug_option
@click.argument("name")
@click.argument("url")
@tls_options
@click.option("--pass-credentials", is_flag=True, help="Send credentials to all domains (not only the repo's).")
@click.option("--force-update", is_flag=True, help="Replace the repo if it already exists.")
@click.option("--allow-deprecated-repos", is_flag=True, help="Allow adding the old, shut-down official repos.")
@click.option("--timeout", default="2m0s", show_default=True, help="Time to wait for the index download.")
def repo_add(name: str, url: str, username: str, password: str, password_stdin: bool, ca_file: str,
             cert_file: str, key_file: str, insecure_skip_tls_verify: bool, pass_credentials: bool,
             force_update: bool, allow_deprecated_repos: bool, timeout: str) -> None:
    """Add a chart repository.

    \b
    Examples:
      helmpy repo add bitnami https://charts.example.com/bitnami
      helmpy repo add private https://charts.example.com --username me --password-stdin < pw.txt
      helmpy repo add internal https://10.0.0.5/charts --ca-file ca.pem --force-update
    """
    from helmpy.cli.apiclient import client

    password = read_password(username, password, password_stdin)
    client().repo_add(name, url, username=username, password=password, pass_credentials=pass_credentials,
                      ca_file=ca_file, cert_file=cert_file, key_file=key_file,
                      insecure_skip_tls_verify=insecure_skip_tls_verify, force_update=force_update,
                      allow_deprecated_repos=allow_deprecated_repos, timeout=parse_duration(timeout))


@repo.command("update")
@debug_option
@click.argument("names", nargs=-1)
@click.option("--timeout", default="2m0s", show_default=True, help="Time to wait for each index download.")
def repo_update(names: tuple[str, ...], timeout: str) -> None:
    """Update information of available charts from the chart repositories (alias: up).

    \b
    Examples:
      helmpy repo update
      helmpy repo up stable bitnami
    """
    from helmpy.cli.apiclient import client

    client().repo_update(*names, timeout=parse_duration(timeout))


@repo.command("list")
@debug_option
@click.option("-o", "--output", "output", type=click.Choice(FORMATS, case_sensitive=False), default="table",
              show_default=True, help="Prints the output in the specified format.")
@click.option("--no-headers", is_flag=True, help="Omit the header row of the table.")
def repo_list(output: str, no_headers: bool) -> None:
    """List chart repositories (alias: ls).

    \b
    Examples:
      helmpy repo list
      helmpy repo ls -o yaml
    """
    from helmpy.cli.apiclient import client

    items = [r.to_dict() for r in client().repo_list()]
    if output.lower() != "table":
        write(items, output, yaml=_repos_yaml)
    elif not items:
        click.echo("no repositories to show", err=True)
    else:
        text = format_table(["NAME", "URL"], [[i["name"], i["url"]] for i in items], max_col_width=1 << 30)
        click.echo(_drop_header(text) if no_headers else text, nl=False)


def _repos_yaml(items: list[dict[str, Any]]) -> str:
    from helmpy import yamlutil

    return yamlutil.dump(items) if items else "[]\n"


def _drop_header(table_text: str) -> str:
    return table_text.split("\n", 1)[1]


@repo.command("remove")
@debug_option
@click.argument("names", nargs=-1, required=True)
def repo_remove(names: tuple[str, ...]) -> None:
    """Remove one or more chart repositories (alias: rm).

    \b
    Examples:
      helmpy repo remove stable
      helmpy repo rm a b
    """
    from helmpy.cli.apiclient import client

    client().repo_remove(*names)


if importlib.util.find_spec("helmpy.cli.repo_index_cmd") is not None:  # owned by the index module's author
    from helmpy.cli.repo_index_cmd import index as _index_cmd

    repo.add_command(_index_cmd, "index")


# --- search ------------------------------------------------------------------------------------------
@click.group()
@debug_option
def search() -> None:
    """Search configured repositories (search repo) or Artifact Hub (search hub) for charts.

    \b
    Examples:
      helmpy search repo nginx
      helmpy search repo --versions --devel db
      helmpy search hub nginx
    """


@search.command("repo")
@debug_option
@click.argument("keywords", nargs=-1)
@click.option("-r", "--regexp", is_flag=True, help="Treat the keyword as a regular expression.")
@click.option("--version", "version", default="", help="Semver constraint for chart versions (e.g. ^1.2).")
@click.option("-l", "--versions", is_flag=True, help="Show every version, not only the newest.")
@click.option("--devel", is_flag=True, help="Include pre-release versions (same as --version '>0.0.0-0').")
@click.option("--max-col-width", default=50, show_default=True, type=int, help="Maximum table column width.")
@click.option("--fail-on-no-result", is_flag=True, help="Fail when nothing matches.")
@click.option("-o", "--output", "output", type=click.Choice(FORMATS, case_sensitive=False), default="table",
              show_default=True, help="Prints the output in the specified format.")
def search_repo(keywords: tuple[str, ...], regexp: bool, version: str, versions: bool, devel: bool,
                max_col_width: int, fail_on_no_result: bool, output: str) -> None:
    """Search the configured repositories' cached indexes for a keyword.

    Matches chart names, descriptions and keywords (case-insensitive substring, or a regular
    expression with -r). Run 'helmpy repo update' to refresh the caches.

    \b
    Examples:
      helmpy search repo nginx
      helmpy search repo -r 'ng(inx|rok)' --versions
      helmpy search repo mydb --version '^2.0' -o json
    """
    from helmpy.cli.apiclient import client
    from helmpy.errors import RepoError

    results = client().search_repo(" ".join(keywords), regexp=regexp, version=version, versions=versions,
                                   devel=devel)
    if not results and fail_on_no_result:
        raise RepoError("no results found")
    _write_found([r.to_dict() for r in results], output, ["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"],
                 [[r.name, r.version, r.app_version, r.description] for r in results], max_col_width)


def _write_found(items: list[dict[str, Any]], output: str, headers: list[str], rows: list[list[str]],
                 max_col_width: int) -> None:
    """Search results as Helm prints them: JSON, YAML, or a table ("No results found" when empty)."""
    if output.lower() != "table":
        write(items, output, yaml=_found_yaml)
    elif not rows:
        click.echo("No results found")
    else:
        click.echo(format_table(headers, rows, max_col_width=max_col_width), nl=False)


def _found_yaml(items: list[dict[str, Any]]) -> str:
    """Helm's sigs.k8s.io/yaml text (long strings folded at 80 columns)."""
    from helmpy.engine.gotemplate.goyaml import to_yaml

    return to_yaml(items) + "\n"


@search.command("hub")
@debug_option
@click.argument("keywords", nargs=-1)
@click.option("--endpoint", default="https://hub.helm.sh", show_default=True,
              help="Hub instance to query (Artifact Hub, or any Monocular-compatible search API).")
@click.option("--max-col-width", default=50, show_default=True, type=int, help="Maximum table column width.")
@click.option("--list-repo-url", is_flag=True, help="Print each chart's repository URL too.")
@click.option("--fail-on-no-result", is_flag=True, help="Fail when nothing matches.")
@click.option("--timeout", default="120s", show_default=True, help="How long to wait for the hub.")
@click.option("-o", "--output", "output", type=click.Choice(FORMATS, case_sensitive=False), default="table",
              show_default=True, help="Prints the output in the specified format.")
def search_hub(keywords: tuple[str, ...], endpoint: str, max_col_width: int, list_repo_url: bool,
               fail_on_no_result: bool, timeout: str, output: str) -> None:
    """Search Artifact Hub (or your own hub instance) for charts.

    \b
    Examples:
      helmpy search hub nginx
      helmpy search hub redis --list-repo-url -o json
      helmpy search hub web --endpoint https://hub.example.com
    """
    from helmpy.cli.apiclient import client
    from helmpy.errors import RepoError

    results = client().search_hub(" ".join(keywords), endpoint=endpoint, timeout=parse_duration(timeout))
    if not results and fail_on_no_result:
        raise RepoError("no results found")
    headers = ["URL", "CHART VERSION", "APP VERSION", "DESCRIPTION"] + (["REPO URL"] if list_repo_url else [])
    rows = [[r.url, r.version, r.app_version, r.description] + ([r.repo_url] if list_repo_url else [])
            for r in results]
    _write_found([r.to_dict() for r in results], output, headers, rows, max_col_width)


# --- pull / push -------------------------------------------------------------------------------------
@click.command()
@debug_option
@click.argument("chart")
@click.option("--version", "version", default="", help="Version constraint (exact version or range).")
@click.option("--devel", is_flag=True, help="Use development versions too (>0.0.0-0).")
@click.option("-d", "--destination", default=".", show_default=True, help="Directory to write the chart to.")
@click.option("--untar", is_flag=True, help="Expand the chart after downloading it.")
@click.option("--untardir", default=".", show_default=True, help="With --untar: directory (under -d) to expand into.")
@click.option("--verify", is_flag=True, help="Verify the chart's provenance before using it.")
@click.option("--prov", is_flag=True, help="Fetch the provenance file too (without verifying).")
@click.option("--keyring", default=None, help="Public keyring for --verify (default ~/.gnupg/pubring.gpg).")
@click.option("--repo", "repo_url", default="", help="Chart repository URL to find the chart in.")
@tls_options
@click.option("--pass-credentials", is_flag=True, help="Send credentials to all domains.")
@click.option("--plain-http", is_flag=True, help="Use plain HTTP to reach an oci:// registry.")
@click.option("--timeout", default="2m0s", show_default=True, help="Time to wait for each download.")
def pull(chart: str, version: str, devel: bool, destination: str, untar: bool, untardir: str, verify: bool,
         prov: bool, keyring: str | None, repo_url: str, username: str, password: str, password_stdin: bool,
         ca_file: str, cert_file: str, key_file: str, insecure_skip_tls_verify: bool, pass_credentials: bool,
         plain_http: bool, timeout: str) -> None:
    """Download a chart from a repository (and optionally unpack it) (alias: fetch).

    \b
    Examples:
      helmpy pull stable/mysql --version '^9.0'
      helmpy pull stable/mysql --untar -d /tmp
      helmpy pull https://charts.example.com/mysql-9.1.0.tgz --verify --keyring pub.gpg
      helmpy pull mysql --repo https://charts.example.com --username me --password-stdin
      helmpy pull oci://registry.example.com/charts/mysql --version '^9.0' --untar
    """
    from helmpy.cli.apiclient import client

    password = read_password(username, password, password_stdin)
    flags: dict[str, Any] = {k: v for k, v in (("version", version), ("repo", repo_url), ("keyring", keyring)) if v}
    client().pull(chart, devel=devel, destination=destination, untar=untar, untardir=untardir,
                  verify=verify, prov=prov, **flags,
                  username=username, password=password, pass_credentials=pass_credentials, ca_file=ca_file,
                  cert_file=cert_file, key_file=key_file, insecure_skip_tls_verify=insecure_skip_tls_verify,
                  plain_http=plain_http, timeout=parse_duration(timeout))


@click.command()
@debug_option
@click.argument("chart", type=click.Path(dir_okay=False))
@click.argument("remote")
@tls_options
@click.option("--force", is_flag=True, help="Overwrite an existing chart version on the server.")
@click.option("--plain-http", is_flag=True, help="Use plain HTTP to reach an oci:// registry.")
@click.option("--timeout", default="2m0s", show_default=True, help="Time to wait for the upload.")
def push(chart: str, remote: str, username: str, password: str, password_stdin: bool, ca_file: str,
         cert_file: str, key_file: str, insecure_skip_tls_verify: bool, force: bool, plain_http: bool,
         timeout: str) -> None:
    """Upload a packaged chart to an OCI registry, or to a ChartMuseum-compatible repository.

    REMOTE is ``oci://host[:port]/path`` (the chart goes to host/path/NAME:VERSION, as with helm
    push), a configured repository name, or the repository's http(s) URL (POST /api/charts). A
    CHART.prov beside the archive is uploaded with it.

    \b
    Examples:
      helmpy push mychart-0.1.0.tgz oci://registry.example.com/charts
      helmpy push mychart-0.1.0.tgz oci://127.0.0.1:5000/charts --plain-http
      helmpy push mychart-0.1.0.tgz myrepo
      helmpy push mychart-0.1.0.tgz http://127.0.0.1:8879 --username me --password-stdin
      helmpy push mychart-0.1.0.tgz myrepo --force
    """
    from helmpy.cli.apiclient import client

    password = read_password(username, password, password_stdin)
    client().push(chart, remote, force=force, timeout=parse_duration(timeout), username=username, password=password,
                  ca_file=ca_file, cert_file=cert_file, key_file=key_file,
                  insecure_skip_tls_verify=insecure_skip_tls_verify, plain_http=plain_http)
