"""Helm-named keyword arguments (:mod:`helmpy.api.flags`) turned into the actions' option objects."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from helmpy.api._session import seconds
from helmpy.api.flags import REMOTE_KEYS
from helmpy.errors import UsageError, ValuesError

if TYPE_CHECKING:
    from helmpy.action.chartload import Verify
    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.postrender import PostRenderer

_SCALARS = (str, int, float, bool, type(None))


def values_of(flags: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The user values of ``values=`` and the ``-f``/``--set*`` flags in Helm's order (``values`` after the
    files, before ``--set``), and whether any was given (an upgrade without values reuses the last ones)."""
    from helmpy.values.options import ValueOptions

    opts = ValueOptions(values_files=[os.fspath(f) for f in flags.get("values_files", ())],
                        set_json=list(flags.get("set_json", ())), set_values=list(flags.get("set", ())),
                        set_string=list(flags.get("set_string", ())), set_file=list(flags.get("set_file", ())),
                        set_literal=list(flags.get("set_literal", ())))
    given = flags.get("values")
    plain = check_values(given) if given is not None else None
    return opts.merge(after_files=plain), plain is not None or not opts.is_empty()


def check_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as plain data (maps with string keys, lists, scalars) - what YAML could have given - or a
    ValuesError naming the first key that is not (a set, a datetime, an object would not survive the record)."""
    from helmpy import limits

    depth_cap = limits.nesting_depth()

    def plain(value: Any, where: str, depth: int) -> Any:
        if depth > depth_cap:
            raise ValuesError(f"values: {where} is nested deeper than {depth_cap} levels",
                              hint=f"{limits.MAX_NESTING_DEPTH_ENV} raises the limit")
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ValuesError(f"values: key {key!r} under {where or 'the top level'} is a "
                                      f"{type(key).__name__}, not a string",
                                      hint="values are YAML maps: use string keys")
                out[key] = plain(item, f"{where}.{key}" if where else key, depth + 1)
            return out
        if isinstance(value, (list, tuple)):
            return [plain(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
        if isinstance(value, _SCALARS):
            return value
        raise ValuesError(f"values: {where} is a {type(value).__name__}, which YAML values cannot hold",
                          hint="use str, int, float, bool, None, lists and dicts")

    if not isinstance(values, Mapping):
        raise ValuesError(f"values: expected a dict, got a {type(values).__name__}")
    return plain(values, "", 0)  # type: ignore[no-any-return]


def remote_of(flags: Mapping[str, Any]) -> RemoteOptions | None:
    """Helm's chart download flags (credentials, TLS, ``--plain-http``), or None when none was given."""
    return remote_with(flags) if any(k in flags for k in REMOTE_KEYS) else None


def remote_with(flags: Mapping[str, Any], timeout: Any = None) -> RemoteOptions:
    """:func:`remote_of`, always an object (defaults for what was not given), with ``timeout`` per download."""
    from helmpy.action.chartref import RemoteOptions

    given = {k: flags[k] for k in REMOTE_KEYS if k in flags}
    for key in ("ca_file", "cert_file", "key_file"):
        if key in given:
            given[key] = os.fspath(given[key])
    if timeout is not None:
        given["timeout"] = seconds(timeout)
    return RemoteOptions(**given)


def post_renderer_of(flags: Mapping[str, Any]) -> PostRenderer | None:
    """``post_renderer=`` / ``post_renderer_args=`` (Helm's ``--post-renderer``/``--post-renderer-args``)."""
    command, args = flags.get("post_renderer"), list(flags.get("post_renderer_args", ()))
    if command is None or not os.fspath(command):
        if args:
            raise UsageError("post_renderer_args needs post_renderer")
        return None
    from helmpy.action.postrender import PostRenderer

    return PostRenderer(os.fspath(command), args)


def verify_of(flags: Mapping[str, Any]) -> Verify | None:
    """``verify=True`` (``--verify``) with its ``keyring``."""
    if not flags.get("verify"):
        return None
    from helmpy.action.chartload import Verify

    keyring = flags.get("keyring")
    return Verify(os.fspath(keyring) if keyring is not None else None)


def chart_source_of(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The chart-finding options every chart-taking action has (``load_chart``'s arguments)."""
    return {"version": flags.get("version"), "devel": bool(flags.get("devel")), "repo_url": flags.get("repo"),
            "remote": remote_of(flags), "verify": verify_of(flags),
            "dependency_update": bool(flags.get("dependency_update"))}


def deploy_of(flags: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """``DeployOptions``' fields from install's/upgrade's flags (values included), and whether values were given."""
    from helmpy.action.config import DEFAULT_TIMEOUT

    values, given = values_of(flags)
    return {**chart_source_of(flags), "values": values, "post_renderer": post_renderer_of(flags),
            "create_namespace": bool(flags.get("create_namespace")), "dry_run": bool(flags.get("dry_run")),
            "wait": bool(flags.get("wait")), "wait_for_jobs": bool(flags.get("wait_for_jobs")),
            "timeout": seconds(flags.get("timeout", DEFAULT_TIMEOUT)),
            "rollback_on_failure": bool(flags.get("rollback_on_failure")),
            "description": flags.get("description", ""), "skip_crds": bool(flags.get("skip_crds")),
            "skip_schema": bool(flags.get("skip_schema_validation")),
            "take_ownership": bool(flags.get("take_ownership")), "no_hooks": bool(flags.get("no_hooks")),
            "labels": dict(flags.get("labels", {})), "hide_secret": bool(flags.get("hide_secret")),
            "subchart_notes": bool(flags.get("render_subchart_notes"))}, given
