"""Settings from the environment, read in one place: ``HELMPY_<KEY>``, else Helm's ``HELM_<KEY>``, else the default.

A Helm user's environment (``HELM_NAMESPACE``, ``HELM_KUBECONTEXT``, ``HELM_DRIVER``, ...) works unchanged, and
``HELMPY_<KEY>`` still wins, so helmpy can be pointed elsewhere than a Helm beside it. Only the keys Helm itself
reads (:data:`HELM_KEYS`) have a ``HELM_`` name; helmpy's own settings (``HELMPY_CLUSTER``, the ``HELMPY_MAX_*``
limits in :mod:`helmpy.limits`, ...) have none. Nothing else reads these variables: modules ask :func:`get`, click
options take :func:`names` as their ``envvar``. This module imports only :mod:`os` (the CLI's start-up path uses it).
"""

from __future__ import annotations

import os
from typing import Mapping

PREFIX = "HELMPY_"
HELM_PREFIX = "HELM_"

#: The settings Helm 4 reads from ``HELM_*`` variables (``helm env`` lists them; the driver and the memory/sql
#: driver's variables are read by Helm's storage set-up), by the suffix after the prefix.
HELM_KEYS = frozenset({
    "BURST_LIMIT", "CACHE_HOME", "CONFIG_HOME", "CONTENT_CACHE", "DATA_HOME", "DEBUG", "DRIVER",
    "DRIVER_SQL_CONNECTION_STRING", "KUBEAPISERVER", "KUBEASGROUPS", "KUBEASUSER", "KUBECAFILE", "KUBECONTEXT",
    "KUBEINSECURE_SKIP_TLS_VERIFY", "KUBETLS_SERVER_NAME", "KUBETOKEN", "MAX_HISTORY", "MEMORY_DRIVER_DATA",
    "NAMESPACE", "PLUGINS", "QPS", "REGISTRY_CONFIG", "REPOSITORY_CACHE", "REPOSITORY_CONFIG",
})

_TRUE = ("1", "t", "true", "yes", "y", "on")  # Go's strconv.ParseBool true forms, and helmpy's older yes/on


def names(key: str) -> list[str]:
    """The variables that set ``key``, winner first: ``["HELMPY_KEY", "HELM_KEY"]`` (or just HELMPY's)."""
    return [PREFIX + key, *([HELM_PREFIX + key] if key in HELM_KEYS else [])]


def get(key: str, default: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The first non-empty of :func:`names` (an empty variable counts as unset, as in Helm), else ``default``."""
    env = os.environ if environ is None else environ
    for name in names(key):
        value = env.get(name)
        if value:
            return value
    return default


def source(key: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Which variable :func:`get` took ``key`` from (None when neither is set), for ``helmpy env`` and errors."""
    env = os.environ if environ is None else environ
    return next((name for name in names(key) if env.get(name)), None)


def flag(key: str, environ: Mapping[str, str] | None = None) -> bool:
    """A boolean setting: true for ``1``, ``t``, ``true``, ``yes``, ``y``, ``on`` (any case)."""
    return (get(key, "", environ) or "").strip().lower() in _TRUE


def integer(key: str, default: int) -> int:
    """An integer setting; ``default`` when unset. A value that is no integer is a usage error naming it."""
    raw = get(key)
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        from helmpy.errors import UsageError

        raise UsageError(f"{source(key)}={raw!r}: expected an integer") from None


def set_override(key: str, value: str) -> None:
    """Record a value given on the command line before the sub-command (``helmpy -n prod list``) as the winning
    ``HELMPY_<KEY>``, so the sub-command (and a plugin it starts) sees it like any other setting."""
    os.environ[PREFIX + key] = value
