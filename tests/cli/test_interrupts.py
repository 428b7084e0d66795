"""Ctrl-C and SIGTERM in the middle of a real install/upgrade/rollback process.

Each test starts the real command as a subprocess against the embedded cluster, waits until it is demonstrably
mid-operation (its hook Job exists, its revision is pending and it holds the lock), sends the signal, and then
checks the exit code, the single ``Error:`` line with the recovery that works, the history, and that the lock is
free (the next operation runs at once). Each runs twice: the command in the process the test started, and in a
fork server (helmpy/forkserver/) that process hands it to - the signal is sent to the process the test started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helmpy.action.lock import read_lock
from helmpy.kube.embedded import EmbeddedCluster
from tests.cli.test_release_cmds import APP, ROOT, helmpy_proc, run, wait_for_job
from tests.support.forkserver import serving

JOB = "demo-migrate"


@pytest.fixture(autouse=True, params=["alone", "fork server"])
def launch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command runs by itself, or in a fork server started for it (as ``python -m helmpy`` from the root)."""
    if request.param == "alone":
        yield
        return
    with serving(monkeypatch, ROOT):
        yield


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cluster.db"


def interrupt(proc: subprocess.Popen[str], db: Path, sig: int, *, times: int = 1) -> tuple[str, list[str]]:
    """Wait until ``proc`` is waiting for its hook while holding the lock, signal it, return (stdout, Error lines)."""
    wait_for_job(db, JOB)
    kube = EmbeddedCluster(db, controller=False)
    lock = read_lock(kube, "default", "demo")
    assert lock is not None and lock.pid == proc.pid  # mid-operation: it holds the release lock
    for _ in range(times):
        proc.send_signal(sig)
        time.sleep(0.002)
    out, err = proc.communicate(timeout=60)
    lines = [line for line in err.splitlines() if not line.startswith("helmpy: waiting")]
    assert "Traceback" not in err, err
    return out, [line for line in lines if line.startswith("Error:")]


def history(cli: Any, db: Path) -> list[tuple[int, str, str]]:
    return [(h["revision"], h["status"], h["description"]) for h in run(cli, db, "history", "demo", "-o", "json").json]


def lock_is_free(cli: Any, db: Path) -> None:
    assert read_lock(EmbeddedCluster(db, controller=False), "default", "demo") is None
    assert run(cli, db, "status", "demo", "-o", "json").json.get("lock") is None


@pytest.mark.parametrize(("sig", "code", "by"), [(signal.SIGINT, 130, "Ctrl-C (SIGINT)"),
                                                 (signal.SIGTERM, 143, "SIGTERM")])
def test_interrupted_first_install(cli: Any, db: Path, sig: int, code: int, by: str) -> None:
    proc = helmpy_proc(db, "install", "demo", str(APP), "--set", "jobHook=true,jobHookEvents=pre-install",
                       controller=False)
    _out, errors = interrupt(proc, db, sig)
    assert proc.returncode == code
    assert len(errors) == 1, errors
    assert errors[0].startswith('Error: INSTALLATION FAILED: ') and 'release "demo" revision 1 is recorded as failed' \
        in errors[0]
    assert "`helmpy uninstall demo`" in errors[0] and f"`helmpy upgrade --install demo {APP}`" in errors[0]
    assert "rollback" not in errors[0]  # there is nothing to roll back to
    assert history(cli, db) == [(1, "failed", f'Install "demo" interrupted by {by} before it finished')]
    lock_is_free(cli, db)
    # the advice works, at once
    r = run(cli, db, "upgrade", "--install", "demo", str(APP))
    assert r.exit_code == 0, r
    assert [h[:2] for h in history(cli, db)] == [(1, "superseded"), (2, "deployed")]


@pytest.mark.parametrize(("sig", "code", "by"), [(signal.SIGINT, 130, "Ctrl-C (SIGINT)"),
                                                 (signal.SIGTERM, 143, "SIGTERM")])
