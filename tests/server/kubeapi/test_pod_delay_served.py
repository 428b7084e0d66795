"""Through `helmpy cluster serve --pod-ready-delay`, real kubectl and real Helm 4 see Pods go Pending/ContainerCreating
-> Running after the delay, and their owners follow: `kubectl get pods -w`, `rollout status`, `wait`, `helm install
--wait`. The due times are promoted by the server's watch loop, so a watcher sees the MODIFIED events without any
other read. In-process: tests/kube/test_pod_delay.py.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.kubeapi.conftest import (
    ServedCluster,
    helm_runner,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.helm
DELAY = 1.5

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""
JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """A server whose Pods run DELAY seconds after they are made."""
    s = start_server(tmp_path_factory.mktemp("delayed"), "--pod-ready-delay", str(DELAY))
    yield s
    stop_server(s)


def _manifest(served: ServedCluster, name: str, text: str) -> str:
    path = served.home / name
    path.write_text(text)
    return str(path)


def test_kubectl_get_pods_watch_sees_container_creating_then_running(served, kubectl, helm_bin_dir) -> None:
    kubectl("create", "namespace", "watch")
    watcher = subprocess.Popen([str(helm_bin_dir / "kubectl"), "get", "pods", "-n", "watch", "-w", "--no-headers",
                                "--output-watch-events", "--request-timeout=0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=served.env(),
                               cwd=served.home)
    lines: list[tuple[float, list[str]]] = []

    def read() -> None:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            lines.append((time.monotonic(), line.split()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(1)  # the watch is open (an empty list first)
        began = time.monotonic()
        kubectl("apply", "-n", "watch", "-f", _manifest(served, "watch.yaml", DEPLOY))
        deadline = time.monotonic() + 30
        while sum(1 for _, cols in lines if "Running" in cols) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
        reader.join(timeout=10)
    by_pod: dict[str, list[tuple[float, str, str, str]]] = {}
    for at, cols in lines:  # EVENT NAME READY STATUS RESTARTS AGE
        assert len(cols) >= 4, lines
        by_pod.setdefault(cols[1], []).append((at, cols[0], cols[2], cols[3]))
    assert len(by_pod) == 2, lines
    for name, seen in by_pod.items():
        states = [(event, ready, status) for _, event, ready, status in seen]
        assert states[0] == ("ADDED", "0/1", "ContainerCreating"), (name, states)
        assert states[-1] == ("MODIFIED", "1/1", "Running"), (name, states)
        running_at = seen[-1][0]
        assert DELAY * 0.8 <= running_at - began < DELAY + 15, (name, running_at - began)


def test_kubectl_rollout_status_and_wait_see_the_delay(served, kubectl) -> None:
    kubectl("create", "namespace", "roll")
    began = time.monotonic()
    kubectl("apply", "-n", "roll", "-f", _manifest(served, "roll.yaml", DEPLOY))
    early = json.loads(kubectl("get", "deployment", "web", "-n", "roll", "-o", "json").stdout)
    assert {c["type"]: c["status"] for c in early["status"]["conditions"]}["Available"] == "False"
    out = kubectl("rollout", "status", "-n", "roll", "deployment/web", "--timeout=30s").stdout
    took = time.monotonic() - began
    assert "Waiting for deployment \"web\" rollout to finish: 0 of 2 updated replicas are available..." in out, out
    assert out.rstrip().endswith('deployment "web" successfully rolled out'), out
    assert DELAY * 0.8 <= took < DELAY + 15, took
    # a new template: the old Pods serve until the new ones are Ready, then go
    kubectl("set", "image", "-n", "roll", "deployment/web", "web=nginx:1.28")
    images = [p["spec"]["containers"][0]["image"] for p in
              json.loads(kubectl("get", "pods", "-n", "roll", "-o", "json").stdout)["items"]]
    assert sorted(images) == ["nginx:1.27"] * 2 + ["nginx:1.28"] * 2, images
    kubectl("rollout", "status", "-n", "roll", "deployment/web", "--timeout=30s")
    kubectl("wait", "-n", "roll", "--for=delete", "pod", "-l", "app=web,pod-template-hash", "--timeout=1s",
            check=False)  # nothing to assert: only lets the scale-down land before the next read
    images = [p["spec"]["containers"][0]["image"] for p in
              json.loads(kubectl("get", "pods", "-n", "roll", "-o", "json").stdout)["items"]]
    assert images == ["nginx:1.28"] * 2, images

    kubectl("create", "namespace", "waits")
    began = time.monotonic()
    kubectl("apply", "-n", "waits", "-f", _manifest(served, "waits.yaml", DEPLOY + "---\n" + JOB))
    kubectl("wait", "-n", "waits", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=30s")
    assert time.monotonic() - began >= DELAY * 0.8
    kubectl("wait", "-n", "waits", "--for=condition=Complete", "job/once", "--timeout=30s")
    job = kubectl("get", "job", "once", "-n", "waits", "--no-headers").stdout.split()
    assert job[1:3] == ["Complete", "1/1"], job


def test_helm_install_wait_returns_once_the_pods_run(served, helm_bin_dir, kubectl, tmp_path) -> None:
    helm = helm_runner(served, helm_bin_dir)
    chart = tmp_path / "delayed"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: delayed\nversion: 0.1.0\n")
    (chart / "templates" / "app.yaml").write_text(DEPLOY)
    (chart / "templates" / "hook.yaml").write_text(JOB.replace("metadata: {name: once}", "metadata:\n  name: post\n"
                                                               "  annotations: {helm.sh/hook: post-install}"))
    began = time.monotonic()
    helm("install", "delayed", str(chart), "-n", "helmwait", "--create-namespace", "--wait", "--timeout", "60s")
    took = time.monotonic() - began
    assert DELAY * 2 * 0.8 <= took < 2 * DELAY + 30, took  # the Deployment's Pods, then the hook Job's Pod
    pods = kubectl("get", "pods", "-n", "helmwait", "-l", "app=web", "--no-headers").stdout.splitlines()
    assert len(pods) == 2 and all(" 1/1 " in p and "Running" in p for p in pods), pods
    assert kubectl("get", "job", "post", "-n", "helmwait", "--no-headers").stdout.split()[1] == "Complete"


def test_zero_delay_runs_pods_at_once(tmp_path: Path, helm_bin_dir) -> None:
    served = start_server(tmp_path / "now", "--pod-ready-delay", "0")
    try:
        def kubectl(*args: str) -> str:
            return subprocess.run([str(helm_bin_dir / "kubectl"), *args], capture_output=True, text=True, check=True,
                                  env=served.env(), cwd=served.home, timeout=60).stdout

        kubectl("apply", "-f", _manifest(served, "now.yaml", DEPLOY))
        pods = kubectl("get", "pods", "--no-headers").splitlines()
        assert len(pods) == 2 and all(" 1/1 " in p and "Running" in p for p in pods), pods
    finally:
        stop_server(served)


def _stored_pods(db: Path, namespace: str) -> list[dict]:
    """The Pods as the cluster file holds them, read straight from SQLite: no API read (which would start due
    Pods itself)."""
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT json FROM objects WHERE api_group = '' AND plural = 'pods' AND namespace = ?",
                            (namespace,)).fetchall()
    return [json.loads(text) for (text,) in rows]


def test_the_servers_kubelet_starts_due_pods_without_any_read(tmp_path: Path, helm_bin_dir) -> None:
    """A real cluster's kubelet starts Pods on its own; so does cluster serve's (helmpy/server/kubeapi/kubelet.py):
    nobody reads after the apply, yet the Pods run once their delay is over, and their Deployment follows."""
    served = start_server(tmp_path / "kubelet", "--pod-ready-delay", "3")
    try:
        began = time.monotonic()
        subprocess.run([str(helm_bin_dir / "kubectl"), "apply", "-f", _manifest(served, "web.yaml", DEPLOY)],
                       capture_output=True, text=True, check=True, env=served.env(), cwd=served.home, timeout=60)
        applied = time.monotonic()
        if applied - began < 2.5:  # (a machine this slow leaves no Pending moment to see: skip that check)
            phases = [p["status"]["phase"] for p in _stored_pods(served.db, "default")]
            assert phases == ["Pending", "Pending"]
        while time.monotonic() - applied < 20:
            pods = _stored_pods(served.db, "default")
            if all(p["status"]["phase"] == "Running" for p in pods):
                break
            time.sleep(0.05)
        assert all(p["status"]["phase"] == "Running" for p in pods), pods
        # made after `began` and run on time: no sooner than the delay after it, and not much later than the apply
        assert time.monotonic() - began > 3 and time.monotonic() - applied < 3 + 5
        import sqlite3

        with sqlite3.connect(f"file:{served.db}?mode=ro", uri=True) as conn:
            (text,) = conn.execute("SELECT json FROM objects WHERE plural = 'deployments' AND name = 'web'").fetchone()
        assert json.loads(text)["status"]["readyReplicas"] == 2
    finally:
        stop_server(served)
