"""Updates that change an immutable field are refused with kube-apiserver v1.35's 422 and its words.

Reference: Kubernetes v1.35's validation (apps ``ValidateStatefulSetUpdate`` and the workload strategies'
selector check, batch ``ValidateJobSpecUpdate``, core ``ValidateServiceUpdate`` / ``ValidateConfigMapUpdate`` /
``ValidateSecretUpdate`` / ``ValidatePersistentVolumeClaimUpdate``) and apimachinery v0.35's ``field.Error``,
which prints objects and lists as JSON. One code path: the same for helmpy in-process, the CLI and (see
tests/server/kubeapi/test_simulated.py) kubectl through ``cluster serve``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from helmpy.errors import KubeConflict, KubeInvalid
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.kube.patch import strategic_merge


def deployment(app: str = "web", kind: str = "Deployment") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": {"labels": {"app": app}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}


def statefulset(size: str = "1Gi") -> dict[str, Any]:
    obj = deployment(kind="StatefulSet")
    obj["metadata"]["name"] = "db"
    obj["spec"]["serviceName"] = "db"
    obj["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}]
    return obj


def job(image: str = "busybox:1") -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": image}]}}}}


def service(cluster_ip: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
                           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    if cluster_ip:
        obj["spec"]["clusterIP"] = cluster_ip
    return obj


def configmap(value: str, immutable: bool = True) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": value},
            "immutable": immutable}


def secret(kind: str = "Opaque") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "type": kind,
            "stringData": {"k": "v"}}


def claim(size: str = "1Gi", storage_class: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}
    if storage_class:
        obj["spec"]["storageClassName"] = storage_class
    return obj


STS_FORBIDDEN = ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                 "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                 "'minReadySeconds' are forbidden")
# (first object, update, the 422 message's start, its end)
CASES = [
    pytest.param(deployment(), deployment("other"), 'Deployment.apps "web" is invalid: spec.selector: Invalid value: '
                 '{"matchLabels":{"app":"other"}}: field is immutable', "", id="deployment-selector"),
    pytest.param(deployment(kind="DaemonSet"), deployment("other", "DaemonSet"),
                 'DaemonSet.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: '
                 "field is immutable", "", id="daemonset-selector"),
    pytest.param(deployment(kind="ReplicaSet"), deployment("other", "ReplicaSet"),
                 'ReplicaSet.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: '
                 "field is immutable", "", id="replicaset-selector"),
    pytest.param(statefulset(), statefulset("5Gi"), f'StatefulSet.apps "db" is invalid: {STS_FORBIDDEN}', "",
                 id="statefulset-claim-templates"),
    pytest.param(job(), job("busybox:2"), 'Job.batch "migrate" is invalid: spec.template: Invalid value: {',
                 "}: field is immutable", id="job-template"),
    pytest.param(service("10.96.0.50"), service("10.96.0.99"), 'Service "svc" is invalid: spec.clusterIPs[0]: Invalid '
                 'value: ["10.96.0.99"]: may not change once set', "", id="service-cluster-ip"),
    pytest.param(service(), service("None"), 'Service "svc" is invalid: spec.clusterIPs[0]: Invalid value: ["None"]: '
                 "may not change once set", "", id="service-to-headless"),
    pytest.param(configmap("a"), configmap("b"), 'ConfigMap "cfg" is invalid: data: Forbidden: field is immutable when '
                 "`immutable` is set", "", id="configmap-immutable-data"),
    pytest.param(configmap("a"), configmap("a", immutable=False), 'ConfigMap "cfg" is invalid: immutable: Forbidden: '
                 "field is immutable when `immutable` is set", "", id="configmap-immutable-flag"),
    pytest.param(secret(), secret("example.com/custom"), 'Secret "sec" is invalid: type: Invalid value: '
                 '"example.com/custom": field is immutable', "", id="secret-type"),
    pytest.param(claim(), claim(storage_class="fast"), 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec '
                 "is immutable after creation except resources.requests and volumeAttributesClassName for bound "
                 "claims\n", "", id="pvc-storage-class"),
    pytest.param(claim("2Gi"), claim("1Gi"), 'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: '
                 "Forbidden: field can not be less than previous value", "", id="pvc-shrink"),
]


@pytest.mark.parametrize("first, update, start, end", CASES)
@pytest.mark.parametrize("verb", ["apply", "replace"])
def test_immutable_fields_are_refused_with_the_api_servers_words(first, update, start, end, verb, tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db")
    live = cluster.apply(first, field_manager="helm")
    with pytest.raises(KubeInvalid) as info:
        if verb == "apply":
            cluster.apply(update, field_manager="helm")
        else:  # as `kubectl edit` does: the live object with the change, PUT back
            body = strategic_merge({k: v for k, v in live.items() if k != "status"}, copy.deepcopy(update))
            cluster.replace(body)
    err = info.value
    assert err.code == 422 and err.reason == "Invalid" and err.message.startswith(start), err.message
    assert err.message.endswith(end), err.message
    cause = err.details["causes"][-1]
    assert cause["reason"] in ("FieldValueInvalid", "FieldValueForbidden") and cause["field"] in start, cause
    kind = first["kind"]
    stored = cluster.get(first["apiVersion"], kind, first["metadata"]["name"], "default")
    assert stored["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]  # nothing was written


def test_mutable_updates_still_pass(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db")
    cluster.apply(statefulset())
    scaled = statefulset()
    scaled["spec"]["replicas"] = 3
    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert cluster.apply(scaled)["spec"]["replicas"] == 3
    cluster.apply(claim())
    assert cluster.apply(claim("5Gi"))["spec"]["resources"]["requests"]["storage"] == "5Gi"  # bound: may grow
    cluster.apply(service())
    assert cluster.apply({**service(), "metadata": {"name": "svc", "labels": {"a": "b"}}})["metadata"]["labels"]
    cluster.apply(configmap("a", immutable=False))
    assert cluster.apply(configmap("b", immutable=False))["data"] == {"k": "b"}


def test_an_update_naming_another_uid_is_a_precondition_conflict(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db")
    live = cluster.create(configmap("a", immutable=False))
    stale = {**configmap("b", immutable=False), "metadata": {"name": "cfg", "uid": "0000-other"}}
    with pytest.raises(KubeConflict, match=r'Operation cannot be fulfilled on configmaps "cfg": Precondition failed: '
                                           rf"UID in precondition: 0000-other, UID in object meta: {live['metadata']['uid']}"):
        cluster.replace(stale)


def _chart(root: Path, objects: list[dict[str, Any]]) -> Path:
    chart = root / "imm"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: imm\nversion: 0.1.0\n")
    for i, obj in enumerate(objects):
        (chart / "templates" / f"obj{i}.yaml").write_text(json.dumps(obj))
    return chart


def test_helmpy_upgrade_reports_the_immutable_field(cli, tmp_path) -> None:
    db = f"local:{tmp_path / 'c.db'}"
    assert cli("install", "imm", str(_chart(tmp_path, [deployment()])), "--cluster", db).exit_code == 0
    r = cli("upgrade", "imm", str(_chart(tmp_path, [deployment("other")])), "--cluster", db)
    assert r.exit_code == 1 and r.stderr.count("Error:") == 1 and "Traceback" not in r.stderr, r
    assert r.stderr.startswith("Error: UPGRADE FAILED: failed to update Deployment/default/web"), r
    assert r.stderr.rstrip().endswith('Deployment.apps "web" is invalid: spec.selector: Invalid value: '
                                      '{"matchLabels":{"app":"other"}}: field is immutable'), r
