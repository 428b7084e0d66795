"""The release commands end to end: in-process CLI, real subprocesses, and the real Helm reading our records."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release import codec
from tests.support.forkserver import serving

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "data" / "release-app"


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    dst = tmp_path / "release-app"
    shutil.copytree(APP, dst)
    return dst


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cluster.db"


def run(cli: Any, db: Path, *args: str) -> Any:
    return cli(*args, "--cluster", f"local:{db}")


def test_install_status_list_history_get(cli: Any, db: Path, chart: Path) -> None:
    r = run(cli, db, "install", "demo", str(chart), "--set", "message=hey", "--labels", "team=web")
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == "NAME: demo" and lines[1].startswith("LAST DEPLOYED: ")
    assert lines[2:6] == ["NAMESPACE: default", "STATUS: deployed", "REVISION: 1", "DESCRIPTION: Install complete"]
    assert "NOTES:\nRelease demo says hey.\n" in r.stdout and "MANIFEST:" not in r.stdout
    r = run(cli, db, "status", "demo")
    assert r.exit_code == 0, r
    assert "RESOURCES:\n==> v1/ConfigMap\n" in r.stdout and "demo-main" in r.stdout and "==> v1/Service" in r.stdout
    st = run(cli, db, "status", "demo", "-o", "json").json
    assert list(st) == ["name", "info", "config", "manifest", "hooks", "version", "namespace", "apply_method"]  # chart removed
    assert st["info"]["status"] == "deployed" and st["config"] == {"message": "hey"}

    r = run(cli, db, "upgrade", "demo", str(chart), "--set", "extra=true")
    assert r.exit_code == 0, r
    assert r.stdout.startswith('Release "demo" has been upgraded. Happy Helming!\nNAME: demo\n')

    items = run(cli, db, "list", "-o", "json").json
    assert items == [{"name": "demo", "namespace": "default", "revision": "2", "updated": items[0]["updated"],
                      "status": "deployed", "chart": "release-app-0.1.0", "app_version": "1.0"}]
    assert items[0]["updated"].endswith(" +0000 UTC")
    table = run(cli, db, "list").stdout.splitlines()
    assert table[0].split("\t")[0].strip() == "NAME" and table[1].startswith("demo")
    assert run(cli, db, "list", "-q").stdout == "demo\n"
    assert run(cli, db, "list", "--no-headers").stdout.startswith("demo")
    assert run(cli, db, "list", "--failed").stdout.count("\n") == 1  # header only
    assert run(cli, db, "list", "-f", "^nomatch").stdout.count("\n") == 1

    hist = run(cli, db, "history", "demo", "-o", "json").json
    assert next(list(h) for h in hist) == ["revision", "updated", "status", "chart", "app_version", "description"]
    assert [(h["revision"], h["status"], h["description"]) for h in hist] == [
        (1, "superseded", "Install complete"), (2, "deployed", "Upgrade complete")]
    table = run(cli, db, "history", "demo").stdout.splitlines()
    assert [c.strip() for c in table[0].split("\t")] == ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION",
                                                         "DESCRIPTION"]

    assert run(cli, db, "get", "values", "demo").stdout == "USER-SUPPLIED VALUES:\nextra: true\n"
    computed = run(cli, db, "get", "values", "demo", "--all", "-o", "json").json
    assert computed["extra"] is True and computed["message"] == "hello"
    assert run(cli, db, "get", "values", "demo", "--revision", "1", "-o", "yaml").stdout == "message: hey\n"
    manifest = run(cli, db, "get", "manifest", "demo").stdout
    assert manifest.startswith("---\n# Source: release-app/templates/") and "name: demo-extra" in manifest
    assert run(cli, db, "get", "notes", "demo").stdout == "NOTES:\nRelease demo says hello.\n\n"
    assert "# Source: release-app/templates/test.yaml" in run(cli, db, "get", "hooks", "demo").stdout
    meta = run(cli, db, "get", "metadata", "demo", "-o", "json").json
    assert (meta["name"], meta["chart"], meta["version"], meta["revision"]) == ("demo", "release-app", "0.1.0", 2)
    # Helm 4: the latest revision's labels are its storage labels, system ones too; --revision N, custom only
    assert {k: v for k, v in meta["labels"].items() if k != "modifiedAt"} == {
        "team": "web", "name": "demo", "owner": "helm", "status": "deployed", "version": "2"}
    meta = run(cli, db, "get", "metadata", "demo", "--revision", "2", "-o", "json").json
    assert meta["labels"] == {"team": "web"}
    assert "APP_VERSION: 1.0" in run(cli, db, "get", "metadata", "demo").stdout
    everything = run(cli, db, "get", "all", "demo").stdout
    assert "CHART: release-app" in everything and "COMPUTED VALUES:" in everything and "MANIFEST:" in everything

    # the embedded cluster runs no containers: the test was not run, exit 1, unless a simulated pass is accepted
    r = run(cli, db, "test", "demo")
    assert r.exit_code == 1 and r.stderr.endswith(
        "helmpy: all 1 resource(s) are ready\n"  # the test Pod "ran" after the embedded cluster's pod-ready delay
        "Error: 1 test not run: demo-test (helmpy's embedded cluster runs no containers; pass --accept-simulated "
        "to accept a simulated pass)\n"), r
    assert "resource(s) to be ready" in r.stderr and "Pod/default/demo-test" in r.stderr, r
    assert "TEST SUITE:     demo-test\nLast Started:   " in r.stdout and "Phase:          Unknown" in r.stdout
    assert "Phase:          Unknown" in run(cli, db, "status", "demo").stdout
    r = run(cli, db, "test", "demo", "--accept-simulated")
    assert r.exit_code == 0, r
    assert "TEST SUITE:     demo-test\nLast Started:   " in r.stdout and "Phase:          Succeeded" in r.stdout
    assert r.stderr.endswith("are ready\nNOTE: simulated, not run (accepted by --accept-simulated): demo-test\n")

    r = run(cli, db, "rollback", "demo")
    assert (r.exit_code, r.stdout) == (0, "Rollback was a success! Happy Helming!\n")
    r = run(cli, db, "upgrade", "demo", "--rollback", "2")
    assert (r.exit_code, r.stdout) == (0, "Rollback was a success! Happy Helming!\n")
    r = run(cli, db, "uninstall", "demo")
    assert (r.exit_code, r.stdout) == (0, 'release "demo" uninstalled\n')
    assert run(cli, db, "list", "-a").stdout.count("\n") == 1


def test_test_accepts_simulated_from_the_environment_and_hooks_say_simulated(cli: Any, db: Path, chart: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    r = run(cli, db, "install", "demo", str(chart), "--set", "jobHook=true,jobHookEvents=post-install")
    assert r.exit_code == 0, r
    history = run(cli, db, "history", "demo", "-o", "json").json
    assert history[0]["description"] == "Install complete (hooks simulated: no container ran)"
    status = run(cli, db, "status", "demo").stdout
    assert "DESCRIPTION: Install complete (hooks simulated: no container ran)\n" in status
    assert run(cli, db, "test", "demo", "--filter", "name=nothing").exit_code == 0  # no test selected: nothing faked
    monkeypatch.setenv("HELMPY_ACCEPT_SIMULATED", "1")
    r = run(cli, db, "test", "demo")
    assert r.exit_code == 0 and "Phase:          Succeeded" in r.stdout, r
    monkeypatch.setenv("HELMPY_ACCEPT_SIMULATED", "0")
    assert run(cli, db, "test", "demo").exit_code == 1


def test_install_json_and_dry_run(cli: Any, db: Path, chart: Path) -> None:
    r = run(cli, db, "install", "demo", str(chart), "-o", "json", "--dry-run")
    assert r.exit_code == 0, r
    data = r.json
    assert list(data) == ["name", "info", "chart", "manifest", "hooks", "version", "namespace", "apply_method"]
    assert data["info"]["description"] == "Dry run complete" and data["info"]["status"] == "pending-install"
    assert data["chart"]["metadata"]["name"] == "release-app" and data["chart"]["schemamodtime"]
    assert data["hooks"][0]["last_run"] == {"phase": ""}
    assert run(cli, db, "list", "-q").stdout == ""
    r = run(cli, db, "install", "demo", str(chart), "--dry-run")
    assert "HOOKS:\n---\n# Source: release-app/templates/test.yaml" in r.stdout and "MANIFEST:\n---" in r.stdout


def test_exit_codes_and_errors(cli: Any, db: Path, chart: Path) -> None:
    r = run(cli, db, "status", "nope")
    assert (r.exit_code, r.stderr) == (1, "Error: release: not found\n")
    r = run(cli, db, "install", "Bad_Name", str(chart))
    assert r.exit_code == 1 and r.stderr.startswith("Error: INSTALLATION FAILED: invalid release name 'Bad_Name'")
    r = run(cli, db, "install", "demo", str(chart), "--timeout", "soon")
    assert r.exit_code == 2 and "invalid duration" in r.stderr
    r = run(cli, db, "install", "demo")
    assert r.exit_code == 2
    assert run(cli, db, "install", "demo", str(chart)).exit_code == 0
    r = run(cli, db, "upgrade", "demo", str(chart), "--set", "broken=true")
    assert r.exit_code == 1 and r.stderr.startswith("Error: UPGRADE FAILED: ")
    r = run(cli, db, "uninstall", "ghost")
    assert r.exit_code == 1 and "uninstall: Release not loaded: ghost: release: not found" in r.stderr
    assert run(cli, db, "uninstall", "ghost", "--ignore-not-found").exit_code == 0
    r = run(cli, db, "list", "-f", "(")
    assert r.exit_code == 2


# --- real processes -----------------------------------------------------------------------------------
def helmpy_proc(db: Path, *args: str, controller: bool = True) -> subprocess.Popen[str]:
    env = dict(os.environ, HELMPY_EMBEDDED_CONTROLLER="1" if controller else "0", HELMPY_CLUSTER=f"local:{db}",
               PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "helmpy", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)


def wait_for_job(db: Path, name: str, timeout: float = 30) -> dict[str, Any]:
    kube = EmbeddedCluster(db, controller=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = kube.get("batch/v1", "Job", name, "default")
        if job is not None:
            return job
        time.sleep(0.1)
    raise AssertionError(f"hook Job {name} never appeared")


def test_two_processes_upgrading_one_release(cli: Any, db: Path, chart: Path) -> None:
    assert run(cli, db, "install", "demo", str(chart)).exit_code == 0
    args = ("upgrade", "demo", str(chart), "--set", "jobHook=true", "--timeout", "60s")
    procs = [helmpy_proc(db, *args, controller=False) for _ in range(2)]
    job = wait_for_job(db, "demo-migrate")  # the winner is now waiting for its pre-upgrade hook
    deadline = time.monotonic() + 30
    while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    loser = next(p for p in procs if p.poll() is not None)
    winner = next(p for p in procs if p is not loser)
    out, err = loser.communicate()
    assert loser.returncode == 1
    assert "another operation (install/upgrade/rollback/uninstall) is in progress" in err
    # finish the hook Job the way a controller would; the winner then completes
    job["status"] = {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}
    EmbeddedCluster(db, controller=False).replace_status(job)
    out, err = winner.communicate(timeout=60)
    assert winner.returncode == 0, err
    assert 'Release "demo" has been upgraded' in out
    hist = run(cli, db, "history", "demo", "-o", "json").json
    assert [(h["revision"], h["status"]) for h in hist] == [(1, "superseded"), (2, "deployed")]
    assert run(cli, db, "status", "demo", "-o", "json").json.get("lock") is None


@pytest.mark.parametrize("served", [False, True], ids=["alone", "fork server"])
def test_killed_upgrade_is_explained_and_recovered(cli: Any, db: Path, chart: Path, served: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 of helmpy mid-upgrade, run by itself or by a fork server (whose command dies with it)."""
    with contextlib.ExitStack() as stack:
        if served:
            stack.enter_context(serving(monkeypatch, ROOT))
        killed_mid_upgrade(cli, db, chart)


