"""Readiness rules on plain objects (what wait_ready uses for any backend)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from helmpy.kube.readiness import check, describe_conditions


def obj(kind: str, spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None,
        generation: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind, "metadata": {"name": "x", "generation": generation}, "spec": spec or {}}
    if status is not None:
        out["status"] = status
    return out


AVAILABLE = [{"type": "Available", "status": "True"}]


@pytest.mark.parametrize("o, ready", [
    (obj("Deployment", {"replicas": 2}, {"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 2,
                                         "availableReplicas": 2, "conditions": AVAILABLE}), True),
    (obj("Deployment", {"replicas": 2}, {"observedGeneration": 1, "readyReplicas": 1, "updatedReplicas": 2,
                                         "availableReplicas": 1, "conditions": AVAILABLE}), False),
    (obj("Deployment", {"replicas": 1}, {"observedGeneration": 1, "readyReplicas": 1, "updatedReplicas": 1,
                                         "availableReplicas": 1, "conditions": AVAILABLE}, generation=2), False),
    # mid rolling update: the old Pods are still Ready, the new ones are not yet
    (obj("Deployment", {"replicas": 2}, {"observedGeneration": 1, "replicas": 4, "readyReplicas": 2,
                                         "updatedReplicas": 2, "availableReplicas": 2, "conditions": AVAILABLE}), False),
    (obj("Deployment", {"replicas": 2}, {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2,
                                         "updatedReplicas": 2, "availableReplicas": 2, "conditions": [
                                             *AVAILABLE, {"type": "Progressing", "status": "True",
                                                          "reason": "ReplicaSetUpdated"}]}), False),
    (obj("Deployment", {"replicas": 2}, {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2,
                                         "updatedReplicas": 2, "availableReplicas": 2, "conditions": [
                                             *AVAILABLE, {"type": "Progressing", "status": "True",
                                                          "reason": "NewReplicaSetAvailable"}]}), True),
    (obj("Deployment", {"replicas": 0}, {"observedGeneration": 1}), True),
    (obj("Deployment", {"replicas": 0}, {}), False),  # the controller has not looked yet
    (obj("StatefulSet", {}, {"readyReplicas": 1, "currentRevision": "a", "updateRevision": "b"}), False),
    (obj("StatefulSet", {}, {"observedGeneration": 1, "readyReplicas": 1, "currentRevision": "b",
                             "updateRevision": "b"}), True),
    (obj("DaemonSet", {}, {"observedGeneration": 1, "desiredNumberScheduled": 2, "numberReady": 2, "updatedNumberScheduled": 2,
                           "numberAvailable": 2}), True),
    (obj("DaemonSet", {}, {}), False),
    (obj("Job", {}, {"conditions": [{"type": "Complete", "status": "True"}]}), True),
    (obj("Job", {}, {"active": 1}), False),
    (obj("Pod", {}, {"phase": "Succeeded"}), True),
    (obj("Pod", {}, {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}), True),
    (obj("Pod", {}, {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}), False),
    (obj("PersistentVolumeClaim", {}, {"phase": "Bound"}), True),
    (obj("PersistentVolumeClaim", {}, {"phase": "Pending"}), False),
    (obj("Service", {"type": "ClusterIP"}), True),
    (obj("Service", {"type": "LoadBalancer"}, {"loadBalancer": {}}), False),
    (obj("ConfigMap"), True),
    (obj("Widget", {}, {"conditions": [{"type": "Ready", "status": "False"}]}), False),
])
def test_rules(o: dict[str, Any], ready: bool) -> None:
    assert check(o).ready is ready


def test_failures_are_final() -> None:
    assert check(obj("Job", {}, {"conditions": [{"type": "Failed", "status": "True"}]})).failed
    assert check(obj("Pod", {}, {"phase": "Failed"})).failed


def test_describe_conditions() -> None:
    o = obj("Deployment", status={"conditions": [
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "0 of 1"}]})
    assert describe_conditions(o) == "Available=False (MinimumReplicasUnavailable: 0 of 1)"
    assert describe_conditions(obj("Pod")) == "no conditions"


def test_wait_reports_progress_until_ready(tmp_path: Path) -> None:
    import io
    import threading

    from helmpy.kube.embedded import EmbeddedCluster

    out = io.StringIO()
    cluster = EmbeddedCluster(tmp_path / "c.db", controller=False, progress=out)
    web = cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
                              "metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    plain = cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}})
    cluster.wait_ready([plain], 1)
    assert out.getvalue() == ""  # nothing to wait for: silent

    def become_ready() -> None:
        time.sleep(0.4)
        cluster.replace_status({**web, "status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1,
                                                  "updatedReplicas": 1, "availableReplicas": 1,
                                                  "conditions": [{"type": "Available", "status": "True"}]}})

    thread = threading.Thread(target=become_ready)
    thread.start()
    cluster.wait_ready([web, plain], 10)
    thread.join()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("helmpy: waiting for 1 of 2 resource(s) to be ready (")
    assert lines[0].endswith("s left): Deployment/default/web")
    assert lines[-1] == "helmpy: all 2 resource(s) are ready"
