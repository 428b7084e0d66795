"""Ctrl-C and SIGTERM while a command runs: one interrupt, then a cleanup that is not interrupted again.

Python turns SIGINT into ``KeyboardInterrupt``; SIGTERM would kill the process on the spot, leaving a release
``pending-*`` with its lock held until the Lease expires. While a command runs, both raise in the main thread
(SIGTERM as :class:`~helmpy.errors.Terminated`, a ``KeyboardInterrupt``), so the actions' cleanup runs: the
revision is recorded as failed and the lock released. Further signals during that cleanup are ignored (with a
note on stderr), so a second Ctrl-C cannot leave a half-written record; ``kill -9`` still ends the process at
once, and then the next operation recovers the release (the lock's holder is dead, the pending revision is marked
failed). Signals that were ignored when helmpy started (``nohup``) stay ignored.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from helmpy.errors import Terminated

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def interrupts_raise(*, exiting: bool = False) -> Iterator[None]:
    """For the ``with`` body: the first SIGINT/SIGTERM raises, later ones are ignored; handlers restored after.

    ``exiting``: the process ends right after the body (the console script), so once interrupted, signals stay
    ignored instead of being restored: a late second Ctrl-C would otherwise turn the clean exit 130 into a death
    by SIGINT during interpreter shutdown.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = noted = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping, noted
        if stopping:
            if noted:
                return
            noted = True
            try:
                os.write(2, b"helmpy: already stopping; recording the release state and releasing its lock "
                            b"(kill -9 to stop at once)\n")
            except OSError:
                pass
            return
        stopping = True
        if signum == signal.SIGTERM:
            raise Terminated()
        raise KeyboardInterrupt()

    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        if previous[sig] is not signal.SIG_IGN:
            signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            if stopping and exiting:
                signal.signal(sig, signal.SIG_IGN)
            else:
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
