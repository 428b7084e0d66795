"""A cold chart's parse shared with a second core: a forked helper parses the tail of the files and stores them.

Parsing is most of a Go chart's first render (kube-prometheus-stack: ~0.45 s of ~1 s) and one Python process
uses one core. When the files the code store lacks hold at least :data:`MIN_TEXT` characters, :func:`start`
forks a helper that parses the last share of them (:data:`HELPER_SHARE` of the text) and saves their parse
trees to the code store, while this process parses the rest; it then waits for the helper (:meth:`Helper.join`)
and loads those files' trees from the store as a warm render would.

The helper only fills the cache, so nothing it does can change a result: a file it could not parse (a syntax
error, its deadline) has no entry, and this process parses it when it gets there and raises Go's error for the
first failing file in Helm's parse order, exactly as without a helper. It is used only where forking is safe and
pays: a process that runs one command and exits (:func:`helmpy.gctune.is_one_shot`), with no other thread, on a
system with ``fork``, with a code store installed. It never outlives the render's deadline (an alarm) nor an error
of this process (killed), and writes nothing but store entries (its logging is off, it ends with ``os._exit``).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

MIN_TEXT = 256 * 1024  # characters of uncached template text below which one process parses alone
HELPER_SHARE = 0.45  # of that text, for the helper: it also encodes and writes what it parses


class Helper:
    """A forked helper parsing ``files[split:]``'s uncached files into the code store."""

    def __init__(self, pid: int, split: int) -> None:
        self.pid = pid
        self.split = split
        self._done = False

    def join(self) -> None:
        """Wait for the helper to end (its alarm bounds the wait by the render's deadline); interrupted (Ctrl-C,
        SIGTERM), the helper is ended first."""
        if self._done:
            return
        start = time.monotonic()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already (SIGCHLD ignored)
            pass
        except BaseException:
            self.cancel()
            raise
        self._done = True
        logger.debug("parse helper pid=%d joined after %.0f ms", self.pid, (time.monotonic() - start) * 1000)

    def cancel(self) -> None:
        """End the helper now (this process failed or was interrupted), if it is still running."""
        if self._done:
            return
        self._done = True
        try:
            if os.waitpid(self.pid, os.WNOHANG)[0] == 0:  # still running (not reaped: the pid is still its own)
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def allowed() -> bool:
    """Whether this process may fork a parse helper (see the module)."""
    from helmpy.gctune import is_one_shot

    return is_one_shot() and hasattr(os, "fork") and threading.active_count() == 1


def start(files: Sequence[tuple[str, str]], missing: Callable[[str, str], bool],
          parse_and_store: Callable[[str, str], object], seconds_left: float) -> Helper | None:
    """Fork a helper for the last :data:`HELPER_SHARE` of the text of the ``files`` (name, text) for which
    ``missing`` is true, which calls ``parse_and_store`` on each of them; None when it does not pay or may not.

    The helper's files are ``files[helper.split:]``'s missing ones: this process parses ``files[:split]`` first,
    then joins the helper, then goes on (finding the helper's entries in the store)."""
    if seconds_left <= 1 or sum(len(text) for _, text in files) < MIN_TEXT or not allowed():
        return None  # (a small chart costs one sum here: no hashing, no stat)
    sizes = [len(text) if missing(name, text) else 0 for name, text in files]
    total = sum(sizes)
    if total < MIN_TEXT:
        return None
    split, tail = len(files), 0
    while split > 0 and tail + sizes[split - 1] <= total * HELPER_SHARE:
        split -= 1
        tail += sizes[split]
    if tail == 0:
        return None
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError as err:  # a process limit, no memory: this process parses alone
        logger.debug("no parse helper: %s", err)
        return None
    if pid == 0:  # the helper: parse, store, and end without running anything of this process's exit
        try:
            _end_with_parent(parent)
            logging.disable(logging.CRITICAL)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends it, whatever handler this process had
            signal.alarm(max(1, int(seconds_left)))
            for (name, text), size in zip(files[split:], sizes[split:], strict=True):
                if size:
                    try:
                        parse_and_store(name, text)
                    except Exception:  # noqa: BLE001 - no entry: the render parses the file and reports it
                        pass
        finally:
            os._exit(0)
    logger.debug("parse helper pid=%d files=%d chars=%d of %d", pid, sum(1 for s in sizes[split:] if s), tail, total)
    return Helper(pid, split)


def _end_with_parent(parent: int) -> None:
    """The helper dies with ``parent``, the process that forked it (Linux's parent-death signal), so it never
    outlives the command even when the command is killed with SIGKILL; elsewhere its alarm bounds it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(0)
