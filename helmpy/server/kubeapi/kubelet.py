"""``cluster serve``'s simulated kubelet: Pods start when they are due, whether or not anyone reads.

The embedded cluster keeps a new Pod Pending for its ready delay (``--pod-ready-delay``) and records when it
is due; a read of the cluster starts every due Pod first, so what a client sees is never stale. Left to reads
alone, though, the Pods an install made are started by the next command's first read, which then waits for
all of that work (an upgrade right after an install: its first request), while a real cluster's kubelets
start Pods on their own, beside the API server. This thread does the same: it sleeps until the next Pod is due
(looking again every :data:`POLL_SECONDS`, for Pods made since, by this server or another process sharing the
file) and starts the due ones under the store's write lock. Endpoints stay deferred to their next read.
"""

from __future__ import annotations

import logging
import threading

from helmpy.server.kubeapi.store import Store

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # the longest a due Pod waits for this thread (reads still start it at once)


def run(store: Store) -> None:
    """Start due Pods until ``store.closing`` is set (a thread's body)."""
    while not store.closing.is_set():
        try:
            until = store.seconds_until_due()
            if until is None or until > 0:
                store.closing.wait(POLL_SECONDS if until is None else min(until, POLL_SECONDS))
                continue
            started = store.promote_due(endpoints=False)
        except Exception as err:  # noqa: BLE001 - a bug or a bad row must not stop the kubelet: reads still start Pods
            logger.error("kubelet: %s: %s", type(err).__name__, err)
            logger.debug("traceback of the kubelet error", exc_info=err)
            started = False
        if not started:
            store.closing.wait(POLL_SECONDS * 4)  # back off: each attempt holds the write lock


def start(store: Store) -> threading.Thread:
    """:func:`run` in a daemon thread named ``helmpy-kubelet``."""
    thread = threading.Thread(target=run, args=(store,), name="helmpy-kubelet", daemon=True)
    thread.start()
    logger.debug("kubelet started")
    return thread
