"""Memory driver specifics: preloading like HELM_MEMORY_DRIVER_DATA, namespace scoping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helmpy.errors import StorageError
from helmpy.storage.memory import MemoryDriver
from tests.storage.conftest import make_release


def test_preload_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps([make_release("a", 1).to_dict(), make_release("a", 2).to_dict()]))
    two = tmp_path / "two.yaml"
    two.write_text("- name: b\n  version: 1\n  namespace: other\n  info: {status: failed}\n")
    monkeypatch.setenv("HELMPY_MEMORY_DRIVER_DATA", f"{one}:{two}")
    assert [r.key for r in MemoryDriver("default").list()] == [
        "sh.helm.release.v1.a.v1", "sh.helm.release.v1.a.v2"]
    everything = MemoryDriver("")
    assert sorted(r.name for r in everything.list()) == ["a", "a", "b"]
    assert everything.get("sh.helm.release.v1.b.v1").status.value == "failed"


@pytest.mark.parametrize("content, message", [
    ("{a: 1}", "must be a list of releases"),
    ("[1]", "must be a list of releases"),
    ("[: bad", "bad.yaml"),
])
def test_preload_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    monkeypatch.setenv("HELMPY_MEMORY_DRIVER_DATA", str(bad))
    with pytest.raises(StorageError, match=message):
        MemoryDriver()


def test_preload_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_MEMORY_DRIVER_DATA", str(tmp_path / "nope.json"))
    with pytest.raises(StorageError, match="nope.json: cannot read"):
        MemoryDriver()


def test_namespace_scoping() -> None:
    drv = MemoryDriver("ns1")
    drv.create("sh.helm.release.v1.x.v1", make_release("x", 1, namespace="ns2"))
    assert drv.list() == []
    assert len(MemoryDriver("").list()) == 0  # separate instances share nothing