def killed_mid_upgrade(cli: Any, db: Path, chart: Path) -> None:
    assert run(cli, db, "install", "demo", str(chart)).exit_code == 0
    proc = helmpy_proc(db, "upgrade", "demo", str(chart), "--set", "jobHook=true,message=new", "--timeout", "120s",
                       controller=False)
    wait_for_job(db, "demo-migrate")
    st = run(cli, db, "status", "demo")
    assert "STATUS: pending-upgrade" in st.stdout and "an operation is in progress" in st.stdout
    assert f"LOCKED BY: pid {proc.pid}" in st.stdout
    r = run(cli, db, "upgrade", "demo", str(chart))
    assert r.exit_code == 1 and "another operation" in r.stderr  # a live holder is never broken
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    st = run(cli, db, "status", "demo")
    assert "STATUS: pending-upgrade" in st.stdout
    assert "no live operation holds the release lock" in st.stdout and "(that process is gone)" in st.stdout
    assert "helmpy rollback demo" in st.stdout
    data = run(cli, db, "status", "demo", "-o", "json").json
    assert data["lock"]["pid"] == proc.pid and "ended without finishing" in data["lock_note"]
    r = run(cli, db, "rollback", "demo")
    assert r.exit_code == 0, r
    hist = run(cli, db, "history", "demo", "-o", "json").json
    assert [(h["revision"], h["status"]) for h in hist] == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert "interrupted" in hist[1]["description"] and hist[2]["description"] == "Rollback to 1"
    kube = EmbeddedCluster(db)
    assert kube.get("v1", "ConfigMap", "demo-main", "default")["data"]["message"] == "hello"
    assert run(cli, db, "status", "demo", "-o", "json").json.get("lock") is None


