"""A Kubernetes-like cluster in one SQLite file, implementing KubeClient.

It stores objects the way an API server does (uid, a global resourceVersion, generation,
namespaces, label selectors, optimistic concurrency, CRD-registered kinds) so actions behave as
against a real cluster. Writes run under ``BEGIN IMMEDIATE`` in WAL mode, so several helmpy
processes can share one file without losing writes. Rows keep (api_group, version, kind, plural,
namespace, name, uid, resource_version, json) and every change is logged in ``changes`` so that
``helmpy cluster serve`` can expose the same file as an API server (lists, watches).

A minimal built-in controller writes plausible ``status`` for workloads (Deployments ready, Jobs
complete, Pods running, PVCs bound); turn it off with ``controller=False`` or
``HELMPY_EMBEDDED_CONTROLLER=0`` to see waits time out.
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
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, TextIO

from helmpy import settings
from helmpy.errors import KubeConflict, KubeError, KubeNotFound
from helmpy.kube import readiness, resources
from helmpy.kube.client import KubeObject, object_ref
from helmpy.kube.defaults import apply_defaults
from helmpy.kube.resources import ResourceType
from helmpy.kube.selector import parse_selector, selector_matches
from helmpy.kube.validation import validate

logger = logging.getLogger(__name__)

SERVER_VERSION = "v1.35.0"
BUSY_TIMEOUT_S = 60.0
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
CONTROLLER_ENV = "HELMPY_EMBEDDED_CONTROLLER"
CRD_GROUP, CRD_PLURAL = "apiextensions.k8s.io", "customresourcedefinitions"
_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp")
_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    api_group TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL, plural TEXT NOT NULL,
    namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL UNIQUE,
    resource_version INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (api_group, plural, namespace, name));
CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (namespace);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    resource_version INTEGER PRIMARY KEY, type TEXT NOT NULL, api_group TEXT NOT NULL, version TEXT NOT NULL,
    kind TEXT NOT NULL, plural TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL);
"""
_CHANGES_KEPT = 10000


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resource_name(rt: ResourceType) -> str:
    """``deployments.apps`` / ``secrets``: how the API server names a resource in messages."""
    return f"{rt.plural}.{rt.group}" if rt.group else rt.plural


class _DryRunDone(Exception):
    """Raised at the end of a dry-run block so that its transaction rolls back."""


