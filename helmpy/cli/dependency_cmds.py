"""``dependency list|update|build`` (alias ``dep``): thin click commands over :class:`helmpy.Client`'s
``dependency_*``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from helmpy.cli.options import remote_options
from helmpy.cli.output import format_table
from helmpy.cli.repo_cmds import AliasGroup
from helmpy.cli.root import debug_option

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions


class DependencyGroup(AliasGroup):
    aliases: ClassVar[dict[str, str]] = {"up": "update"}


@click.group(cls=DependencyGroup)
@debug_option
def dependency() -> None:
    """Manage a chart's dependencies (the charts/ directory and Chart.lock).

    \b
    Examples:
      helmpy dependency list ./web
      helmpy dependency update ./web
      helmpy dep build ./web
    """


@dependency.command("list")
@debug_option
@click.argument("chart", default=".", type=click.Path())
@click.option("--max-col-width", default=80, show_default=True, type=int, help="Maximum table column width.")
def dependency_list(chart: str, max_col_width: int) -> None:
    """List the dependencies of CHART and whether charts/ satisfies them.

    \b
    Examples:
      helmpy dependency list ./web
    """
    from helmpy.cli.apiclient import client

    path = Path(chart)
    warnings: list[str] = []  # printed after the table, as Helm does
    rows = client(on_notice=warnings.append).dependency_list(path)
    if not rows:
        click.echo(f"WARNING: no dependencies at {path / 'charts'}")
        return
    click.echo(format_table(["NAME", "VERSION", "REPOSITORY", "STATUS"],
                            [[r.name, r.version, r.repository, r.status] for r in rows], max_col_width))
    for w in warnings:
        click.echo(w)


@dependency.command("update")
@debug_option
@click.argument("chart", default=".", type=click.Path())
@click.option("--skip-refresh", is_flag=True, help="Do not refresh the local repository cache.")
@remote_options
def dependency_update(chart: str, skip_refresh: bool, remote: RemoteOptions | None) -> None:
    """Resolve CHART's dependencies, download them into charts/ and write Chart.lock (alias: up).

    The TLS, credential and --plain-http flags apply to oci:// dependencies (as in Helm); an index
    repository uses the settings it was added with.

    \b
    Examples:
      helmpy dependency update ./web
      helmpy dep up ./web --skip-refresh
      helmpy dep up ./web --plain-http        # Chart.yaml: repository: oci://127.0.0.1:5000/charts
    """
    from helmpy.cli.apiclient import client, remote_flags

    client().dependency_update(chart, skip_refresh=skip_refresh, **remote_flags(remote))


@dependency.command("build")
@debug_option
@click.argument("chart", default=".", type=click.Path())
@click.option("--skip-refresh", is_flag=True, help="Do not refresh the local repository cache.")
@remote_options
def dependency_build(chart: str, skip_refresh: bool, remote: RemoteOptions | None) -> None:
    """Rebuild charts/ from the versions pinned in Chart.lock.

    \b
    Examples:
      helmpy dependency build ./web
    """
    from helmpy.cli.apiclient import client, remote_flags

    client().dependency_build(chart, skip_refresh=skip_refresh, **remote_flags(remote))
