"""``helmpy diff upgrade|rollback|revision|release|drift``: flags in, one action call, the report out.

Flag names, output modes and exit codes follow the helm-diff plugin (``--context``, ``--detailed-exitcode``,
``-o diff|simple|template|json``, ``--show-secrets``, ``--suppress``, ...), so scripts written for
``helm diff`` work; docs/diff.md says where helmpy differs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from helmpy.cli.options import post_renderer_options, remote_options, values_options, verify_options
from helmpy.cli.release_options import (
    apply_options,
    cluster_options,
    deploy_options,
    source_flags,
    upgrade_flags,
    upgrade_options,
)
from helmpy.cli.root import CONTEXT_SETTINGS, debug_option
from helmpy.errors import ChangesFound, UsageError

if TYPE_CHECKING:
    from helmpy.api import Client, DiffResult

F = TypeVar("F", bound=Callable[..., Any])


def colour_wanted(flag: bool | None, *, err: bool = False) -> bool:
    """``--color``/``--no-color`` when given; else colour on a terminal unless ``NO_COLOR`` is set (no-color.org).

    The text is then echoed with ``color=`` this answer (click would strip the codes off a pipe otherwise)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stderr if err else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


_REPORT_FLAGS = [
    click.option("-C", "--context", "context", type=int, default=-1, show_default="-1: every line",
                 help="Lines of context around each change."),
    click.option("-o", "--output", "output", type=click.Choice(("diff", "simple", "template", "json")),
                 default="diff", show_default=True, help="diff, simple (one line per object), template "
                                                         "(helm-diff's JSON list) or json (docs/diff.md)."),
    click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0: none, 1: error)."),
    click.option("--color/--no-color", "color", default=None, help="Colour (default: on a terminal, unless NO_COLOR)."),
]
_COMPARE_FLAGS = [
    click.option("--show-secrets", is_flag=True, help="Show Secret values as stored (base64) instead of *****."),
    click.option("--show-secrets-decoded", is_flag=True, help="Show Secret values decoded."),
    click.option("--suppress", "suppress", multiple=True, metavar="KIND",
                 help="Hide the lines of objects of KIND (repeatable)."),
    click.option("-q", "--suppress-secrets", is_flag=True, help="Same as --suppress Secret."),
    click.option("--suppress-output-line-regex", "line_regex", multiple=True, metavar="REGEX",
                 help="Drop diff lines matching REGEX (repeatable)."),
    click.option("--normalize-manifests", is_flag=True, help="Compare stored manifests re-written, so "
                                                             "formatting does not show (live objects always are)."),
    click.option("--strip-trailing-cr", is_flag=True, help="Ignore carriage returns at line ends."),
    click.option("--include-tests", is_flag=True, help="Include test hooks."),
]
_HELM_DIFF_NOOPS = [  # helm-diff flags whose behaviour is helmpy's default
    click.option("--three-way-merge", is_flag=True, hidden=True),
    click.option("--include-crds", is_flag=True, hidden=True),
    click.option("--allow-unreleased", "allow_unreleased", is_flag=True,
                 help="Diff a release that does not exist yet as an install (same as --install)."),
]


def _diff_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """The compare flags as :class:`helmpy.api.flags.DiffFlags` (each ``--suppress-output-line-regex`` compiled
    here, so a bad one is named by its flag)."""
    import re

    patterns = []
    for text in flags.get("line_regex") or ():
        try:
            patterns.append(re.compile(text))
        except re.error as err:
            raise UsageError(f"--suppress-output-line-regex {text!r}: {err}") from err
    return {"show_secrets": flags.get("show_secrets", False),
            "show_secrets_decoded": flags.get("show_secrets_decoded", False),
            "suppress": tuple(flags.get("suppress") or ()), "suppress_secrets": flags.get("suppress_secrets", False),
            "suppress_output_line_regex": patterns, "strip_trailing_cr": flags.get("strip_trailing_cr", False),
            "normalize_manifests": flags.get("normalize_manifests", False),
            "include_tests": flags.get("include_tests", False)}


def _finish(report: DiffResult, flags: dict[str, Any]) -> None:
    colour = colour_wanted(flags["color"])
    click.echo(report.text(flags["output"], context=flags["context"], colour=colour), nl=False, color=colour)
    if flags["detailed_exitcode"] and report.has_changes:
        raise ChangesFound()


def _diff_command(name: str, f: F) -> click.Command:
    f = apply_options([*_REPORT_FLAGS, *_COMPARE_FLAGS], f)
    f = cluster_options(f)
    return diff.command(name, context_settings=CONTEXT_SETTINGS)(f)


