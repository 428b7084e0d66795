"""The embedded cluster's side of its simulated controllers: the Store and Collector they write through.

Kept apart from ``kube/embedded.py`` (the API server's write path: defaults, validation, field ownership) so
that each stays readable; :class:`helmpy.kube.embedded.EmbeddedCluster` inherits these methods. Controllers
store without validation (what they make is valid by construction) and without the user's field manager;
their creations carry ``kube-controller-manager``'s ``managedFields`` as on a real cluster.
"""

from __future__ import annotations

import copy
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from helmpy.kube import controllers, fieldmanager
from helmpy.kube.client import KubeObject, object_ref, timestamp
from helmpy.kube.controllers import NODE_IP, NODE_NAME, endpoints, gc, pods, volumes
from helmpy.kube.resources import ResourceType, from_crd, lookup

logger = logging.getLogger(__name__)
_ROW = "SELECT api_group, version, kind, plural, namespace, name, json FROM objects"
_OWNED = ("SELECT o.api_group, o.version, o.kind, o.plural, o.namespace, o.name, o.json FROM owners w JOIN objects o "
          "ON o.api_group = w.api_group AND o.plural = w.plural AND o.namespace = w.namespace AND o.name = w.name")


_now = timestamp
_ENDPOINTS_DUE = "endpoints/"  # the uid column of a due row for a namespace's Endpoints (its ``at`` is -1)


def _node() -> KubeObject:
    """The one simulated Node every Pod is bound to (no kubelet runs on it)."""
    from helmpy.kube.embedded import SERVER_VERSION

    resources = {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE_NAME, "labels": {
        "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/control-plane": ""}},
        "spec": {"podCIDR": "10.244.0.0/16", "podCIDRs": ["10.244.0.0/16"]},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                   "message": "simulated node of helmpy's embedded cluster: no kubelet, no containers",
                                   "lastHeartbeatTime": _now(), "lastTransitionTime": _now()}],
                   "addresses": [{"type": "InternalIP", "address": NODE_IP},
                                 {"type": "Hostname", "address": NODE_NAME}],
                   "capacity": resources, "allocatable": resources,
                   "nodeInfo": {"kubeletVersion": SERVER_VERSION, "containerRuntimeVersion": "none://simulated",
                                "osImage": "helmpy embedded cluster", "operatingSystem": "linux",
                                "architecture": "amd64", "kernelVersion": "", "kubeProxyVersion": "",
                                "machineID": "", "systemUUID": "", "bootID": ""}}}


