"""Deployment -> ReplicaSets -> Pods, StatefulSet -> Pods and PVCs, DaemonSet -> a Pod on the simulated Node.

As kube-controller-manager names and labels them: a Deployment's ReplicaSet is ``<name>-<pod-template-hash>``
(one per distinct template, the older ones scaled to 0 and kept up to ``revisionHistoryLimit``), its Pods
``<rs>-<suffix>``; a StatefulSet's Pods are ``<name>-<ordinal>`` with claims ``<template>-<name>-<ordinal>``;
every child has a controller ownerReference (so deleting the owner cascades, :mod:`.gc`).

Statuses count the Pods as they are: a new Pod is Pending until the cluster's ``pod_ready_delay`` has passed
(:mod:`.pods`), and when it becomes Ready its owners are reconciled again (:func:`top_owner`). So a Deployment
is first ``Available=False``/``Progressing: NewReplicaSetCreated`` and ends ``NewReplicaSetAvailable``; its old
ReplicaSets keep their Pods until the new one is fully available (``Recreate`` drops them at once); an
``OrderedReady`` StatefulSet makes Pod N+1 once Pod N is Ready; the ``currentRevision`` follows the update
once every Pod runs it.
"""

from __future__ import annotations

import math
from typing import Any

from helmpy.kube.client import KubeObject, clone
from helmpy.kube.controllers import NODE_NAME, Store, now, owner_reference, pod_ready, suffix, template_hash

REVISION = "deployment.kubernetes.io/revision"


def _spec(obj: KubeObject) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _replicas(obj: KubeObject) -> int:
    value = _spec(obj).get("replicas")
    return 1 if value is None else int(value)


def _template(obj: KubeObject) -> dict[str, Any]:
    template = _spec(obj).get("template")
    return clone(template) if isinstance(template, dict) else {}


def _pod(store: Store, owner: KubeObject, template: dict[str, Any], name: str, labels: dict[str, str]) -> KubeObject:
    """A Pod from ``template``, owned by ``owner``, on the simulated Node (what the scheduler would bind)."""
    meta = template.get("metadata") or {}
    spec = clone(template.get("spec") or {})
    spec["nodeName"] = NODE_NAME
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    spec.setdefault("tolerations", [
        {"key": f"node.kubernetes.io/{t}", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        for t in ("not-ready", "unreachable")])
    pod_meta: dict[str, Any] = {"name": name, "namespace": owner["metadata"]["namespace"], "labels": labels,
                                "ownerReferences": [owner_reference(owner)]}
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}
    return store.save(store.kind("v1", "Pod"), pod)


def _status_counts(pods: list[KubeObject]) -> tuple[int, int]:
    return len(pods), sum(1 for p in pods if pod_ready(p))


# --- ReplicaSet ---------------------------------------------------------------------------------------------
def replicaset(store: Store, rs: KubeObject, old: KubeObject | None) -> None:
    pod_type = store.kind("v1", "Pod")
    meta = rs["metadata"]
    pods = store.owned(pod_type, meta["namespace"], meta["uid"]) if old is not None else []
    want = _replicas(rs)
    for extra in pods[want:]:
        store.drop(pod_type, extra)
    pods = pods[:want]
    template = _template(rs)
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    taken = {p["metadata"]["name"] for p in pods}
    seed = 0
    while len(pods) < want:
        name = f"{meta['name']}-{suffix(meta['name'] + '/' + str(seed))}"
        seed += 1
        if name not in taken:
            taken.add(name)
            pods.append(_pod(store, rs, template, name, labels))
    count, ready = _status_counts(pods)
    status = {"replicas": count, "fullyLabeledReplicas": count, "readyReplicas": ready, "availableReplicas": ready}
    rs["status"] = {"observedGeneration": meta.get("generation", 1),
                    **{k: v for k, v in status.items() if v or k == "replicas"}}


