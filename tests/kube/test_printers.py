"""kubectl's columns per kind, shared by ``cluster serve``'s Table answers and ``helmpy status``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from helmpy.cli.release_output import resource_table
from helmpy.kube.printers import cell_text, columns_for, human_duration, jsonpath, printer_columns, row, since
from helmpy.server.kubeapi.tables import table

NOW = datetime(2025, 1, 2, 12, 0, 0, tzinfo=UTC)


def cells(obj: dict[str, Any], now: datetime | None = NOW, *, wide: bool = True) -> dict[str, Any]:
    columns = [c for c in columns_for(str(obj.get("kind", ""))) if wide or c.priority == 0]
    return dict(zip([c.name for c in columns], row(obj, columns, now), strict=True))


def test_column_order_name_own_columns_age_then_wide() -> None:
    names = [c.name for c in columns_for("Deployment")]
    assert names == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]
    assert [c.name for c in columns_for("Role")] == ["Name", "Created At"]
    assert [c.name for c in columns_for("Gadget")] == ["Name", "Age"]  # unknown kinds: NAME and AGE only
    assert [c.name for c in columns_for("StorageClass")] == [
        "Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]


def test_age_is_kubectls_human_duration() -> None:
    obj = {"kind": "ConfigMap", "metadata": {"name": "c", "creationTimestamp": "2025-01-02T11:56:40Z"}}
    assert cells(obj)["Age"] == "3m20s"
    assert cells(obj, now=None)["Age"] == "<unknown>"
    assert cells({"kind": "ConfigMap", "metadata": {"name": "c"}})["Age"] == "<unknown>"
    assert since("not a time", NOW) == "<unknown>"
    assert since("2025-01-02T11:59:59.123456789Z", NOW) == "0s"
    assert human_duration(50 * 3600) == "2d2h" and human_duration(-5) == "<invalid>"


def test_deployment_cells_are_typed_like_the_api_server() -> None:
    dep = {"kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [
               {"key": "tier", "operator": "In", "values": ["a", "b"]}]},
               "template": {"spec": {"containers": [{"name": "c", "image": "nginx"},
                                                    {"name": "s", "image": "busybox"}]}}},
           "status": {"readyReplicas": 2, "updatedReplicas": 3}}
    assert cells(dep) == {"Name": "web", "Ready": "2/3", "Up-to-date": 3, "Available": 0, "Age": "<unknown>",
                          "Containers": "c,s", "Images": "nginx,busybox", "Selector": "app=web,tier in (a,b)"}


@pytest.mark.parametrize("spec, status, expected", [
    ({"type": "ClusterIP", "clusterIP": "10.0.0.1"}, {}, "<none>"),
    ({"type": "ClusterIP", "externalIPs": ["1.2.3.4"]}, {}, "1.2.3.4"),
    ({"type": "LoadBalancer"}, {}, "<pending>"),
    ({"type": "LoadBalancer", "externalIPs": ["9.9.9.9"]}, {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}]}},
     "5.6.7.8,9.9.9.9"),
    ({"type": "ExternalName", "externalName": "db.example.com"}, {}, "db.example.com")])
def test_service_external_ip(spec: dict[str, Any], status: dict[str, Any], expected: str) -> None:
    svc = {"kind": "Service", "metadata": {"name": "s"}, "spec": spec, "status": status}
    assert cells(svc)["External-IP"] == expected


def test_pod_ready_falls_back_to_the_ready_condition() -> None:
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
           "status": {"phase": "Running", "podIP": "10.1.0.4", "conditions": [{"type": "Ready", "status": "True"}]}}
    assert cells(pod) == {"Name": "p", "Ready": "2/2", "Status": "Running", "Restarts": "0", "Age": "<unknown>",
                          "IP": "10.1.0.4", "Node": "<none>"}
    pod["status"]["conditions"] = []
    assert cells(pod)["Ready"] == "0/2"


def _containers(*states: dict[str, Any], ready: bool = False) -> list[dict[str, Any]]:
    return [{"name": f"c{i}", "ready": ready, "state": state} for i, state in enumerate(states)]


@pytest.mark.parametrize("status, deleted, expected", [
    ({"phase": "Pending", "containerStatuses": _containers({"waiting": {"reason": "ContainerCreating"}})}, False,
     "ContainerCreating"),
    ({"phase": "Running", "containerStatuses": _containers({"waiting": {"reason": "CrashLoopBackOff"}},
                                                           {"running": {}})}, False, "CrashLoopBackOff"),
    ({"phase": "Succeeded", "containerStatuses": _containers({"terminated": {"reason": "Completed"}})}, False,
     "Completed"),
    ({"phase": "Failed", "containerStatuses": _containers({"terminated": {"exitCode": 3}})}, False, "ExitCode:3"),
    ({"phase": "Failed", "containerStatuses": _containers({"terminated": {"signal": 9}})}, False, "Signal:9"),
    ({"phase": "Succeeded", "reason": "Simulated", "containerStatuses": _containers({"terminated": {
        "reason": "Simulated"}})}, False, "Simulated"),
    ({"phase": "Running", "containerStatuses": _containers({"running": {}}, ready=True)}, True, "Terminating"),
    ({"phase": "Running"}, False, "Running"),
])
def test_pod_status_column_is_kubectls(status: dict[str, Any], deleted: bool, expected: str) -> None:
    pod: dict[str, Any] = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c0"}]},
                           "status": status}
    if deleted:
        pod["metadata"]["deletionTimestamp"] = "2025-01-02T11:59:00Z"
    assert cells(pod)["Status"] == expected


def test_job_status_completions_and_duration() -> None:
    job = {"kind": "Job", "metadata": {"name": "j"}, "spec": {"suspend": True},
           "status": {"succeeded": 0, "startTime": "2025-01-02T11:00:00Z"}}
    assert cells(job) == {"Name": "j", "Status": "Suspended", "Completions": "0/1", "Duration": "60m",
                          "Age": "<unknown>"}
    job["status"].update(completionTime="2025-01-02T11:00:45Z", succeeded=1,
                         conditions=[{"type": "Complete", "status": "True"}])
    assert cells(job)["Status"] == "Complete" and cells(job)["Duration"] == "45s"
    assert cells(job, now=None)["Duration"] == "45s"


def test_pvc_shows_capacity_and_modes_only_when_bound() -> None:
    pvc = {"kind": "PersistentVolumeClaim", "metadata": {"name": "d"}, "spec": {},
           "status": {"phase": "Pending", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}
    assert [cells(pvc)[k] for k in ("Status", "Capacity", "Access Modes", "StorageClass")] == [
        "Pending", "", "", "<unset>"]
    pvc["status"]["phase"] = "Bound"
    assert [cells(pvc)[k] for k in ("Capacity", "Access Modes")] == ["1Gi", "RWO"]


def test_cell_text_prints_like_go() -> None:
    assert [cell_text(v) for v in (True, False, 3, "x")] == ["true", "false", "3", "x"]


def test_status_and_table_show_the_same_cells() -> None:
    """``helmpy status`` RESOURCES and ``kubectl get`` against ``cluster serve`` agree cell for cell."""
    objs = [{"kind": "CronJob", "metadata": {"name": "cj", "creationTimestamp": "2025-01-02T10:00:00Z"},
             "spec": {"schedule": "*/5 * * * *"}, "status": {"lastScheduleTime": "2025-01-02T11:55:00Z"}}]
    doc = table(objs, "1", None, now=NOW)
    shown = [c for c in doc["columnDefinitions"] if c["priority"] == 0]
    text = resource_table(objs, NOW).splitlines()
    assert re.split(r" {2,}", text[0]) == [c["name"].upper() for c in shown] == [
        "NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert [cell_text(v) for v in doc["rows"][0]["cells"]] == ["cj", "*/5 * * * *", "<none>", "False", "0", "5m", "120m"]
    assert re.split(r" {2,}", text[1]) == ["cj", "*/5 * * * *", "<none>", "False", "0", "5m", "120m"]


def test_crd_printer_columns_date_type_shows_an_age() -> None:
    cols = printer_columns({"additionalPrinterColumns": [
        {"name": "Since", "type": "date", "jsonPath": ".status.since"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]})
    columns = columns_for("Gadget", cols)
    assert [c.name for c in columns] == ["Name", "Since", "Age"]  # AGE listed: not appended again
    obj = {"metadata": {"name": "g", "creationTimestamp": "2025-01-01T12:00:00Z"},
           "status": {"since": "2025-01-02T11:00:00Z"}}
    assert row(obj, columns, NOW) == ["g", "60m", "24h"]
    assert row({"metadata": {"name": "bare"}}, columns, NOW) == ["bare", "", ""]
    assert jsonpath(obj, "$.status.since") == "2025-01-02T11:00:00Z" and jsonpath(obj, "status") is None
