"""The embedded cluster's simulated controllers: the objects a healthy cluster makes, deterministically and at once.

Deployment -> ReplicaSet -> Pods, StatefulSet -> Pods and bound PVCs, DaemonSet, Job -> Succeeded Pods (saying
no container ran), Service -> Endpoints/EndpointSlice, garbage collection with each propagation policy and
namespace termination. Through real kubectl and Helm on ``cluster serve``: tests/server/kubeapi/test_simulated.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from helmpy.errors import KubeApiStatus
from helmpy.kube import readiness
from helmpy.kube.controllers.pods import NOT_RUN, simulated
from helmpy.kube.embedded import EmbeddedCluster


def web(image: str = "nginx:1.27", replicas: int = 2) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                         {"name": "c", "image": image, "ports": [{"name": "http", "containerPort": 8080}]}]}}}}


SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}
DB = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
      "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
               "template": {"metadata": {"labels": {"app": "db"}},
                            "spec": {"containers": [{"name": "pg", "image": "postgres:17"}]}},
               "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                   "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}]}}


@pytest.fixture
def cluster(tmp_path: Path) -> EmbeddedCluster:
    """Pods run at once: the converged state each controller reaches (the delay: test_pod_delay.py)."""
    return EmbeddedCluster(tmp_path / "c.db", pod_ready_delay=0)


def names(cluster: EmbeddedCluster, api: str, kind: str, namespace: str | None = "default") -> list[str]:
    return [o["metadata"]["name"] for o in cluster.list(api, kind, namespace)]


def events(db: Path, since: int) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT type, kind, name FROM changes WHERE resource_version > ? ORDER BY "
                            "resource_version", (since,)).fetchall()


def test_deployment_makes_a_replicaset_and_ready_pods(cluster) -> None:
    dep = cluster.apply(web(), field_manager="helm")
    [rs] = cluster.list("apps/v1", "ReplicaSet", "default")
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_hash}" and len(pod_hash) == 10
    assert rs["metadata"]["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                                  "uid": dep["metadata"]["uid"], "controller": True,
                                                  "blockOwnerDeletion": True}]
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_hash}
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    pods = cluster.list("v1", "Pod", "default")
    assert len(pods) == 2 and all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"] for p in pods)
    assert all(p["metadata"]["labels"] == {"app": "web", "pod-template-hash": pod_hash} for p in pods)
    assert all(readiness.check(p).ready and p["spec"]["nodeName"] == "helmpy-node" for p in pods)
    assert len({p["status"]["podIP"] for p in pods}) == 2
    assert [m["manager"] for m in pods[0]["metadata"]["managedFields"]] == ["kube-controller-manager"]
    status = cluster.get("apps/v1", "Deployment", "web", "default")["status"]
    assert {k: status[k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")} == \
        {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}
    assert readiness.check(cluster.get("apps/v1", "Deployment", "web", "default")).ready


def test_names_are_deterministic(tmp_path) -> None:
    made = []
    for run in ("a", "b"):
        cluster = EmbeddedCluster(tmp_path / f"{run}.db", pod_ready_delay=0)
        cluster.apply(web())
        made.append((names(cluster, "apps/v1", "ReplicaSet"), names(cluster, "v1", "Pod")))
    assert made[0] == made[1]


def test_a_new_template_rolls_out_a_new_replicaset(cluster) -> None:
    cluster.apply(web())
    first = names(cluster, "apps/v1", "ReplicaSet")
    cluster.apply(web("nginx:1.28"))
    sets = {o["metadata"]["name"]: o for o in cluster.list("apps/v1", "ReplicaSet", "default")}
    [new] = [n for n in sets if n not in first]
    assert sets[first[0]]["spec"]["replicas"] == 0 and sets[new]["spec"]["replicas"] == 2
    assert sets[new]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    pods = cluster.list("v1", "Pod", "default")
    assert {p["metadata"]["ownerReferences"][0]["name"] for p in pods} == {new}
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.28"}
    dep = cluster.get("apps/v1", "Deployment", "web", "default")
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert f'ReplicaSet "{new}" has successfully progressed.' in readiness.describe_conditions(dep)


def test_a_deleted_pod_is_replaced_and_scaling_follows(cluster) -> None:
    cluster.apply(web())
    victim = cluster.list("v1", "Pod", "default")[0]
    cluster.delete("v1", "Pod", victim["metadata"]["name"], "default")
    pods = cluster.list("v1", "Pod", "default")
    assert len(pods) == 2 and victim["metadata"]["uid"] not in {p["metadata"]["uid"] for p in pods}
    cluster.apply(web(replicas=5))
    assert len(cluster.list("v1", "Pod", "default")) == 5
    cluster.apply(web(replicas=1))
    assert len(cluster.list("v1", "Pod", "default")) == 1
    assert cluster.get("apps/v1", "Deployment", "web", "default")["status"]["readyReplicas"] == 1


def test_service_endpoints_follow_the_selected_pods(cluster) -> None:
    cluster.apply(SERVICE)
    assert "subsets" not in cluster.get("v1", "Endpoints", "web", "default")
    cluster.apply(web())
    pods = {p["metadata"]["name"]: p["status"]["podIP"] for p in cluster.list("v1", "Pod", "default")}
    ep = cluster.get("v1", "Endpoints", "web", "default")
    [subset] = ep["subsets"]
    assert {a["targetRef"]["name"]: a["ip"] for a in subset["addresses"]} == pods
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]  # the named targetPort
    [eps] = cluster.list("discovery.k8s.io/v1", "EndpointSlice", "default")
    assert eps["metadata"]["labels"]["kubernetes.io/service-name"] == "web"
    assert sorted(e["addresses"][0] for e in eps["endpoints"]) == sorted(pods.values())
    cluster.delete("apps/v1", "Deployment", "web", "default")
    assert "subsets" not in cluster.get("v1", "Endpoints", "web", "default")
    cluster.delete("v1", "Service", "web", "default")
    assert names(cluster, "v1", "Endpoints") == [] and names(cluster, "discovery.k8s.io/v1", "EndpointSlice") == []


def test_statefulset_pods_and_claims_from_templates(cluster) -> None:
    cluster.apply(DB)
    assert names(cluster, "v1", "Pod") == ["db-0", "db-1"]
    claims = cluster.list("v1", "PersistentVolumeClaim", "default")
    assert [c["metadata"]["name"] for c in claims] == ["data-db-0", "data-db-1"]
    assert all(c["status"]["phase"] == "Bound" and c["spec"]["storageClassName"] == "standard" for c in claims)
    volumes = {v["metadata"]["name"]: v for v in cluster.list("v1", "PersistentVolume")}
    assert set(volumes) == {c["spec"]["volumeName"] for c in claims}
    assert all(v["spec"]["capacity"] == {"storage": "2Gi"} for v in volumes.values())
    pod = cluster.get("v1", "Pod", "db-0", "default")
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}} in pod["spec"]["volumes"]
    assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "db-0"
    assert readiness.check(cluster.get("apps/v1", "StatefulSet", "db", "default")).ready
    cluster.delete("apps/v1", "StatefulSet", "db", "default")
    assert names(cluster, "v1", "Pod") == [] and len(names(cluster, "v1", "PersistentVolumeClaim")) == 2  # Retain


def test_claims_bind_or_stay_pending_and_release_their_volume(cluster) -> None:
    def claim(name: str, **spec: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, **spec}}

    bound = cluster.apply(claim("a"))
    assert bound["status"]["phase"] == "Bound" and bound["spec"]["volumeName"] == f"pvc-{bound['metadata']['uid']}"
    assert cluster.apply(claim("b", storageClassName="no-such-class"))["status"] == {"phase": "Pending"}
    cluster.delete("v1", "PersistentVolumeClaim", "a", "default")
    assert names(cluster, "v1", "PersistentVolume", None) == []


def test_daemonset_runs_one_pod_on_the_simulated_node(cluster) -> None:
    ds = web()
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    cluster.apply(ds)
    [pod] = cluster.list("v1", "Pod", "default")
    assert pod["spec"]["nodeName"] == "helmpy-node" and [n["metadata"]["name"] for n in cluster.list("v1", "Node")] \
        == ["helmpy-node"]
    assert readiness.check(cluster.get("apps/v1", "DaemonSet", "web", "default")).ready


def test_jobs_and_test_pods_succeed_saying_nothing_ran(cluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "default"},
           "spec": {"completions": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}}}
    live = cluster.create(job)
    uid = live["metadata"]["uid"]
    assert live["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert live["status"]["succeeded"] == 2 and readiness.check(live).ready
    assert all(NOT_RUN in c["message"] for c in live["status"]["conditions"])
    pods = cluster.list("v1", "Pod", "default", label_selector="job-name=migrate")
    assert len(pods) == 2 and {p["status"]["phase"] for p in pods} == {"Succeeded"}
    assert pods[0]["status"]["reason"] == "Simulated" and pods[0]["status"]["message"] == NOT_RUN
    terminated = pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["reason"] == "Simulated" and terminated["message"] == NOT_RUN
    test_pod = cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t", "namespace": "default"},
                               "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}})
    assert test_pod["status"]["phase"] == "Succeeded" and test_pod["status"]["message"] == NOT_RUN
    # what helmpy test and hooks read: simulated, unlike what a real kubelet / Job controller writes
    assert simulated(live) and simulated(test_pod) and all(simulated(p) for p in pods)
    real_pod = {"kind": "Pod", "status": {"phase": "Succeeded", "containerStatuses": [{"state": {"terminated": {
        "exitCode": 0, "reason": "Completed"}}}]}}
    real_job = {"kind": "Job", "status": {"succeeded": 1, "conditions": [
        {"type": "Complete", "status": "True", "reason": "CompletionsReached",
         "message": "Reached expected number of succeeded pods"}]}}
    assert not any(simulated(o) for o in (real_pod, real_job, None, {"kind": "ConfigMap"},
                                          cluster.get("v1", "Node", "helmpy-node")))


def test_background_foreground_and_orphan_deletion(cluster, tmp_path) -> None:
    cluster.apply(web())
    start = cluster.resource_version()
    cluster.delete("apps/v1", "Deployment", "web", "default")
    kinds = [(t, k) for t, k, _ in events(tmp_path / "c.db", start)]
    assert kinds[0] == ("DELETED", "Deployment") and set(kinds[1:]) == {("DELETED", "ReplicaSet"), ("DELETED", "Pod")}
    assert names(cluster, "apps/v1", "ReplicaSet") == [] and names(cluster, "v1", "Pod") == []

    cluster.apply(web())
    start = cluster.resource_version()
    cluster.delete("apps/v1", "Deployment", "web", "default", propagation="Foreground")
    kinds = [(t, k) for t, k, _ in events(tmp_path / "c.db", start)]
    assert kinds[0] == ("MODIFIED", "Deployment") and kinds[-1] == ("DELETED", "Deployment")
    assert names(cluster, "v1", "Pod") == []

    cluster.apply(web())
    cluster.delete("apps/v1", "Deployment", "web", "default", propagation="Orphan")
    [rs] = cluster.list("apps/v1", "ReplicaSet", "default")
    assert "ownerReferences" not in rs["metadata"] and len(cluster.list("v1", "Pod", "default")) == 2


def test_namespace_terminates_then_goes(cluster, tmp_path) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    app = web()
    app["metadata"]["namespace"] = "team"
    cluster.apply(app)
    held = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "namespace": "team",
                                                                  "finalizers": ["example.com/hold"]}}
    cluster.create(held)
    start = cluster.resource_version()
    cluster.delete("v1", "Namespace", "team")
    ns = cluster.get("v1", "Namespace", "team")
    assert ns["status"]["phase"] == "Terminating" and ns["metadata"]["deletionTimestamp"]
    assert events(tmp_path / "c.db", start)[0] == ("MODIFIED", "Namespace", "team")
    assert names(cluster, "v1", "Pod", "team") == [] and names(cluster, "v1", "ConfigMap", "team") == ["held"]
    with pytest.raises(KubeApiStatus, match='configmaps is forbidden: unable to create new content in namespace team '
                                            "because it is being terminated") as info:
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "namespace": "team"}})
    assert info.value.code == 403
    live = cluster.get("v1", "ConfigMap", "held", "team")
    live["metadata"]["finalizers"] = []
    cluster.replace(live)
    assert cluster.get("v1", "ConfigMap", "held", "team") is None and cluster.get("v1", "Namespace", "team") is None


def test_controllers_off_make_nothing(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db", controller=False)
    cluster.apply(web())
    assert names(cluster, "apps/v1", "ReplicaSet") == [] and "status" not in json.loads(
        json.dumps(cluster.get("apps/v1", "Deployment", "web", "default")))
