"""New Pods run only after the embedded cluster's pod-ready delay, as under kwok: Pending/ContainerCreating, then
Running and Ready (or Succeeded), then their owners' status - a real write with a MODIFIED event, whichever process
reads after the due time. The converged states themselves: test_controllers.py. Through `cluster serve` with real
kubectl and Helm: tests/server/kubeapi/test_pod_delay_served.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helmpy.kube import readiness
from helmpy.kube.embedded import EmbeddedCluster
from tests.kube.test_controllers import DB, SERVICE, web

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """A wall clock the test moves by hand (the cluster's ``clock`` parameter)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cluster(tmp_path: Path, clock: Clock) -> EmbeddedCluster:
    return EmbeddedCluster(tmp_path / "c.db", pod_ready_delay=5, clock=clock)


def pods(cluster: EmbeddedCluster, selector: str | None = None) -> list[dict[str, Any]]:
    return cluster.list("v1", "Pod", "default", label_selector=selector)


def phases(cluster: EmbeddedCluster, selector: str | None = None) -> list[str]:
    return [p["status"]["phase"] for p in pods(cluster, selector)]


def conditions(obj: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c.get("reason", "")) for c in obj["status"].get("conditions") or []}


def pod_events(db: Path, since: int) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, name, json FROM changes WHERE resource_version > ? AND kind = 'Pod' "
                            "ORDER BY resource_version", (since,)).fetchall()
    return [(t, n, json.loads(text)["status"]["phase"]) for t, n, text in rows]