class ControllerSeams:
    """Store (``kube/controllers``) and Collector (``kube/controllers/gc.py``) over the cluster's SQLite rows."""

    if TYPE_CHECKING:
        controller: bool
        clock: Callable[[], float]
        _pod_ready_delay: float
        _promoting: threading.Lock
        _local: threading.local

        def transaction(self) -> AbstractContextManager[None]: ...

        def _conn(self) -> sqlite3.Connection: ...
        def _load(self, rt: ResourceType, namespace: str, name: str) -> KubeObject | None: ...
        def _bump(self) -> int: ...
        def _next(self, counter: str) -> int: ...
        def _type(self, api_version: str, kind: str) -> ResourceType: ...
        def _log_change(self, rv: int, event: str, rt: ResourceType, namespace: str, name: str, obj: KubeObject,
                        text: str | None = None) -> None: ...
        def _write(self, rt: ResourceType, namespace: str, name: str, obj: KubeObject, event: str) -> KubeObject: ...

    # -- Store -----------------------------------------------------------------------------------------
    def kind(self, api_version: str, kind: str) -> ResourceType:
        rt = lookup(api_version, kind)
        assert rt is not None, f"{api_version} {kind} is a built-in kind"
        return rt

    def load(self, rt: ResourceType, namespace: str, name: str) -> KubeObject | None:
        return self._load(rt, namespace, name)

    def owned(self, rt: ResourceType, namespace: str, owner_uid: str) -> list[KubeObject]:
        sql = (f"{_OWNED} WHERE w.owner_uid = ? AND w.api_group = ? AND w.plural = ? AND w.namespace = ? "
               "ORDER BY o.name")
        return [o for _rt, o in self._owned_rows(sql, (owner_uid, rt.group, rt.plural, namespace), owner_uid)]

    def _owned_rows(self, sql: str, args: tuple[Any, ...], owner_uid: str) -> gc.Found:
        """Rows of the owners index that still name ``owner_uid`` in their ownerReferences."""
        return [(rt, o) for rt, o in self._found(sql, args)
                if any(r.get("uid") == owner_uid for r in o["metadata"].get("ownerReferences") or [])]

    def _note_owners(self, rt: ResourceType, namespace: str, name: str, obj: KubeObject) -> None:
        """Index the object under each owner it names (stale rows are harmless: lookups check the object)."""
        self._conn().executemany("INSERT OR IGNORE INTO owners VALUES (?, ?, ?, ?, ?)",
                                 [(str(r.get("uid")), rt.group, rt.plural, namespace, name)
                                  for r in obj["metadata"]["ownerReferences"] if isinstance(r, dict)])

    def _index_owners(self) -> None:
        """Fill the owners index of a cluster file written before it existed (once)."""
        conn = self._conn()
        if conn.execute("SELECT 1 FROM meta WHERE key = 'owners'").fetchone():
            return
        for rt, obj in self._found(f"{_ROW} WHERE json LIKE '%\"ownerReferences\"%'", ()):
            if obj["metadata"].get("ownerReferences"):
                self._note_owners(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], obj)
        conn.execute("INSERT INTO meta (key, value) VALUES ('owners', '1')")

    def save(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
        meta = obj["metadata"]
        ns = meta.get("namespace", "") if rt.namespaced else ""
        name = meta["name"]
        live = self._load(rt, ns, name)
        if live is None:
            if ns and self._terminating(ns):  # the NamespaceLifecycle admission refuses controllers too
                return obj
            fieldmanager.record_update(None, obj, controllers.MANAGER)
            meta.setdefault("uid", str(uuid.uuid4()))
            meta["creationTimestamp"] = _now()
            meta["generation"] = 1
            self._reconcile(rt, obj, None)
            return self._write(rt, ns, name, obj, "ADDED")
        for key in ("uid", "creationTimestamp", "generation", "managedFields"):
            if key in live["metadata"]:
                meta[key] = live["metadata"][key]
        spec_now = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
        spec_before = {k: v for k, v in live.items() if k not in ("metadata", "status")}
        if spec_now != spec_before:
            meta["generation"] = int(live["metadata"].get("generation") or 1) + 1
        self._reconcile(rt, obj, live)
        meta["resourceVersion"] = live["metadata"].get("resourceVersion")
        if obj == live:
            return live
        return self._write(rt, ns, name, obj, "MODIFIED")

    def _reconcile(self, rt: ResourceType, obj: KubeObject, live: KubeObject | None) -> None:
        if not self.controller or getattr(self._local, "dry_run", False):  # a dry run starts no controller
            return
        busy: set[str] = self._local.__dict__.setdefault("reconciling", set())
        uid = obj["metadata"]["uid"]
        busy.add(uid)
        try:
            controllers.reconcile(self, rt, obj, live)
        finally:
            busy.discard(uid)

    def reconciling(self, uid: str) -> bool:
        return uid in self._local.__dict__.get("reconciling", ())

    def _terminating(self, namespace: str) -> bool:
        row = self._conn().execute("SELECT json_extract(json, '$.metadata.deletionTimestamp') FROM objects WHERE "
                                   "api_group = '' AND plural = 'namespaces' AND namespace = '' AND name = ?",
                                   (namespace,)).fetchone()
        return bool(row and row[0])

    def drop(self, rt: ResourceType, obj: KubeObject) -> None:
        gc.delete(self, rt, obj)

    def next_ip(self, pool: str) -> str:
        n = self._next(f"{pool}IP")
        return f"10.244.{n // 254 % 256}.{n % 254 + 1}"

    def touch_endpoints(self, namespace: str) -> None:
        dirty: set[str] | None = getattr(self._local, "dirty", None)
        if dirty is not None:
            dirty.add(namespace)

    @property
    def pod_ready_delay(self) -> float:
        return self._pod_ready_delay

    def schedule(self, pod: KubeObject) -> None:
        meta = pod["metadata"]
        self._conn().execute("INSERT OR REPLACE INTO due VALUES (?, ?, ?, ?)",
                             (meta["uid"], meta.get("namespace", ""), meta["name"],
                              self.clock() + self._pod_ready_delay))

    def seconds_until_due(self) -> float | None:
        """Seconds until the next Pending Pod is due to start (0 when one is due now), None when none waits: when
        ``cluster serve``'s simulated kubelet next has work (one indexed look-up)."""
        if not self.controller:
            return None
        (first,) = self._conn().execute("SELECT MIN(at) FROM due WHERE at >= 0").fetchone()
        return None if first is None else max(0.0, float(first) - self.clock())

    def promote_due(self, endpoints: bool = True) -> int:
        """Start every Pod whose due time has passed (a MODIFIED write each), then reconcile their owners, and
        (``endpoints``) refresh the Endpoints of namespaces whose Pods or Services changed (:meth:`_settle`).

        Called before every read outside a transaction (``endpoints`` only when Endpoints or EndpointSlices are
        read) and by ``cluster serve``'s watch loop; costs an indexed look-up or two when nothing is due. All
        due Pods start in one transaction, whose end refreshes each touched namespace's Endpoints once.
        Whichever process comes first does it (the rows are taken inside the write transaction, so no Pod
        starts twice); a process killed before it leaves the rows for the next reader. Returns how many Pods
        started.
        """
        if not self.controller:
            return 0
        conn = self._conn()
        if self._local.depth or getattr(self._local, "dry_run", False):
            return 0
        pods_due = self.seconds_until_due() == 0
        stale = endpoints and conn.execute("SELECT 1 FROM due WHERE at < 0 LIMIT 1").fetchone() is not None
        if not pods_due and not stale:
            return 0
        try:
            with self._promoting, self.transaction():
                self._local.flushing = endpoints  # read by _settle at the transaction's end
                started, owners = self._start_due(conn, endpoints)
        finally:
            self._local.flushing = False
        logger.debug("embedded started pods=%d owners=%d", started, owners)
        return started

    def _start_due(self, conn: sqlite3.Connection, endpoints: bool) -> tuple[int, int]:
        """The body of :meth:`promote_due` (inside its transaction): due Pods started, owners resynced."""
        rows = conn.execute("DELETE FROM due WHERE at <= ? AND at >= ? RETURNING uid, namespace, name",
                            (self.clock(), -1 if endpoints else 0)).fetchall()
        pod_type = self.kind("v1", "Pod")
        owners: dict[str, tuple[ResourceType, KubeObject]] = {}
        started = 0
        for uid, namespace, name in sorted(rows, key=lambda r: (r[1], r[2])):
            if uid.startswith(_ENDPOINTS_DUE):
                self.touch_endpoints(namespace)
                continue
            live = self._load(pod_type, namespace, name)
            if live is None or live["metadata"].get("uid") != uid or live["metadata"].get("deletionTimestamp") \
                    or (live.get("status") or {}).get("phase") != "Pending":
                continue
            pods.start(self, live)
            self.rewrite(pod_type, live)
            started += 1
            found = self._pod_changed(live)
            if found is not None:
                owners.setdefault(found[1]["metadata"]["uid"], found)
        for rt, owner in owners.values():
            self._resync(rt, owner)
        return started, len(owners)

    def pod_changed(self, pod: KubeObject) -> None:
        """A Pod's status changed (started, or written through ``/status``): Endpoints and owners follow."""
        found = self._pod_changed(pod)
        if found is not None:
            self._resync(*found)

    def _pod_changed(self, pod: KubeObject) -> tuple[ResourceType, KubeObject] | None:
        if not self.controller:
            return None
        self.touch_endpoints(pod["metadata"].get("namespace", ""))
        return controllers.top_owner(self, pod)

    def _resync(self, rt: ResourceType, owner: KubeObject) -> None:
        """Reconcile ``owner`` again as it is stored now (its statuses recomputed from its Pods)."""
        live = self._load(rt, owner["metadata"].get("namespace", ""), owner["metadata"]["name"])
        self.save(rt, live or owner)

    def extract(self, rt: ResourceType, namespace: str, paths: tuple[str, ...]) -> list[tuple[Any, ...]]:
        columns = ", ".join("json_extract(json, ?)" for _ in paths)
        return [tuple(row) for row in self._conn().execute(
            f"SELECT name, {columns} FROM objects WHERE api_group = ? AND plural = ? AND namespace = ? ORDER BY name",
            (*paths, rt.group, rt.plural, namespace)).fetchall()]

    def _settle(self) -> None:
        """At the end of the outermost transaction: the namespaces whose Pods/Services changed get their Endpoints
        refreshed later, as the real endpoint controllers batch updates (``--endpoint-updates-batch-period``): a
        row per namespace in the due table (``at`` < 0), taken by the next read of Endpoints or EndpointSlices
        or a watch poll (:meth:`promote_due`), so an install of N Pods behind M Services made one object per
        transaction rewrites each Endpoints once, not once per Pod. Inside :meth:`promote_due` they run now."""
        dirty: set[str] = getattr(self._local, "dirty", None) or set()
        self._local.dirty = None
        if not self.controller or not dirty:
            return
        if getattr(self._local, "flushing", False):
            for namespace in sorted(dirty):
                endpoints.refresh(self, namespace)
        else:
            self._conn().executemany("INSERT OR IGNORE INTO due VALUES (?, ?, '', -1)",
                                     [(f"{_ENDPOINTS_DUE}{ns}", ns) for ns in sorted(dirty)])

    def _init_infrastructure(self) -> None:
        """The simulated Node and the default StorageClass, on a new cluster file."""
        for obj in (_node(), volumes.STORAGE_CLASS):
            rt = self.kind(obj["apiVersion"], obj["kind"])
            if self._load(rt, "", obj["metadata"]["name"]) is None:
                self.save(rt, copy.deepcopy(obj))

    # -- Collector -----------------------------------------------------------------------------------------
    def erase(self, rt: ResourceType, obj: KubeObject) -> None:
        meta = obj["metadata"]
        ns, name = (meta.get("namespace", "") if rt.namespaced else ""), meta["name"]
        for table in ("objects", "owners"):
            self._conn().execute(f"DELETE FROM {table} WHERE api_group = ? AND plural = ? AND namespace = ? AND "
                                 "name = ?", (rt.group, rt.plural, ns, name))
        self._conn().execute("DELETE FROM applied WHERE uid = ?", (meta.get("uid", ""),))
        self._log_change(self._bump(), "DELETED", rt, ns, name, obj)
        logger.debug("embedded deleted %s", object_ref(obj))
        if self.controller:
            controllers.deleted(self, rt, obj)

    def rewrite(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
        meta = obj["metadata"]
        return self._write(rt, meta.get("namespace", "") if rt.namespaced else "", meta["name"], obj, "MODIFIED")

    def _found(self, sql: str, args: tuple[Any, ...]) -> gc.Found:
        return [(ResourceType(g, v, k, p, bool(ns)), json.loads(text))
                for g, v, k, p, ns, _name, text in self._conn().execute(sql, args).fetchall()]

    def dependents(self, uid: str, namespace: str | None) -> gc.Found:
        if not uid:
            return []
        sql = f"{_OWNED} WHERE w.owner_uid = ?"
        args: tuple[str, ...] = (uid,)
        if namespace is not None:
            sql, args = sql + " AND w.namespace = ?", (*args, namespace)
        return self._owned_rows(sql, args, uid)

    def contents(self, namespace: str) -> gc.Found:
        return self._found(f"{_ROW} WHERE namespace = ? ORDER BY api_group, plural, name", (namespace,))

    def instances(self, crd: KubeObject) -> gc.Found:
        found: gc.Found = []
        for crt in from_crd(crd)[:1]:
            found += self._found(f"{_ROW} WHERE api_group = ? AND plural = ?", (crt.group, crt.plural))
        return found

    def load_namespace(self, name: str) -> KubeObject | None:
        return self._load(self._type("v1", "Namespace"), "", name)