# --- Deployment ---------------------------------------------------------------------------------------------
def _rolling(spec: dict[str, Any], key: str, replicas: int, round_up: bool) -> int:
    """maxSurge (rounded up) or maxUnavailable (rounded down) of a RollingUpdate strategy, as a count."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or replicas == 0:
        return 0
    value = (strategy.get("rollingUpdate") or {}).get(key, "25%")
    if isinstance(value, str) and value.endswith("%"):
        share = replicas * int(value[:-1] or 0) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value or 0)


def condition(before: list[dict[str, Any]] | None, ctype: str, status: str, reason: str, message: str,
              stamp: str) -> dict[str, Any]:
    """A workload condition; unchanged it keeps its times (no write), a new reason moves ``lastUpdateTime``."""
    old = next((c for c in before or [] if isinstance(c, dict) and c.get("type") == ctype), None)
    same_status = old is not None and old.get("status") == status
    same = same_status and old is not None and (old.get("reason"), old.get("message")) == (reason, message)
    return {"type": ctype, "status": status, "reason": reason, "message": message,
            "lastTransitionTime": old["lastTransitionTime"] if same_status and old else stamp,
            "lastUpdateTime": old["lastUpdateTime"] if same and old else stamp}


def _revision(rs: KubeObject) -> int:
    try:
        return int(((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION) or 0)
    except ValueError:
        return 0


def deployment(store: Store, dep: KubeObject, old: KubeObject | None) -> None:
    rs_type = store.kind("apps/v1", "ReplicaSet")
    meta, spec = dep["metadata"], _spec(dep)
    namespace, replicas = meta["namespace"], _replicas(dep)
    owned = store.owned(rs_type, namespace, meta["uid"]) if old is not None else []
    template = _template(dep)
    pod_hash = template_hash(template)
    template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
    current = next((rs for rs in owned if (rs["metadata"].get("labels") or {}).get("pod-template-hash") == pod_hash),
                   None)
    newest = max((_revision(rs) for rs in owned), default=0)
    revision = _revision(current) if current is not None and _revision(current) == newest else newest + 1
    selector = clone(spec.get("selector") or {})
    selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
    rs: dict[str, Any] = clone(current) if current is not None else {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"{meta['name']}-{pod_hash}", "namespace": namespace,
                     "ownerReferences": [owner_reference(dep)]}}
    rs["metadata"]["labels"] = dict(template["metadata"]["labels"])
    rs["metadata"]["annotations"] = {**(rs["metadata"].get("annotations") or {}),
                                     "deployment.kubernetes.io/desired-replicas": str(replicas),
                                     "deployment.kubernetes.io/max-replicas":
                                         str(replicas + _rolling(spec, "maxSurge", replicas, True)),
                                     REVISION: str(revision)}
    rs["spec"] = {"replicas": replicas, "minReadySeconds": spec.get("minReadySeconds", 0), "selector": selector,
                  "template": template}
    created = current is None
    new_rs = store.save(rs_type, rs)
    everything = [new_rs]
    new_status = new_rs.get("status") or {}
    # old sets keep their Pods until the new one is fully available (all at once under Recreate)
    settled = int(new_status.get("availableReplicas") or 0) >= replicas or \
        (spec.get("strategy") or {}).get("type") == "Recreate"
    old_sets = sorted((r for r in owned if r["metadata"]["name"] != new_rs["metadata"]["name"]), key=_revision)
    for other in old_sets:
        if settled and _replicas(other) != 0:
            other = clone(other)
            other["spec"]["replicas"] = 0
            other = store.save(rs_type, other)
        everything.append(other)
    limit = int(spec.get("revisionHistoryLimit", 10))
    for stale in old_sets[:max(len(old_sets) - limit, 0)]:
        if _replicas(stale) == 0 or settled:
            store.drop(rs_type, stale)
    meta.setdefault("annotations", {})[REVISION] = str(revision)
    dep["status"] = _deployment_status(dep, new_rs, everything, created)


def _deployment_status(dep: KubeObject, new_rs: KubeObject, everything: list[KubeObject], created: bool
                       ) -> dict[str, Any]:
    meta, spec, replicas = dep["metadata"], _spec(dep), _replicas(dep)

    def total(key: str) -> int:
        return sum(int((r.get("status") or {}).get(key) or 0) for r in everything)

    updated = int((new_rs.get("status") or {}).get("replicas") or 0)
    available = total("availableReplicas")
    done = updated == replicas and total("replicas") == replicas and available >= replicas
    before = (dep.get("status") or {}).get("conditions")
    stamp, rs_name = now(), new_rs["metadata"]["name"]
    if available >= replicas - _rolling(spec, "maxUnavailable", replicas, False):
        cond_available = condition(before, "Available", "True", "MinimumReplicasAvailable",
                                   "Deployment has minimum availability.", stamp)
    else:
        cond_available = condition(before, "Available", "False", "MinimumReplicasUnavailable",
                                   "Deployment does not have minimum availability.", stamp)
    if done:
        progress = ("NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.')
    elif created:
        progress = ("NewReplicaSetCreated", f'Created new replica set "{rs_name}"')
    else:
        progress = ("ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
    status: dict[str, Any] = {
        "observedGeneration": meta.get("generation", 1), "replicas": total("replicas"), "updatedReplicas": updated,
        "readyReplicas": total("readyReplicas"), "availableReplicas": available,
        "conditions": [cond_available, condition(before, "Progressing", "True", *progress, stamp)]}
    if total("replicas") - available > 0:
        status["unavailableReplicas"] = total("replicas") - available
    return {k: v for k, v in status.items() if v != 0 or k == "observedGeneration"}  # omitempty, as served


# --- StatefulSet --------------------------------------------------------------------------------------------
def statefulset(store: Store, sts: KubeObject, old: KubeObject | None) -> None:
    pod_type = store.kind("v1", "Pod")
    meta, spec = sts["metadata"], _spec(sts)
    namespace, name, replicas = meta["namespace"], meta["name"], _replicas(sts)
    template = _template(sts)
    revision = f"{name}-{template_hash(template)}"
    pods: list[KubeObject] = []
    ordered = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
    for existing in (store.owned(pod_type, namespace, meta["uid"]) if old is not None else []):
        ordinal = existing["metadata"]["name"].rsplit("-", 1)[-1]
        if not ordinal.isdigit() or int(ordinal) >= replicas:
            store.drop(pod_type, existing)
    for i in range(replicas):
        pod_name = f"{name}-{i}"
        live = store.load(pod_type, namespace, pod_name) if old is not None else None
        if live is not None and (live["metadata"].get("labels") or {}).get("controller-revision-hash") == revision:
            pods.append(live)
            continue
        if ordered and not all(pod_ready(p) for p in pods):  # OrderedReady: Pod i once Pods 0..i-1 are Ready
            if live is not None:
                pods.append(live)
            continue
        if live is not None:
            store.drop(pod_type, live)
        pods.append(_pod(store, sts, _ordinal_template(store, sts, template, i, revision), pod_name,
                         _ordinal_labels(template, i, revision, pod_name)))
    sts["status"] = _statefulset_status(sts, pods, revision)


def _ordinal_template(store: Store, sts: KubeObject, template: dict[str, Any], i: int, revision: str
                      ) -> dict[str, Any]:
    """Pod ``i``'s template: hostname, subdomain and its claims (each made, bound, when missing)."""
    pvc_type = store.kind("v1", "PersistentVolumeClaim")
    meta, spec = sts["metadata"], _spec(sts)
    namespace, name = meta["namespace"], meta["name"]
    selector_labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
    volumes = []
    for claim in spec.get("volumeClaimTemplates") or []:
        claim_meta = claim.get("metadata") or {}
        claim_name = f"{claim_meta.get('name')}-{name}-{i}"
        if store.load(pvc_type, namespace, claim_name) is None:
            store.save(pvc_type, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {
                "name": claim_name, "namespace": namespace,
                "labels": {**(claim_meta.get("labels") or {}), **selector_labels}},
                "spec": clone(claim.get("spec") or {})})
        volumes.append({"name": str(claim_meta.get("name") or ""), "persistentVolumeClaim": {"claimName": claim_name}})
    pod_template = clone(template)
    pod_template.setdefault("spec", {})["hostname"] = f"{name}-{i}"
    if spec.get("serviceName"):
        pod_template["spec"]["subdomain"] = spec["serviceName"]
    if volumes:
        pod_template["spec"]["volumes"] = [*(pod_template["spec"].get("volumes") or []), *volumes]
    return pod_template


