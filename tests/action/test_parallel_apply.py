"""Objects applied and read concurrently, one kind at a time, as Helm's ``batchPerform`` does (kube/parallel.py):
against a real ``cluster serve`` through the real HTTP client, the outcome is the sequential one (same objects, same
order of results, the same first error), only requests overlap; the embedded cluster stays one at a time."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy import settings as hp_settings
from helmpy.action import apply as applying
from helmpy.errors import KubeError
from helmpy.kube import parallel
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.kube.remote import RemoteCluster
from tests.support import kubeapi_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kubeapi_server.KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("parallel-served"))
    yield server
    server.stop()


class InFlight:
    """A real RemoteCluster, noting how many requests (and of which kinds) are in flight at once."""

    def __init__(self, kube: RemoteCluster) -> None:
        self.kube = kube
        self.lock = threading.Lock()
        self.now: list[str] = []
        self.most = 0
        self.mixed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kube, name)

    def _track(self, kind: str, call: Any) -> Any:
        with self.lock:
            self.now.append(kind)
            self.most = max(self.most, len(self.now))
            self.mixed = self.mixed or len(set(self.now)) > 1
        try:
            return call()
        finally:
            with self.lock:
                self.now.remove(kind)

    def apply(self, obj: dict[str, Any], **kw: Any) -> Any:
        return self._track(obj["kind"], lambda: self.kube.apply(obj, **kw))

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Any:
        return self._track(kind, lambda: self.kube.get(api_version, kind, name, namespace))

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None, **kw: Any) -> Any:
        return self._track(kind, lambda: self.kube.delete(api_version, kind, name, namespace, **kw))


def _manifest(prefix: str, configmaps: int, bad: tuple[int, ...] = ()) -> str:
    docs = []
    for i in range(configmaps):
        name = f"{prefix}_Bad_{i}" if i in bad else f"{prefix}-cm-{i}"
        docs.append(f"# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"
                    f"data: {{i: '{i}'}}\n")
    for i in range(3):
        docs.append(f"# Source: app/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {{name: {prefix}-svc-{i}}}\n"
                    "spec: {ports: [{port: 80}]}\n")
    return "".join(f"---\n{d}" for d in docs)


def _client(served: kubeapi_server.KubeApiServer, workers: int) -> InFlight:
    kube = RemoteCluster.from_kubeconfig(str(served.kubeconfig))
    kube.parallel_requests = workers
    return InFlight(kube)


def test_a_kind_is_applied_concurrently_and_results_keep_manifest_order(served) -> None:
    probe = _client(served, 8)
    target = applying.parse_manifest(_manifest("par", 20), probe, "default")
    applying.check_ownership(probe, target, "par", "default", "install")  # 20 GETs (fewer than LIST_AT)
    result = applying.apply_objects(probe, [], target, "par", "default")
    assert result.created == [f"ConfigMap/default/par-cm-{i}" for i in range(20)] + \
        [f"Service/default/par-svc-{i}" for i in range(3)]
    assert 1 < probe.most <= 8  # requests overlapped, never more than asked
    assert not probe.mixed  # one kind at a time: Services only after every ConfigMap
    again = applying.parse_manifest(_manifest("par", 20), probe, "default")
    second = applying.apply_objects(probe, target, again, "par", "default")
    assert second.unchanged == result.created and second.created == second.updated == []
    probe.kube.close()


def test_deletes_go_a_kind_at_a_time_concurrently_and_keep_what_says_keep(served) -> None:
    probe = _client(served, 8)
    text = _manifest("del", 20).replace("metadata: {name: del-cm-3}",
                                        "metadata: {name: del-cm-3, annotations: {helm.sh/resource-policy: keep}}")
    target = applying.parse_manifest(text, probe, "default")
    applying.apply_objects(probe, [], target, "del", "default")
    probe.most = 0
    deleted, kept = applying.delete_objects(probe, list(target))
    # uninstall order: Services before ConfigMaps (Helm's), each kind in manifest order
    assert deleted == [f"Service/default/del-svc-{i}" for i in range(3)] + \
        [f"ConfigMap/default/del-cm-{i}" for i in range(20) if i != 3]
    assert kept == ["[ConfigMap] del-cm-3"]
    assert 1 < probe.most <= 8 and not probe.mixed
    left = {o["metadata"]["name"] for o in probe.kube.list("v1", "ConfigMap", "default")
            if o["metadata"]["name"].startswith("del-")}
    assert left == {"del-cm-3"}
    probe.kube.close()


@pytest.mark.parametrize("workers", [1, 8])
def test_the_first_failing_object_in_manifest_order_is_the_error(served, workers: int) -> None:
    prefix = f"bad{workers}"
    probe = _client(served, workers)
    target = applying.parse_manifest(_manifest(prefix, 16, bad=(5, 12)), probe, "default")
    with pytest.raises(KubeError) as exc:
        applying.apply_objects(probe, [], target, prefix, "default")
    assert str(exc.value).startswith(f'failed to create ConfigMap/default/{prefix}_Bad_5 from "app/templates/cm.yaml"')
    made = {o["metadata"]["name"] for o in probe.kube.list("v1", "ConfigMap", "default") if
            o["metadata"]["name"].startswith(f"{prefix}-")}
    # one at a time stops at the failure; concurrently, the whole kind was sent (as Helm does); no Service either way
    assert made == ({f"{prefix}-cm-{i}" for i in range(5)} if workers == 1 else
                    {f"{prefix}-cm-{i}" for i in range(16) if i not in (5, 12)})
    assert not [o for o in probe.kube.list("v1", "Service", "default") if o["metadata"]["name"].startswith(prefix)]
    probe.kube.close()


def test_the_embedded_cluster_is_used_one_request_at_a_time(tmp_path: Path) -> None:
    kube = EmbeddedCluster(tmp_path / "c.db")
    assert parallel.parallel_requests(kube) == 1
    kube.close()


def test_the_setting_and_its_errors(served) -> None:
    env = {**served.env(), "PYTHONPATH": str(ROOT)}
    for value, ok in (("3", True), ("0", False), ("many", False)):
        proc = subprocess.run([sys.executable, "-m", "helmpy", "list"], check=False, capture_output=True, text=True,
                              cwd=ROOT, timeout=60, env={**env, "HELMPY_MAX_PARALLEL_REQUESTS": value})
        if ok:
            assert proc.returncode == 0, proc.stderr
        else:
            assert proc.returncode == 2 and proc.stderr.startswith("Error: HELMPY_MAX_PARALLEL_REQUESTS=")
            assert len(proc.stderr.splitlines()) == 1, proc.stderr
    with hp_settings.use(hp_settings.Settings({"HELMPY_MAX_PARALLEL_REQUESTS": "5"})):
        assert RemoteCluster.from_kubeconfig(str(served.kubeconfig)).parallel_requests == 5
    with hp_settings.use(hp_settings.Settings({})):
        assert RemoteCluster.from_kubeconfig(str(served.kubeconfig)).parallel_requests == parallel.DEFAULT_PARALLEL


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.integers(-50, 50), max_size=30), workers=st.integers(1, 9))
def test_run_in_order_is_the_sequential_map(items: list[int], workers: int) -> None:
    """Outcomes in the items' order, whatever the scheduling; one worker stops at the first exception."""
    def fn(x: int) -> int:
        if x % 7 == 0:
            raise ValueError(str(x))
        return x * 2

    got = parallel.run_in_order(fn, items, workers)
    expected: list[object] = []
    for x in items:
        expected.append(f"error {x}" if x % 7 == 0 else x * 2)
        if x % 7 == 0 and (workers == 1 or len(items) == 1):
            break
    assert [f"error {o}" if isinstance(o, ValueError) else o for o in got] == expected


def test_workers_see_the_callers_settings() -> None:
    with hp_settings.use(hp_settings.Settings({"HELMPY_PROBE": "seen"})):
        got = parallel.run_in_order(lambda _: hp_settings.get("PROBE"), list(range(6)), 3)
    assert got == ["seen"] * 6
