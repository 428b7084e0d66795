"""Settings from the environment, read in one place: ``HELMPY_<KEY>``, else Helm's ``HELM_<KEY>``, else the default.

A Helm user's environment (``HELM_NAMESPACE``, ``HELM_KUBECONTEXT``, ``HELM_DRIVER``, ...) works unchanged, and
``HELMPY_<KEY>`` still wins, so helmpy can be pointed elsewhere than a Helm beside it. Only the keys Helm itself
reads (:data:`HELM_KEYS`) have a ``HELM_`` name; helmpy's own settings (``HELMPY_CLUSTER``, the ``HELMPY_MAX_*``
limits in :mod:`helmpy.limits`, ...) have none. Nothing else reads these variables: modules ask :func:`get`, click
options take :func:`names` as their ``envvar``. This module imports only :mod:`os` and :mod:`contextvars` (the CLI's
start-up path uses it).

Where the variables come from: the process environment, unless a :class:`Settings` object is in use for the
current call (:func:`use`). ``helmpy.Client`` builds one from its arguments and the environment once and uses it
around every call, so two Clients in one process - or in two threads - each see their own namespace, cluster,
driver and directories; nothing is written into ``os.environ``. The CLI builds one too (:func:`for_cli`), once per
run, and lays the flags given before the sub-command over it as they are parsed (:func:`set_override`); a child
process it starts (a plugin, a post-renderer) gets that environment explicitly (:func:`environ`).
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from types import MappingProxyType

TYPE_CHECKING = False  # typing and collections are not needed at run time (``helmpy version`` does without them)
if TYPE_CHECKING:
    from collections.abc import Mapping

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


class Settings:
    """The variables one caller sees: a frozen snapshot of an environment with explicit values laid over it.

    Built once (:meth:`snapshot`) and put in effect for a call with :func:`use`; every :func:`get` (and
    :func:`environ`) inside that call reads it instead of ``os.environ``. ``interactive`` False tells code that
    would draw on a terminal (download progress bars) not to: a library call prints nothing.
    """

    __slots__ = ("environ", "interactive")

    def __init__(self, environ: Mapping[str, str], *, interactive: bool = False) -> None:
        self.environ: Mapping[str, str] = MappingProxyType(dict(environ))
        self.interactive = interactive

    @classmethod
    def snapshot(cls, values: Mapping[str, str | None] | None = None, environ: Mapping[str, str] | None = None, *,
                 interactive: bool = False) -> Settings:
        """``environ`` (default: the process environment, copied now) with each ``values`` entry that is not
        None set as the winning ``HELMPY_<KEY>`` (what a flag before the sub-command does for the CLI)."""
        env = dict(os.environ if environ is None else environ)
        for key, value in (values or {}).items():
            if value is not None:
                env[PREFIX + key] = value
        return cls(env, interactive=interactive)

    def with_values(self, values: Mapping[str, str | None]) -> Settings:
        """This snapshot with each ``values`` entry that is not None laid over it as the winning ``HELMPY_<KEY>``."""
        return Settings.snapshot(values, self.environ, interactive=self.interactive)

    def get(self, key: str, default: str | None = None) -> str | None:
        """:func:`get` over this snapshot."""
        return get(key, default, self.environ)

    def __repr__(self) -> str:  # values may be tokens: name the keys only
        keys = sorted(k for k in self.environ if k.startswith((PREFIX, HELM_PREFIX)))
        return f"Settings(keys={keys}, interactive={self.interactive})"


_CURRENT: ContextVar[Settings | None] = ContextVar("helmpy_settings", default=None)


def current() -> Settings | None:
    """The :class:`Settings` in effect for this call (None: the process environment)."""
    return _CURRENT.get()


def environ() -> Mapping[str, str]:
    """The environment settings are read from now: the current :class:`Settings`' snapshot, else ``os.environ``."""
    scoped = _CURRENT.get()
    return os.environ if scoped is None else scoped.environ


def interactive() -> bool:
    """Whether output meant for a terminal (progress bars) may be drawn: the CLI's case, never a library call's."""
    scoped = _CURRENT.get()
    return scoped is None or scoped.interactive


class use:  # noqa: N801 - used as a function: ``with settings.use(s):``
    """Put ``settings`` in effect for the ``with`` block, in this thread/context only (a :class:`ContextVar`).

    Threads started inside the block do not inherit it; code that starts worker threads runs them through
    :func:`contextvars.copy_context` so they read the same settings.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._token: object = None

    def __enter__(self) -> Settings:
        self._token = _CURRENT.set(self._settings)
        return self._settings

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)  # type: ignore[arg-type]


def get(key: str, default: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The first non-empty of :func:`names` (an empty variable counts as unset, as in Helm), else ``default``."""
    env = _environ() if environ is None else environ
    for name in names(key):
        value = env.get(name)
        if value:
            return value
    return default


def source(key: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Which variable :func:`get` took ``key`` from (None when neither is set), for ``helmpy env`` and errors."""
    env = _environ() if environ is None else environ
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


def seconds(key: str, default: float) -> float:
    """A non-negative number of seconds (``1``, ``0.5``); ``default`` when unset. Anything else is a usage error."""
    raw = get(key)
    if raw is None:
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):  # also refuses nan
        from helmpy.errors import UsageError

        raise UsageError(f"{source(key)}={raw!r}: expected a number of seconds (0 or more)") from None
    return value


def for_cli(defaults: Mapping[str, str] | None = None) -> Settings:
    """The CLI's settings for one run: the process environment, read once now (with ``defaults`` for variables it
    does not set), drawing on the terminal allowed. The CLI puts it in effect with :func:`use` around the run."""
    env = {**(defaults or {}), **os.environ}
    return Settings(env, interactive=True)


def set_override(key: str, value: str) -> None:
    """Record a value given on the command line before the sub-command (``helmpy -n prod list``) as the winning
    ``HELMPY_<KEY>`` of the settings in effect, so the sub-command (and a plugin it starts) sees it like any other
    setting. The CLI's alone, inside its :func:`use` block (whose end drops it); nothing is written into
    ``os.environ``. A library caller builds a :class:`Settings` instead."""
    scoped = _CURRENT.get()
    base = scoped if scoped is not None else Settings(os.environ, interactive=True)
    _CURRENT.set(base.with_values({key: value}))


_environ = environ  # for get/source, whose ``environ`` parameter hides the function
