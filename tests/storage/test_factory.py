"""make_driver follows Helm's HELM_DRIVER switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.errors import StorageError
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.storage.configmaps import ConfigMapsDriver
from helmpy.storage.factory import make_driver
from helmpy.storage.memory import MemoryDriver
from helmpy.storage.secrets import SecretsDriver
from helmpy.storage.sql import SQLDriver


@pytest.mark.parametrize("name, cls", [
    ("secret", SecretsDriver), ("secrets", SecretsDriver), ("", SecretsDriver), ("configmap", ConfigMapsDriver),
    ("configmaps", ConfigMapsDriver), ("memory", MemoryDriver), ("Memory", MemoryDriver)])
def test_names(name: str, cls: type, tmp_path: Path) -> None:
    drv = make_driver(name, EmbeddedCluster(tmp_path / "c.db"), "team")
    assert type(drv) is cls and drv.namespace == "team"  # type: ignore[attr-defined]


def test_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kube = EmbeddedCluster(tmp_path / "c.db")
    assert isinstance(make_driver(None, kube, "default"), SecretsDriver)
    monkeypatch.setenv("HELMPY_DRIVER", "configmap")
    assert isinstance(make_driver(None, kube, "default"), ConfigMapsDriver)
    assert isinstance(make_driver("memory", kube, "default"), MemoryDriver)  # the argument wins


def test_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StorageError, match="HELMPY_DRIVER_SQL_CONNECTION_STRING"):
        make_driver("sql", None, "default")
    monkeypatch.setenv("HELMPY_DRIVER_SQL_CONNECTION_STRING", f"sqlite:///{tmp_path}/r.db")
    assert isinstance(make_driver("sql", None, "default"), SQLDriver)


def test_secret_without_kube_uses_default_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_QUIET", "1")
    drv = make_driver("secret", None, "default")
    assert isinstance(drv, SecretsDriver) and isinstance(drv.kube, EmbeddedCluster)


def test_unknown() -> None:
    with pytest.raises(StorageError, match='unknown driver "etcd"'):
        make_driver("etcd", None, "default")
