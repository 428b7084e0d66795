"""A Kubernetes-like cluster in one SQLite file, implementing KubeClient.

It stores objects the way an API server does (uid, a global resourceVersion, generation,
namespaces, label selectors, optimistic concurrency, CRD-registered kinds) so actions behave as
against a real cluster. Writes run under ``BEGIN IMMEDIATE`` in WAL mode, so several helmpy
processes can share one file without losing writes. Rows keep (api_group, version, kind, plural,
namespace, name, uid, resource_version, json) and every change is logged in ``changes`` so that
``helmpy cluster serve`` can expose the same file as an API server (lists, watches).

Every write is defaulted and validated as kube-apiserver does it (``kube/defaults.py``, ``kube/validation.py``,
immutable fields in ``kube/immutable.py``) and records ``metadata.managedFields`` (``kube/fieldmanager.py``:
server-side apply for ``apply``, ``operation: Update`` for create and replace), the same code whether the
write comes from helmpy in-process or through ``helmpy cluster serve``. Simulated controllers
(``kube/controllers/``) make ReplicaSets, Pods, Endpoints and volumes; new Pods run after ``pod_ready_delay``
seconds (``HELMPY_EMBEDDED_POD_READY_DELAY``), promoted from the ``due`` table on a later read
(:meth:`promote_due`); turn the controllers off with ``controller=False`` or ``HELMPY_EMBEDDED_CONTROLLER=0`` to
see waits time out. Deletion follows the
API's propagation policies and finalizers (``kube/controllers/gc.py``).
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from helmpy import settings
from helmpy.errors import KubeApiStatus, KubeConflict, KubeError, KubeNotFound
from helmpy.kube import fieldmanager, readiness, resources
from helmpy.kube.client import KubeObject, clone, object_ref, timestamp
from helmpy.kube.controllers import DEFAULT_POD_READY_DELAY, gc
from helmpy.kube.defaults import apply_defaults
from helmpy.kube.embedded_seams import ControllerSeams
from helmpy.kube.resources import ResourceType
from helmpy.kube.selector import parse_selector, selector_matches
from helmpy.kube.validation import validate

logger = logging.getLogger(__name__)

SERVER_VERSION = "v1.35.0"
BUSY_TIMEOUT_S = 60.0
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
CONTROLLER_ENV = "HELMPY_EMBEDDED_CONTROLLER"
FIELD_MANAGER = "helmpy"  # the manager of in-process creates and updates, as kube/remote.py names itself
CRD_GROUP, CRD_PLURAL = "apiextensions.k8s.io", "customresourcedefinitions"
_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds")
_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    api_group TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL, plural TEXT NOT NULL,
    namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL UNIQUE,
    resource_version INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (api_group, plural, namespace, name));
CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (namespace);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS owners (
    owner_uid TEXT NOT NULL, api_group TEXT NOT NULL, plural TEXT NOT NULL, namespace TEXT NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY (owner_uid, api_group, plural, namespace, name));
CREATE INDEX IF NOT EXISTS owners_by_child ON owners (api_group, plural, namespace, name);
CREATE TABLE IF NOT EXISTS due (
    uid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS due_by_time ON due (at);
CREATE TABLE IF NOT EXISTS applied (
    uid TEXT NOT NULL, manager TEXT NOT NULL, digest TEXT NOT NULL, resource_version INTEGER NOT NULL,
    PRIMARY KEY (uid, manager));
CREATE TABLE IF NOT EXISTS changes (
    resource_version INTEGER PRIMARY KEY, type TEXT NOT NULL, api_group TEXT NOT NULL, version TEXT NOT NULL,
    kind TEXT NOT NULL, plural TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL);
"""
_CHANGES_KEPT = 10000


_now = timestamp


def _resource_name(rt: ResourceType) -> str:
    """``deployments.apps`` / ``secrets``: how the API server names a resource in messages."""
    return f"{rt.plural}.{rt.group}" if rt.group else rt.plural


class _DryRunDone(Exception):
    """Raised at the end of a dry-run block so that its transaction rolls back."""