def test_interrupted_upgrade(cli: Any, db: Path, sig: int, code: int, by: str) -> None:
    assert run(cli, db, "install", "demo", str(APP), "--set", "message=first").exit_code == 0
    proc = helmpy_proc(db, "upgrade", "demo", str(APP), "--set", "jobHook=true,message=second", controller=False)
    _out, errors = interrupt(proc, db, sig)
    assert proc.returncode == code
    assert len(errors) == 1, errors
    assert errors[0].startswith("Error: UPGRADE FAILED: ")
    assert 'release "demo" revision 2 is recorded as failed' in errors[0]
    assert "`helmpy rollback demo 1`" in errors[0]
    assert history(cli, db) == [(1, "deployed", "Install complete"),
                                (2, "failed", f'Upgrade "demo" interrupted by {by} before it finished')]
    lock_is_free(cli, db)
    # the previous revision is intact: record, values and objects
    assert run(cli, db, "get", "values", "demo", "--revision", "1", "-o", "json").json == {"message": "first"}
    kube = EmbeddedCluster(db, controller=False)
    assert kube.get("v1", "ConfigMap", "demo-main", "default")["data"]["message"] == "first"
    r = run(cli, db, "rollback", "demo", "1")
    assert r.exit_code == 0, r
    assert [h[:2] for h in history(cli, db)] == [(1, "superseded"), (2, "failed"), (3, "deployed")]


def test_interrupted_rollback(cli: Any, db: Path) -> None:
    assert run(cli, db, "install", "demo", str(APP), "--set", "message=one").exit_code == 0
    # revision 2 carries a pre-rollback hook Job; rolling back to it waits for that Job
    r = run(cli, db, "upgrade", "demo", str(APP), "--set", "jobHook=true,jobHookEvents=pre-rollback,message=two")
    assert r.exit_code == 0, r
    assert run(cli, db, "upgrade", "demo", str(APP), "--set", "message=three").exit_code == 0
    proc = helmpy_proc(db, "rollback", "demo", "2", controller=False)
    _out, errors = interrupt(proc, db, signal.SIGINT)
    assert proc.returncode == 130
    assert errors == ['Error: interrupted (Ctrl-C): release "demo" revision 4 is recorded as failed; run '
                      '`helmpy rollback demo 2` again']
    assert history(cli, db)[-1] == (4, "failed", 'Rollback "demo" interrupted by Ctrl-C (SIGINT) before it finished')
    assert history(cli, db)[-2][:2] == (3, "deployed")
    lock_is_free(cli, db)
    assert run(cli, db, "upgrade", "demo", str(APP), "--set", "message=five").exit_code == 0


def test_repeated_ctrl_c_cannot_break_the_cleanup(cli: Any, db: Path) -> None:
    """Five Ctrl-C in a row: the first stops the upgrade, the others cannot cut its cleanup short."""
    assert run(cli, db, "install", "demo", str(APP)).exit_code == 0
    proc = helmpy_proc(db, "upgrade", "demo", str(APP), "--set", "jobHook=true", controller=False)
    _out, errors = interrupt(proc, db, signal.SIGINT, times=5)
    assert proc.returncode == 130
    assert len(errors) == 1 and "revision 2 is recorded as failed" in errors[0], errors
    assert [h[:2] for h in history(cli, db)] == [(1, "deployed"), (2, "failed")]
    lock_is_free(cli, db)


@pytest.mark.parametrize(("sig", "code", "line"), [(signal.SIGINT, 130, "Error: interrupted (Ctrl-C)"),
                                                   (signal.SIGTERM, 143, "Error: terminated (SIGTERM)")])
def test_interrupt_outside_a_release_operation(sig: int, code: int, line: str) -> None:
    """A command stopped while it waits on a silent repository prints one Error line, no traceback."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(60)
        port = listener.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "helmpy", "repo", "add", "slow", f"http://127.0.0.1:{port}/"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        conn, _ = listener.accept()  # helmpy is now waiting for the answer
        with conn:
            proc.send_signal(sig)
            _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err.strip().splitlines() == [line]
