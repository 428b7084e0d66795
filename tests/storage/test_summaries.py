"""``Driver.summaries`` (what ``list`` reads): the same rows as decoding every whole record, whether the summary
comes from a fresh decode, the parsed-inputs cache, a corrupt cache entry or no cache at all."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.errors import StorageError
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release import codec
from helmpy.release.model import Release, Status
from helmpy.release.shapes import list_item
from helmpy.storage.configmaps import ConfigMapsDriver
from helmpy.storage.secrets import SecretsDriver
from tests.storage.conftest import make_release
from tests.support import kubeapi_server
from tests.support.kubeapi_server import KubeApiServer


def helm_text(doc: Any) -> str:
    """A record as Helm encodes it: base64 of gzipped JSON."""
    return base64.b64encode(gzip.compress(json.dumps(doc).encode())).decode("ascii")


def shown(rls: Release) -> tuple[Any, ...]:
    """Everything ``list`` (table, ``-o json``, ``-d``, the filters) reads of a record."""
    chart = (rls.chart.name, rls.chart.version, rls.chart.app_version) if rls.chart else None
    return (list_item(rls), list_item(rls, "%Y %j %H:%M:%S.%f"), rls.name, rls.namespace, rls.version,
            rls.info.status, rls.info.last_deployed, chart, rls.labels, rls.storage_labels)


TIMES = st.one_of(st.none(), st.just(""), st.just("0001-01-01T00:00:00Z"), st.just("garbage"),
                  st.sampled_from(["2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05Z",
                                   "2025-12-31T23:59:59.5+02:00", "2026-06-01T10:00:00.000000001-07:00"]))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), TEXT)
METADATA = st.dictionaries(st.sampled_from(["name", "version", "appVersion", "description", "apiVersion"]),
                           st.one_of(TEXT, st.integers(0, 9), st.none()))
CHART = st.one_of(st.none(), st.just({}), st.fixed_dictionaries(
    {}, optional={"metadata": st.one_of(st.none(), st.just({}), METADATA),
                  "templates": st.just([{"name": "templates/a.yaml", "data": "YQ=="}]),
                  "values": st.dictionaries(TEXT, SCALAR, max_size=2)}))
INFO = st.one_of(st.none(), st.fixed_dictionaries({}, optional={
    "first_deployed": TIMES, "last_deployed": TIMES, "deleted": TIMES, "description": TEXT, "notes": TEXT,
    "status": st.one_of(st.sampled_from([s.value for s in Status]), st.just("no-such-status"), st.just(""))}))
RECORDS = st.fixed_dictionaries({}, optional={
    "name": TEXT, "namespace": TEXT, "version": st.one_of(st.integers(0, 99), st.none()), "info": INFO,
    "chart": CHART, "config": st.dictionaries(TEXT, SCALAR, max_size=2), "manifest": TEXT,
    "hooks": st.just([{"name": "h", "kind": "Job", "path": "p", "events": ["post-install"]}])})


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_a_summary_shows_what_the_whole_record_shows(doc: dict[str, Any]) -> None:
    text = helm_text(doc)
    try:
        whole = codec.decode(text)
    except StorageError:
        with pytest.raises(StorageError):
            codec.summarize(text)
        return
    summary = codec.summarize(text)
    assert json.loads(json.dumps(summary)) == summary  # plain data: what the cache can hold exactly
    assert shown(codec.from_summary(summary)) == shown(whole)


def test_a_record_decode_refuses_is_refused_by_summarize() -> None:
    too_deep = {"name": "x", "config": json.loads("[" * 300 + "]" * 300)}
    for text in (helm_text(too_deep), "not base64 at all!", base64.b64encode(b"\x1f\x8b\x08broken").decode()):
        with pytest.raises(StorageError):
            codec.decode(text)
        with pytest.raises(StorageError):
            codec.summarize(text)


def helm_written(cluster: EmbeddedCluster, kind: str, namespace: str, name: str, version: int, doc: dict[str, Any],
                 labels: dict[str, str] | None = None) -> None:
    """A storage object as Helm writes it (nanosecond times, its own JSON), stored directly."""
    text = helm_text(doc)
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": {
        "name": f"sh.helm.release.v1.{name}.v{version}", "namespace": namespace,
        "labels": {"name": name, "owner": "helm", "status": doc["info"]["status"], "version": str(version),
                   **(labels or {})}}}
    if kind == "Secret":
        obj.update(type="helm.sh/release.v1", data={"release": base64.b64encode(text.encode()).decode()})
    else:
        obj["data"] = {"release": text}
    cluster.apply(obj)


def populate(cluster: EmbeddedCluster, driver: type[SecretsDriver]) -> None:
    cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    for i, ns in enumerate(("default", "team-a")):
        for version in (1, 2):
            rls = make_release(f"app-{i}", version, Status.SUPERSEDED if version == 1 else Status.DEPLOYED, ns,
                               labels={"team": f"t{i}"})
            driver(cluster, ns).create(rls.key, rls)
    helm_written(cluster, driver.kind, "default", "from-helm", 1, {
        "name": "from-helm", "namespace": "default", "version": 1,
        "info": {"first_deployed": "2026-03-04T05:06:07.123456789Z", "last_deployed": "2026-03-04T05:06:07.987654321Z",
                 "status": "failed", "description": "boom"},
        "chart": {"metadata": {"name": "db", "version": "2.0.0"}, "templates": None}, "manifest": "---\n"})
    helm_written(cluster, driver.kind, "team-a", "chartless", 3, {
        "name": "chartless", "namespace": "team-a", "version": 3, "info": {"status": "pending-install"}})


def parsed_entries(home: Path) -> list[Path]:
    return sorted(p for p in (home / "cache" / "parsed").rglob("*") if p.is_file())


@pytest.mark.parametrize("driver", [SecretsDriver, ConfigMapsDriver], ids=["secrets", "configmaps"])
def test_summaries_list_the_same_rows_cold_warm_corrupt_and_uncached(
        driver: type[SecretsDriver], tmp_path: Path, helmpy_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = EmbeddedCluster(tmp_path / "cluster.db")
    populate(cluster, driver)
    everyone = driver(cluster, "")
    expected = [shown(r) for r in everyone.list()]
    assert len(expected) == 6

    assert [shown(r) for r in everyone.summaries()] == expected  # cold: decoded, then stored
    entries = [p for p in parsed_entries(helmpy_home)]
    assert len(entries) == 6
    assert [shown(r) for r in everyone.summaries()] == expected  # warm: from the cache

    for path in entries:  # every entry damaged: each fails its check and is decoded again
        data = bytearray(path.read_bytes())
        data[-1] ^= 0xFF
        path.write_bytes(bytes(data))
    assert [shown(r) for r in everyone.summaries()] == expected
    assert [shown(r) for r in driver(cluster, "team-a").summaries()] == [
        shown(r) for r in driver(cluster, "team-a").list()]

    monkeypatch.setenv("HELMPY_PARSE_CACHE", "0")
    assert [shown(r) for r in everyone.summaries()] == expected


def test_a_record_that_cannot_be_decoded_is_skipped_and_not_cached(tmp_path: Path, helmpy_home: Path) -> None:
    cluster = EmbeddedCluster(tmp_path / "cluster.db")
    rls = make_release("good", 1)
    SecretsDriver(cluster, "default").create(rls.key, rls)
    broken = {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
              "metadata": {"name": "sh.helm.release.v1.bad.v1", "namespace": "default",
                           "labels": {"name": "bad", "owner": "helm", "status": "deployed", "version": "1"}},
              "data": {"release": base64.b64encode(helm_text({"config": json.loads("[" * 300 + "]" * 300)})
                                                   .encode()).decode()}}
    cluster.apply(broken)
    drv = SecretsDriver(cluster, "")
    for _ in range(2):
        assert [r.name for r in drv.summaries()] == [r.name for r in drv.list()] == ["good"]
    assert len(parsed_entries(helmpy_home)) == 1


# --- through ``helmpy cluster serve``, as the bench lists: every output of list the same with and without cache ---
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApiServer]:
    root = tmp_path_factory.mktemp("summaries-served")
    cluster = EmbeddedCluster(root / "cluster.db")
    populate(cluster, SecretsDriver)
    cluster.close()
    server = kubeapi_server.start(root)
    yield server
    server.stop()


LISTINGS = [("list", "-A"), ("list", "-A", "-o", "json"), ("list", "-A", "-d", "-r"), ("list", "-A", "--superseded"),
            ("list", "-n", "team-a", "-o", "yaml"), ("list", "-A", "-l", "team=t1"), ("list", "-A", "--failed")]


def test_list_through_cluster_serve_is_byte_identical_from_the_cache(
        cli, served: KubeApiServer, helmpy_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(served.kubeconfig))
    monkeypatch.setenv("HELMPY_PARSE_CACHE", "0")
    uncached = [cli(*args) for args in LISTINGS]
    assert all(r.exit_code == 0 for r in uncached), uncached
    assert "from-helm" in uncached[0].stdout and "chartless" in uncached[0].stdout
    monkeypatch.delenv("HELMPY_PARSE_CACHE")
    for _ in ("cold", "warm"):
        assert [cli(*args).stdout for args in LISTINGS] == [r.stdout for r in uncached]
    assert parsed_entries(helmpy_home)


def test_list_json_matches_helms_own(cli, served: KubeApiServer, helm_bin_dir: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(served.kubeconfig))
    for _ in ("cold", "warm"):
        ours = cli("list", "-A", "-o", "json")
        assert ours.exit_code == 0, ours
        helm = subprocess.run([str(helm_bin_dir / "helm"), "list", "-A", "-o", "json"], capture_output=True,
                              text=True, env=served.env(), timeout=120, check=True)
        assert json.loads(ours.stdout) == json.loads(helm.stdout)