# --- Helm reads our records ---------------------------------------------------------------------------
def test_helm_reads_helmpy_records(cli: Any, db: Path, chart: Path, helm: Any, tmp_path: Path) -> None:
    assert run(cli, db, "install", "demo", str(chart)).exit_code == 0
    assert run(cli, db, "upgrade", "demo", str(chart), "--set", "extra=true").exit_code == 0
    kube = EmbeddedCluster(db)
    secrets = kube.list("v1", "Secret", "default", label_selector="owner=helm")
    assert len(secrets) == 2 and all(s["type"] == "helm.sh/release.v1" for s in secrets)
    releases = [codec.decode(base64.b64decode(s["data"]["release"])).to_dict() for s in secrets]
    data = tmp_path / "releases.json"
    data.write_text(json.dumps(releases))
    helm_env = {"HELM_DRIVER": "memory", "HELM_MEMORY_DRIVER_DATA": str(data), "KUBECONFIG": str(tmp_path / "none")}
    theirs = json.loads(helm("history", "demo", "-o", "json", extra_env=helm_env).stdout)
    ours = run(cli, db, "history", "demo", "-o", "json").json
    assert theirs == ours
    theirs = json.loads(helm("list", "-o", "json", extra_env=helm_env).stdout)
    ours = run(cli, db, "list", "-o", "json").json
    assert theirs == ours
    assert helm("history", "demo", extra_env=helm_env).stdout == run(cli, db, "history", "demo").stdout
    assert helm("get", "values", "demo", extra_env=helm_env).stdout == run(cli, db, "get", "values", "demo").stdout
    assert helm("get", "manifest", "demo", extra_env=helm_env).stdout == run(cli, db, "get", "manifest", "demo").stdout