# --- the cluster ---------------------------------------------------------------------------------
class EmbeddedCluster:
    """KubeClient over a SQLite file; safe to share between threads and processes."""

    def __init__(self, path: str | Path, controller: bool | None = None, progress: TextIO | None = None) -> None:
        self.path = Path(path)
        self.progress = progress  # where wait_ready reports what it waits for (None: stderr)
        if controller is None:
            controller = (settings.get("EMBEDDED_CONTROLLER") or "1").lower() not in ("0", "false", "no", "off")
        self.controller = controller
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
        try:
            yield
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
        """Writes in the block happen in a transaction that is then rolled back (KubeClient.dry_run)."""
        try:
            with self.transaction():
                yield
                raise _DryRunDone
        except _DryRunDone:
            pass

    def _init_schema(self) -> None:
        with self.transaction():
            conn = self._conn()
            for stmt in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(stmt)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1'), ('resourceVersion', '0')")
            ns_type = self._type("v1", "Namespace")
            for ns in INITIAL_NAMESPACES:
                if self._load(ns_type, "", ns) is None:
                    self._insert_new(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})

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

    def _log_change(self, rv: int, event: str, rt: ResourceType, namespace: str, name: str, obj: KubeObject) -> None:
        conn = self._conn()
        conn.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (rv, event, rt.group, rt.version, rt.kind, rt.plural, namespace, name, json.dumps(obj)))
        if rv % 1000 == 0:
            conn.execute("DELETE FROM changes WHERE resource_version <= ?", (rv - _CHANGES_KEPT,))

    def _write(self, rt: ResourceType, namespace: str, name: str, obj: KubeObject, event: str) -> KubeObject:
        rv = self._bump()
        obj["metadata"]["resourceVersion"] = str(rv)
        text = json.dumps(obj, separators=(",", ":"))
        self._conn().execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (rt.group, rt.version, rt.kind, rt.plural, namespace, name,
                              obj["metadata"]["uid"], rv, text))
        self._log_change(rv, event, rt, namespace, name, obj)
        logger.debug("embedded %s %s rv=%d", event.lower(), object_ref(obj), rv)
        return copy.deepcopy(obj)

    def _namespace_of(self, rt: ResourceType, namespace: str | None, *, must_exist: bool = False) -> str:
        if not rt.namespaced:
            return ""
        ns = namespace or "default"
        if must_exist and self._load(self._type("v1", "Namespace"), "", ns) is None:
            raise KubeNotFound(f'namespaces "{ns}" not found')
        return ns

    # -- the built-in controller and API-server defaults -----------------------------------------
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

    def _server_status(self, rt: ResourceType, obj: KubeObject) -> None:
        """Status the API server itself maintains (namespaces, CRDs), then the controller's."""
        if rt.group == "" and rt.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
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
        elif self.controller:
            _reconcile(rt, obj)

    # -- KubeClient reads --------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> KubeObject | None:
        rt = self._type(api_version, kind)
        obj = self._load(rt, self._namespace_of(rt, namespace), name)
        if obj is not None:
            obj["apiVersion"] = api_version
        return obj

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[KubeObject]:
        rt = self._type(api_version, kind)
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

    # -- KubeClient writes -------------------------------------------------------------------------
    def _insert_new(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
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
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = _now()
        meta["generation"] = 1
        if rt.group == "" and rt.kind == "Service":
            self._allocate_service(obj)
        self._server_status(rt, obj)
        return self._write(rt, ns, name, obj, "ADDED")

    def create(self, obj: KubeObject) -> KubeObject:
        obj = copy.deepcopy(obj)
        with self.transaction():
            return self._insert_new(self._type_of(obj), obj)

    def _live(self, obj: KubeObject) -> tuple[ResourceType, str, str, KubeObject | None]:
        rt = self._type_of(obj)
        meta = obj.get("metadata") or {}
        name = meta.get("name")
        if not name:
            raise KubeError(f"{_resource_name(rt)}: metadata.name is required")
        ns = self._namespace_of(rt, meta.get("namespace"))
        return rt, ns, name, self._load(rt, ns, name)

    def _store_update(self, rt: ResourceType, ns: str, name: str, live: KubeObject, new: KubeObject,
                      *, keep_status: bool = True) -> KubeObject:
        """Write ``new`` over ``live`` keeping server fields; no write when nothing changed."""
        meta = new.setdefault("metadata", {})
        for key in ("uid", "creationTimestamp", "generation", "resourceVersion"):
            if key in live["metadata"]:
                meta[key] = live["metadata"][key]
        meta["name"] = name
        if ns:
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if keep_status:
            apply_defaults(rt.group, rt.kind, new)
        if rt.group == "" and rt.kind == "Service" and keep_status:
            _keep_allocations(live, new)
            self._allocate_service(new)  # e.g. node ports for a Service whose type changed to NodePort
        if keep_status:  # a /status write changes no spec; the API server does not validate it as an update
            validate(rt, new, SERVER_VERSION)
            new.pop("status", None)
            if "status" in live:
                new["status"] = copy.deepcopy(live["status"])
        if _spec(new) != _spec(live):
            meta["generation"] = int(live["metadata"].get("generation") or 1) + 1
            if keep_status:  # the controller reacts to spec changes only (keeps status timestamps stable)
                self._server_status(rt, new)
        if _comparable(new) == _comparable(live):
            live["apiVersion"] = new.get("apiVersion", live.get("apiVersion"))
            return live
        return self._write(rt, ns, name, new, "MODIFIED")

    def replace(self, obj: KubeObject) -> KubeObject:
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
            return self._store_update(rt, ns, name, live, obj)

    def replace_status(self, obj: KubeObject) -> KubeObject:
        """The ``/status`` subresource: only ``status`` is taken from ``obj`` (what a controller writes)."""
        with self.transaction():
            rt, ns, name, live = self._live(obj)
            if live is None:
                raise KubeNotFound(f'{_resource_name(rt)} "{name}" not found')
            new = copy.deepcopy(live)
            new["status"] = copy.deepcopy(obj.get("status") or {})
            return self._store_update(rt, ns, name, live, new, keep_status=False)

    def apply(self, obj: KubeObject, *, field_manager: str = "helmpy", force: bool = False) -> KubeObject:
        """Server-side-apply-like: fields this manager applied before and no longer sets are removed,
        fields others set are kept, and an unchanged object is not rewritten. (``force`` is accepted;
        without per-field ownership by other managers there are no conflicts to force.)"""
        desired = copy.deepcopy(obj)
        with self.transaction():
            rt, ns, name, live = self._live(desired)
            owned = _owned_fields(desired)
            if live is None:
                desired.setdefault("metadata", {})
                new = copy.deepcopy(desired)
                new.pop("status", None)
                new["metadata"]["managedFields"] = [_managed_entry(field_manager, desired, owned)]
                return self._insert_new(rt, new)
            previous = _previous_owned(live, field_manager)
            merged = copy.deepcopy(live)
            merged["apiVersion"] = desired["apiVersion"]
            for key in previous["top"] - owned["top"]:
                merged.pop(key, None)
            for key in owned["top"]:
                merged[key] = copy.deepcopy(desired[key])
            meta, want = merged["metadata"], desired.get("metadata") or {}
            for section in ("labels", "annotations"):
                current = dict(meta.get(section) or {})
                for key in previous[section] - owned[section]:
                    current.pop(key, None)
                current.update(want.get(section) or {})
                if current:
                    meta[section] = current
                else:
                    meta.pop(section, None)
            for key in ("ownerReferences", "finalizers"):
                if key in want:
                    meta[key] = copy.deepcopy(want[key])
            others = [m for m in meta.get("managedFields") or [] if m.get("manager") != field_manager]
            meta["managedFields"] = [*others, _managed_entry(field_manager, desired, owned)]
            return self._store_update(rt, ns, name, live, merged)

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               propagation: str = "Background") -> bool:
        with self.transaction():
            rt = self._type(api_version, kind)
            ns = self._namespace_of(rt, namespace)
            live = self._load(rt, ns, name)
            if live is None:
                return False
            self._remove(rt, ns, name, live, propagation)
            return True

    def _remove(self, rt: ResourceType, ns: str, name: str, live: KubeObject, propagation: str) -> None:
        conn = self._conn()
        conn.execute("DELETE FROM objects WHERE api_group = ? AND plural = ? AND namespace = ? AND name = ?",
                     (rt.group, rt.plural, ns, name))
        self._log_change(self._bump(), "DELETED", rt, ns, name, live)
        logger.debug("embedded deleted %s", object_ref(live))
        doomed: list[tuple[str, ...]] = []
        if rt.group == "" and rt.kind == "Namespace":  # the namespace controller, done at once
            doomed += conn.execute("SELECT api_group, version, kind, plural, namespace, name, json FROM objects "
                                   "WHERE namespace = ?", (name,)).fetchall()
        elif rt.group == CRD_GROUP and rt.kind == "CustomResourceDefinition":
            for crt in resources.from_crd(live)[:1]:
                doomed += conn.execute("SELECT api_group, version, kind, plural, namespace, name, json FROM objects "
                                       "WHERE api_group = ? AND plural = ?", (crt.group, crt.plural)).fetchall()
        if propagation != "Orphan":  # garbage collection of dependents
            uid = live["metadata"]["uid"]
            for row in conn.execute("SELECT api_group, version, kind, plural, namespace, name, json FROM objects "
                                    "WHERE json LIKE ?", (f"%{uid}%",)).fetchall():
                refs = (json.loads(row[6]).get("metadata") or {}).get("ownerReferences") or []
                if any(r.get("uid") == uid for r in refs):
                    doomed.append(row)
        for group, version, kind, plural, dns, dname, text in doomed:
            child = ResourceType(group, version, kind, plural, bool(dns))
            if self._load(child, dns, dname) is not None:
                self._remove(child, dns, dname, json.loads(text), propagation)

    # -- waiting -----------------------------------------------------------------------------------
    def wait_ready(self, objects: builtins.list[KubeObject], timeout: float) -> None:
        """Poll the stored objects until every one is ready (kube/readiness.py rules); progress on stderr."""
        def live(obj: KubeObject) -> KubeObject | None:
            meta = obj.get("metadata") or {}
            return self.get(obj["apiVersion"], obj["kind"], meta.get("name", ""), meta.get("namespace"))

        readiness.wait_for(objects, timeout, live, self.progress)


