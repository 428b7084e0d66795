"""The CLI's way into :class:`helmpy.Client`: a Client over the run's settings, and the shared flags as its keywords.

Commands parse their options, call one Client method and print the result; this module is what they share for
that. :func:`client` builds the Client from the one settings object of the run (the environment read once, the
global flags laid over it: :func:`helmpy.settings.for_cli`), with a sub-command's own setting flags (``-n``) on
top, and routes its notices as the commands printed them before: Helm's chatter to stdout, progress lines
(a registry's ``Pulled:``/``Digest:``, warnings about a result) to stderr. The ``*_flags`` functions turn what
the shared click options (:mod:`helmpy.cli.options`) hand a command into the Client's keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from helmpy.action.chartload import Verify
    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.postrender import PostRenderer
    from helmpy.api.client import Client
    from helmpy.values.options import ValueOptions


def echo(line: str) -> None:
    """A notice as the command printed it: a line on stdout."""
    click.echo(line)


def echo_err(line: str) -> None:
    """A progress line as the command printed it: a line on stderr."""
    click.echo(line, err=True)


def client(*, on_notice: Callable[[str], None] = echo, on_progress: Callable[[str], None] = echo_err,
           command: str | None = None, **values: str | None) -> Client:
    """The CLI's one way to build a Client: over the run's settings, with ``values`` (``NAMESPACE=...``: a
    sub-command's ``-n``) laid over; ``command`` (the command line, :mod:`helmpy.cli.holder`) names the release
    lock's holder."""
    from helmpy import settings
    from helmpy.api.client import Client

    base = settings.current() or settings.for_cli()
    return Client.from_settings(base.with_values(values) if values else base, on_notice=on_notice,
                                on_progress=on_progress, command=command)


def values_flags(options: ValueOptions) -> dict[str, Any]:
    """``-f``/``--set*`` (:func:`helmpy.cli.options.values_options`) as ``values_files=``, ``set=``, ..."""
    return {"values_files": options.values_files, "set": options.set_values, "set_string": options.set_string,
            "set_json": options.set_json, "set_file": options.set_file, "set_literal": options.set_literal}


def remote_flags(remote: RemoteOptions | None) -> dict[str, Any]:
    """The download flags (:func:`helmpy.cli.options.remote_options`; None: none given) as keywords."""
    if remote is None:
        return {}
    from helmpy.api.flags import REMOTE_KEYS

    return {key: getattr(remote, key) for key in sorted(REMOTE_KEYS)}


def verify_flags(verify: Verify | None) -> dict[str, Any]:
    """``--verify``/``--keyring`` (:func:`helmpy.cli.options.verify_options`) as ``verify=``, ``keyring=``."""
    if verify is None:
        return {}
    return {"verify": True, **({"keyring": verify.keyring} if verify.keyring is not None else {})}


def post_renderer_flags(post_renderer: PostRenderer | None) -> dict[str, Any]:
    """``--post-renderer``/``--post-renderer-args`` as ``post_renderer=``, ``post_renderer_args=``."""
    if post_renderer is None:
        return {}
    return {"post_renderer": post_renderer.command, "post_renderer_args": list(post_renderer.args)}
