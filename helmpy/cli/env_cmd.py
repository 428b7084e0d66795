"""``helmpy env``: print the settings (:meth:`helmpy.Client.env`) like ``helm env``."""

from __future__ import annotations

import click

from helmpy.cli.root import CONTEXT_SETTINGS, debug_option


@click.command("env", context_settings=CONTEXT_SETTINGS)
@debug_option
@click.argument("name", required=False, metavar="[NAME]")
def env_cmd(name: str | None) -> None:
    """Print helmpy's settings: Helm's HELM_* variables and helmpy's HELMPY_* ones, as KEY="value" lines.

    Each setting is read from HELMPY_<KEY>, else HELM_<KEY>, else its default; with NAME, only that value.

    \b
    Examples:
      helmpy env
      helmpy env HELM_NAMESPACE
    """
    from helmpy.cli.apiclient import client

    if name:
        click.echo(client().env_var(name))
        return
    click.echo("".join(f'{key}="{value}"\n' for key, value in client().env().items()), nl=False)
