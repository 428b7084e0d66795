"""Fixtures of the Python API tests: a Client on an embedded cluster in tmp, and charts copied there."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helmpy import Client

ROOT = Path(__file__).resolve().parents[2]
RELEASE_APP = ROOT / "tests" / "data" / "release-app"
WEB = ROOT / "charts" / "web"


@pytest.fixture
def app_chart(tmp_path: Path) -> Path:
    """tests/data/release-app (hooks, a test hook, NOTES) copied into tmp."""
    return Path(shutil.copytree(RELEASE_APP, tmp_path / "release-app"))


@pytest.fixture
def web_chart(tmp_path: Path) -> Path:
    return Path(shutil.copytree(WEB, tmp_path / "web"))


@pytest.fixture
def notices() -> list[str]:
    return []


@pytest.fixture
def make_client(tmp_path: Path, notices: list[str]) -> Callable[..., Client]:
    """``make_client(name="a", **kwargs)``: a Client on the embedded cluster ``tmp/NAME.db``, notices collected."""

    def make(name: str = "cluster", **kwargs: object) -> Client:
        kwargs.setdefault("cluster", f"local:{tmp_path / name}.db")
        return Client(on_notice=notices.append, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def hp(make_client: Callable[..., Client]) -> Client:
    return make_client(namespace="shop")