# --- the cluster ---------------------------------------------------------------------------------
class EmbeddedCluster(ControllerSeams):
    """KubeClient over a SQLite file; safe to share between threads and processes."""

    def __init__(self, path: str | Path, controller: bool | None = None, progress: TextIO | None = None, *,
                 pod_ready_delay: float | None = None, clock: Callable[[], float] = time.time) -> None:
        """``pod_ready_delay``: seconds a new Pod stays Pending (default ``HELMPY_EMBEDDED_POD_READY_DELAY``,
        else :data:`helmpy.kube.controllers.DEFAULT_POD_READY_DELAY`); ``clock``: wall-clock seconds (due times
        are shared with other processes through the file, so not a monotonic clock)."""
        self.path = Path(path)
        self.progress = progress  # where wait_ready reports what it waits for (None: stderr)
        if controller is None:
            controller = (settings.get("EMBEDDED_CONTROLLER") or "1").lower() not in ("0", "false", "no", "off")
        self.controller = controller
        if pod_ready_delay is None:
            pod_ready_delay = settings.seconds("EMBEDDED_POD_READY_DELAY", DEFAULT_POD_READY_DELAY)
        if not 0 <= pod_ready_delay < float("inf"):
            raise ValueError(f"pod_ready_delay must be 0 or more seconds, not {pod_ready_delay!r}")
        self._pod_ready_delay = float(pod_ready_delay)
        self.clock = clock
        self._promoting = threading.Lock()
        self._local = threading.local()
        self._init_schema()

    def __repr__(self) -> str:
        return f"EmbeddedCluster({str(self.path)!r}, controller={self.controller})"

    # -- connection and transactions -------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked child must not reuse its parent's)."""
        loc = self._local
        if getattr(loc, "pid", None) != os.getpid():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except (OSError, sqlite3.Error) as err:
                raise KubeError(f"embedded cluster {self.path}: cannot open: {err}") from err
            loc.conn, loc.pid, loc.depth = conn, os.getpid(), 0
        return loc.conn  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close this thread's connection (others close when garbage collected)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local = threading.local()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A real SQLite transaction (``BEGIN IMMEDIATE``); nested calls become savepoints."""
        conn = self._conn()
        loc = self._local
        depth = loc.depth
        if depth == 0 and conn.in_transaction:
            # abandoned: Ctrl-C/SIGTERM landed between BEGIN (or the body) and the bookkeeping below; its writes
            # were interrupted, so undo them instead of failing every later write ("transaction within a
            # transaction") - the interrupted operation still has to record its revision as failed
            conn.execute("ROLLBACK")
        try:
            conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
        except sqlite3.Error as err:
            raise KubeError(f"embedded cluster {self.path}: cannot start a transaction: {err}") from err
        loc.depth = depth + 1
        if depth == 0:
            loc.dirty = set()
        try:
            yield
            if depth == 0:
                self._settle()
        except BaseException:
            loc.depth = depth
            if depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO sp{depth}")
                conn.execute(f"RELEASE sp{depth}")
            raise
        loc.depth = depth
        conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[None]:
        """Writes in the block happen in a transaction that is then rolled back (KubeClient.dry_run); as on an
        API server, a dry-run write is validated, defaulted and merged but reaches no controller."""
        outer = getattr(self._local, "dry_run", False)
        self._local.dry_run = True
        try:
            with self.transaction():
                yield
                raise _DryRunDone
        except _DryRunDone:
            pass
        finally:
            self._local.dry_run = outer

    def _init_schema(self) -> None:
        with self.transaction():
            conn = self._conn()
            for stmt in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(stmt)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1'), ('resourceVersion', '0')")
            self._index_owners()
            ns_type = self._type("v1", "Namespace")
            for ns in INITIAL_NAMESPACES:
                if self._load(ns_type, "", ns) is None:
                    self._insert_new(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            self._init_infrastructure()

    # -- types -----------------------------------------------------------------------------------
    def _crd_types(self) -> list[ResourceType]:
        rows = self._conn().execute("SELECT json FROM objects WHERE api_group = ? AND plural = ?",
                                    (CRD_GROUP, CRD_PLURAL)).fetchall()
        return [rt for (text,) in rows for rt in resources.from_crd(json.loads(text))]

    def _type(self, api_version: str, kind: str) -> ResourceType:
        rt = resources.lookup(api_version, kind) or resources.lookup(api_version, kind, self._crd_types())
        if rt is None:
            raise KubeError(f'no matches for kind "{kind}" in version "{api_version}"',
                            hint="install the CustomResourceDefinition first")
        return rt

    def _type_of(self, obj: KubeObject) -> ResourceType:
        if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
            raise KubeError("object is missing apiVersion or kind")
        return self._type(str(obj["apiVersion"]), str(obj["kind"]))

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self._type(api_version, kind).namespaced

    def server_version(self) -> str:
        return SERVER_VERSION

    def api_versions(self) -> list[str]:
        return resources.api_versions(self._crd_types())

    # -- storage primitives ------------------------------------------------------------------------
    def _load(self, rt: ResourceType, namespace: str, name: str) -> KubeObject | None:
        row = self._conn().execute(
            "SELECT json FROM objects WHERE api_group = ? AND plural = ? AND namespace = ? AND name = ?",
            (rt.group, rt.plural, namespace, name)).fetchone()
        return json.loads(row[0]) if row else None

    def _bump(self) -> int:
        (rv,) = self._conn().execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                                     "WHERE key = 'resourceVersion' RETURNING CAST(value AS INTEGER)").fetchone()
        return int(rv)

    def _log_change(self, rv: int, event: str, rt: ResourceType, namespace: str, name: str, obj: KubeObject,
                    text: str | None = None) -> None:
        conn = self._conn()
        conn.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (rv, event, rt.group, rt.version, rt.kind, rt.plural, namespace, name,
                      text if text is not None else json.dumps(obj, separators=(",", ":"))))
        if rv % 1000 == 0:
            conn.execute("DELETE FROM changes WHERE resource_version <= ?", (rv - _CHANGES_KEPT,))
        if rt.plural == "customresourcedefinitions" and rt.group == "apiextensions.k8s.io":
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('crdRevision', ?)", (str(rv),))

    def _write(self, rt: ResourceType, namespace: str, name: str, obj: KubeObject, event: str) -> KubeObject:
        rv = self._bump()
        obj["metadata"]["resourceVersion"] = str(rv)
        text = json.dumps(obj, separators=(",", ":"))
        self._conn().execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (rt.group, rt.version, rt.kind, rt.plural, namespace, name,
                              obj["metadata"]["uid"], rv, text))
        if obj["metadata"].get("ownerReferences"):
            self._note_owners(rt, namespace, name, obj)
        self._log_change(rv, event, rt, namespace, name, obj, text)
        logger.debug("embedded %s %s rv=%d", event.lower(), object_ref(obj), rv)
        return json.loads(text)  # type: ignore[no-any-return]

    def _namespace_of(self, rt: ResourceType, namespace: str | None, *, must_exist: bool = False) -> str:
        if not rt.namespaced:
            return ""
        ns = namespace or "default"
        if must_exist:
            live = self._load(self._type("v1", "Namespace"), "", ns)
            if live is None:
                raise KubeNotFound(f'namespaces "{ns}" not found')
            if live["metadata"].get("deletionTimestamp"):  # the NamespaceLifecycle admission plugin
                raise KubeApiStatus(f'{_resource_name(rt)} is forbidden: unable to create new content in namespace '
                                    f"{ns} because it is being terminated", code=403, reason="Forbidden",
                                    details={"kind": rt.plural, "group": rt.group})
        return ns

    # -- API-server allocations and status, then the simulated controllers ---------------------
    def _next(self, counter: str) -> int:
        (value,) = self._conn().execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET "
            "value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER)", (counter,)).fetchone()
        return int(value)

    def _allocate_service(self, obj: KubeObject) -> None:
        """What the API server fills in on a new Service: a cluster IP (10.96.0.0/12) and node ports."""
        spec = obj.get("spec")
        if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
            return
        if not spec.get("clusterIP"):
            n = self._next("serviceIP") + 9  # 10.96.0.1 is the kubernetes Service, leave a few
            spec["clusterIP"] = f"10.96.{n // 254 % 256}.{n % 254 + 1}"
        if spec["clusterIP"] != "None" and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for port in spec.get("ports") or []:
                if isinstance(port, dict) and not port.get("nodePort"):
                    port["nodePort"] = 30000 + self._next("nodePort") % 2768

    def _server_status(self, rt: ResourceType, obj: KubeObject, old: KubeObject | None) -> None:
        """Status the API server itself maintains (namespaces, CRDs), then the controllers'."""
        if rt.group == "" and rt.kind == "Namespace":
            obj["status"] = {"phase": "Terminating" if obj["metadata"].get("deletionTimestamp") else "Active"}
        elif rt.group == CRD_GROUP and rt.kind == "CustomResourceDefinition":
            names = (obj.get("spec") or {}).get("names") or {}
            obj["status"] = {
                "conditions": [{"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                                "lastTransitionTime": _now()},
                               {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                                "lastTransitionTime": _now()}],
                "acceptedNames": names,
                "storedVersions": [v["name"] for v in (obj.get("spec") or {}).get("versions") or []
                                   if v.get("storage")]}
        else:
            self._reconcile(rt, obj, old)

    # -- KubeClient reads --------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> KubeObject | None:
        rt = self._type(api_version, kind)
        self.promote_due(endpoints=_shows_endpoints(rt))
        obj = self._load(rt, self._namespace_of(rt, namespace), name)
        if obj is not None:
            obj["apiVersion"] = api_version
        return obj

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[KubeObject]:
        rt = self._type(api_version, kind)
        self.promote_due(endpoints=_shows_endpoints(rt))
        requirements = parse_selector(label_selector)
        sql = "SELECT json FROM objects WHERE api_group = ? AND plural = ?"
        args: list[Any] = [rt.group, rt.plural]
        if namespace and rt.namespaced:
            sql += " AND namespace = ?"
            args.append(namespace)
        out = []
        for (text,) in self._conn().execute(sql + " ORDER BY namespace, name", args):
            obj = json.loads(text)
            if selector_matches(requirements, (obj.get("metadata") or {}).get("labels")):
                obj["apiVersion"] = api_version
                out.append(obj)
        return out

    def resource_version(self) -> int:
        """The cluster's current global resourceVersion."""
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'resourceVersion'").fetchone()
        return int(row[0])

    def crd_revision(self) -> str:
        """The resourceVersion of the newest change to any CustomResourceDefinition ("" before the first): what
        the set of served custom types was computed from, so a server can keep it until this changes (a write
        by any process sharing the file)."""
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'crdRevision'").fetchone()
        return "" if row is None else str(row[0])

    # -- KubeClient writes -------------------------------------------------------------------------
    def _insert_new(self, rt: ResourceType, obj: KubeObject, manager: str = "") -> KubeObject:
        """Create: defaults, validation, managedFields of ``manager`` (none for an apply, which brings its own)."""
        meta = obj.setdefault("metadata", {})
        for key in _SERVER_META:
            meta.pop(key, None)
        ns = self._namespace_of(rt, meta.get("namespace"), must_exist=True)
        if ns:
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        name = meta.get("name")
        if not name:
            if not meta.get("generateName"):
                raise KubeError(f"{_resource_name(rt)}: metadata.name or metadata.generateName is required")
            for _ in range(20):
                name = meta["generateName"] + "".join(secrets.choice(_GENERATE_CHARS) for _ in range(5))
                if self._load(rt, ns, name) is None:
                    break
            meta["name"] = name
        apply_defaults(rt.group, rt.kind, obj)
        validate(rt, obj, SERVER_VERSION)
        if self._load(rt, ns, name) is not None:
            raise KubeConflict(f'{_resource_name(rt)} "{name}" already exists')
        if manager:
            fieldmanager.record_update(None, obj, manager)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = _now()
        meta["generation"] = 1
        if rt.group == "" and rt.kind == "Service":
            self._allocate_service(obj)
        elif rt.group == "batch" and rt.kind == "Job":
            from helmpy.kube.controllers.pods import prepare_job

            prepare_job(obj)
        self._server_status(rt, obj, None)
        return self._write(rt, ns, name, obj, "ADDED")

    def create(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER) -> KubeObject:
        obj = copy.deepcopy(obj)
        with self.transaction():
            return self._insert_new(self._type_of(obj), obj, field_manager)

    def _live(self, obj: KubeObject) -> tuple[ResourceType, str, str, KubeObject | None]:
        rt = self._type_of(obj)
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        if not name:
            raise KubeError(f"{_resource_name(rt)}: metadata.name is required")
        ns = self._namespace_of(rt, meta.get("namespace"))
        return rt, ns, name, self._load(rt, ns, name)

    def _store_update(self, rt: ResourceType, ns: str, name: str, live: KubeObject, new: KubeObject,
                      *, keep_status: bool = True, manager: str = "") -> KubeObject:
        """Write ``new`` over ``live`` keeping server fields; no write when nothing changed."""
        meta = new.setdefault("metadata", {})
        given_uid, live_uid = meta.get("uid"), live["metadata"].get("uid")
        if given_uid and given_uid != live_uid:
            raise KubeConflict(f'Operation cannot be fulfilled on {_resource_name(rt)} "{name}": Precondition '
                               f"failed: UID in precondition: {given_uid}, UID in object meta: {live_uid}")
        for key in _SERVER_META:
            if key in live["metadata"]:
                meta[key] = live["metadata"][key]
            elif key != "resourceVersion":
                meta.pop(key, None)
        meta["name"] = name
        if ns:
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if keep_status:  # a /status write changes no spec; the API server does not validate it as an update
            apply_defaults(rt.group, rt.kind, new)
            if rt.group == "" and rt.kind == "Service":
                _keep_allocations(live, new)
                self._allocate_service(new)  # e.g. node ports for a Service whose type changed to NodePort
            validate(rt, new, SERVER_VERSION, live)
            new.pop("status", None)
            if "status" in live:
                new["status"] = clone(live["status"])
        if manager:
            if "managedFields" not in meta and "managedFields" in live["metadata"]:
                meta["managedFields"] = clone(live["metadata"]["managedFields"])
            fieldmanager.record_update(live, new, manager)
        if meta.get("deletionTimestamp") and not gc.held(meta):  # the last finalizer is gone
            gc.finalized(self, rt, new)
            return copy.deepcopy(new)
        if _spec(new) != _spec(live):
            meta["generation"] = int(live["metadata"].get("generation") or 1) + 1
            if keep_status:  # the controllers react to spec changes only (keeps status timestamps stable)
                self._server_status(rt, new, live)
        if _comparable(new) == _comparable(live):
            live["apiVersion"] = new.get("apiVersion", live.get("apiVersion"))
            return live
        return self._write(rt, ns, name, new, "MODIFIED")

    def replace(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER) -> KubeObject:
        """PUT semantics: the object must exist; a stale resourceVersion is a conflict; status is kept."""
        obj = copy.deepcopy(obj)
        with self.transaction():
            rt, ns, name, live = self._live(obj)
            if live is None:
                raise KubeNotFound(f'{_resource_name(rt)} "{name}" not found')
            wanted_rv = (obj.get("metadata") or {}).get("resourceVersion")
            if wanted_rv and str(wanted_rv) != live["metadata"]["resourceVersion"]:
                raise KubeConflict(f'Operation cannot be fulfilled on {_resource_name(rt)} "{name}": the object '
                                   "has been modified; please apply your changes to the latest version and try again")
            return self._store_update(rt, ns, name, live, obj, manager=field_manager)

    def replace_status(self, obj: KubeObject) -> KubeObject:
        """The ``/status`` subresource: only ``status`` is taken from ``obj`` (what a controller writes)."""
        with self.transaction():
            rt, ns, name, live = self._live(obj)
            if live is None:
                raise KubeNotFound(f'{_resource_name(rt)} "{name}" not found')
            new = clone(live)
            new["status"] = copy.deepcopy(obj.get("status") or {})
            stored = self._store_update(rt, ns, name, live, new, keep_status=False)
            if rt.group == "" and rt.kind == "Pod" and stored is not live:
                self.pod_changed(stored)  # its Endpoints and its owners' counts follow, as their controllers do
            return stored

    def apply(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER, force: bool = False) -> KubeObject:
        """Server-side apply (``kube/fieldmanager.py``, the code ``cluster serve`` answers apply patches with):
        fields this manager applied before and no longer sets are removed, fields others own are kept, a field
        another manager owns with a different value is a 409 Conflict unless ``force``; unchanged is no write."""
        digest = _apply_digest(obj, field_manager)
        with self.transaction():
            rt, ns, name, live = self._live(obj)
            if live is not None and self._applied_as(live, field_manager, digest):
                live["apiVersion"] = obj.get("apiVersion", live.get("apiVersion"))
                return live
            desired = copy.deepcopy(obj)
            desired.setdefault("metadata", {})
            try:
                result = fieldmanager.server_side_apply(live, desired, field_manager, force)
            except fieldmanager.ApplyConflict as err:
                raise fieldmanager.conflict_error(rt.plural, rt.group, name, err.causes) from err
            stored = self._insert_new(rt, result) if live is None else self._store_update(rt, ns, name, live, result)
            self._conn().execute("INSERT OR REPLACE INTO applied VALUES (?, ?, ?, ?)",
                                 (stored["metadata"]["uid"], field_manager, digest,
                                  int(stored["metadata"]["resourceVersion"])))
            return stored

    def _applied_as(self, live: KubeObject, manager: str, digest: str) -> bool:
        """Whether ``manager``'s last apply to this object was this very configuration and nothing has written the
        object since (its resourceVersion is the one that apply left): applying it again changes nothing, so the
        live object is the answer without merging or validating again (an upgrade re-applies mostly unchanged
        objects). Any write, by any process sharing the file, moves the resourceVersion on."""
        meta = live["metadata"]
        row = self._conn().execute("SELECT digest, resource_version FROM applied WHERE uid = ? AND manager = ?",
                                   (meta.get("uid"), manager)).fetchone()
        return row is not None and row[0] == digest and str(row[1]) == str(meta.get("resourceVersion"))

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               propagation: str = "Background") -> bool:
        """Delete with the API's ``propagationPolicy`` (``kube/controllers/gc.py``); False when already gone."""
        with self.transaction():
            rt = self._type(api_version, kind)
            ns = self._namespace_of(rt, namespace)
            live = self._load(rt, ns, name)
            if live is None:
                return False
            gc.delete(self, rt, live, propagation)
            return True

    # -- waiting -----------------------------------------------------------------------------------
    def wait_ready(self, objects: builtins.list[KubeObject], timeout: float) -> None:
        """Poll the stored objects until every one is ready (kube/readiness.py rules); progress on stderr."""
        def live(obj: KubeObject) -> KubeObject | None:
            meta = obj.get("metadata") or {}
            return self.get(obj["apiVersion"], obj["kind"], meta.get("name", ""), meta.get("namespace"))

        # local reads are cheap: poll often, so a wait ends soon after the Pods' due time
        readiness.wait_for(objects, timeout, live, self.progress, first_interval=0.05, max_interval=0.25)


