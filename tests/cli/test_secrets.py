"""No secret is echoed: the release lock's holder record, status, errors, --dry-run --hide-secret and --debug logs.

Every test runs the real command (in-process, or as a subprocess where a lock must be held by another process)
against the embedded cluster or a real server on 127.0.0.1, with a value that must never come back out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helmpy import yamlutil
from helmpy.kube.embedded import EmbeddedCluster
from tests.cli.test_release_cmds import APP, ROOT, helmpy_proc, run, wait_for_job
from tests.support.http_repo import RepoServer

SECRET = "TOPSECRET"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cluster.db"


def secret_flags(tmp_path: Path) -> list[str]:
    """Every way a secret can be handed to install/upgrade: --set* (both spellings), -f, --set-file, tokens."""
    values = tmp_path / "secret-values.yaml"
    values.write_text(f"db:\n  password: {SECRET}-file\n")
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(f"{SECRET}-set-file\n")
    return ["--set", f"postgresql.password={SECRET}", f"--set-string=api.token={SECRET}-string",
            "--set-json", f'creds={{"key": "{SECRET}-json"}}', "--set-literal", f"lit={SECRET}-literal",
            "-f", str(values), f"--values={values}", "--set-file", f"pw={pw_file}"]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and SECRET.lower() not in text, text


def test_held_lock_never_shows_flag_values(cli: Any, db: Path, tmp_path: Path) -> None:
    assert run(cli, db, "install", "demo", str(APP)).exit_code == 0
    proc = helmpy_proc(db, "upgrade", "demo", str(APP), "--set", "jobHook=true", *secret_flags(tmp_path),
                       "--description", f"rotating {SECRET}", "--labels", f"team={SECRET.lower()}",
                       "--timeout", "120s", "--kube-token", SECRET, controller=False)
    try:
        wait_for_job(db, "demo-migrate")  # the upgrade holds the lock, waiting for its pre-upgrade hook
        lease = EmbeddedCluster(db, controller=False).get("coordination.k8s.io/v1", "Lease", "helmpy.lock.demo",
                                                         "default")
        assert lease is not None
        command = lease["metadata"]["annotations"]["helmpy.io/lock-command"]
        # command words, release, chart and flag names stay; only the timeout (harmless) keeps its value
        assert command.startswith(f"helmpy upgrade demo {APP} ")
        for flag in ("--set", "--set-string", "--set-json", "--set-literal", "--values", "--set-file",
                     "--description", "--labels", "--kube-token", "--timeout=120s"):
            assert flag in command.split(), command
        assert_no_secret(json.dumps(lease))
        outputs = [run(cli, db, "status", "demo", *form) for form in ([], ["-o", "table"], ["-o", "json"],
                                                                      ["-o", "yaml"])]
        assert "LOCKED BY: pid" in outputs[0].stdout and json.loads(outputs[2].stdout)["lock"]["command"] == command
        busy = run(cli, db, "upgrade", "demo", str(APP), "--set", f"x={SECRET}")
        assert busy.exit_code == 1 and "another operation" in busy.stderr and "--set" in busy.stderr
        rollback = run(cli, db, "rollback", "demo", "1")
        assert rollback.exit_code == 1 and "another operation" in rollback.stderr
        # -o json/yaml print the release's own user-supplied values under "config", exactly as Helm's status
        # does (whoever can read status can read the record); everything else, the lock above all, is clean
        structured = [outputs[2].json, yamlutil.load(outputs[3].stdout)]
        assert structured[0]["config"]["postgresql"] == {"password": SECRET} == structured[1]["config"]["postgresql"]
        for data in structured:
            data.pop("config")
        assert_no_secret(*(r.stdout + r.stderr for r in (outputs[0], outputs[1], busy, rollback)),
                         *(outputs[i].stderr for i in (2, 3)), json.dumps(structured))
    finally:
        proc.kill()
        out, err = proc.communicate()
    assert_no_secret(out, err)
    # the holder died mid-way: the next upgrade recovers the pending revision, and its description names the
    # dead holder's command, still without values
    r = run(cli, db, "upgrade", "demo", str(APP))
    assert r.exit_code == 0, r
    history = run(cli, db, "history", "demo", "-o", "json").json
    assert "recovered by" in history[1]["description"]
    assert_no_secret(json.dumps(history))


def test_cluster_file_holds_no_plain_secret(cli: Any, db: Path, tmp_path: Path) -> None:
    """Only the release record holds the values (encoded, as Helm stores them); nothing else writes them."""
    r = run(cli, db, "install", "demo", str(APP), *secret_flags(tmp_path), "--debug")
    assert r.exit_code == 0, r
    assert_no_secret(r.stderr)
    for path in db.parent.glob(db.name + "*"):  # the SQLite file and its -wal/-shm
        assert SECRET.encode() not in path.read_bytes(), path
    assert run(cli, db, "get", "values", "demo", "-o", "json").json["postgresql"] == {"password": SECRET}


# --- --dry-run --hide-secret --------------------------------------------------------------------------
SECRET_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: sec\nversion: 0.1.0\nannotations:\n  helmpy.io/template-engine: jinja2\n",
    "templates/secret.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {SECRET}\n",
    "templates/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
    "templates/hook.yaml": ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: hook-secret\n  annotations:\n"
                            f"    helm.sh/hook: pre-install,pre-upgrade\nstringData:\n  token: {SECRET}\n"),
}


@pytest.fixture
def secret_chart(tmp_path: Path) -> Path:
    root = tmp_path / "sec"
    for name, text in SECRET_CHART.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_hide_secret_on_dry_runs(cli: Any, db: Path, secret_chart: Path) -> None:
    plain = run(cli, db, "install", "demo", str(secret_chart), "--dry-run")
    assert plain.exit_code == 0 and SECRET in plain.stdout  # without the flag, as in Helm
    for argv in (["install", "demo"], ["upgrade", "--install", "demo"]):
        for form in (["-o", "table"], ["-o", "json"], ["-o", "yaml"]):
            r = run(cli, db, *argv, str(secret_chart), "--dry-run", "--hide-secret", *form)
            assert r.exit_code == 0, r
            assert_no_secret(r.stdout)
            assert "# HIDDEN: The Secret output has been suppressed" in r.stdout
    table = run(cli, db, "install", "demo", str(secret_chart), "--dry-run", "--hide-secret").stdout
    manifest = table.split("MANIFEST:\n", 1)[1]
    assert "# Source: sec/templates/secret.yaml\n# HIDDEN: The Secret output has been suppressed\n" in manifest
    assert "kind: ConfigMap" in manifest and "mode: fast" in manifest
    assert run(cli, db, "install", "demo", str(secret_chart)).exit_code == 0
    r = run(cli, db, "upgrade", "demo", str(secret_chart), "--dry-run", "--hide-secret", "-o", "json")
    assert r.exit_code == 0 and "HIDDEN" in r.json["manifest"]
    assert_no_secret(r.json["manifest"], json.dumps(r.json["hooks"]))


def test_hide_secret_requires_a_dry_run(cli: Any, db: Path, secret_chart: Path) -> None:
    for argv in (["install", "demo"], ["upgrade", "--install", "demo"]):
        r = run(cli, db, *argv, str(secret_chart), "--hide-secret")
        assert r.exit_code == 2, r
        assert r.stderr.splitlines()[0].endswith("hiding Kubernetes secrets requires a dry-run mode")
    assert run(cli, db, "list", "-q").stdout == ""  # nothing was installed


def test_hide_secret_matches_helm(cli: Any, db: Path, secret_chart: Path, helm: Any) -> None:
    """The Secret documents of the manifest read the same as Helm 4's (the chart is plain YAML, no templating)."""
    ours = run(cli, db, "install", "demo", str(secret_chart), "--dry-run", "--hide-secret", "-o", "json").json
    theirs = json.loads(helm("install", "demo", str(secret_chart), "--dry-run=client", "--hide-secret",
                             "-o", "json").stdout)

    def secret_docs(manifest: str) -> list[str]:
        return sorted(d for d in manifest.split("---\n") if "HIDDEN" in d)

    assert secret_docs(ours["manifest"]) == secret_docs(theirs["manifest"]) != []