@click.group(context_settings=CONTEXT_SETTINGS)
@debug_option
def diff() -> None:
    """Show what an upgrade or rollback would change, how revisions differ, and drift.

    Live objects are compared with what the operation would apply after the server's defaulting (a dry-run
    apply); Secrets are masked. Exit codes: 0, or 2 with --detailed-exitcode when there are changes; 1 on errors.

    \b
    Examples:
      helmpy diff upgrade web ./charts/web --set image.tag=v2
      helmpy diff upgrade web ./charts/web --detailed-exitcode -o simple
      helmpy diff rollback web 3
      helmpy diff revision web 2 4
      helmpy diff release staging/web prod/web
      helmpy diff drift web
    """


@click.argument("name")
@click.argument("chart")
@verify_options
@post_renderer_options
@values_options
@remote_options
def _upgrade(name: str, chart: str, value_options: Any, remote: Any, verify: Any, post_renderer: Any,
             client: Client, **flags: Any) -> None:
    """Show what `helmpy upgrade NAME CHART` (with the same flags) would change.

    \b
    Examples:
      helmpy diff upgrade web ./charts/web --set image.tag=v2
      helmpy diff upgrade web ./charts/web -f prod.yaml -C 3 --detailed-exitcode
      helmpy diff upgrade web ./charts/web --install -o json
    """
    flags["install_missing"] = flags["install_missing"] or flags["allow_unreleased"]
    given = upgrade_flags(flags, source_flags(value_options, remote, verify, post_renderer))
    _finish(client.diff_upgrade(name, chart, **given, **_diff_flags(flags)), flags)


upgrade = _diff_command("upgrade", apply_options([*upgrade_options, *deploy_options, *_HELM_DIFF_NOOPS], _upgrade))


@click.argument("name")
@click.argument("revision", type=int, required=False, default=0)
@click.option("--no-hooks", is_flag=True, help="Leave hooks out.")
@click.option("--force", is_flag=True, hidden=True)
def _rollback(name: str, revision: int, no_hooks: bool, force: bool, client: Client, **flags: Any) -> None:
    """Show what `helmpy rollback NAME [REVISION]` would change (default: to the previous revision).

    \b
    Examples:
      helmpy diff rollback web
      helmpy diff rollback web 2 -o simple
    """
    _finish(client.diff_rollback(name, revision, no_hooks=no_hooks, force=force, **_diff_flags(flags)), flags)


rollback = _diff_command("rollback", _rollback)


@click.argument("name")
@click.argument("first", type=int, metavar="R1")
@click.argument("second", type=int, required=False, default=0, metavar="[R2]")
@click.option("--no-hooks", is_flag=True, help="Leave hooks out.")
def _revision(name: str, first: int, second: int, no_hooks: bool, client: Client, **flags: Any) -> None:
    """Show how revision R1 of release NAME differs from R2 (default: the latest), as stored.

    \b
    Examples:
      helmpy diff revision web 2
      helmpy diff revision web 2 4 --normalize-manifests
    """
    _finish(client.diff_revisions(name, first, second, no_hooks=no_hooks, **_diff_flags(flags)), flags)


revision = _diff_command("revision", _revision)


@click.argument("first", metavar="[NAMESPACE/]NAME1")
@click.argument("second", metavar="[NAMESPACE/]NAME2")
@click.option("--no-hooks", is_flag=True, help="Leave hooks out.")
def _release(first: str, second: str, no_hooks: bool, client: Client, **flags: Any) -> None:
    """Show how the latest revisions of two releases differ (NAMESPACE/NAME for another namespace).

    Objects are matched by the template they came from.

    \b
    Examples:
      helmpy diff release web-blue web-green
      helmpy diff release staging/web prod/web -o simple
    """
    _finish(client.diff_releases(first, second, no_hooks=no_hooks, **_diff_flags(flags)), flags)


release = _diff_command("release", _release)


@diff.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("--revision", type=int, default=0, help="Compare this revision (default: the deployed one).")
@click.option("-o", "--output", "output", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text, or json (docs/diff.md).")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when an object has drifted or is missing.")
@click.option("--show-secrets", is_flag=True, help="Show Secret values instead of *****.")
@click.option("--color/--no-color", "color", default=None, help="Colour (default: on a terminal, unless NO_COLOR).")
@cluster_options
def drift(name: str, revision: int, output: str, detailed_exitcode: bool, show_secrets: bool, color: bool | None,
          client: Client) -> None:
    """Show which objects of release NAME differ from the release in the cluster, and who changed them.

    Each object of the deployed revision is compared with its live state on the fields the release sets;
    the field manager that last wrote a differing field (kubectl-edit, a controller) is named.

    \b
    Examples:
      helmpy diff drift web
      helmpy diff drift web --detailed-exitcode -o json
    """
    report = client.drift(name, revision, show_secrets=show_secrets)
    colour = colour_wanted(color)
    click.echo(report.text(output, colour=colour), nl=False, color=colour)
    if detailed_exitcode and report.has_drift:
        raise ChangesFound("drifted or missing object")