# --- helpers --------------------------------------------------------------------------------------
def _shows_endpoints(rt: ResourceType) -> bool:
    """A read of this kind brings the deferred Endpoints up to date first (``ControllerSeams._settle``)."""
    return (rt.group, rt.kind) in (("", "Endpoints"), ("discovery.k8s.io", "EndpointSlice"))


def _spec(obj: KubeObject) -> dict[str, Any]:
    """Everything but metadata and status: a change here bumps generation."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _keep_allocations(live: KubeObject, new: KubeObject) -> None:
    """An update that does not set a Service's cluster IP or node ports keeps the allocated ones."""
    old, spec = live.get("spec") or {}, new.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return
    if spec.get("clusterIP") and spec["clusterIP"] != old.get("clusterIP") and \
            spec.get("clusterIPs") in (None, [], old.get("clusterIPs")):
        # normalizeClusterIPs: the singular field changed and the plural did not, so it names the new primary
        spec["clusterIPs"] = [spec["clusterIP"], *(old.get("clusterIPs") or [])[1:]]
    for key in ("clusterIP", "clusterIPs"):
        if not spec.get(key) and old.get(key):
            spec[key] = copy.deepcopy(old[key])
    if spec.get("type") in (None, "ClusterIP") and old.get("type") in ("NodePort", "LoadBalancer"):
        allocated_ports = {p.get("nodePort") for p in old.get("ports") or [] if isinstance(p, dict)}
        for port in spec.get("ports") or []:  # no longer needed: wiped, as the API server does
            if isinstance(port, dict) and port.get("nodePort") in allocated_ports:
                port.pop("nodePort")
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        allocated = {(p.get("port"), p.get("protocol") or "TCP"): p.get("nodePort")
                     for p in old.get("ports") or [] if isinstance(p, dict)}
        for port in spec.get("ports") or []:
            if isinstance(port, dict) and not port.get("nodePort"):
                node = allocated.get((port.get("port"), port.get("protocol") or "TCP"))
                if node:
                    port["nodePort"] = node


def _apply_digest(obj: KubeObject, manager: str) -> str:
    """What one apply asked for: the configuration and its field manager."""
    import hashlib

    text = json.dumps([manager, obj], sort_keys=True, separators=(",", ":"),
                      default=lambda v: f"<{type(v).__name__}>{v!r}")
    return hashlib.sha256(text.encode()).hexdigest()


def _comparable(obj: KubeObject) -> KubeObject:
    out = clone(obj)
    out.pop("apiVersion", None)
    meta = out.get("metadata") or {}
    meta.pop("resourceVersion", None)
    for entry in meta.get("managedFields") or []:
        entry.pop("time", None)
    return out