# --- debug logs and errors --------------------------------------------------------------------------------
def _helmpy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120)


def test_debug_logs_of_a_basic_auth_repository(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "index.yaml").write_text("apiVersion: v1\nentries: {}\n")
    with RepoServer(charts, auth=("bob", SECRET)).start() as server:
        ok = _helmpy("repo", "add", "private", server.url, "--username", "bob", "--password", SECRET, "--debug")
        assert ok.returncode == 0, ok.stderr
        assert server.requests[-1].authorization  # the credentials did go to the server
        host = server.url.split("://", 1)[1]
        wrong = _helmpy("repo", "add", "other", f"http://bob:{SECRET}-wrong@{host}", "--debug")
        in_url = _helmpy("repo", "add", "third", f"http://bob:{SECRET}@{host}", "--debug",
                         env={"HELMPY_DEBUG": "1"})
    assert "GET " in ok.stderr  # --debug did log the requests
    assert wrong.returncode == 1 and wrong.stderr.count("Error:") == 1 and "bob:xxxxx@" in wrong.stderr
    assert_no_secret(ok.stdout, ok.stderr, wrong.stdout, wrong.stderr, in_url.stdout, in_url.stderr)


def test_debug_logs_of_a_kube_token(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.support.kubeapi_server import start

    served = start(tmp_path_factory.mktemp("secret-kube"))
    try:
        config = served.config()["clusters"][0]["cluster"]
        flags = ["--kube-apiserver", config["server"], "--kube-ca-file", str(served.ca_file)]
        ok = _helmpy("list", *flags, "--kube-token", served.token, "--debug",
                     env={"KUBECONFIG": str(tmp_path / "none")})
        bad = _helmpy("list", *flags, "--kube-token", SECRET, "--debug", env={"KUBECONFIG": str(tmp_path / "none")})
    finally:
        served.stop()
    assert ok.returncode == 0, ok.stderr
    assert "DEBUG" in ok.stderr and served.token not in ok.stderr
    assert bad.returncode == 1 and "rejected the credentials" in bad.stderr
    assert_no_secret(bad.stdout, bad.stderr)


def test_hostile_lease_command_is_scrubbed_when_read(cli: Any, db: Path) -> None:
    """A Lease written by an older helmpy (or by hand) with values in its command is still shown without them."""
    from helmpy.action.lock import ReleaseLock

    assert run(cli, db, "install", "demo", str(APP)).exit_code == 0
    kube = EmbeddedCluster(db, controller=False)
    lock = ReleaseLock(kube, "default", "demo")
    lease = lock._lease(lock.clock())
    lease["metadata"]["annotations"]["helmpy.io/lock-command"] = (
        f"helmpy upgrade demo ./c --set db.password={SECRET} --kube-token {SECRET} --password={SECRET}")
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lease["metadata"]["annotations"]["helmpy.io/lock-pid"] = str(proc.pid)
        lease["metadata"]["annotations"]["helmpy.io/lock-pid-start"] = ""
        lease["spec"]["holderIdentity"] = f"{lock.host}/{proc.pid}"
        kube.create(lease)
        time.sleep(0.1)
        busy = run(cli, db, "upgrade", "demo", str(APP))
        status = run(cli, db, "status", "demo", "-o", "json")
    finally:
        proc.kill()
        proc.wait()
    assert busy.exit_code == 1 and "'helmpy upgrade demo ./c --set --kube-token --password'" in busy.stderr
    assert status.json["lock"]["command"] == "helmpy upgrade demo ./c --set --kube-token --password"
    assert_no_secret(busy.stderr, status.stdout)
