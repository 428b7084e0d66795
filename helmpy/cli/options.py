"""Shared click options: the values flags (``-f``/``--set*``) folded into one ``ValueOptions``.

Commands that take values (template, install, upgrade, lint) decorate themselves with
:func:`values_options` and receive a single ``value_options`` keyword argument.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

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
    ("--pass-credentials", "Send the credentials to every host the chart download is redirected to.", True),
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

            remote = RemoteOptions(**{k: v or ("" if isinstance(v, str) or v is None else False)  # type: ignore[arg-type]
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


def post_renderer_options(f: F) -> F:
    """Add ``--post-renderer`` and ``--post-renderer-args`` and pass them as ``post_renderer`` (a ``PostRenderer``,
    or None)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        command, extra = kwargs.pop("_pr_command"), list(kwargs.pop("_pr_args"))
        kwargs["post_renderer"] = None
        if command:
            from helmpy.action.postrender import PostRenderer

            kwargs["post_renderer"] = PostRenderer(command, extra)
        elif extra:
            from helmpy.errors import UsageError

            raise UsageError("--post-renderer-args needs --post-renderer")
        return f(*args, **kwargs)

    decorated: Any = click.option("--post-renderer-args", "_pr_args", multiple=True, metavar="ARG",
                                  help="An argument to the post-renderer (can repeat).")(wrapper)
    decorated = click.option("--post-renderer", "_pr_command", default="", metavar="PLUGIN|PATH",
                             help="Pipe the rendered manifests (hooks too) through this postrenderer/v1 plugin "
                                  "(Helm 4), else this executable (a path or a command on PATH); its stdout is "
                                  "what gets installed (e.g. a kustomize wrapper).")(decorated)
    return decorated  # type: ignore[no-any-return]


# install's flags that ``helm template`` accepts and a render does not use (Helm keeps them on template so one
# command line serves both); hidden from template's help, each takes the value shape install gives it
_INSTALL_ONLY: tuple[tuple[tuple[str, ...], str], ...] = (
    (("--create-namespace",), "flag"), (("--description",), "value"), (("-l", "--labels"), "value"),
    (("--replace",), "flag"), (("--rollback-on-failure", "--atomic"), "flag"), (("--skip-crds",), "flag"),
    (("--take-ownership",), "flag"), (("--timeout",), "value"), (("--wait",), "optional"),
    (("--wait-for-jobs",), "flag"), (("--force-conflicts",), "flag"), (("--force-replace", "--force"), "flag"),
    (("--server-side",), "optional"), (("--hide-notes",), "flag"), (("--render-subchart-notes",), "flag"),
    (("--disable-openapi-validation",), "flag"),
)


def install_only_options(f: F) -> F:
    """Accept (and ignore) :data:`_INSTALL_ONLY` on ``template``, as Helm does."""
    decorated: Any = f
    for decls, shape in _INSTALL_ONLY:
        name = "_io_" + next(d for d in decls if d.startswith("--"))[2:].replace("-", "_")
        kwargs: dict[str, Any] = {"is_flag": True} if shape == "flag" else (
            {"is_flag": False, "flag_value": "true", "default": None} if shape == "optional" else {"default": None})
        decorated = click.option(*decls, name, hidden=True, expose_value=False, **kwargs)(decorated)
    return decorated  # type: ignore[no-any-return]


def verify_options(f: F) -> F:
    """Add ``--verify`` and ``--keyring`` and pass them as ``verify`` (a chartload ``Verify``, or None)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wanted, keyring = kwargs.pop("_vf_verify"), kwargs.pop("_vf_keyring")
        kwargs["verify"] = None
        if wanted:
            from helmpy.action.chartload import Verify

            kwargs["verify"] = Verify(keyring or None)
        return f(*args, **kwargs)

    decorated: Any = click.option("--keyring", "_vf_keyring", default="", metavar="FILE",
                                  help="Public keyring for --verify (default ~/.gnupg/pubring.gpg).")(wrapper)
    decorated = click.option("--verify", "_vf_verify", is_flag=True,
                             help="Verify the chart archive against its provenance file (.prov) first.")(decorated)
    return decorated  # type: ignore[no-any-return]
