"""`helmpy repo index`: build a repository's index.yaml from the chart archives in a directory."""

from __future__ import annotations

import click

from helmpy.cli.root import debug_option


@click.command("index")
@debug_option
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--url", default="", help="Base URL of the chart repository (entry urls are joined onto it).")
@click.option("--merge", default=None, type=click.Path(dir_okay=False),
              help="Merge the generated index into this existing index (existing entries are kept).")
@click.option("--json", "as_json", is_flag=True, help="Write the index as JSON (same file name).")
def index(directory: str, url: str, merge: str | None, as_json: bool) -> None:
    """Generate DIRECTORY/index.yaml from the chart archives in DIRECTORY and DIRECTORY/*/.

    Archives that cannot be read are reported on stderr and skipped.

    \b
    Examples:
      helmpy repo index ./charts
      helmpy repo index ./charts --url https://example.com/charts
      helmpy repo index ./charts --merge old-index.yaml
    """
    from helmpy.cli.apiclient import client

    client().repo_index(directory, url=url, merge=merge, as_json=as_json)  # skipped archives: WARNING on stderr
