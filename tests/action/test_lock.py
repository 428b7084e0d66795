"""The release lock: a Lease created atomically, renewed, taken over only from a holder that is gone."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from helmpy.action.lock import LEASE_API, LEASE_KIND, ReleaseLock, lease_name, pid_alive, read_lock
from helmpy.errors import OperationInProgress
from helmpy.kube.embedded import EmbeddedCluster


@pytest.fixture
def kube(tmp_path: Path) -> EmbeddedCluster:
    return EmbeddedCluster(tmp_path / "c.db")


def test_lease_object_names_its_holder(kube: EmbeddedCluster) -> None:
    with ReleaseLock(kube, "default", "web", "helmpy upgrade web ./c"):
        lease = kube.get(LEASE_API, LEASE_KIND, "helmpy.lock.web", "default")
        assert lease is not None
        assert lease["spec"]["leaseDurationSeconds"] == 60
        info = read_lock(kube, "default", "web")
        assert info is not None and info.command == "helmpy upgrade web ./c"
        assert info.pid > 0 and info.host
    assert kube.get(LEASE_API, LEASE_KIND, lease_name("web"), "default") is None


def test_second_holder_fails_at_once_and_changes_nothing(kube: EmbeddedCluster) -> None:
    with ReleaseLock(kube, "default", "web", "first"):
        before = kube.get(LEASE_API, LEASE_KIND, lease_name("web"), "default")
        started = time.monotonic()
        with pytest.raises(OperationInProgress, match="another operation .* is in progress"):
            ReleaseLock(kube, "default", "web", "second").acquire()
        assert time.monotonic() - started < 2
        assert kube.get(LEASE_API, LEASE_KIND, lease_name("web"), "default") == before
    # other releases are independent
    with ReleaseLock(kube, "default", "api", "third"):
        pass


def test_lease_is_renewed(kube: EmbeddedCluster) -> None:
    lock = ReleaseLock(kube, "default", "web", "x", renew_every=0.1)
    with lock:
        first = kube.get(LEASE_API, LEASE_KIND, lease_name("web"), "default")["spec"]["renewTime"]
        time.sleep(0.5)
        later = kube.get(LEASE_API, LEASE_KIND, lease_name("web"), "default")["spec"]["renewTime"]
    assert later > first


def test_dead_holder_on_this_host_is_taken_over(kube: EmbeddedCluster, caplog: pytest.LogCaptureFixture) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = ReleaseLock(kube, "default", "web", "helmpy upgrade web (killed)")
        stale.pid = proc.pid  # a lease written by that process
        kube.create(stale._lease(stale.clock()))
        assert pid_alive(proc.pid)
        with pytest.raises(OperationInProgress, match=f"pid {proc.pid}"):
            ReleaseLock(kube, "default", "web", "mine").acquire()
    finally:
        proc.kill()
        proc.wait()
    assert not pid_alive(proc.pid)
    lock = ReleaseLock(kube, "default", "web", "mine")
    with lock:
        assert lock.took_over is not None and lock.took_over.pid == proc.pid
        assert read_lock(kube, "default", "web").command == "mine"
    assert "taking over the lock" in caplog.text


def test_expired_lease_of_another_host_is_taken_over(kube: EmbeddedCluster) -> None:
    other = ReleaseLock(kube, "default", "web", "elsewhere", duration=1)
    other.host = "some-other-host"
    kube.create(other._lease(other.clock()))
    with pytest.raises(OperationInProgress):  # a live lease of another host is never broken
        ReleaseLock(kube, "default", "web", "mine").acquire()
    time.sleep(1.2)
    with ReleaseLock(kube, "default", "web", "mine") as lock:
        assert lock.took_over is not None and lock.took_over.host == "some-other-host"
