"""Client-side throttling as Helm 4 sets client-go up (``--burst-limit``/``HELM_BURST_LIMIT`` default 100,
``--qps``/``HELM_QPS`` default 0 = client-go's 5 per second, negative = none): the token bucket on its own, the
pacing a real local server sees, the flags and variables through a real ``helmpy install`` on ``cluster serve``,
and Helm's defaults leaving an ordinary command unthrottled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.kube import ratelimit
from helmpy.kube.ratelimit import TokenBucket
from helmpy.kube.remote import RemoteCluster
from tests.support import kubeapi_server, recording_kubeapi
from tests.support.gocharts import write_files
from tests.support.recording_kubeapi import RecordingApi

ROOT = Path(__file__).resolve().parents[2]
THROTTLED = "due to client-side throttling"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_starts_full_then_paces_at_qps() -> None:
    t = FakeTime()
    bucket = TokenBucket(4.0, 3, clock=t.clock, sleep=t.sleep)
    waits = [bucket.take() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3:] == pytest.approx([0.25, 0.25, 0.25])
    t.now += 10  # idle: refilled, but never beyond the burst
    assert [bucket.take() for _ in range(4)] == pytest.approx([0, 0, 0, 0.25])


@given(st.floats(0.5, 200), st.integers(1, 50), st.lists(st.floats(0, 2), min_size=1, max_size=80))
def test_bucket_never_lets_more_than_burst_plus_rate(qps: float, burst: int, gaps: list[float]) -> None:
    t = FakeTime()
    bucket = TokenBucket(qps, burst, clock=t.clock, sleep=t.sleep)
    sent: list[float] = []
    for gap in gaps:
        t.now += gap
        bucket.take()
        sent.append(t.now)
    for i, start in enumerate(sent):  # any window [start, end] holds at most burst + qps*(end-start) requests
        for j in range(i, len(sent)):
            assert j - i + 1 <= burst + qps * (sent[j] - start) + 1e-6


@pytest.mark.parametrize("env, want", [
    ({}, (5.0, 100, 300)),  # Helm's defaults as client-go reads them
    ({"HELM_QPS": "20", "HELM_BURST_LIMIT": "7"}, (20.0, 7, 7)),  # a burst set by the user applies to discovery too
    ({"HELM_QPS": "-1"}, (None, 100, 300)),  # negative: no limiter
    ({"HELM_BURST_LIMIT": "0"}, (5.0, 10, 10)),  # 0: client-go's DefaultBurst
    ({"HELM_QPS": "1", "HELMPY_QPS": "2.5"}, (2.5, 100, 300)),  # HELMPY_* wins
])
def test_settings_as_client_go_reads_them(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                          want: tuple[float | None, int, int]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    got = ratelimit.from_settings()
    assert (got.qps, got.burst, got.discovery_burst) == want


# --- a real server counts the request times --------------------------------------------------------------
@pytest.fixture
def api(tmp_path: Path) -> Iterator[RecordingApi]:
    yield from recording_kubeapi.serve(tmp_path)


def test_a_burst_beyond_the_limit_is_paced(api: RecordingApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELM_BURST_LIMIT", "5")
    monkeypatch.setenv("HELM_QPS", "10")
    client = RemoteCluster.from_kubeconfig(str(api.kubeconfig))
    started = time.monotonic()
    for _ in range(25):
        client.server_version()
    times = [s.at - started for s in api.seen]
    assert len(times) == 25
    # the 5 of the burst at once; request n (n >= 5) not before (n - 4) tenths of a second
    assert all(times[n] >= (n - 4) / 10 - 0.01 for n in range(5, 25)), times
    assert times[-1] >= 2.0


def test_negative_qps_and_helms_default_do_not_pace_a_burst(api: RecordingApi, monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="helmpy.kube.ratelimit")
    for env in ({"HELM_QPS": "-1", "HELM_BURST_LIMIT": "1"}, {}):
        for key in ("HELM_QPS", "HELM_BURST_LIMIT"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        client = RemoteCluster.from_kubeconfig(str(api.kubeconfig))
        api.seen.clear()
        started = time.monotonic()
        for _ in range(60):  # more than a burst of 1; fewer than Helm's burst of 100
            client.server_version()
        assert len(api.seen) == 60
        assert THROTTLED not in caplog.text
        assert time.monotonic() - started < 60 / 5  # far from client-go's 5 per second


# --- through the CLI, on a real `cluster serve` ----------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kubeapi_server.KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("throttle-served"))
    yield server
    server.stop()


def _chart(tmp: Path, count: int) -> Path:
    files = {"Chart.yaml": "apiVersion: v2\nname: many\nversion: 0.1.0\n"}
    for i in range(count):
        files[f"templates/cm{i}.yaml"] = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
                                          f"{{{{ .Release.Name }}}}-{i}\ndata: {{a: b}}\n")
    return write_files(tmp / "many", files)


def _install(served: kubeapi_server.KubeApiServer, chart: Path, name: str, *args: str,
             **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "helmpy", "install", name, str(chart), "--debug", *args],
                          check=False, capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**served.env(), "PYTHONPATH": str(ROOT), **env})
    return proc, time.monotonic() - started


def test_install_is_throttled_by_the_flags_and_variables(served, tmp_path: Path) -> None:
    chart = _chart(tmp_path, 12)
    for name, args, env in (("slow", ("--burst-limit", "2", "--qps", "4"), {}),
                            ("slow-env", (), {"HELM_BURST_LIMIT": "2", "HELM_QPS": "4"})):
        proc, _ = _install(served, chart, name, *args, **env)
        assert proc.returncode == 0, proc.stderr
        waits = [line for line in proc.stderr.splitlines() if THROTTLED in line]
        assert any("qps=4.0 burst=2" in line for line in waits), proc.stderr  # the API bucket (discovery: qps 50)
        assert all("burst=2)" in line for line in waits), waits
        # the release's own requests share the client's bucket; each object has a bucket of its own, as each of
        # Helm's per-object REST clients has, so 12 objects (a read and an apply each) are not paced
        assert not [line for line in waits if f"/configmaps/{name}-" in line], waits


def test_requests_for_one_object_share_its_bucket_and_objects_do_not(api: RecordingApi,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELM_BURST_LIMIT", "5")
    monkeypatch.setenv("HELM_QPS", "10")
    client = RemoteCluster.from_kubeconfig(str(api.kubeconfig))
    started = time.monotonic()
    for i in range(25):
        client.get("v1", "ConfigMap", f"cm-{i}", "default")
    assert len(api.seen) == 25 and time.monotonic() - started < 2.0  # 25 objects: 25 fresh buckets
    api.seen.clear()
    started = time.monotonic()
    for _ in range(25):
        client.get("v1", "ConfigMap", "polled", "default")
    times = [s.at - started for s in api.seen]
    assert all(times[n] >= (n - 4) / 10 - 0.01 for n in range(5, 25)), times  # one object: paced past its burst


def test_helms_defaults_do_not_throttle_an_install(served, tmp_path: Path) -> None:
    proc, _ = _install(served, _chart(tmp_path, 12), "quick")
    assert proc.returncode == 0, proc.stderr
    assert THROTTLED not in proc.stderr


@pytest.mark.parametrize("env, message", [
    ({"HELM_BURST_LIMIT": "lots"}, "Error: HELM_BURST_LIMIT='lots': expected an integer"),
    ({"HELM_BURST_LIMIT": "-3"}, "Error: HELM_BURST_LIMIT=-3: expected a non-negative integer"),
    ({"HELMPY_QPS": "fast"}, "Error: HELMPY_QPS='fast': expected a number"),
])
def test_bad_settings_are_one_line(served, env: dict[str, str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "helmpy", "list"], check=False, capture_output=True, text=True, cwd=ROOT,
                          timeout=60, env={**served.env(), "PYTHONPATH": str(ROOT), **env})
    assert proc.returncode == 2 and proc.stderr.splitlines()[0] == message, proc.stderr


def test_bad_flags_are_usage_errors(cli) -> None:
    r = cli("list", "--qps", "fast")
    assert r.exit_code == 2 and "'fast' is not a valid float" in r.stderr
    r = cli("list", "--burst-limit", "-1")
    assert r.exit_code == 2 and "--burst-limit" in r.stderr


def test_env_shows_them_as_helm_env_does(cli, helm) -> None:
    ours = cli("env", "--qps", "2.5", "--burst-limit", "7").stdout
    theirs = helm("env", "--qps", "2.5", "--burst-limit", "7").stdout
    for key in ("HELM_QPS", "HELM_BURST_LIMIT"):
        line = next(x for x in theirs.splitlines() if x.startswith(key + "="))
        assert line in ours.splitlines()
    assert 'HELM_QPS="2.50"' in ours and 'HELMPY_BURST_LIMIT="7"' in ours
    assert os.environ.get("HELM_QPS") is None


@pytest.mark.parametrize("env, message", [
    ({"HELM_QPS": "fast"}, "Error: HELM_QPS='fast': expected a number"),
    ({"HELM_BURST_LIMIT": "-3"}, "Error: HELM_BURST_LIMIT=-3: expected a non-negative integer"),
])
def test_bad_settings_are_reported_on_the_embedded_cluster_too(cli, monkeypatch: pytest.MonkeyPatch,
                                                                env: dict[str, str], message: str) -> None:
    """The embedded cluster has no throttle, but a mistake is reported at once, not first on a real cluster."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    r = cli("list")
    assert r.exit_code == 2 and r.stderr.splitlines()[0] == message, r.stderr
    monkeypatch.delenv(next(iter(env)))
    assert cli("list").exit_code == 0
