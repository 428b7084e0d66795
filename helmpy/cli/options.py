"""Shared click options: the values flags (``-f``/``--set*``) folded into one ``ValueOptions``.

Commands that take values (template, install, upgrade, lint) decorate themselves with
:func:`values_options` and receive a single ``value_options`` keyword argument.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

_FLAGS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("-f", "--values"), "values_files",
     "Values in a YAML file, '-' for stdin, or an http(s) URL (can repeat; later files win)."),
    (("--set",), "set_values", "Set values on the command line (key1=val1,key2=val2; can repeat)."),
    (("--set-string",), "set_string", "Set STRING values on the command line (can repeat)."),
    (("--set-json",), "set_json", "Set JSON values on the command line (key=<json> or a JSON object)."),
    (("--set-file",), "set_file", "Set values from files: key=path, the file content is the value."),
    (("--set-literal",), "set_literal", "Set a literal STRING value (no escapes, commas kept)."),
)


def values_options(f: F) -> F:
    """Add the six values flags to a click command and pass them as ``value_options``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from helmpy.values.options import ValueOptions  # YAML stays unimported for --help

        collected = {attr: list(kwargs.pop(f"_vo_{attr}", ()) or ()) for _, attr, _ in _FLAGS}
        kwargs["value_options"] = ValueOptions(**collected)
        return f(*args, **kwargs)

    decorated: Any = wrapper
    for decls, attr, help_text in reversed(_FLAGS):
        metavar = "FILE|URL" if attr == "values_files" else "KEY=VALUE"
        decorated = click.option(*decls, f"_vo_{attr}", multiple=True, metavar=metavar,
                                 help=help_text)(decorated)
    return decorated  # type: ignore[no-any-return]


_REMOTE_FLAGS: tuple[tuple[str, str, bool], ...] = (
    ("--plain-http", "Use plain HTTP to reach an oci:// registry.", True),
    ("--ca-file", "Verify HTTPS registries and repositories with this CA bundle.", False),
    ("--cert-file", "Identify with this SSL certificate file.", False),
    ("--key-file", "Identify with this SSL key file.", False),
    ("--insecure-skip-tls-verify", "Skip TLS certificate checks of the chart download.", True),
    ("--username", "Chart repository or registry username.", False),
    ("--password", "Chart repository or registry password.", False),
)


def remote_options(f: F) -> F:
    """Add the chart download flags (TLS, credentials, ``--plain-http``) and pass them as ``remote``
    (a ``RemoteOptions``, or None when none was given)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {flag[2:].replace("-", "_"): kwargs.pop(f"_ro_{flag[2:].replace('-', '_')}")
                 for flag, _, _ in _REMOTE_FLAGS}
        remote = None
        if any(given.values()):
            from helmpy.action.chartref import RemoteOptions

            remote = RemoteOptions(**{k: v or ("" if isinstance(v, str) or v is None else False)
                                      for k, v in given.items()})
        kwargs["remote"] = remote
        return f(*args, **kwargs)

    decorated: Any = wrapper
    for flag, help_text, is_flag in reversed(_REMOTE_FLAGS):
        name = f"_ro_{flag[2:].replace('-', '_')}"
        if is_flag:
            decorated = click.option(flag, name, is_flag=True, help=help_text)(decorated)
        else:
            decorated = click.option(flag, name, default="", help=help_text)(decorated)
    return decorated  # type: ignore[no-any-return]