# --- helpers --------------------------------------------------------------------------------------
def _spec(obj: KubeObject) -> dict[str, Any]:
    """Everything but metadata and status: a change here bumps generation."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _keep_allocations(live: KubeObject, new: KubeObject) -> None:
    """An update that does not set a Service's cluster IP or node ports keeps the allocated ones."""
    old, spec = live.get("spec") or {}, new.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return
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


def _comparable(obj: KubeObject) -> KubeObject:
    out = copy.deepcopy(obj)
    out.pop("apiVersion", None)
    meta = out.get("metadata") or {}
    meta.pop("resourceVersion", None)
    for entry in meta.get("managedFields") or []:
        entry.pop("time", None)
    return out


def _owned_fields(obj: KubeObject) -> dict[str, set[str]]:
    meta = obj.get("metadata") or {}
    return {"top": {k for k in obj if k not in ("apiVersion", "kind", "metadata", "status")},
            "labels": set(meta.get("labels") or {}), "annotations": set(meta.get("annotations") or {})}


def _managed_entry(manager: str, obj: KubeObject, owned: dict[str, set[str]]) -> dict[str, Any]:
    """A managedFields entry in the API's FieldsV1 shape (top-level fields and metadata keys)."""
    fields: dict[str, Any] = {f"f:{k}": {} for k in sorted(owned["top"])}
    meta_fields: dict[str, Any] = {f"f:{section}": {f"f:{k}": {} for k in sorted(owned[section])}
                   for section in ("labels", "annotations") if owned[section]}
    if meta_fields:
        fields["f:metadata"] = meta_fields
    return {"manager": manager, "operation": "Apply", "apiVersion": obj.get("apiVersion"), "time": _now(),
            "fieldsType": "FieldsV1", "fieldsV1": fields}


