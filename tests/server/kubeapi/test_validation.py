"""The embedded cluster validates every write as an API server does - one code path for helmpy in-process and
for kubectl/Helm through `cluster serve`: schema types (400 BadRequest), then names, required fields, sizes and
semantic checks (422 Invalid with causes), in the API server's wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helmpy import yamlutil
from helmpy.errors import KubeApiStatus, KubeInvalid
from helmpy.kube.embedded import EmbeddedCluster

SVC_MSG = 'Service "{name}" is invalid: spec.ports[0].port: Invalid value: {port}: must be between 1 and 65535, inclusive'


def _svc(name: str, *ports: dict[str, Any], kind: str = "ClusterIP") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": kind, "selector": {"app": name}, "ports": list(ports)}}


def _cm(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


# (object, reason, the message's words) - what kube-apiserver v1.35 answers
INVALID = [
    pytest.param(_svc("big", {"port": 70000, "targetPort": 8080}), "Invalid", SVC_MSG.format(name="big", port=70000), id="port-70000"),
    pytest.param(_svc("zero", {"port": 0}), "Invalid", SVC_MSG.format(name="zero", port=0), id="port-0"),
    pytest.param(_svc("np", {"port": 80, "nodePort": 40000}, kind="NodePort"), "Invalid",
                 'Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the '
                 "valid range. The range of valid ports is 30000-32767", id="node-port-range"),
    pytest.param(_svc("dup", {"name": "http", "port": 80}, {"name": "http", "port": 81}), "Invalid",
                 'Service "dup" is invalid: spec.ports[1].name: Duplicate value: "http"', id="duplicate-port-name"),
    pytest.param(_cm("num", {"a": 1}), "BadRequest",
                 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go '
                 "struct field ConfigMap.data of type string", id="configmap-number"),
    pytest.param(_cm("huge", {"a": "x" * (2 * 1024 * 1024)}), "Invalid",
                 'ConfigMap "huge" is invalid: []: Too long: may not be more than 1048576 bytes', id="configmap-2MiB"),
    pytest.param({**_svc("Bad_Name", {"port": 80})}, "Invalid",
                 'Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a DNS-1035 label must '
                 "consist of lower case alphanumeric characters", id="service-name"),
]

CERT_MANAGER_RBAC = [
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
     "metadata": {"name": "cm-cert-manager-webhook:subjectaccessreviews"},
     "rules": [{"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
     "metadata": {"name": "cm-cert-manager-webhook:subjectaccessreviews"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                 "name": "cm-cert-manager-webhook:subjectaccessreviews"},
     "subjects": [{"kind": "ServiceAccount", "name": "cm-cert-manager-webhook", "namespace": "default"}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
     "metadata": {"name": "cm-cert-manager:leaderelection", "namespace": "default"},
     "rules": [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"]}]},
]


def _chart(root: Path, name: str, objects: list[dict[str, Any]]) -> Path:
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    for i, obj in enumerate(objects):
        (chart / "templates" / f"obj{i}.yaml").write_text(json.dumps(obj))  # JSON is YAML and keeps types exact
    return chart


def _go_chart(root: Path, name: str, objects: list[dict[str, Any]]) -> Path:
    chart = _chart(root, name, objects)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    return chart


@pytest.mark.parametrize("obj, reason, message", INVALID)
def test_in_process_install_is_refused_with_the_api_servers_words(obj, reason, message, cli, tmp_path) -> None:
    chart = _chart(tmp_path, "bad", [obj])
    db = tmp_path / "c.db"
    r = cli("install", "bad", str(chart), "--cluster", f"local:{db}")
    assert r.exit_code == 1 and r.stderr.count("Error:") == 1 and "Traceback" not in r.stderr, r
    kind, name = obj["kind"], obj["metadata"]["name"]
    assert r.stderr.startswith(f'Error: INSTALLATION FAILED: failed to create {kind}/default/{name} from '
                               f'"bad/templates/obj0.yaml": {message}'), r
    assert EmbeddedCluster(db).get("v1", kind, name, "default") is None


@pytest.mark.parametrize("obj, reason, message", INVALID)
def test_kubectl_apply_through_cluster_serve_is_refused_alike(obj, reason, message, kubectl, served,
                                                              tmp_path) -> None:
    manifest = tmp_path / "obj.json"
    manifest.write_text(json.dumps(obj))
    for extra in (["--server-side"], ["--server-side", "--dry-run=server"]):
        r = kubectl("apply", *extra, "-f", str(manifest), check=False)
        # kubectl words a 422 with causes as "The <message>", other errors as "Error from server (<reason>)"
        shown = f"The {message}" if reason == "Invalid" else f"Error from server (BadRequest): {message}"
        assert r.returncode == 1 and r.stderr.startswith(shown), r.stderr
    assert kubectl("get", obj["kind"].lower(), obj["metadata"]["name"], check=False).returncode == 1


def test_defaulted_target_port_is_validated_too(cli, kubectl, tmp_path) -> None:
    """targetPort defaults to port before validation, so port 70000 alone is two causes, as on a real cluster."""
    obj = _svc("two", {"port": 70000})
    causes = ["spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
              "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]
    r = cli("install", "two", str(_chart(tmp_path, "two", [obj])), "--cluster", f"local:{tmp_path / 'c.db'}")
    assert r.exit_code == 1 and r.stderr.endswith(f'Service "two" is invalid: [{", ".join(causes)}]\n'), r
    manifest = tmp_path / "two.json"
    manifest.write_text(json.dumps(obj))
    shown = kubectl("apply", "--server-side", "-f", str(manifest), check=False).stderr
    assert shown == 'The Service "two" is invalid: \n' + "".join(f"* {c}\n" for c in causes)


def test_422_status_body_has_the_causes(served) -> None:
    import requests

    body = requests.post(f"{served.url}/api/v1/namespaces/default/services", json=_svc("s", {"port": 70000, "targetPort": 80}),
                         headers={"Authorization": f"Bearer {served.token}"}, verify=str(served.ca_file),
                         timeout=30).json()
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": SVC_MSG.format(name="s", port=70000), "reason": "Invalid", "code": 422,
                    "details": {"name": "s", "group": "", "kind": "Service", "causes": [
                        {"reason": "FieldValueInvalid", "field": "spec.ports[0].port",
                         "message": "Invalid value: 70000: must be between 1 and 65535, inclusive"}]}}


def test_updates_and_patches_are_validated_too(kubectl, served, tmp_path) -> None:
    manifest = tmp_path / "ok.json"
    manifest.write_text(json.dumps(_svc("later", {"port": 80})))
    kubectl("apply", "-f", str(manifest))
    r = kubectl("patch", "svc", "later", "--type=json", "-p", '[{"op":"replace","path":"/spec/ports/0/port",'
                '"value":70000}]', check=False)
    assert r.returncode == 1 and SVC_MSG.format(name="later", port=70000) in r.stderr
    cluster = EmbeddedCluster(served.db)
    # server-side apply merges Service ports by port: kubectl's port 80 stays beside the applied port 0, as on a
    # real API server, so both ports now need names and the second one is out of range
    with pytest.raises(KubeInvalid, match=r"spec\.ports\[0\]\.name: Required value, spec\.ports\[1\]\.name: "
                                          r"Required value, spec\.ports\[1\]\.port: Invalid value: 0"):
        cluster.apply(_svc("later", {"port": 0}))
    assert kubectl("get", "svc", "later", "-o", "jsonpath={.spec.ports[0].port}").stdout == "80"


def test_type_change_to_node_port_allocates_and_back_wipes(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db")
    cluster.apply(_svc("t", {"port": 80}))
    node = cluster.apply(_svc("t", {"port": 80}, kind="NodePort"))
    assert 30000 <= node["spec"]["ports"][0]["nodePort"] <= 32767
    back = cluster.apply(_svc("t", {"port": 80}))
    assert "nodePort" not in back["spec"]["ports"][0]


def test_object_over_the_storage_limit(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db")
    big = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"},
           "secrets": [{"name": "x" * 200} for _ in range(10000)]}
    with pytest.raises(KubeApiStatus, match="request is too large") as info:
        cluster.create(big)
    assert info.value.code == 413


def test_cert_manager_style_rbac_names_install_in_process(cli, tmp_path) -> None:
    chart = _chart(tmp_path, "cm", CERT_MANAGER_RBAC)
    db = tmp_path / "c.db"
    r = cli("install", "cm", str(chart), "--cluster", f"local:{db}")
    assert r.exit_code == 0, r
    names = [o["metadata"]["name"] for o in EmbeddedCluster(db).list("rbac.authorization.k8s.io/v1", "ClusterRole")]
    assert names == ["cm-cert-manager-webhook:subjectaccessreviews"]
    bad = _chart(tmp_path, "slash", [{**CERT_MANAGER_RBAC[0], "metadata": {"name": "a/b"}}])
    r = cli("install", "slash", str(bad), "--cluster", f"local:{db}")
    assert r.exit_code == 1 and 'ClusterRole.rbac.authorization.k8s.io "a/b" is invalid: metadata.name: Invalid ' \
                                "value: \"a/b\": may not contain '/'" in r.stderr, r


def test_cert_manager_style_rbac_names_install_with_real_helm(khelm, kubectl, tmp_path) -> None:
    chart = _go_chart(tmp_path, "cmhelm", CERT_MANAGER_RBAC)
    khelm("install", "cmhelm", str(chart))
    got = yamlutil.load(kubectl("get", "clusterrolebinding", "cm-cert-manager-webhook:subjectaccessreviews",
                                "-o", "json").stdout)
    assert got["roleRef"]["name"] == "cm-cert-manager-webhook:subjectaccessreviews"
    assert kubectl("get", "role", "cm-cert-manager:leaderelection", "-o", "name").stdout.strip() == (
        "role.rbac.authorization.k8s.io/cm-cert-manager:leaderelection")


def test_real_helm_sees_the_api_servers_message(khelm, tmp_path) -> None:
    chart = _go_chart(tmp_path, "badhelm", [_svc("hsvc", {"port": 70000, "targetPort": 80})])
    r = khelm("install", "badhelm", str(chart), check=False)
    assert r.returncode == 1 and SVC_MSG.format(name="hsvc", port=70000) in r.stderr, r.stderr
