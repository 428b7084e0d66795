"""The API server's view of the cluster: a thread-safe wrapper over a KubeClient (the embedded cluster).

It adds what HTTP handlers need and the KubeClient Protocol does not offer: the served resource types
(built-ins plus the CRDs stored right now), kind lookup by plural, field-selector filtering, the current
resourceVersion, and translation of store errors into Status answers (``AlreadyExists`` for a create,
``Conflict`` for a stale update).
"""

from __future__ import annotations

import builtins
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

from helmpy.errors import KubeApiStatus, KubeConflict, KubeError, KubeNotFound
from helmpy.kube.client import KubeClient
from helmpy.kube.resources import BUILTIN, ResourceType, from_crd
from helmpy.server.kubeapi import status
from helmpy.server.kubeapi.selectors import Requirement, matches

logger = logging.getLogger(__name__)
T = TypeVar("T")
CRD_API_VERSION = "apiextensions.k8s.io/v1"


def _rv(obj: dict[str, Any]) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


class Store:
    """Serialises access to one cluster; every method raises KubeApiStatus for the client to see."""

    def __init__(self, cluster: KubeClient, db_path: str | Path | None = None) -> None:
        self.cluster = cluster
        self.db_path = Path(db_path) if db_path else getattr(cluster, "path", None)
        self._local = threading.local()
        self._last_rv = 0
        self._write_lock = threading.RLock()
        self.closing = threading.Event()  # set on shutdown: open watches end
        self._crds: tuple[str, list[dict[str, Any]], list[ResourceType]] | None = None  # (crd_revision, CRDs, types)

    def _call(self, fn: Callable[[], T]) -> T:
        """Run a read; the embedded cluster is thread-safe (a connection per thread, WAL readers never block)."""
        return fn()

    def atomic(self) -> AbstractContextManager[Any]:
        """Hold the write lock across a read-modify-write (patch, apply), so this server's own threads never
        make each other retry; writers in other processes are still caught by the resourceVersion check."""
        return self._write_lock

    def _write(self, fn: Callable[[], T]) -> T:
        """Run a write, one server thread at a time.

        Every write is a ``BEGIN IMMEDIATE`` transaction; threads that collide there wait in SQLite's busy
        handler, which sleeps in steps of up to 100ms while the lock may already be free. Clients such as Helm
        create objects in parallel, so queueing on a Python lock (handed over at once) is many times faster.
        Other processes sharing the file still meet at SQLite's lock.
        """
        with self._write_lock:
            return fn()

    # --- types ---------------------------------------------------------------------------------------
    def types(self) -> list[ResourceType]:
        """Built-in types plus those of every stored CRD."""
        return self._crd_state()[2]

    def _crd_state(self) -> tuple[str, list[dict[str, Any]], list[ResourceType]]:
        """The stored CRDs and the types served, kept while the cluster's ``crd_revision`` stays the same (every
        request resolves its type: listing the CRDs each time was a tenth of the server's work)."""
        version_of = getattr(self.cluster, "crd_revision", None)
        version = version_of() if callable(version_of) else None
        kept = self._crds
        if kept is not None and version is not None and kept[0] == version:
            return kept
        crds = self._call(lambda: self.cluster.list(CRD_API_VERSION, "CustomResourceDefinition"))
        builtin = {(b.group, b.version, b.plural) for b in BUILTIN}
        extra = [rt for crd in crds for rt in from_crd(crd) if (rt.group, rt.version, rt.plural) not in builtin]
        state = (version or "", crds, [*BUILTIN, *extra])
        if version is not None:
            self._crds = state
        return state

    def crd_version(self, rt: ResourceType) -> dict[str, Any] | None:
        """The ``spec.versions`` entry of the CRD serving ``rt`` (None for built-in types)."""
        if rt.group in {b.group for b in BUILTIN}:
            return None
        for crd in self._crd_state()[1]:
            spec = crd.get("spec") or {}
            if spec.get("group") == rt.group and (spec.get("names") or {}).get("plural") == rt.plural:
                return next((v for v in spec.get("versions") or [] if v.get("name") == rt.version), None)
        return None

    def resolve(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at ``/{group}/{version}/{plural}``."""
        for rt in self.types():
            if rt.group == group and rt.version == version and rt.plural == plural:
                return rt
        return None

    # --- reads ---------------------------------------------------------------------------------------
    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        """The object, or 404."""
        obj = self._call(lambda: self.cluster.get(rt.api_version, rt.kind, name, namespace))
        if obj is None:
            raise status.not_found(rt.plural, rt.group, name)
        return obj

    def find(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None:
        """The object or None."""
        return self._call(lambda: self.cluster.get(rt.api_version, rt.kind, name, namespace))

    def list(self, rt: ResourceType, namespace: str | None, labels: list[Requirement],
             fields: list[Requirement]) -> list[dict[str, Any]]:
        """Objects matching both selectors, oldest first."""
        items = self._call(lambda: self.cluster.list(rt.api_version, rt.kind, namespace))
        for obj in items:
            self._note(obj)
        return [o for o in items if matches(o, labels, fields)]

    def resource_version(self) -> str:
        """The newest resourceVersion this server has seen (the list's ``metadata.resourceVersion``)."""
        current = getattr(self.cluster, "resource_version", None)
        if callable(current):
            try:
                self._last_rv = max(self._last_rv, int(current()))
            except (TypeError, ValueError):
                pass
        return str(self._last_rv)

    def _note(self, obj: dict[str, Any]) -> dict[str, Any]:
        self._last_rv = max(self._last_rv, _rv(obj))
        return obj

    # --- writes --------------------------------------------------------------------------------------
    def create(self, rt: ResourceType, obj: dict[str, Any], manager: str = "") -> dict[str, Any]:
        """Create (``manager`` owns the fields, operation Update), or 409 AlreadyExists."""
        name = obj["metadata"].get("name", "")
        try:
            return self._note(self._write(lambda: self.cluster.create(obj, field_manager=manager)))
        except KubeConflict as err:
            raise status.already_exists(rt.plural, rt.group, name) from err
        except KubeNotFound as err:
            raise KubeApiStatus(err.message, code=404, reason="NotFound") from err
        except KubeApiStatus:
            raise
        except KubeError as err:
            raise KubeApiStatus(err.message, code=422, reason="Invalid") from err

    def replace(self, rt: ResourceType, obj: dict[str, Any], manager: str = "") -> dict[str, Any]:
        """Update (the fields it changes go to ``manager``), or 409 Conflict on a stale resourceVersion, or 404."""
        name = obj["metadata"].get("name", "")
        try:
            return self._note(self._write(lambda: self.cluster.replace(obj, field_manager=manager)))
        except KubeConflict as err:
            raise status.conflict(rt.plural, rt.group, name, "the object has been modified; please apply your "
                                  "changes to the latest version and try again") from err
        except KubeNotFound as err:
            raise status.not_found(rt.plural, rt.group, name) from err
        except KubeApiStatus:
            raise
        except KubeError as err:
            raise KubeApiStatus(err.message, code=422, reason="Invalid") from err

    def apply(self, rt: ResourceType, obj: dict[str, Any], manager: str, force: bool) -> dict[str, Any]:
        """Server-side apply by ``manager`` (409 Conflict for fields other managers own, unless ``force``)."""
        try:
            return self._note(self._write(lambda: self.cluster.apply(obj, field_manager=manager, force=force)))
        except KubeApiStatus:
            raise
        except KubeNotFound as err:
            raise KubeApiStatus(err.message, code=404, reason="NotFound") from err
        except KubeError as err:
            raise KubeApiStatus(err.message, code=422, reason="Invalid") from err

    def replace_status(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """Write only ``status`` (the ``/status`` subresource)."""
        write = getattr(self.cluster, "replace_status", None)
        if write is None:
            return self.replace(rt, obj)
        name = obj["metadata"].get("name", "")
        try:
            return self._note(self._write(lambda: write(obj)))
        except KubeNotFound as err:
            raise status.not_found(rt.plural, rt.group, name) from err

    def delete(self, rt: ResourceType, namespace: str | None, name: str, propagation: str) -> None:
        """Delete, or 404."""
        try:
            gone = self._write(lambda: self.cluster.delete(rt.api_version, rt.kind, name, namespace, propagation))
        except KubeNotFound as err:
            raise status.not_found(rt.plural, rt.group, name) from err
        if gone is False:
            raise status.not_found(rt.plural, rt.group, name)

    def seconds_until_due(self) -> float | None:
        """When the simulated kubelet next has a Pod to start (:meth:`promote_due`); None: none waits, or the
        cluster has no such table (the kubelet then only polls)."""
        until = getattr(self.cluster, "seconds_until_due", None)
        if not callable(until):
            return None
        try:
            return self._call(until)  # type: ignore[no-any-return]
        except (KubeError, sqlite3.Error) as err:
            logger.debug("kubelet: cannot read the due Pods: %s", err)
            return None

    def promote_due(self, endpoints: bool = True) -> bool:
        """Start the Pods whose delay has passed (the embedded cluster's due table) and resync their owners, as a
        kubelet would, so a watch and the kubelet thread see them run without anyone reading; ``endpoints``: also
        the deferred Endpoints. Held under the write lock, so this server's request threads queue behind it
        instead of in SQLite's busy handler. False when it could not (a file another process holds busy): the
        next poll tries again."""
        promote = getattr(self.cluster, "promote_due", None)
        if not callable(promote):
            return False
        try:
            self._write(lambda: promote(endpoints=endpoints))
        except (KubeError, sqlite3.Error) as err:
            logger.debug("promotion of due pods deferred: %s", err)
            return False
        return True

    # --- change feed (the embedded cluster's ``changes`` table, read directly) ---------------------------
    def _feed(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.db_path is None:
                raise KubeApiStatus("watch is not supported by this cluster backend", code=405,
                                    reason="MethodNotAllowed")
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=60, check_same_thread=False,
                                   isolation_level=None)
            self._local.conn = conn
        return conn

    def changes_since(self, rt: ResourceType, namespace: str | None, since: int
                      ) -> builtins.list[tuple[int, str, dict[str, Any]]]:
        """(resourceVersion, ADDED|MODIFIED|DELETED, object) of ``rt`` after ``since``, oldest first."""
        sql = ("SELECT resource_version, type, json FROM changes WHERE resource_version > ? AND api_group = ? "
               "AND plural = ?")
        args: list[Any] = [since, rt.group, rt.plural]
        if namespace and rt.namespaced:
            sql += " AND namespace = ?"
            args.append(namespace)
        out = []
        for rv, kind, text in self._feed().execute(sql + " ORDER BY resource_version", args).fetchall():
            obj = json.loads(text)
            obj["apiVersion"] = rt.api_version
            obj.setdefault("metadata", {})["resourceVersion"] = str(rv)
            out.append((int(rv), kind, obj))
            self._last_rv = max(self._last_rv, int(rv))
        return out

    def oldest_change(self) -> int:
        """The oldest resourceVersion still in the change log (0 when it is empty)."""
        row = self._feed().execute("SELECT MIN(resource_version) FROM changes").fetchone()
        return int(row[0] or 0)
