"""Requests for many objects in flight at once, as Helm sends them (``batchPerform`` in ``pkg/kube/client.go``).

Helm applies, reads and deletes a manifest's objects one kind at a time, all objects of a kind concurrently.
helmpy does the same against a real API server: while one request waits on the server, the next is being
encoded and sent, so the client's work and the server's overlap. How many requests are in flight is the
client's ``parallel_requests`` (a :class:`~helmpy.kube.remote.RemoteCluster` reads
``HELMPY_MAX_PARALLEL_REQUESTS``, default :data:`DEFAULT_PARALLEL`); a client without it (the embedded
cluster, whose writes share one SQLite transaction per thread) is used one request at a time.

Outcomes come back in the order of the items, so the error reported is the same however the requests were
scheduled: the first failing object in manifest order. Every worker runs in a copy of the caller's context
(:mod:`helmpy.settings` lives in a ContextVar).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PARALLEL = 8
SETTING = "MAX_PARALLEL_REQUESTS"  # HELMPY_MAX_PARALLEL_REQUESTS


def parallel_requests(kube: Any) -> int:
    """How many requests ``kube`` may have in flight (1 unless the client says more)."""
    value = getattr(kube, "parallel_requests", 1)
    return value if isinstance(value, int) and value > 1 else 1


def from_settings() -> int:
    """``HELMPY_MAX_PARALLEL_REQUESTS`` (default :data:`DEFAULT_PARALLEL`); below 1 is a usage error."""
    from helmpy import settings

    value = settings.integer(SETTING, DEFAULT_PARALLEL)
    if value < 1:
        from helmpy.errors import UsageError

        raise UsageError(f"{settings.source(SETTING)}={value}: expected a positive integer")
    return value


def run_in_order(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R | BaseException]:
    """``fn(item)`` for each item, up to ``workers`` at once; the results, or the exception each call raised, in
    the items' order. One worker runs them in turn and stops after the first exception (the list is then
    shorter); more run every item (as Helm does within a kind), so a failure does not depend on timing."""
    if workers <= 1 or len(items) <= 1:
        out: list[R | BaseException] = []
        for item in items:
            try:
                out.append(fn(item))
            except Exception as err:  # noqa: BLE001 - handed back to the caller, which raises it
                out.append(err)
                break
        return out
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="helmpy-request") as pool:
        futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        results: list[R | BaseException] = []
        try:
            for future in futures:
                error = future.exception()
                results.append(error if error is not None else future.result())
        except BaseException:  # Ctrl-C while waiting: requests not started yet are dropped
            for future in futures:
                future.cancel()
            raise
    return results
