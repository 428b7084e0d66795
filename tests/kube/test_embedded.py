"""The embedded SQLite cluster behaves like an API server: metadata, selectors, namespaces, CRDs,
conflicts, transactions, concurrent processes, readiness."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from helmpy.errors import KubeConflict, KubeError, KubeNotFound, WaitTimeout
from helmpy.kube.client import KubeClient
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.kube.selector import parse_selector


@pytest.fixture
def cluster(tmp_path: Path) -> EmbeddedCluster:
    return EmbeddedCluster(tmp_path / "cluster.db")


def cm(name: str, data: dict[str, str] | None = None, ns: str | None = None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": labels}
    if ns:
        meta["namespace"] = ns
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


POD_SPEC = {"containers": [{"name": "c", "image": "i"}]}
JOB_SPEC = {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}


def deploy(name: str, replicas: Any = 1, image: str = "nginx") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def test_implements_protocol(cluster: EmbeddedCluster) -> None:
    assert isinstance(cluster, KubeClient)
    assert cluster.server_version() == "v1.35.0"
    versions = cluster.api_versions()
    assert {"v1", "apps/v1", "batch/v1", "v1/Pod", "apps/v1/Deployment"} <= set(versions)


def test_create_sets_server_metadata(cluster: EmbeddedCluster) -> None:
    before = cluster.resource_version()
    obj = cluster.create(cm("a"))
    meta = obj["metadata"]
    assert meta["namespace"] == "default" and meta["generation"] == 1
    assert len(meta["uid"]) == 36 and meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) == before + 1
    other = cluster.create(cm("b"))
    assert other["metadata"]["uid"] != meta["uid"]
    assert int(other["metadata"]["resourceVersion"]) == before + 2
    assert cluster.get("v1", "ConfigMap", "a", "default") == obj


def test_create_existing_conflicts(cluster: EmbeddedCluster) -> None:
    cluster.create(cm("a"))
    with pytest.raises(KubeConflict, match='configmaps "a" already exists'):
        cluster.create(cm("a"))
    cluster.create(deploy("d"))
    with pytest.raises(KubeConflict, match='deployments.apps "d" already exists'):
        cluster.create(deploy("d"))


@pytest.mark.parametrize("name", ["Upper", "-x", "a_b", "x" * 254])
def test_invalid_names(cluster: EmbeddedCluster, name: str) -> None:
    with pytest.raises(KubeError, match="is invalid"):
        cluster.create(cm(name))


def test_generate_name(cluster: EmbeddedCluster) -> None:
    pod = {"containers": [{"name": "c", "image": "i"}]}
    made = {cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "job-"},
                            "spec": pod})["metadata"]["name"] for _ in range(5)}
    assert len(made) == 5 and all(n.startswith("job-") and len(n) == 9 for n in made)
    with pytest.raises(KubeError, match="metadata.name or metadata.generateName is required"):
        cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {}})


def test_replace_generation_and_conflicts(cluster: EmbeddedCluster) -> None:
    first = cluster.create(deploy("web"))
    changed = deploy("web", replicas=3)
    changed["metadata"]["resourceVersion"] = first["metadata"]["resourceVersion"]
    second = cluster.replace(changed)
    assert second["metadata"]["generation"] == 2
    assert second["metadata"]["uid"] == first["metadata"]["uid"]
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    # stale resourceVersion
    with pytest.raises(KubeConflict, match="the object has been modified"):
        cluster.replace(changed)
    # label-only change: new resourceVersion, same generation
    relabeled = deploy("web", replicas=3)
    relabeled["metadata"]["labels"] = {"x": "y"}
    third = cluster.replace(relabeled)
    assert third["metadata"]["generation"] == 2
    assert third["metadata"]["resourceVersion"] != second["metadata"]["resourceVersion"]
    # no change at all: no new resourceVersion
    assert cluster.replace(relabeled)["metadata"]["resourceVersion"] == third["metadata"]["resourceVersion"]
    with pytest.raises(KubeNotFound, match='deployments.apps "nope" not found'):
        cluster.replace(deploy("nope"))


def test_apply_create_update_and_unchanged(cluster: EmbeddedCluster) -> None:
    created = cluster.apply(cm("a", {"x": "1"}, app="web"))
    rv = cluster.resource_version()
    again = cluster.apply(cm("a", {"x": "1"}, app="web"))
    assert cluster.resource_version() == rv
    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    updated = cluster.apply(cm("a", {"x": "2"}, app="web"))
    assert updated["data"] == {"x": "2"} and int(updated["metadata"]["resourceVersion"]) == rv + 1
    assert updated["metadata"]["generation"] == 2
    assert [m["manager"] for m in updated["metadata"]["managedFields"]] == ["helmpy"]


def test_apply_keeps_fields_of_other_managers(cluster: EmbeddedCluster) -> None:
    cluster.apply(cm("a", {"x": "1"}, app="web", tier="front"))
    live = cluster.get("v1", "ConfigMap", "a")
    assert live is not None
    live["metadata"]["labels"]["added-by-kubectl"] = "yes"
    cluster.replace(live)
    result = cluster.apply(cm("a", {"x": "1"}, app="web"))  # helmpy drops "tier"
    assert result["metadata"]["labels"] == {"app": "web", "added-by-kubectl": "yes"}


def test_cluster_scoped_and_namespaces(cluster: EmbeddedCluster) -> None:
    assert cluster.is_namespaced("v1", "ConfigMap") is True
    assert cluster.is_namespaced("rbac.authorization.k8s.io/v1", "ClusterRole") is False
    for ns in ("default", "kube-system", "kube-public"):
        assert cluster.get("v1", "Namespace", ns) is not None
    with pytest.raises(KubeNotFound, match='namespaces "team" not found'):
        cluster.create(cm("a", ns="team"))
    assert cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})["status"] == {
        "phase": "Active"}
    cluster.create(cm("a", ns="team"))
    role = cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                           "metadata": {"name": "r", "namespace": "ignored"}, "rules": []})
    assert "namespace" not in role["metadata"]
    assert cluster.get("rbac.authorization.k8s.io/v1", "ClusterRole", "r", "whatever") is not None
    # deleting a namespace removes its contents
    assert cluster.delete("v1", "Namespace", "team") is True
    assert cluster.list("v1", "ConfigMap", "team") == []
    assert cluster.delete("v1", "Namespace", "team") is False


def test_unknown_kind(cluster: EmbeddedCluster) -> None:
    with pytest.raises(KubeError, match='no matches for kind "Widget" in version "example.com/v1"'):
        cluster.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    with pytest.raises(KubeError, match="no matches"):
        cluster.is_namespaced("example.com/v1", "Widget")


def test_crd_registers_kind(cluster: EmbeddedCluster) -> None:
    crd = cluster.create({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}})
    assert {c["type"] for c in crd["status"]["conditions"]} == {"NamesAccepted", "Established"}
    assert "example.com/v1/Widget" in cluster.api_versions()
    assert cluster.is_namespaced("example.com/v1", "Widget")
    cluster.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": 1}})
    assert [w["metadata"]["name"] for w in cluster.list("example.com/v1", "Widget")] == ["w"]
    cluster.wait_ready([crd], 1)
    cluster.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")
    with pytest.raises(KubeError, match="no matches"):
        cluster.list("example.com/v1", "Widget")


@pytest.mark.parametrize("selector, expected", [
    ("", ["a", "b", "c", "d"]),
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["c", "d"]),
    ("app in (web, db)", ["a", "b", "c"]),
    ("app notin (web)", ["c", "d"]),
    ("tier", ["a", "c"]),
    ("!tier", ["b", "d"]),
    ("app=web,tier=front", ["a"]),
    ("app in (web,db),!tier", ["b"]),
])
def test_label_selectors(cluster: EmbeddedCluster, selector: str, expected: list[str]) -> None:
    cluster.create(cm("a", app="web", tier="front"))
    cluster.create(cm("b", app="web"))
    cluster.create(cm("c", app="db", tier="back"))
    cluster.create(cm("d"))
    assert [o["metadata"]["name"] for o in cluster.list("v1", "ConfigMap", "default", selector)] == expected


@pytest.mark.parametrize("bad", ["app=", "=x", "a in x", "a,,b", "a b"])
def test_bad_selectors(bad: str) -> None:
    if bad == "app=":  # an empty value is legal
        assert parse_selector(bad)[0].values == ("",)
        return
    with pytest.raises(KubeError, match="invalid label selector"):
        parse_selector(bad)


def test_list_all_namespaces(cluster: EmbeddedCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    cluster.create(cm("one"))
    cluster.create(cm("two", ns="x"))
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in cluster.list("v1", "ConfigMap")] == [
        ("default", "one"), ("x", "two")]
    assert [o["metadata"]["name"] for o in cluster.list("v1", "ConfigMap", "x")] == ["two"]


def test_delete_and_garbage_collection(cluster: EmbeddedCluster) -> None:
    owner = cluster.create(deploy("web"))
    ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": owner["metadata"]["uid"]}
    child = cm("child")
    child["metadata"]["ownerReferences"] = [ref]
    cluster.create(child)
    orphan = cm("orphan")
    orphan["metadata"]["ownerReferences"] = [ref]
    assert cluster.delete("apps/v1", "Deployment", "web") is True
    assert cluster.get("v1", "ConfigMap", "child") is None
    assert cluster.delete("apps/v1", "Deployment", "web") is False
    owner = cluster.create(deploy("web2"))
    orphan["metadata"]["ownerReferences"] = [{**ref, "uid": owner["metadata"]["uid"]}]
    cluster.create(orphan)
    cluster.delete("apps/v1", "Deployment", "web2", propagation="Orphan")
    assert cluster.get("v1", "ConfigMap", "orphan") is not None


def test_transaction_rolls_back_on_exception(cluster: EmbeddedCluster) -> None:
    rv = cluster.resource_version()
    with pytest.raises(RuntimeError), cluster.transaction():
        cluster.create(cm("a"))
        with cluster.transaction():
            cluster.create(cm("b"))
        raise RuntimeError("boom")
    assert cluster.list("v1", "ConfigMap") == [] and cluster.resource_version() == rv


def test_transaction_abandoned_by_an_interrupt_is_undone(tmp_path: Path) -> None:
    """Ctrl-C right after BEGIN leaves the connection inside a transaction nobody tracks; the next write (the
    interrupted operation recording its revision as failed) must still work and be committed."""
    path = tmp_path / "c.db"
    cluster = EmbeddedCluster(path)
    cluster.create(cm("kept"))
    conn = cluster._conn()
    conn.execute("BEGIN IMMEDIATE")  # what the interrupted transaction() had done
    conn.execute("DELETE FROM objects")  # ... and a write of it that must not survive
    cluster.create(cm("after"))
    names = [o["metadata"]["name"] for o in EmbeddedCluster(path).list("v1", "ConfigMap")]
    assert names == ["after", "kept"]


def test_nested_transaction_rolls_back_inner_only(cluster: EmbeddedCluster) -> None:
    with cluster.transaction():
        cluster.create(cm("outer"))
        with pytest.raises(KubeConflict), cluster.transaction():
            cluster.create(cm("inner"))
            cluster.create(cm("outer"))  # conflict: the inner savepoint is undone
        assert cluster.get("v1", "ConfigMap", "inner") is None
    assert [o["metadata"]["name"] for o in cluster.list("v1", "ConfigMap")] == ["outer"]


def test_transaction_is_visible_to_other_connections_only_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    one, two = EmbeddedCluster(path), EmbeddedCluster(path)
    with one.transaction():
        one.create(cm("a"))
        assert two.get("v1", "ConfigMap", "a") is None
    assert two.get("v1", "ConfigMap", "a") is not None


def test_file_is_wal_and_schema_is_plain_rows(cluster: EmbeddedCluster) -> None:
    cluster.create(deploy("web"))
    db = sqlite3.connect(cluster.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = db.execute("SELECT api_group, version, kind, plural, namespace, name FROM objects "
                     "WHERE kind = 'Deployment'").fetchone()
    assert row == ("apps", "v1", "Deployment", "deployments", "default", "web")
    assert db.execute("SELECT type FROM changes ORDER BY resource_version DESC LIMIT 1").fetchone() == ("ADDED",)


def _writer(path: str, prefix: str, count: int) -> None:
    cluster = EmbeddedCluster(path)
    for i in range(count):
        cluster.create(cm(f"{prefix}-{i}"))
        if i % 2:
            obj = cluster.get("v1", "ConfigMap", f"{prefix}-{i}")
            assert obj is not None
            obj["data"] = {"k": "changed"}
            cluster.replace(obj)


def test_two_processes_write_concurrently(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    start = EmbeddedCluster(path).resource_version()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, p, 200)) for p in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    cluster = EmbeddedCluster(path)
    items = cluster.list("v1", "ConfigMap")
    assert len(items) == 400
    versions = [int(o["metadata"]["resourceVersion"]) for o in items]
    assert len(set(versions)) == 400
    assert cluster.resource_version() == start + 600  # 400 creates + 200 updates, none lost


def test_controller_makes_workloads_ready(cluster: EmbeddedCluster) -> None:
    objs = [cluster.create(deploy("web", 2)),
            cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": JOB_SPEC}),
            cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": POD_SPEC}),
            cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t"},
                            "spec": {**POD_SPEC, "restartPolicy": "Never"}}),
            cluster.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                            "spec": {"resources": {"requests": {"storage": "1Gi"}}}}),
            cluster.create({**deploy("s"), "kind": "StatefulSet"}),
            cluster.create({**deploy("ds"), "kind": "DaemonSet"}),
            cluster.create(cm("plain"))]
    # Pods run after the default pod-ready delay (tests/kube/test_pod_delay.py): nothing is ready yet
    assert "readyReplicas" not in objs[0]["status"] and objs[0]["status"]["replicas"] == 2
    assert objs[2]["status"]["phase"] == "Pending" and objs[3]["status"]["phase"] == "Pending"
    assert objs[4]["status"]["phase"] == "Bound"
    cluster.wait_ready(objs, 10)
    assert cluster.get("v1", "Pod", "p")["status"]["phase"] == "Running"
    assert cluster.get("v1", "Pod", "t")["status"]["phase"] == "Succeeded"
    # a spec change is observed again; the old Pods stay Ready while the new ones start
    scaled = cluster.replace(deploy("web", 5))
    assert scaled["status"]["observedGeneration"] == 2 and scaled["status"]["readyReplicas"] == 2
    cluster.wait_ready([scaled], 10)
    assert cluster.get("apps/v1", "Deployment", "web")["status"]["readyReplicas"] == 5


def test_controller_off_wait_times_out_naming_objects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_EMBEDDED_CONTROLLER", "0")
    cluster = EmbeddedCluster(tmp_path / "c.db")
    assert cluster.controller is False
    web = cluster.create(deploy("web", 2))
    job = cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": JOB_SPEC})
    ok = cluster.create(cm("plain"))
    with pytest.raises(WaitTimeout) as info:
        cluster.wait_ready([web, job, ok], 0.3)
    message = str(info.value)
    assert "Deployment/default/web not ready: Replicas: 0/2" in message
    assert "Job/default/j not ready: Job in progress" in message
    assert "plain" not in message and "2 resource(s)" in message
    # a controller (here: the test) writes status through the status subresource
    cluster.replace_status({**web, "status": {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2,
                                              "updatedReplicas": 2, "availableReplicas": 2,
                                              "conditions": [{"type": "Available", "status": "True"}]}})
    cluster.replace_status({**job, "status": {"conditions": [{"type": "Failed", "status": "True",
                                                              "reason": "BackoffLimitExceeded"}]}})
    cluster.wait_ready([web], 0.5)
    with pytest.raises(WaitTimeout, match=r"Job/default/j failed: Job failed; conditions: Failed=True "
                                          r"\(BackoffLimitExceeded\)"):
        cluster.wait_ready([job], 5)


def test_wait_for_missing_object(cluster: EmbeddedCluster) -> None:
    with pytest.raises(WaitTimeout, match="ConfigMap/default/ghost not found"):
        cluster.wait_ready([cm("ghost", ns="default")], 0.1)


def test_controller_param_overrides_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_EMBEDDED_CONTROLLER", "0")
    assert EmbeddedCluster(tmp_path / "c.db", controller=True).controller is True
    assert "status" not in EmbeddedCluster(tmp_path / "d.db", controller=False).create(deploy("x"))


def test_services_get_a_cluster_ip_and_node_ports_that_updates_keep(cluster: EmbeddedCluster) -> None:
    def svc(name: str, kind: str = "ClusterIP", **extra: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
                "spec": {"type": kind, "ports": [{"port": 80}], **extra}}

    a = cluster.apply(svc("a"))
    b = cluster.apply(svc("b", "NodePort"))
    headless = cluster.apply(svc("h", clusterIP="None"))
    assert a["spec"]["clusterIP"].startswith("10.96.") and a["spec"]["clusterIPs"] == [a["spec"]["clusterIP"]]
    assert b["spec"]["clusterIP"] != a["spec"]["clusterIP"]
    assert 30000 <= b["spec"]["ports"][0]["nodePort"] <= 32767
    assert headless["spec"]["clusterIP"] == "None"
    ext = cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "e", "namespace": "default"},
                         "spec": {"type": "ExternalName", "externalName": "example.com"}})
    assert "clusterIP" not in ext["spec"]
    # re-applying the same manifest (no clusterIP in it) is not a change; a real change keeps the allocations
    assert cluster.apply(svc("a"))["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"]
    assert cluster.apply(svc("b", "NodePort"))["metadata"]["resourceVersion"] == b["metadata"]["resourceVersion"]
    changed = cluster.apply(svc("b", "NodePort", selector={"app": "x"}))
    assert changed["metadata"]["generation"] == 2
    assert changed["spec"]["clusterIP"] == b["spec"]["clusterIP"]
    assert changed["spec"]["ports"][0]["nodePort"] == b["spec"]["ports"][0]["nodePort"]


@pytest.mark.parametrize("obj, message", [
    (deploy("web", "3"), 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string '
                         "into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (deploy("web", -1), 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or '
                        "equal to 0"),
    (cm("c", app=5), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into '
                     "Go struct field ObjectMeta.metadata.labels of type string"),
    ({**cm("c"), "metadata": {"name": "c", "annotations": ["x"]}},
     "cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type map[string]string"),
])
def test_type_errors_are_rejected_like_the_api_server(cluster: EmbeddedCluster, obj: dict[str, Any],
                                                      message: str) -> None:
    with pytest.raises(KubeError, match=re.escape(message)):
        cluster.create(obj)
    good = cluster.create(deploy("ok", 1))
    with pytest.raises(KubeError, match="spec.replicas"):
        cluster.apply({**good, "spec": {**good["spec"], "replicas": "x"}})
