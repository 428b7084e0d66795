"""Simulated controllers of the embedded cluster, in the spirit of kwok: objects, never containers.

A real cluster's kube-controller-manager and kubelet turn a Deployment into a ReplicaSet and Pods, report
them Running and Ready, give a Service its Endpoints, bind a claim to a volume. Here the same objects are
made at once, inside the write that asked for them (one SQLite transaction), so every run gives the same
result and ``kubectl get``, ``rollout status``, ``wait`` and ``helmpy --wait`` see what a healthy cluster
shows. Nothing runs: no container runtime, no scheduler (every Pod lands on the one simulated Node), no
networking (Pod and Service IPs are addresses from a counter). Pods and Jobs that run to completion say so in
their status (``reason: Simulated`` and a message): their containers never ran.

Pods are the exception to "at once": a new Pod is Pending (ContainerCreating) for the cluster's
``pod_ready_delay`` (``HELMPY_EMBEDDED_POD_READY_DELAY``, default :data:`DEFAULT_POD_READY_DELAY` seconds; 0:
at once), as under kwok, so ``kubectl get pods -w``, ``rollout status`` and ``--wait`` see the rollout
happen. The due times are rows of the SQLite file, so whichever process reads the cluster after that time
(a later helmpy command, ``cluster serve``'s watch loop) makes the transition: a real write with a new
resourceVersion and a MODIFIED event, followed by the owners' status (:func:`top_owner` is re-reconciled).

Modules, one controller family each: :mod:`.workloads` (Deployment -> ReplicaSet -> Pods, StatefulSet ->
Pods and PVCs, DaemonSet), :mod:`.pods` (Pod status, Jobs), :mod:`.endpoints` (Service -> Endpoints and
EndpointSlice), :mod:`.volumes` (PVC -> PV of the default StorageClass), :mod:`.gc` (owner-reference garbage
collection with the three propagation policies, finalizers, namespace termination).

The embedded cluster calls :func:`reconcile` on an object it is about to store (the controller may create
children and sets the object's own status), and :func:`deleted` after one is gone. Controllers write
through :class:`Store`, which stores without validation (what they make is valid by construction) and runs
the controllers of what they write, so a ReplicaSet made for a Deployment gets its Pods in the same call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from helmpy.kube.client import KubeObject, timestamp
from helmpy.kube.resources import ResourceType

MANAGER = "kube-controller-manager"
DEFAULT_POD_READY_DELAY = 1.0  # seconds; HELMPY_EMBEDDED_POD_READY_DELAY
NODE_NAME = "helmpy-node"
NODE_IP = "10.0.0.1"
_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery's rand.SafeEncodeString alphabet


class Store(Protocol):
    """What controllers need from the cluster (the embedded cluster implements it)."""

    def kind(self, api_version: str, kind: str) -> ResourceType:
        """The resource type of a built-in kind."""

    def load(self, rt: ResourceType, namespace: str, name: str) -> KubeObject | None:
        """The stored object or None."""

    def owned(self, rt: ResourceType, namespace: str, owner_uid: str) -> list[KubeObject]:
        """Objects of ``rt`` in ``namespace`` with an ownerReference to ``owner_uid``, by name."""

    def save(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
        """Create (server fields filled in) or update ``obj``, running its controller; unchanged is no write."""

    def drop(self, rt: ResourceType, obj: KubeObject) -> None:
        """Delete ``obj`` (background propagation)."""

    def next_ip(self, pool: str) -> str:
        """A fresh address from a counter (``pod``: 10.244.0.0/16)."""

    def reconciling(self, uid: str) -> bool:
        """Whether the object with ``uid`` is being reconciled right now (its own changes are under way)."""

    def touch_endpoints(self, namespace: str) -> None:
        """Pods or Services of ``namespace`` changed: refresh its Endpoints before the transaction ends."""

    @property
    def pod_ready_delay(self) -> float:
        """Seconds a new Pod stays Pending (ContainerCreating) before it runs; 0: it runs at once."""

    def schedule(self, pod: KubeObject) -> None:
        """Have :func:`helmpy.kube.controllers.pods.start` run on ``pod`` once ``pod_ready_delay`` has passed."""


Reconciler = Callable[[Store, KubeObject, "KubeObject | None"], None]


now = timestamp


def suffix(seed: str, length: int = 5) -> str:
    """A deterministic name suffix in the API server's alphabet (``web-7d4b9c8f6d-x2x9k``)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_SUFFIX_CHARS[b % len(_SUFFIX_CHARS)] for b in digest[:length])


