"""Real Helm 4 against `helmpy cluster serve`: release lifecycle, crds/, hooks, --create-namespace, --wait."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.server.kubeapi.conftest import helm_runner, start_server, stop_server

pytestmark = pytest.mark.helm

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.org}
spec:
  group: example.org
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""

HOOK_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: "{{ .Release.Name }}-pre"
  annotations:
    "helm.sh/hook": pre-install
    "helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pre, image: busybox, command: ["true"]}]
"""


def _chart(khelm, served, name: str) -> Path:
    khelm("create", name)
    return served.home / name


def _kget(kubectl, *args: str) -> dict:
    return json.loads(kubectl("get", *args, "-o", "json").stdout)


def test_release_lifecycle(served, khelm, kubectl):
    chart = _chart(khelm, served, "web")
    out = khelm("install", "demo", str(chart)).stdout
    assert "STATUS: deployed" in out and "REVISION: 1" in out
    listed = json.loads(khelm("list", "-o", "json").stdout)
    assert [(r["name"], r["status"], r["revision"]) for r in listed] == [("demo", "deployed", "1")]
    secret = _kget(kubectl, "secret", "sh.helm.release.v1.demo.v1")
    assert secret["type"] == "helm.sh/release.v1" and secret["metadata"]["labels"]["owner"] == "helm"
    assert base64.b64decode(secret["data"]["release"]).startswith(b"H4sI")
    assert _kget(kubectl, "deploy", "demo-web")["spec"]["replicas"] == 1

    khelm("upgrade", "demo", str(chart), "--set", "replicaCount=2")
    assert _kget(kubectl, "deploy", "demo-web")["spec"]["replicas"] == 2
    khelm("rollback", "demo", "1")
    assert _kget(kubectl, "deploy", "demo-web")["spec"]["replicas"] == 1
    history = json.loads(khelm("history", "demo", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"),
                                                                 (3, "deployed")]
    status = khelm("status", "demo").stdout
    assert "STATUS: deployed" in status and "REVISION: 3" in status
    again = khelm("install", "demo", str(chart), check=False)
    assert again.returncode != 0 and "cannot reuse a name that is still in use" in again.stderr

    assert 'release "demo" uninstalled' in khelm("uninstall", "demo").stdout
    assert json.loads(khelm("list", "-o", "json").stdout) == []
    assert "NotFound" in kubectl("get", "deploy", "demo-web", check=False).stderr
    assert kubectl("get", "secrets", "-l", "owner=helm", "-o", "name").stdout == ""


def test_crds_custom_resource_and_create_namespace(served, khelm, kubectl):
    chart = _chart(khelm, served, "gear")
    (chart / "crds").mkdir()
    (chart / "crds" / "gadget.yaml").write_text(CRD)
    (chart / "templates" / "gadget.yaml").write_text(
        "apiVersion: example.org/v1\nkind: Gadget\nmetadata:\n  name: {{ .Release.Name }}-g\nspec: {size: 2}\n")
    khelm("install", "gear", str(chart), "-n", "team", "--create-namespace")
    assert _kget(kubectl, "ns", "team")["status"]["phase"] == "Active"
    crd = _kget(kubectl, "crd", "gadgets.example.org")
    assert {c["type"] for c in crd["status"]["conditions"]} >= {"Established", "NamesAccepted"}
    assert _kget(kubectl, "-n", "team", "gadget", "gear-g")["spec"] == {"size": 2}
    assert [r["name"] for r in json.loads(khelm("list", "-A", "-o", "json").stdout)] == ["gear"]
    khelm("uninstall", "gear", "-n", "team")
    assert "NotFound" in kubectl("-n", "team", "get", "gadget", "gear-g", check=False).stderr


def test_pre_install_hook_job_and_wait(served, khelm, kubectl):
    chart = _chart(khelm, served, "hooked")
    (chart / "templates" / "pre-job.yaml").write_text(HOOK_JOB)
    out = khelm("install", "hk", str(chart), "--wait", "--timeout", "60s").stdout
    assert "STATUS: deployed" in out
    assert "NotFound" in kubectl("get", "job", "hk-pre", check=False).stderr  # hook-succeeded deleted it
    assert _kget(kubectl, "deploy", "hk-hooked")["status"]["availableReplicas"] == 1


def test_wait_times_out_without_the_controller(tmp_path, helm_bin_dir):
    served = start_server(tmp_path / "noctl", "--no-controller")
    try:
        khelm = helm_runner(served, helm_bin_dir)
        chart = _chart(khelm, served, "slow")
        proc = khelm("install", "slow", str(chart), "--wait", "--timeout", "4s", check=False)
        assert proc.returncode != 0
        assert "context deadline exceeded" in proc.stderr or "not ready" in proc.stderr
        listed = json.loads(khelm("list", "--failed", "-o", "json").stdout)
        assert [(r["name"], r["status"]) for r in listed] == [("slow", "failed")]
    finally:
        stop_server(served)
