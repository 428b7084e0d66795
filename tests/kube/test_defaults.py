"""The embedded cluster fills in kube-apiserver's defaults, so stored objects look like a real cluster's."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.kube.defaults import apply_defaults
from helmpy.kube.embedded import EmbeddedCluster


def _deploy(**container: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", **container}]}}}}


@pytest.fixture
def cluster(tmp_path: Path) -> EmbeddedCluster:
    return EmbeddedCluster(tmp_path / "c.db")


def test_deployment_defaults(cluster: EmbeddedCluster) -> None:
    probe = {"httpGet": {"port": 80}}
    got = cluster.create(_deploy(ports=[{"containerPort": 80}], readinessProbe=probe))
    spec = got["spec"]
    assert spec["replicas"] == 1 and spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    pod = spec["template"]["spec"]
    assert {k: pod[k] for k in ("restartPolicy", "terminationGracePeriodSeconds", "dnsPolicy", "securityContext",
                                "schedulerName")} == {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                                                      "dnsPolicy": "ClusterFirst", "securityContext": {},
                                                      "schedulerName": "default-scheduler"}
    container = pod["containers"][0]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["terminationMessagePolicy"] == "File" and container["imagePullPolicy"] == "IfNotPresent"
    assert container["readinessProbe"] == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                           "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def test_given_values_are_kept(cluster: EmbeddedCluster) -> None:
    obj = _deploy(imagePullPolicy="Never")
    obj["spec"].update(replicas=3, strategy={"type": "Recreate"}, revisionHistoryLimit=2)
    spec = cluster.create(obj)["spec"]
    assert spec["strategy"] == {"type": "Recreate"} and spec["replicas"] == 3 and spec["revisionHistoryLimit"] == 2
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"


@pytest.mark.parametrize("image, policy", [("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
                                           ("localhost:5000/nginx", "Always"), ("r.io:5000/a/b:v2", "IfNotPresent"),
                                           ("nginx@sha256:" + "a" * 64, "IfNotPresent")])
def test_image_pull_policy(image: str, policy: str) -> None:
    obj = apply_defaults("apps", "Deployment", _deploy(image=image))
    assert obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_service_defaults_and_allocation(cluster: EmbeddedCluster) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}}
    spec = cluster.create(svc)["spec"]
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}]
    assert spec["clusterIP"].startswith("10.96.") and spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"


def test_defaults_are_not_a_change(cluster: EmbeddedCluster) -> None:
    """Re-applying the manifest the defaults were added to is no write (no new resourceVersion)."""
    first = cluster.apply(_deploy())
    again = cluster.apply(_deploy())
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_other_kinds_untouched_and_pvc_volume_mode() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
    assert apply_defaults("", "ConfigMap", copy.deepcopy(cm)) == cm
    pvc = apply_defaults("", "PersistentVolumeClaim", {"spec": {"accessModes": ["ReadWriteOnce"]}})
    assert pvc["spec"]["volumeMode"] == "Filesystem"


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=12)
_container = st.fixed_dictionaries({"name": st.just("c")}, optional={
    "image": st.sampled_from(["nginx", "nginx:1", "a/b:latest"]) | _json, "ports": st.lists(_json, max_size=2),
    "livenessProbe": _json, "readinessProbe": st.fixed_dictionaries({}, optional={"httpGet": _json})})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("batch", "Job"),
                        ("", "Service"), ("", "Pod"), ("", "Secret")]),
       st.fixed_dictionaries({}, optional={"spec": st.fixed_dictionaries({}, optional={
           "template": st.fixed_dictionaries({}, optional={"spec": st.fixed_dictionaries({}, optional={
               "containers": st.lists(_container | _json, max_size=2)})}), "ports": st.lists(_json, max_size=2),
           "strategy": _json, "updateStrategy": _json, "containers": st.lists(_container, max_size=2)}) | _json,
           "stringData": _json}))
def test_defaulting_is_idempotent_and_never_crashes(kind: tuple[str, str], obj: dict[str, Any]) -> None:
    once = apply_defaults(*kind, copy.deepcopy(obj))
    assert apply_defaults(*kind, copy.deepcopy(once)) == once