def template_hash(template: object) -> str:
    """``pod-template-hash``: a stable short hash of a pod template (fnv-like width, SafeEncodeString alphabet)."""
    import json

    text = json.dumps(template, sort_keys=True, separators=(",", ":"))
    return suffix(text, 10)


def owner_reference(owner: KubeObject, *, controller: bool = True) -> dict[str, object]:
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"], "uid": meta["uid"],
            "controller": controller, "blockOwnerDeletion": True}


def controller_of(obj: KubeObject) -> dict[str, object] | None:
    """The ownerReference marked ``controller: true``, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def pod_ready(pod: KubeObject) -> bool:
    """Running with the ``Ready`` condition True (what the endpoints and workload controllers count)."""
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or [])


_CONTROLLERS = {("apps/v1", "ReplicaSet"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
                ("apps/v1", "DaemonSet"), ("batch/v1", "Job")}


def top_owner(store: Store, obj: KubeObject) -> tuple[ResourceType, KubeObject] | None:
    """The outermost simulated controller above ``obj`` (a Pod's ReplicaSet's Deployment), or None.

    Re-reconciling it recomputes every status on the way down, as the real controllers do when a Pod they
    watch changes."""
    found: tuple[ResourceType, KubeObject] | None = None
    namespace = obj["metadata"].get("namespace", "")
    current = obj
    for _ in range(4):  # Pod -> ReplicaSet -> Deployment is the deepest chain
        ref = controller_of(current)
        if ref is None or (ref.get("apiVersion"), ref.get("kind")) not in _CONTROLLERS:
            break
        rt = store.kind(str(ref["apiVersion"]), str(ref["kind"]))
        owner = store.load(rt, namespace, str(ref.get("name")))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid") or owner["metadata"].get(
                "deletionTimestamp"):
            break
        found, current = (rt, owner), owner
    return found


def _reconcilers() -> dict[tuple[str, str], Reconciler]:
    from helmpy.kube.controllers import endpoints, pods, volumes, workloads

    return {("apps", "Deployment"): workloads.deployment, ("apps", "ReplicaSet"): workloads.replicaset,
            ("apps", "StatefulSet"): workloads.statefulset, ("apps", "DaemonSet"): workloads.daemonset,
            ("batch", "Job"): pods.job, ("", "Pod"): pods.pod, ("", "Service"): endpoints.service,
            ("", "PersistentVolumeClaim"): volumes.claim}


_TABLE: dict[tuple[str, str], Reconciler] = {}


def reconcile(store: Store, rt: ResourceType, obj: KubeObject, old: KubeObject | None) -> None:
    """Make what ``obj`` (about to be stored; ``old`` is the live copy of an update) needs, set its status."""
    if not _TABLE:
        _TABLE.update(_reconcilers())
    fn = _TABLE.get((rt.group, rt.kind))
    if fn is not None:
        fn(store, obj, old)


def deleted(store: Store, rt: ResourceType, obj: KubeObject) -> None:
    """``obj`` is gone: its controller makes a replacement (a ReplicaSet's Pod), Endpoints follow."""
    from helmpy.kube.controllers import endpoints, volumes, workloads

    if rt.group == "" and rt.kind in ("Pod", "Service"):
        endpoints.forget(store, rt, obj)
    if rt.group == "" and rt.kind == "PersistentVolumeClaim":
        volumes.released(store, obj)
    ref = controller_of(obj)
    if ref is not None and rt.group == "" and rt.kind == "Pod":
        workloads.replace_pod(store, obj, ref)
