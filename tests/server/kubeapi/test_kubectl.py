"""Real kubectl against `helmpy cluster serve` (HTTPS, bearer token, kubeconfig written by the server)."""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest

pytestmark = pytest.mark.helm

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}, tier: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: web
        image: {image}
        ports: [{{containerPort: 80}}]
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""


def _write(served, name: str, text: str):
    path = served.home / name
    path.write_text(text)
    return str(path)


def test_version_and_api_resources(kubectl):
    out = kubectl("version").stdout
    assert "Server Version: v1.35.0" in out
    resources = kubectl("api-resources").stdout
    assert "deployments" in resources and "deploy" in resources and "customresourcedefinitions" in resources
    assert kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.count("namespaces") == 1


def test_get_namespaces_table_and_json(kubectl):
    out = kubectl("get", "namespaces").stdout
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    assert "default" in out and "Active" in out
    doc = json.loads(kubectl("get", "ns", "default", "-o", "json").stdout)
    assert doc["kind"] == "Namespace" and doc["status"]["phase"] == "Active"


def test_apply_client_side_then_update_then_get(served, kubectl):
    path = _write(served, "d1.yaml", DEPLOY.format(name="csa", replicas=2, image="nginx:1.25"))
    assert "deployment.apps/csa created" in kubectl("apply", "-f", path).stdout
    assert "unchanged" in kubectl("apply", "-f", path).stdout
    _write(served, "d1.yaml", DEPLOY.format(name="csa", replicas=2, image="nginx:1.26"))
    assert "configured" in kubectl("apply", "-f", path).stdout
    kubectl("rollout", "status", "deployment/csa", "--timeout=30s")  # the new Pods run after the pod-ready delay
    doc = json.loads(kubectl("get", "deployment", "csa", "-o", "json").stdout)
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert doc["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert doc["metadata"]["generation"] == 2
    assert doc["status"]["readyReplicas"] == 2  # the built-in controller
    table = kubectl("get", "deploy").stdout
    assert "csa" in table and "2/2" in table


def test_get_with_label_selector(served, kubectl):
    kubectl("apply", "-f", _write(served, "d2.yaml", DEPLOY.format(name="sel-a", replicas=1, image="x:1")))
    kubectl("apply", "-f", _write(served, "d3.yaml", DEPLOY.format(name="sel-b", replicas=1, image="x:1")))
    names = kubectl("get", "deploy", "-l", "app=sel-a", "-o", "jsonpath={.items[*].metadata.name}").stdout
    assert names == "sel-a"
    names = kubectl("get", "deploy", "-l", "app in (sel-a,sel-b)", "-o", "name").stdout.split()
    assert names == ["deployment.apps/sel-a", "deployment.apps/sel-b"]
    assert "sel-a" not in kubectl("get", "deploy", "-l", "app!=sel-a", "-o", "name").stdout
    assert "No resources found" in kubectl("get", "deploy", "-l", "app=nope").stderr


def test_server_side_apply_conflicts_and_force(served, kubectl):
    path = _write(served, "d4.yaml", DEPLOY.format(name="ssa", replicas=1, image="nginx:1"))
    assert "serverside-applied" in kubectl("apply", "--server-side", "-f", path).stdout
    doc = json.loads(kubectl("get", "deploy", "ssa", "-o", "json", "--show-managed-fields").stdout)
    assert [m["manager"] for m in doc["metadata"]["managedFields"]] == ["kubectl"]
    # another manager changes replicas: a conflict for the next apply, which --force-conflicts resolves
    kubectl("patch", "deploy", "ssa", "--type", "merge", "-p", '{"spec":{"replicas":3}}')
    _write(served, "d4.yaml", DEPLOY.format(name="ssa", replicas=1, image="nginx:2"))
    proc = kubectl("apply", "--server-side", "-f", path, check=False)
    assert proc.returncode != 0 and "conflict" in proc.stderr and ".spec.replicas" in proc.stderr
    kubectl("apply", "--server-side", "--force-conflicts", "-f", path)
    doc = json.loads(kubectl("get", "deploy", "ssa", "-o", "json").stdout)
    assert doc["spec"]["replicas"] == 1
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2"


def test_create_secret_generic_is_protobuf_and_conflicts(served, kubectl):
    assert "secret/s1 created" in kubectl("create", "secret", "generic", "s1", "--from-literal", "A=b").stdout
    doc = json.loads(kubectl("get", "secret", "s1", "-o", "json").stdout)
    assert base64.b64decode(doc["data"]["A"]) == b"b" and doc["type"] == "Opaque"
    again = kubectl("create", "secret", "generic", "s1", "--from-literal", "A=b", check=False)
    assert again.returncode == 1 and 'secrets "s1" already exists' in again.stderr
    kubectl("create", "configmap", "cm1", "--from-literal", "k=v")
    assert json.loads(kubectl("get", "cm", "cm1", "-o", "json").stdout)["data"] == {"k": "v"}
    kubectl("create", "namespace", "team-a")
    assert "team-a" in kubectl("get", "ns").stdout
    kubectl("create", "serviceaccount", "robot", "-n", "team-a")
    assert "robot" in kubectl("get", "sa", "-n", "team-a").stdout


def test_delete(served, kubectl):
    path = _write(served, "d5.yaml", DEPLOY.format(name="gone", replicas=1, image="x:1"))
    kubectl("apply", "-f", path)
    assert 'deployment.apps "gone" deleted' in kubectl("delete", "-f", path).stdout
    proc = kubectl("get", "deploy", "gone", check=False)
    assert proc.returncode == 1 and 'Error from server (NotFound): deployments.apps "gone" not found' in proc.stderr
    again = kubectl("delete", "-f", path, check=False)
    assert again.returncode == 1 and "NotFound" in again.stderr
    assert kubectl("delete", "-f", path, "--ignore-not-found").returncode == 0


def test_crd_then_custom_resource(served, kubectl):
    kubectl("apply", "-f", _write(served, "crd.yaml", CRD))
    cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n"
    assert "widget.example.com/w1 created" in kubectl("apply", "-f", _write(served, "w1.yaml", cr)).stdout
    assert "w1" in kubectl("get", "widgets").stdout
    assert "w1" in kubectl("get", "wd").stdout
    doc = json.loads(kubectl("get", "widget", "w1", "-o", "json").stdout)
    assert doc["spec"] == {"size": 3}
    kubectl("apply", "-f", _write(served, "w1.yaml", cr.replace("size: 3", "size: 4")))
    assert json.loads(kubectl("get", "widget", "w1", "-o", "json").stdout)["spec"] == {"size": 4}


def test_a_crd_another_process_writes_is_served_at_once_and_gone_when_deleted(served, kubectl):
    """The server keeps the served types between requests; a CRD change by any process sharing the file (here a
    second EmbeddedCluster on it, as ``helmpy install --cluster local:FILE`` would be) is seen on the next request."""
    from helmpy.kube.embedded import EmbeddedCluster

    kubectl("get", "configmaps")  # the server has computed and kept its types
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    other = EmbeddedCluster(served.db)
    try:
        other.apply(crd)
        other.apply({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1", "namespace": "default"},
                     "spec": {"n": 1}})
        assert json.loads(kubectl("get", "gadget", "g1", "-o", "json").stdout)["spec"] == {"n": 1}
        other.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "gadgets.example.com")
    finally:
        other.close()
    gone = kubectl("get", "--raw", "/apis/example.com/v1/namespaces/default/gadgets", check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr + gone.stdout


def test_writes_land_in_the_shared_sqlite_file(served, kubectl):
    kubectl("create", "configmap", "in-db", "--from-literal", "x=y")
    with sqlite3.connect(served.db) as conn:
        rows = conn.execute("SELECT json FROM objects WHERE plural = 'configmaps' AND name = 'in-db'").fetchall()
    assert json.loads(rows[0][0])["data"] == {"x": "y"}


def test_scale_through_the_scale_subresource(served, kubectl):
    kubectl("apply", "-f", _write(served, "d6.yaml", DEPLOY.format(name="scaled", replicas=1, image="x:1")))
    assert "deployment.apps/scaled scaled" in kubectl("scale", "deploy", "scaled", "--replicas=3").stdout
    kubectl("rollout", "status", "deploy/scaled", "--timeout=30s")  # the new Pods run after the pod-ready delay
    doc = json.loads(kubectl("get", "deploy", "scaled", "-o", "json").stdout)
    assert doc["spec"]["replicas"] == 3 and doc["status"]["readyReplicas"] == 3  # the controller followed
    scale = json.loads(kubectl("get", "--raw", "/apis/apps/v1/namespaces/default/deployments/scaled/scale").stdout)
    assert scale["kind"] == "Scale" and scale["spec"] == {"replicas": 3}
    assert scale["status"] == {"replicas": 3, "selector": "app=scaled"}
    stale = kubectl("scale", "deploy", "scaled", "--current-replicas=1", "--replicas=5", check=False)
    assert stale.returncode == 1 and "Expected replicas to be 1, was 3" in stale.stderr
    assert 'deployment "scaled" successfully rolled out' in kubectl("rollout", "status", "deploy/scaled").stdout
    assert "scale" not in kubectl("get", "--raw", "/api/v1").stdout.split('"configmaps"')[1].split("}")[0]
    missing = kubectl("get", "--raw", "/api/v1/namespaces/default/configmaps/x/scale", check=False)
    assert missing.returncode == 1 and "NotFound" in missing.stderr


def test_get_tables_for_common_kinds_and_crd_printer_columns(served, kubectl):
    manifest = """\
apiVersion: v1
kind: Service
metadata: {name: tbl-svc}
spec: {selector: {app: t}, ports: [{port: 80}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: tbl-job}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: sprockets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: sprockets, singular: sprocket, kind: Sprocket}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns: [{name: Teeth, type: integer, jsonPath: .spec.teeth}]
"""
    kubectl("apply", "-f", _write(served, "tables.yaml", manifest))
    kubectl("apply", "-f", _write(served, "sprocket.yaml", "apiVersion: example.com/v1\nkind: Sprocket\n"
                                                           "metadata: {name: s1}\nspec: {teeth: 12}\n"))
    kubectl("wait", "--for=condition=Complete", "job/tbl-job", "--timeout=30s")  # its Pod runs after the delay
    svc = kubectl("get", "svc", "tbl-svc").stdout.splitlines()
    assert svc[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert "80/TCP" in svc[1]
    job = kubectl("get", "job", "tbl-job").stdout.splitlines()
    assert job[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"] and "Complete" in job[1]
    assert kubectl("get", "crd", "sprockets.example.com").stdout.split()[:3] == ["NAME", "CREATED", "AT"]
    sprockets = kubectl("get", "sprockets").stdout.splitlines()
    assert sprockets[0].split() == ["NAME", "TEETH", "AGE"] and sprockets[1].split()[:2] == ["s1", "12"]
    wide = kubectl("get", "svc", "tbl-svc", "-o", "wide").stdout.splitlines()[0].split()
    assert wide[-2:] == ["AGE", "SELECTOR"]


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: lonely, labels: {app: lonely}}
spec: {containers: [{name: c, image: nginx}]}
"""


def test_logs_exec_attach_port_forward_answer_at_once(served, kubectl):
    import time

    from helmpy.server.kubeapi.status import NO_CONTAINERS

    kubectl("apply", "-f", _write(served, "nopods.yaml", DEPLOY.format(name="nopods", replicas=1, image="nginx")))
    kubectl("apply", "-f", _write(served, "lonely.yaml", POD))
    # once the simulated kubelet has "started" them (kubectl refuses a port-forward to a Pending Pod itself)
    kubectl("rollout", "status", "deploy/nopods", "--timeout=60s")
    kubectl("wait", "--for=condition=Ready", "pod/lonely", "--timeout=60s")
    for args in (["logs", "deploy/nopods"], ["exec", "deploy/nopods", "--", "ls"], ["logs", "lonely"],
                 ["logs", "-f", "lonely"], ["exec", "lonely", "--", "ls"], ["attach", "lonely"],
                 ["port-forward", "lonely", "18080:80"], ["port-forward", "deploy/nopods", "18080:80"]):
        started = time.monotonic()
        proc = kubectl(*args, "--pod-running-timeout=60s", check=False)
        assert proc.returncode != 0, args
        assert NO_CONTAINERS in proc.stderr, (args, proc.stderr)
        assert time.monotonic() - started < 20, args  # not the 60 s pod-running timeout
    missing = kubectl("logs", "nope", check=False)
    assert missing.returncode != 0 and 'pods "nope" not found' in missing.stderr
