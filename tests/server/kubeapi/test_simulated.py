"""The simulated controllers, immutable fields and field ownership seen through `helmpy cluster serve` by real
kubectl and real Helm 4 - and the same objects whichever of helmpy in-process, Helm or kubectl wrote them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helmpy import yamlutil
from tests.server.kubeapi.conftest import helm_runner

pytestmark = pytest.mark.helm
ROOT = Path(__file__).resolve().parents[3]

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27", ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: "postgres:17"}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def _kget(kubectl, *args: str) -> dict[str, Any]:
    return json.loads(kubectl("get", *args, "-o", "json").stdout)


def test_kubectl_sees_pods_replicasets_endpoints_and_claims(kubectl, served, tmp_path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(APP)
    kubectl("create", "namespace", "sim")
    kubectl("apply", "-n", "sim", "-f", str(manifest))
    kubectl("rollout", "status", "-n", "sim", "deployment/web", "--timeout=30s")
    kubectl("wait", "-n", "sim", "--for=condition=Available", "deployment/web", "--timeout=30s")
    kubectl("rollout", "status", "-n", "sim", "statefulset/db", "--timeout=30s")
    pods = kubectl("get", "pods", "-n", "sim", "--no-headers").stdout.splitlines()
    assert len(pods) == 3 and all(" 1/1 " in line and "Running" in line for line in pods), pods
    rs = kubectl("get", "rs", "-n", "sim", "--no-headers").stdout.split()
    assert rs[0].startswith("web-") and rs[1:4] == ["2", "2", "2"], rs
    ips = sorted(p["status"]["podIP"] for p in _kget(kubectl, "pods", "-n", "sim", "-l", "app=web")["items"])
    endpoints = kubectl("get", "endpoints", "web", "-n", "sim", "--no-headers").stdout
    assert all(f"{ip}:80" in endpoints for ip in ips), endpoints
    pvc = kubectl("get", "pvc", "-n", "sim", "--no-headers").stdout.split()
    assert pvc[:2] == ["data-db-0", "Bound"] and pvc[2].startswith("pvc-") and "standard" in pvc, pvc
    kubectl("delete", "deployment", "web", "-n", "sim")
    assert kubectl("get", "rs,pods", "-n", "sim", "-l", "app=web", "--no-headers").stdout.strip() == ""
    kubectl("delete", "namespace", "sim")
    assert kubectl("get", "namespace", "sim", check=False).returncode == 1


def test_kubectl_cascade_orphan_keeps_the_replicaset(kubectl, served, tmp_path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(APP.split("---")[0])
    kubectl("create", "namespace", "orphan")
    kubectl("apply", "-n", "orphan", "-f", str(manifest))
    kubectl("delete", "deployment", "web", "-n", "orphan", "--cascade=orphan")
    [rs] = _kget(kubectl, "rs", "-n", "orphan")["items"]
    assert "ownerReferences" not in rs["metadata"]
    assert len(_kget(kubectl, "pods", "-n", "orphan")["items"]) == 2


def test_kubectl_sees_immutable_fields_refused(kubectl, served, tmp_path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(APP.split("---")[0])
    kubectl("create", "namespace", "imm")
    kubectl("apply", "--server-side", "-n", "imm", "-f", str(manifest))
    manifest.write_text(APP.split("---")[0].replace("app: web", "app: other"))
    for extra in (["--server-side"], ["--server-side", "--dry-run=server"], []):
        r = kubectl("apply", *extra, "-n", "imm", "-f", str(manifest), check=False)
        assert r.returncode == 1, r
        assert 'The Deployment "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: ' \
               "field is immutable" in r.stderr, r.stderr
    kubectl("create", "service", "clusterip", "pinned", "-n", "imm", "--tcp=80:80")
    r = kubectl("patch", "svc", "pinned", "-n", "imm", "-p", '{"spec":{"clusterIP":"10.96.200.200"}}', check=False)
    assert r.returncode == 1 and r.stderr.strip() == (
        'The Service "pinned" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.200.200"]: may not change once '
        "set"), r.stderr


def test_helm_wait_hooks_and_test_pods_on_simulated_objects(served, helm_bin_dir, kubectl, tmp_path) -> None:
    helm = helm_runner(served, helm_bin_dir)
    chart = tmp_path / "simchart"
    (chart / "templates" / "tests").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: simchart\nversion: 0.1.0\n")
    (chart / "templates" / "app.yaml").write_text(APP)
    (chart / "templates" / "tests" / "t.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: simchart-test\n  annotations: {helm.sh/hook: test}\n"
        "spec:\n  restartPolicy: Never\n  containers: [{name: t, image: busybox, command: [sh, -c, 'exit 1']}]\n")
    helm("install", "sim", str(chart), "-n", "helmsim", "--create-namespace", "--wait", "--timeout", "60s")
    out = helm("test", "sim", "-n", "helmsim").stdout
    assert "simchart-test" in out and "Phase:          Succeeded" in out  # real Helm sees the phase, unchanged
    pod = _kget(kubectl, "pod", "simchart-test", "-n", "helmsim")
    assert pod["status"]["reason"] == "Simulated" and "runs no containers" in pod["status"]["message"]
    # helmpy through the same server reads the Pod's status: not run, exit 1, unless accepted
    helmpy = [sys.executable, "-m", "helmpy", "test", "sim", "-n", "helmsim"]
    r = subprocess.run(helmpy, capture_output=True, text=True, env=served.env(), cwd=ROOT, timeout=120)
    assert r.returncode == 1 and r.stderr.endswith(
        "Error: 1 test not run: simchart-test (helmpy's embedded cluster runs no containers; pass "
        "--accept-simulated to accept a simulated pass)\n"), r.stderr
    r = subprocess.run([*helmpy, "--accept-simulated"], capture_output=True, text=True, env=served.env(), cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0 and "Phase:          Succeeded" in r.stdout, r.stderr


def _chart(root: Path, port: int) -> Path:
    chart = root / f"mix{port}"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: mix\nversion: 0.1.0\n")
    text = APP.split("---\napiVersion: apps/v1\nkind: StatefulSet")[0].replace("containerPort: 80",
                                                                               f"containerPort: {port}")
    (chart / "templates" / "app.yaml").write_text(text.replace("port: 80,", f"port: {port},"))
    return chart


def _shape(kubectl, namespace: str) -> dict[str, Any]:
    """What a real cluster's user sees of the release's objects, without identities, times and addresses."""
    out: dict[str, Any] = {}
    for kind in ("deployment", "service"):
        obj = _kget(kubectl, kind, "web", "-n", namespace)
        spec = obj["spec"]
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
        out[kind] = spec
    out["rs"] = sorted((r["spec"]["replicas"], r["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"])
                       for r in _kget(kubectl, "rs", "-n", namespace)["items"])
    out["endpoint_ports"] = [s["ports"] for s in _kget(kubectl, "endpoints", "web", "-n", namespace)["subsets"]]
    return out


def test_in_process_then_helm_and_back_leave_the_same_objects(served, helm_bin_dir, kubectl, cli, tmp_path) -> None:
    helm = helm_runner(served, helm_bin_dir)
    v1, v2 = _chart(tmp_path, 80), _chart(tmp_path, 8080)
    local = ["--cluster", f"local:{served.db}"]
    # reference: Helm alone through cluster serve
    helm("install", "mix", str(v1), "-n", "ref", "--create-namespace")
    helm("upgrade", "mix", str(v2), "-n", "ref")
    # helmpy in-process, then Helm through cluster serve
    assert cli("install", "mix", str(v1), "-n", "fwd", "--create-namespace", *local).exit_code == 0
    helm("upgrade", "mix", str(v2), "-n", "fwd")
    # Helm through cluster serve, then helmpy in-process
    helm("install", "mix", str(v1), "-n", "back", "--create-namespace")
    r = cli("upgrade", "mix", str(v2), "-n", "back", *local)
    assert r.exit_code == 0, r
    for namespace in ("ref", "fwd", "back"):  # the rollouts done (the old ReplicaSet scaled down)
        kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    reference = _shape(kubectl, "ref")
    assert [p["port"] for p in reference["service"]["ports"]] == [8080]
    assert reference["endpoint_ports"] == [[{"name": "http", "port": 8080, "protocol": "TCP"}]]
    for namespace in ("ref", "fwd", "back"):
        assert _shape(kubectl, namespace) == reference, namespace
        svc = _kget(kubectl, "service", "web", "-n", namespace, "--show-managed-fields")
        entries = [m for m in svc["metadata"]["managedFields"] if m["manager"] == "helm"]
        assert ("helm", "Apply") in {(m["manager"], m["operation"]) for m in entries}, entries
        # one port owned, never the old one beside it (Helm upgrades a release that has no apply method recorded,
        # as helmpy's records have none, with a client-side patch: its ports then sit in an Update entry)
        port_keys = {k for m in entries for k in (m["fieldsV1"].get("f:spec") or {}).get("f:ports") or {}}
        assert len(port_keys) == 1 and next(iter(port_keys)).startswith('k:{"port":8080'), entries
    record = yamlutil.load(kubectl("get", "deployment", "web", "-n", "fwd", "-o", "yaml").stdout)
    assert [p["containerPort"] for p in record["spec"]["template"]["spec"]["containers"][0]["ports"]] == [8080]