def test_status_resources_have_kubectl_columns(cli: Any, db: Path) -> None:
    from helmpy.cli.release_output import kubectl_table
    from helmpy.kube.printers import human_duration

    r = run(cli, db, "install", "k", str(ROOT / "tests" / "data" / "release-kinds"), "--wait", "--wait-for-jobs")
    assert r.exit_code == 0, r
    out = run(cli, db, "status", "k").stdout
    blocks = {b.split("\n", 1)[0]: b.split("\n")[1:] for b in out.split("==> ")[1:]}

    def table(key: str) -> list[list[str]]:
        return [line.split() for line in blocks[key] if line.strip() and not line.startswith("TEST SUITE")]

    assert table("v1/Deployment")[0] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]  # Helm 4's key
    assert table("v1/Deployment")[1][:4] == ["k-web", "3/3", "3", "3"]
    svc = table("v1/Service")
    assert svc[0] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert svc[1][:3] == ["k-web", "NodePort", svc[1][2]] and svc[1][2].startswith("10.96.")
    assert svc[1][3] == "<none>" and svc[1][4].startswith("80:3") and ",53:3" in svc[1][4]
    assert svc[1][4].endswith("/UDP")
    assert table("v1/Pod")[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert table("v1/Pod")[1][:4] == ["k-pod", "2/2", "Running", "0"]
    assert table("v1/Job")[0] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert table("v1/Job")[1][:3] == ["k-job", "Complete", "2/2"]
    pvc = blocks["v1/PersistentVolumeClaim"]
    assert [c.strip() for c in pvc[0].split("   ") if c.strip()][:5] == ["NAME", "STATUS", "VOLUME", "CAPACITY",
                                                                         "ACCESS MODES"]
    row = table("v1/PersistentVolumeClaim")[1]  # bound by the simulated volume controller to pvc-<uid>
    assert row[:2] == ["k-data", "Bound"] and row[2].startswith("pvc-") and row[3:5] == ["1Gi", "RWO"], row
    assert table("v1/Role")[0] == ["NAME", "CREATED", "AT"]
    assert table("v1/PodDisruptionBudget")[1][:4] == ["k-pdb", "1", "N/A", "0"]
    # aligned like kubectl: every column but the last padded to its widest cell + 3, no trailing blanks
    assert blocks["v1/Pod"][0] == "NAME    READY   STATUS    RESTARTS   AGE"
    assert kubectl_table(["NAME", "X"], [["a", "1"]]) == "NAME   X\na      1\n"
    assert [human_duration(s) for s in (-5, -1, 59, 119, 120, 200, 600, 3 * 3600 + 60, 9 * 3600, 50 * 3600,
                                        10 * 86400, 800 * 86400, 3000 * 86400)] == [
        "<invalid>", "0s", "59s", "119s", "2m", "3m20s", "10m", "3h1m", "9h", "2d2h", "10d", "2y70d", "8y"]


def test_wait_shows_progress_on_stderr(cli: Any, db: Path, chart: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_EMBEDDED_CONTROLLER", "0")  # nothing ever becomes ready
    r = run(cli, db, "install", "k", str(ROOT / "tests" / "data" / "release-kinds"), "--wait", "--timeout", "0.5s")
    assert r.exit_code == 1
    assert "helmpy: waiting for " in r.stderr and "Deployment/default/k-web" in r.stderr
    assert r.stderr.splitlines()[-1].startswith("Error: INSTALLATION FAILED: timed out after 0.5s waiting for ")
