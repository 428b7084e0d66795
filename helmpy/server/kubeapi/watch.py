"""Watch streams over the embedded cluster's change log (kube-api.md §7).

The ``changes`` table is polled, so every writer of the SQLite file (the in-process helmpy CLI too) is seen,
with exact resourceVersions; each poll first lets the simulated kubelet start the Pods that are due
(``Store.promote_due``), so ``kubectl get pods -w`` sees Pending turn Running; a version older than the log
answers 410 ``Expired`` and the client relists.
With ``as=Table`` (``kubectl get -w``) each object is a one-row Table, the column definitions in the first
only, as the API server sends them. ``sendInitialEvents=true`` gets ADDED for every match and then the BOOKMARK carrying
``k8s.io/initial-events-end`` (client-go 1.35 hangs without it). Idle streams send a bookmark (or a bare
newline) now and then, which is also how a closed client connection is noticed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from helmpy.errors import KubeApiStatus
from helmpy.kube.resources import ResourceType
from helmpy.server.kubeapi.selectors import Requirement, matches
from helmpy.server.kubeapi.status import status_body
from helmpy.server.kubeapi.store import Store

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 5.0
MAX_TIMEOUT_SECONDS = 1800


@dataclass
class WatchRequest:
    """What one watch asks for."""

    rt: ResourceType
    namespace: str | None
    labels: list[Requirement]
    fields: list[Requirement]
    resource_version: str = ""
    send_initial_events: bool = False
    bookmarks: bool = False
    timeout: float = MAX_TIMEOUT_SECONDS
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # e.g. each object as a one-row Table


def _line(kind: str, obj: dict[str, Any]) -> bytes:
    return (json.dumps({"type": kind, "object": obj}, separators=(",", ":")) + "\n").encode()


def _bookmark(req: WatchRequest, rv: str, initial_end: bool) -> bytes:
    meta: dict[str, Any] = {"resourceVersion": rv}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return _line("BOOKMARK", {"kind": req.rt.kind, "apiVersion": req.rt.api_version, "metadata": meta})


def _expired(since: int) -> bytes:
    err = KubeApiStatus(f"too old resource version: {since}", code=410, reason="Expired")
    return _line("ERROR", status_body(err))


def stream(store: Store, req: WatchRequest) -> Iterator[bytes]:
    """The event lines of one watch, until its timeout or the client goes away."""
    def _event(kind: str, obj: dict[str, Any]) -> bytes:
        return _line(kind, req.render(obj) if req.render is not None else obj)

    deadline = time.monotonic() + min(req.timeout, MAX_TIMEOUT_SECONDS)
    since = int(req.resource_version) if req.resource_version.isdigit() else 0
    try:
        if req.send_initial_events or since == 0:
            # a list first (ADDED for every match), then changes after the version read before it
            since = int(store.resource_version())
            for obj in store.list(req.rt, req.namespace, req.labels, req.fields):
                yield _event("ADDED", obj)
            if req.send_initial_events:
                yield _bookmark(req, str(since), True)
        elif since + 1 < store.oldest_change():
            yield _expired(since)
            return
    except KubeApiStatus as err:
        yield _line("ERROR", status_body(err))
        return
    last_write = time.monotonic()
    while time.monotonic() < deadline and not store.closing.is_set():
        events = []
        store.promote_due()
        for rv, kind, obj in store.changes_since(req.rt, req.namespace, since):
            since = rv
            if matches(obj, req.labels, req.fields):
                events.append(_event(kind, obj))
        if events:
            yield b"".join(events)
            last_write = time.monotonic()
        elif time.monotonic() - last_write > HEARTBEAT_SECONDS:
            yield _bookmark(req, str(since), False) if req.bookmarks else b"\n"
            last_write = time.monotonic()
        time.sleep(POLL_SECONDS)
    logger.debug("watch ended kind=%s", req.rt.kind)