def _previous_owned(live: KubeObject, manager: str) -> dict[str, set[str]]:
    owned: dict[str, set[str]] = {"top": set(), "labels": set(), "annotations": set()}
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") != manager or entry.get("operation") != "Apply":
            continue
        fields = entry.get("fieldsV1") or {}
        owned["top"] |= {k[2:] for k in fields if k.startswith("f:") and k != "f:metadata"}
        for section in ("labels", "annotations"):
            owned[section] |= {k[2:] for k in (fields.get("f:metadata") or {}).get(f"f:{section}") or {}}
    return owned


def _replica_count(obj: KubeObject) -> int:
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def _reconcile(rt: ResourceType, obj: KubeObject) -> None:
    """The minimal controller: the status a healthy cluster would converge to."""
    kind, generation = rt.kind, obj["metadata"].get("generation", 1)
    now = _now()
    if rt.group == "apps" and kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        n = _replica_count(obj)
        status: dict[str, Any] = {"observedGeneration": generation, "replicas": n, "readyReplicas": n,
                                  "availableReplicas": n}
        if kind != "ReplicaSet":
            status["updatedReplicas"] = n
        if kind == "ReplicaSet":
            status["fullyLabeledReplicas"] = n
        if kind == "Deployment":
            status["conditions"] = [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability.", "lastTransitionTime": now, "lastUpdateTime": now},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": f'ReplicaSet "{obj["metadata"]["name"]}" has successfully progressed.',
                 "lastTransitionTime": now, "lastUpdateTime": now}]
        if kind == "StatefulSet":
            revision = f"{obj['metadata']['name']}-{generation}"
            status.update(currentReplicas=n, currentRevision=revision, updateRevision=revision)
        obj["status"] = status
    elif rt.group == "apps" and kind == "DaemonSet":
        obj["status"] = {"observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                         "numberReady": 1, "updatedNumberScheduled": 1, "numberAvailable": 1,
                         "numberMisscheduled": 0}
    elif rt.group == "batch" and kind == "Job":
        completions = (obj.get("spec") or {}).get("completions") or 1
        obj["status"] = {"startTime": now, "completionTime": now, "succeeded": completions, "active": 0,
                         "ready": 0, "conditions": [
                             {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                              "lastProbeTime": now, "lastTransitionTime": now},
                             {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                              "lastProbeTime": now, "lastTransitionTime": now}]}
    elif rt.group == "" and kind == "Pod":
        runs_once = (obj.get("spec") or {}).get("restartPolicy") in ("Never", "OnFailure")
        ready = "False" if runs_once else "True"
        obj["status"] = {"phase": "Succeeded" if runs_once else "Running", "startTime": now,
                         "podIP": "10.244.0.10", "hostIP": "10.0.0.1", "conditions": [
                             {"type": t, "status": s, "lastTransitionTime": now}
                             for t, s in (("PodScheduled", "True"), ("Initialized", "True"),
                                          ("ContainersReady", ready), ("Ready", ready))]}
    elif rt.group == "" and kind == "PersistentVolumeClaim":
        spec = obj.get("spec") or {}
        obj["status"] = {"phase": "Bound", "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                         "capacity": dict(((spec.get("resources") or {}).get("requests") or {}))}
    elif rt.group == "" and kind == "Service" and (obj.get("spec") or {}).get("type") == "LoadBalancer":
        obj["status"] = {"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}}
