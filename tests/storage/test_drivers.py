"""One contract for every storage driver: create/get/update/delete/list/query and their errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helmpy.errors import ReleaseExists, ReleaseNotFound, StorageError
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release.model import Status
from helmpy.storage.configmaps import ConfigMapsDriver
from helmpy.storage.driver import Driver
from helmpy.storage.memory import MemoryDriver
from helmpy.storage.secrets import SecretsDriver
from tests.storage.conftest import make_release

DriverFactory = Callable[[str], Driver]
DRIVERS = ["memory", "secrets", "configmaps", "sql-sqlite", "sql-postgres"]


@pytest.fixture(params=DRIVERS)
def make_driver(request: pytest.FixtureRequest, tmp_path: Path) -> DriverFactory:
    """``make_driver(namespace)`` -> a fresh driver of the parametrized kind, sharing one backend."""
    kind = request.param
    if kind == "memory":
        store = MemoryDriver("")
        return store.scoped
    if kind in ("secrets", "configmaps"):
        cluster = EmbeddedCluster(tmp_path / "cluster.db")
        for ns in ("ns1", "ns2"):
            cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        cls = SecretsDriver if kind == "secrets" else ConfigMapsDriver
        return lambda ns: cls(cluster, ns)
    from helmpy.storage.sql import SQLDriver
    if kind == "sql-sqlite":
        dsn = f"sqlite:///{tmp_path / 'releases.db'}"
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        request.getfixturevalue("clean_postgres")
    return lambda ns: SQLDriver(dsn, ns)


def test_implements_protocol(make_driver: DriverFactory) -> None:
    assert isinstance(make_driver("default"), Driver)


def test_create_get_roundtrip(make_driver: DriverFactory) -> None:
    drv = make_driver("default")
    rls = make_release("web", 1, labels={"team": "a"})
    drv.create(rls.key, rls)
    got = drv.get(rls.key)
    assert got.to_dict() == rls.to_dict()
    assert got.labels == {"team": "a"}


def test_create_existing(make_driver: DriverFactory) -> None:
    drv = make_driver("default")
    rls = make_release()
    drv.create(rls.key, rls)
    with pytest.raises(ReleaseExists, match="release: already exists"):
        drv.create(rls.key, rls)


def test_reserved_custom_labels_refused(make_driver: DriverFactory) -> None:
    rls = make_release(labels={"owner": "me"})
    with pytest.raises(StorageError, match="system reserved label name"):
        make_driver("default").create(rls.key, rls)


def test_get_missing(make_driver: DriverFactory) -> None:
    with pytest.raises(ReleaseNotFound, match="release: not found"):
        make_driver("default").get("sh.helm.release.v1.none.v1")


def test_update(make_driver: DriverFactory) -> None:
    drv = make_driver("default")
    rls = make_release()
    drv.create(rls.key, rls)
    rls.info.status = Status.SUPERSEDED
    rls.info.description = "Superseded"
    drv.update(rls.key, rls)
    got = drv.get(rls.key)
    assert got.status == Status.SUPERSEDED and got.info.description == "Superseded"
    assert [r.version for r in drv.query({"name": "demo", "status": "superseded"})] == [1]
    with pytest.raises(ReleaseNotFound):
        drv.query({"name": "demo", "status": "deployed"})


def test_update_missing(make_driver: DriverFactory) -> None:
    rls = make_release("ghost")
    with pytest.raises(ReleaseNotFound):
        make_driver("default").update(rls.key, rls)


def test_delete(make_driver: DriverFactory) -> None:
    drv = make_driver("default")
    rls = make_release()
    drv.create(rls.key, rls)
    assert drv.delete(rls.key).to_dict() == rls.to_dict()
    with pytest.raises(ReleaseNotFound):
        drv.get(rls.key)
    with pytest.raises(ReleaseNotFound):
        drv.delete(rls.key)


def test_list_and_query(make_driver: DriverFactory) -> None:
    drv = make_driver("default")
    for name, version, status in [("a", 1, Status.SUPERSEDED), ("a", 2, Status.DEPLOYED), ("b", 1, Status.FAILED)]:
        rls = make_release(name, version, status)
        drv.create(rls.key, rls)
    assert sorted(r.key for r in drv.list()) == ["sh.helm.release.v1.a.v1", "sh.helm.release.v1.a.v2",
                                                 "sh.helm.release.v1.b.v1"]
    assert [r.name for r in drv.list(lambda r: r.status == Status.FAILED)] == ["b"]
    assert sorted(r.version for r in drv.query({"name": "a", "owner": "helm"})) == [1, 2]
    assert [r.version for r in drv.query({"name": "a", "owner": "helm", "status": "deployed"})] == [2]
    assert [r.version for r in drv.query({"name": "a", "version": "1"})] == [1]
    with pytest.raises(ReleaseNotFound):
        drv.query({"name": "zzz", "owner": "helm"})


def test_namespaces(make_driver: DriverFactory) -> None:
    one, two, every = make_driver("ns1"), make_driver("ns2"), make_driver("")
    r1 = make_release("app", 1, namespace="ns1")
    r2 = make_release("app", 1, namespace="ns2")
    one.create(r1.key, r1)
    two.create(r2.key, r2)  # same key, other namespace: no clash
    assert [r.namespace for r in one.list()] == ["ns1"]
    assert [r.namespace for r in two.query({"name": "app"})] == ["ns2"]
    assert sorted(r.namespace for r in every.list()) == ["ns1", "ns2"]
    assert one.get(r1.key).namespace == "ns1" and two.get(r2.key).namespace == "ns2"
    two.delete(r2.key)
    assert one.get(r1.key).namespace == "ns1"