def test_pods_are_pending_until_the_delay_then_run_and_the_deployment_follows(cluster, clock, tmp_path) -> None:
    start = cluster.resource_version()
    cluster.apply(SERVICE)
    cluster.apply(web())
    made = pods(cluster)
    assert [p["status"]["phase"] for p in made] == ["Pending", "Pending"]
    waiting = made[0]["status"]["containerStatuses"][0]
    assert waiting["state"] == {"waiting": {"reason": "ContainerCreating"}} and not waiting["ready"]
    assert conditions(made[0])["Ready"] == ("False", "ContainersNotReady") and "podIP" not in made[0]["status"]
    dep = cluster.get("apps/v1", "Deployment", "web", "default")
    assert conditions(dep) == {"Available": ("False", "MinimumReplicasUnavailable"),
                               "Progressing": ("True", "NewReplicaSetCreated")}
    assert dep["status"].get("readyReplicas", 0) == 0 and dep["status"]["unavailableReplicas"] == 2
    assert not readiness.check(dep).ready
    assert "subsets" not in cluster.get("v1", "Endpoints", "web", "default")  # no address before Ready
    clock.now += 4.9
    assert phases(cluster) == ["Pending", "Pending"]  # not before the due time
    clock.now += 0.2
    ran = pods(cluster)
    assert [p["status"]["phase"] for p in ran] == ["Running", "Running"]
    assert all(conditions(p)["Ready"] == ("True", "") and p["status"]["podIP"] for p in ran)
    assert all(int(p["metadata"]["resourceVersion"]) > int(m["metadata"]["resourceVersion"])
               for p, m in zip(ran, made, strict=True))
    assert ran[0]["status"]["startTime"] == made[0]["status"]["startTime"]
    dep = cluster.get("apps/v1", "Deployment", "web", "default")
    assert readiness.check(dep).ready and conditions(dep) == {"Available": ("True", "MinimumReplicasAvailable"),
                                                              "Progressing": ("True", "NewReplicaSetAvailable")}
    assert dep["status"]["availableReplicas"] == 2 and "unavailableReplicas" not in dep["status"]
    [subset] = cluster.get("v1", "Endpoints", "web", "default")["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == sorted(p["status"]["podIP"] for p in ran)
    # what a watcher sees: each Pod ADDED Pending, then MODIFIED Running
    events = pod_events(tmp_path / "c.db", start)
    assert sorted(events) == sorted([("ADDED", p["metadata"]["name"], "Pending") for p in made] +
                                    [("MODIFIED", p["metadata"]["name"], "Running") for p in made])
    assert [e[0] for e in events] == ["ADDED", "ADDED", "MODIFIED", "MODIFIED"]
    rv = cluster.resource_version()
    cluster.get("apps/v1", "Deployment", "web", "default")
    assert cluster.resource_version() == rv  # nothing more due: reads write nothing


def test_a_rollout_keeps_the_old_pods_until_the_new_ones_are_ready(cluster, clock) -> None:
    cluster.apply(web())
    clock.now += 5
    [first] = cluster.list("apps/v1", "ReplicaSet", "default")
    cluster.apply(web("nginx:1.28"))
    by_image = sorted((p["spec"]["containers"][0]["image"], p["status"]["phase"]) for p in pods(cluster))
    assert by_image == [("nginx:1.27", "Running")] * 2 + [("nginx:1.28", "Pending")] * 2
    dep = cluster.get("apps/v1", "Deployment", "web", "default")
    assert dep["status"]["replicas"] == 4 and dep["status"]["updatedReplicas"] == 2
    assert conditions(dep)["Progressing"] == ("True", "NewReplicaSetCreated") and not readiness.check(dep).ready
    clock.now += 5
    assert sorted(p["spec"]["containers"][0]["image"] for p in pods(cluster)) == ["nginx:1.28"] * 2
    sets = {r["metadata"]["name"]: r["spec"]["replicas"] for r in cluster.list("apps/v1", "ReplicaSet", "default")}
    assert sets[first["metadata"]["name"]] == 0 and sorted(sets.values()) == [0, 2]
    assert readiness.check(cluster.get("apps/v1", "Deployment", "web", "default")).ready


def test_statefulset_pods_start_one_after_another(cluster, clock) -> None:
    cluster.apply(DB)
    assert [(p["metadata"]["name"], p["status"]["phase"]) for p in pods(cluster)] == [("db-0", "Pending")]
    clock.now += 5
    assert [(p["metadata"]["name"], p["status"]["phase"]) for p in pods(cluster)] == \
        [("db-0", "Running"), ("db-1", "Pending")]
    sts = cluster.get("apps/v1", "StatefulSet", "db", "default")
    assert sts["status"]["readyReplicas"] == 1 and not readiness.check(sts).ready
    clock.now += 5
    assert phases(cluster) == ["Running", "Running"]
    assert readiness.check(cluster.get("apps/v1", "StatefulSet", "db", "default")).ready
    parallel = json.loads(json.dumps(DB).replace('"db"', '"par"'))
    parallel["metadata"]["name"], parallel["spec"]["podManagementPolicy"] = "par", "Parallel"
    cluster.apply(parallel)
    assert phases(cluster, "app=par") == ["Pending", "Pending"]


def test_jobs_complete_after_their_pods_succeed_parallelism_at_a_time(cluster, clock) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "default"},
           "spec": {"completions": 2, "parallelism": 1, "template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "c", "image": "busybox"}]}}}}
    live = cluster.create(job)
    assert live["status"]["active"] == 1 and "succeeded" not in live["status"] and not readiness.check(live).ready
    assert phases(cluster, "job-name=migrate") == ["Pending"]
    clock.now += 5
    assert sorted(phases(cluster, "job-name=migrate")) == ["Pending", "Succeeded"]
    live = cluster.get("batch/v1", "Job", "migrate", "default")
    assert live["status"]["succeeded"] == 1 and live["status"]["active"] == 1 and not readiness.check(live).ready
    clock.now += 5
    live = cluster.get("batch/v1", "Job", "migrate", "default")
    assert live["status"]["succeeded"] == 2 and live["status"]["active"] == 0 and readiness.check(live).ready
    assert conditions(live)["Complete"] == ("True", "CompletionsReached")


def test_a_pod_deleted_before_its_due_time_is_replaced_and_nothing_breaks(cluster, clock) -> None:
    cluster.apply(web(replicas=1))
    [victim] = pods(cluster)
    cluster.delete("v1", "Pod", victim["metadata"]["name"], "default")
    [replacement] = pods(cluster)
    assert replacement["metadata"]["uid"] != victim["metadata"]["uid"] and replacement["status"]["phase"] == "Pending"
    clock.now += 5
    assert phases(cluster) == ["Running"]


def test_zero_delay_runs_pods_at_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HELMPY_EMBEDDED_POD_READY_DELAY", "0")
    cluster = EmbeddedCluster(tmp_path / "c.db")
    cluster.apply(web())
    assert phases(cluster) == ["Running", "Running"]
    assert readiness.check(cluster.get("apps/v1", "Deployment", "web", "default")).ready
    with sqlite3.connect(tmp_path / "c.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM due WHERE at >= 0").fetchone() == (0,)


def test_the_real_delay_is_honoured_by_wait(tmp_path) -> None:
    cluster = EmbeddedCluster(tmp_path / "c.db", pod_ready_delay=0.6)
    began = time.monotonic()
    cluster.apply(web())
    assert phases(cluster) == ["Pending", "Pending"]
    cluster.wait_ready([web()], timeout=30)
    took = time.monotonic() - began
    assert 0.6 <= took < 5, took
    assert phases(cluster) == ["Running", "Running"]


_KILLED = """
import os, signal, sys
from helmpy.kube.embedded import EmbeddedCluster
from tests.kube.test_controllers import web
EmbeddedCluster(sys.argv[1]).apply(web())
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_before_promotion_leaves_nothing_stuck(tmp_path) -> None:
    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELMPY_EMBEDDED_POD_READY_DELAY": "0.3"}
    proc = subprocess.run([sys.executable, "-c", _KILLED, str(db)], env=env, cwd=ROOT, capture_output=True, check=False,
                          timeout=60)
    assert proc.returncode == -9, proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM due WHERE at >= 0").fetchone() == (2,)
    time.sleep(0.4)
    later = EmbeddedCluster(db, pod_ready_delay=30)  # another process's setting does not move the due times
    assert phases(later) == ["Running", "Running"]
    assert readiness.check(later.get("apps/v1", "Deployment", "web", "default")).ready


def test_a_bad_delay_setting_is_one_clear_error(cli, tmp_path, monkeypatch) -> None:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    monkeypatch.setenv("HELMPY_EMBEDDED_POD_READY_DELAY", "soon")
    r = cli("install", "c", str(chart), "--cluster", f"local:{tmp_path / 'c.db'}")
    assert r.exit_code == 2 and r.stderr.strip().splitlines()[-1] == (
        "Error: HELMPY_EMBEDDED_POD_READY_DELAY='soon': expected a number of seconds (0 or more)"), r.stderr
    assert "Traceback" not in r.stderr


def test_install_wait_in_process_sees_the_transition(cli, tmp_path, monkeypatch) -> None:
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "templates" / "dep.yaml").write_text(json.dumps(web()))
    monkeypatch.setenv("HELMPY_EMBEDDED_POD_READY_DELAY", "0.5")
    db = tmp_path / "c.db"
    began = time.monotonic()
    r = cli("install", "web", str(chart), "--cluster", f"local:{db}", "--wait", "--timeout", "30s")
    took = time.monotonic() - began
    assert r.exit_code == 0, r.stderr
    assert "waiting for 1 of 1 resource(s)" in r.stderr and "Deployment/default/web" in r.stderr, r.stderr
    assert 0.5 <= took < 10, took
    assert phases(EmbeddedCluster(db)) == ["Running", "Running"]


def test_endpoints_list_a_pod_as_ready_only_once_it_is_ready(cluster, clock) -> None:
    cluster.apply(SERVICE)
    cluster.apply(web(replicas=1))
    assert "subsets" not in cluster.get("v1", "Endpoints", "web", "default")  # Pending: no IP, no address
    clock.now += 5
    [pod] = pods(cluster)
    [subset] = cluster.get("v1", "Endpoints", "web", "default")["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == [pod["status"]["podIP"]] and "notReadyAddresses" not in subset
    # the Pod stops being Ready (a status write, as a kubelet's failing probe makes): not ready, still listed
    pod["status"]["conditions"] = [dict(c, status="False") if c["type"] == "Ready" else c
                                   for c in pod["status"]["conditions"]]
    cluster.replace_status(pod)
    [subset] = cluster.get("v1", "Endpoints", "web", "default")["subsets"]
    assert "addresses" not in subset and [a["ip"] for a in subset["notReadyAddresses"]] == [pod["status"]["podIP"]]
    [eps] = cluster.list("discovery.k8s.io/v1", "EndpointSlice", "default")
    assert eps["endpoints"][0]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    dep = cluster.get("apps/v1", "Deployment", "web", "default")  # and the owners count it as unavailable
    assert "readyReplicas" not in dep["status"] and conditions(dep)["Available"][0] == "False"