def _ordinal_labels(template: dict[str, Any], i: int, revision: str, pod_name: str) -> dict[str, str]:
    return {**((template.get("metadata") or {}).get("labels") or {}), "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": pod_name}


def _statefulset_status(sts: KubeObject, pods: list[KubeObject], revision: str) -> dict[str, Any]:
    """Counts of the Pods as they are; ``currentRevision`` moves to the update once every Pod is updated and Ready."""
    before = sts.get("status") or {}
    at = [(p["metadata"].get("labels") or {}).get("controller-revision-hash") for p in pods]
    count, ready = _status_counts(pods)
    updated = at.count(revision)
    current = revision if updated == _replicas(sts) and ready == updated else \
        before.get("currentRevision") or revision
    status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": count, "readyReplicas": ready,
              "currentReplicas": at.count(current), "updatedReplicas": updated, "availableReplicas": ready,
              "currentRevision": current, "updateRevision": revision, "collisionCount": 0}
    return {k: v for k, v in status.items() if v != 0 or k in ("observedGeneration", "replicas", "collisionCount")}


# --- DaemonSet ----------------------------------------------------------------------------------------------
def daemonset(store: Store, ds: KubeObject, old: KubeObject | None) -> None:
    pod_type = store.kind("v1", "Pod")
    meta = ds["metadata"]
    template = _template(ds)
    revision = template_hash(template)
    pods = store.owned(pod_type, meta["namespace"], meta["uid"]) if old is not None else []
    current = [p for p in pods if (p["metadata"].get("labels") or {}).get("controller-revision-hash") == revision]
    keep = current[0]["metadata"]["name"] if current else None
    for stale in pods:
        if stale["metadata"]["name"] != keep:
            store.drop(pod_type, stale)
    current = current[:1]
    if not current:
        labels = {**((template.get("metadata") or {}).get("labels") or {}), "controller-revision-hash": revision,
                  "pod-template-generation": str(meta.get("generation", 1))}
        current = [_pod(store, ds, template, f"{meta['name']}-{suffix(meta['name'] + '/' + revision)}", labels)]
    ready = 1 if pod_ready(current[0]) else 0
    ds["status"] = {"observedGeneration": meta.get("generation", 1), "desiredNumberScheduled": 1,
                    "currentNumberScheduled": 1, "updatedNumberScheduled": 1, "numberMisscheduled": 0,
                    "numberReady": ready, "numberAvailable": ready}


# --- a controller's Pod went away -----------------------------------------------------------------------------
def replace_pod(store: Store, pod: KubeObject, ref: dict[str, object]) -> None:
    """A ReplicaSet, StatefulSet or DaemonSet makes up for a deleted Pod (unless the owner is gone too)."""
    kinds = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1"}
    kind = str(ref.get("kind"))
    if kind not in kinds or ref.get("apiVersion") != kinds[kind]:
        return
    rt = store.kind(kinds[kind], kind)
    owner = store.load(rt, pod["metadata"]["namespace"], str(ref.get("name")))
    if owner is None or owner["metadata"].get("uid") != ref.get("uid") or owner["metadata"].get("deletionTimestamp") \
            or store.reconciling(str(ref.get("uid"))):
        return
    store.save(rt, owner)
