"""Deletion as the API server and the garbage collector carry it out: propagation policies, finalizers, namespaces.

- ``Background`` (the default): the object goes at once, then its dependents (objects whose ownerReferences
  name its uid), and theirs.
- ``Foreground``: the object first gets ``deletionTimestamp`` and the ``foregroundDeletion`` finalizer (a
  watcher sees it), its dependents go, then it does.
- ``Orphan``: the dependents lose their ownerReference to it and stay; the object goes.
- An object with finalizers is only marked (``deletionTimestamp``); it goes when an update removes the last
  finalizer (:func:`finalized`). Nothing here removes finalizers on its own: no controller of theirs runs.
- A Namespace becomes ``Terminating``, its contents are deleted, and it goes once they are all gone (at once,
  or when the last finalizer-held object is released). A CRD takes its custom objects with it.

The garbage collector of a real cluster works asynchronously; here every step happens inside the delete's
transaction, in the order above, so the end state is the real one and watchers see the same events.
"""

from __future__ import annotations

from typing import Protocol

from helmpy.kube.client import KubeObject
from helmpy.kube.controllers import now
from helmpy.kube.resources import ResourceType

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
Found = list[tuple[ResourceType, KubeObject]]


class Collector(Protocol):
    """The storage operations deletion needs (the embedded cluster implements them)."""

    def erase(self, rt: ResourceType, obj: KubeObject) -> None:
        """Remove the stored object now (a DELETED event) and tell the controllers."""

    def rewrite(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
        """Store ``obj`` as it is (a MODIFIED event)."""

    def dependents(self, uid: str, namespace: str | None) -> Found:
        """Objects with an ownerReference to ``uid`` (in ``namespace``; anywhere for None)."""

    def contents(self, namespace: str) -> Found:
        """Every object in ``namespace``."""

    def instances(self, crd: KubeObject) -> Found:
        """Every custom object of ``crd``'s kind."""

    def load_namespace(self, name: str) -> KubeObject | None:
        """The Namespace object, or None."""


def held(meta: dict[str, object]) -> bool:
    return any(f not in (FOREGROUND, ORPHAN) for f in meta.get("finalizers") or [])  # type: ignore[attr-defined]


def _mark(c: Collector, rt: ResourceType, obj: KubeObject) -> None:
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp"):
        meta["deletionTimestamp"] = now()
        meta["deletionGracePeriodSeconds"] = 0
        c.rewrite(rt, obj)


def _scope(rt: ResourceType, obj: KubeObject) -> str | None:
    return obj["metadata"].get("namespace", "") if rt.namespaced else None


def delete(c: Collector, rt: ResourceType, obj: KubeObject, propagation: str = "Background") -> None:
    """Delete ``obj`` (the stored copy) with ``propagation`` ("Background", "Foreground" or "Orphan")."""
    meta = obj["metadata"]
    uid = str(meta.get("uid") or "")
    if propagation == "Orphan":
        for drt, dep in c.dependents(uid, _scope(rt, obj)):
            refs = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            if refs:
                dep["metadata"]["ownerReferences"] = refs
            else:
                dep["metadata"].pop("ownerReferences", None)
            c.rewrite(drt, dep)
    if held(meta):
        _mark(c, rt, obj)
        return
    if rt.group == "" and rt.kind == "Namespace":
        _terminate(c, rt, obj)
        return
    dependents = c.dependents(uid, _scope(rt, obj)) if propagation != "Orphan" else []
    if propagation == "Foreground" and dependents:
        meta["finalizers"] = [FOREGROUND]
        _mark(c, rt, obj)
        for drt, dep in dependents:
            delete(c, drt, dep, "Foreground")
        c.erase(rt, obj)
        return
    c.erase(rt, obj)
    if rt.group == "apiextensions.k8s.io" and rt.kind == "CustomResourceDefinition":
        for crt, instance in c.instances(obj):
            delete(c, crt, instance)
    for drt, dep in dependents:
        delete(c, drt, dep)


def _terminate(c: Collector, rt: ResourceType, ns: KubeObject) -> None:
    name = ns["metadata"]["name"]
    ns["status"] = {"phase": "Terminating"}
    _mark(c, rt, ns)
    for crt, child in c.contents(name):
        delete(c, crt, child)
    if not c.contents(name):
        c.erase(rt, ns)


def finalized(c: Collector, rt: ResourceType, obj: KubeObject) -> None:
    """An update removed the last finalizer of an object being deleted: it goes now, and so may its namespace."""
    c.erase(rt, obj)
    for drt, dep in c.dependents(str(obj["metadata"].get("uid") or ""), _scope(rt, obj)):
        delete(c, drt, dep)
    namespace = obj["metadata"].get("namespace")
    live = c.load_namespace(namespace) if namespace else None
    if live is not None and live["metadata"].get("deletionTimestamp") and not c.contents(namespace):
        ns_type = ResourceType("", "v1", "Namespace", "namespaces", False)
        c.erase(ns_type, live)
