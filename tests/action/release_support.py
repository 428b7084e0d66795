"""Fixtures for the release action tests: a real embedded cluster on a tmp SQLite file, with the release
records in Secrets on that cluster or in the memory driver (parametrized)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helmpy.action.config import Configuration
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.storage.memory import MemoryDriver
from helmpy.storage.secrets import SecretsDriver
from helmpy.storage.storage import Storage

DATA = Path(__file__).resolve().parent.parent / "data"
APP = DATA / "release-app"


class Clock:
    """A clock tests move by hand (one second per call keeps times distinct and ordered)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def make_config(kube: EmbeddedCluster, driver: str, namespace: str = "default", clock: Any = None) -> Configuration:
    store = SecretsDriver(kube, namespace) if driver == "secret" else MemoryDriver(namespace, preload=False)
    return Configuration(storage=Storage(store), kube=kube, namespace=namespace, clock=clock or Clock(),
                         driver_name=driver, command="pytest")


@pytest.fixture(params=["secret", "memory"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Configuration]:
    """Configuration over a fresh embedded cluster; records in Secrets or in memory."""
    kube = EmbeddedCluster(tmp_path / "cluster.db", controller=True)
    yield make_config(kube, request.param)
    kube.close()


@pytest.fixture
def app_chart(tmp_path: Path) -> Path:
    dst = tmp_path / "release-app"
    shutil.copytree(APP, dst)
    return dst


def cm(cfg: Configuration, name: str, namespace: str = "default") -> dict[str, Any] | None:
    return cfg.kube.get("v1", "ConfigMap", name, namespace)
