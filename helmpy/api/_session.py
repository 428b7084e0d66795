"""What every :class:`helmpy.Client` method stands on: its settings, its notices, its cluster configuration.

A Client's settings are read once, when it is built: its arguments laid over a copy of the environment
(:class:`helmpy.settings.Settings`). Every call runs inside ``settings.use(...)``, so the code underneath - paths,
limits, the storage driver, the kubeconfig - reads this Client's values, in this thread only; nothing is written
into ``os.environ``. The cluster connection and release storage are built on first use and shared by the
Client's later calls (and threads): the memory driver keeps its releases for the Client's lifetime.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO, TypeVar, cast

from helmpy import settings
from helmpy.errors import UsageError

if TYPE_CHECKING:
    from helmpy.action.config import Configuration

logger = logging.getLogger("helmpy.api")

T = TypeVar("T")
Notice = Callable[[str], None]
PathLike = str | os.PathLike[str]


def path_text(value: PathLike | None) -> str | None:
    """A path keyword as the action layer takes it (None stays None)."""
    return None if value is None else os.fspath(value)


Timeout = float | timedelta


def seconds(timeout: Timeout) -> float:
    """``timeout`` (seconds, or a timedelta) as seconds; Helm's ``--timeout 5m0s`` is ``timeout=300``."""
    value = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    if not value >= 0:  # 0 is passed on: each command gives it the meaning it has in Helm
        raise UsageError(f"timeout {timeout!r}: expected a number of seconds, not negative")
    return value


class _NoticeStream(io.TextIOBase):
    """A text stream for what waits report line by line (``readiness.wait_for``), handed on as notices."""

    def __init__(self, notice: Notice) -> None:
        super().__init__()
        self._notice = notice
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                self._notice(line)
        return len(text)


class Session:
    """The Client's state: settings, notice callback and the lazily built release configuration."""

    def __init__(self, settings: settings.Settings, on_notice: Notice | None = None,
                 on_progress: Notice | None = None, *, command: str | None = None) -> None:
        self.settings = settings
        self._notice = on_notice
        self._on_progress = on_progress
        self._command = command  # what the release lock names as holder (the CLI's command line); None: the method
        self._progress = _NoticeStream(self.progress)
        self._cfg: Configuration | None = None
        self._cfg_lock = threading.Lock()

    # --- notices and settings -----------------------------------------------------------------------
    def notice(self, line: str) -> None:
        """A progress line or notice (``Saving 2 charts``, what a wait is waiting for): the ``on_notice``
        callback gets it, else the ``helmpy.api`` logger at INFO. The library never prints."""
        if self._notice is not None:
            self._notice(line)
        else:
            logger.info("%s", line)

    def progress(self, line: str) -> None:
        """A line Helm writes to stderr rather than stdout (a registry's ``Pulled:``/``Pushed:``/``Digest:``, a
        skipped archive, a warning about the result): the ``on_progress`` callback gets it, else it is a notice."""
        if self._on_progress is not None:
            self._on_progress(line)
        else:
            self.notice(line)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """This Client's settings in effect for the block (this thread only)."""
        with settings.use(self.settings):
            yield

    @property
    def namespace(self) -> str:
        """The namespace releases go to: the ``namespace`` argument (or ``HELMPY_NAMESPACE``/``HELM_NAMESPACE``),
        else - connecting to find out - the kubeconfig context's, else ``default``."""
        given = self.settings.get("NAMESPACE")
        if given:
            return given
        with self.scope():
            return self._config().namespace

    def _offline_namespace(self) -> str:
        """The namespace of commands that need no cluster (``template``, ``lint``): never the kubeconfig's."""
        return self.settings.get("NAMESPACE") or "default"

    # --- the release configuration ------------------------------------------------------------------
    def _config(self) -> Configuration:
        with self._cfg_lock:
            if self._cfg is None:
                from helmpy.action.config import Configuration

                self._cfg = Configuration.from_env(notice=self.progress, progress=cast(TextIO, self._progress),
                                                   command=self._command or "helmpy.Client")
            return self._cfg

    def run(self, op: str, name: str, fn: Callable[[Configuration], T]) -> T:
        """``fn`` with this Client's configuration; the release lock names ``helmpy.Client.OP NAME`` as holder
        (or the session's ``command``)."""
        with self.scope():
            base = self._config()
            cfg = dataclasses.replace(base, command=self._command or f"helmpy.Client.{op} {name}".strip())
            try:
                return fn(cfg)
            finally:
                if base.capabilities is None and cfg.capabilities is not None:
                    base.capabilities = cfg.capabilities  # read once per Client, as the CLI reads it once per run

    def connect(self) -> None:
        """Build the cluster connection and release storage now (a kubeconfig or cluster error raises here)."""
        with self.scope():
            self._config()

    def close(self) -> None:
        """Close this thread's connection to the embedded cluster (others close when collected)."""
        cfg = self._cfg
        close = getattr(cfg.kube, "close", None) if cfg is not None else None
        if callable(close):
            close()
