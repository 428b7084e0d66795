"""Compiled templates persist between runs through a CodeStore, and a store can never change output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmpy.engine import sandbox
from tests.engine.conftest import make_chart, render_chart

ROOT = Path(__file__).resolve().parents[2]


class DictStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.loads = 0

    def load(self, key: str) -> bytes | None:
        self.loads += 1
        return self.data.get(key)

    def save(self, key: str, data: bytes) -> None:
        self.data[key] = data


@pytest.fixture
def store():
    saved = dict(sandbox._CODE_CACHE)
    sandbox._CODE_CACHE.clear()
    s = DictStore()
    sandbox.set_code_store(s)
    yield s
    sandbox.set_code_store(None)
    sandbox._CODE_CACHE.clear()
    sandbox._CODE_CACHE.update(saved)


def test_compiled_code_is_stored_and_reused(store):
    chart = make_chart(templates={"cm.yaml": "kind: ConfigMap\nname: {{ Values.n }}-{{ x() }}\n",
                                  "_h.tpl": "{% macro x() %}m{% endmacro %}"})
    first = render_chart(chart, {"n": "a"})
    assert len(store.data) == 2
    sandbox._CODE_CACHE.clear()  # a new process: only the store remembers
    second = render_chart(chart, {"n": "a"})
    assert second == first and store.loads >= 2 and len(store.data) == 2


def test_a_corrupt_entry_is_recompiled(store):
    chart = make_chart(templates={"cm.yaml": "v: {{ Values.n }}\n"})
    render_chart(chart, {"n": 1})
    for key in store.data:
        store.data[key] = b"\x00garbage"
    sandbox._CODE_CACHE.clear()
    assert render_chart(chart, {"n": 2}) == {"web/templates/cm.yaml": "v: 2\n"}


def test_different_sources_never_share_code(store):
    a = render_chart(make_chart(templates={"t.yaml": "a: {{ 1 }}\n"}))
    b = render_chart(make_chart(templates={"t.yaml": "a: {{ 2 }}\n"}))
    assert a != b and len(store.data) == 2


def test_helmpy_template_caches_under_the_cache_home(cli):
    cache = Path(os.environ["HELMPY_CACHE_HOME"]) / "templates"
    sandbox._CODE_CACHE.clear()  # as in a new process
    first = cli("template", "x", str(ROOT / "charts" / "web"))
    assert first.exit_code == 0, first
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries and all(p.stat().st_mode & 0o077 == 0 for p in entries)
    sandbox._CODE_CACHE.clear()
    second = cli("template", "x", str(ROOT / "charts" / "web"))
    assert second.stdout == first.stdout


def test_template_cache_can_be_turned_off(cli, monkeypatch):
    monkeypatch.setenv("HELMPY_TEMPLATE_CACHE", "0")
    sandbox._CODE_CACHE.clear()
    assert cli("template", "x", str(ROOT / "charts" / "web")).exit_code == 0
    assert not (Path(os.environ["HELMPY_CACHE_HOME"]) / "templates").exists()


def test_the_template_cache_is_bounded_oldest_first(tmp_path):
    """A run whose first write finds the cache past HELMPY_MAX_TEMPLATE_CACHE_SIZE deletes the oldest entries."""
    import subprocess
    import sys

    cache_home = tmp_path / "cache"
    shard = cache_home / "templates" / "00"
    shard.mkdir(parents=True)
    for i in range(30):  # stale entries of 1,000 bytes, oldest first
        old = shard / f"00{i:062d}"
        old.write_bytes(b"x" * 1000)
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELMPY_CACHE_HOME": str(cache_home),
           "HELMPY_MAX_TEMPLATE_CACHE_SIZE": "20000"}

    def template(**extra: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "helmpy", "template", "x", str(ROOT / "charts" / "web")],
                              env={**env, **extra}, capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 0, proc
        return proc.stdout

    out = template()
    files = [p for p in (cache_home / "templates").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 20000  # within the bound ...
    assert not (shard / f"00{0:062d}").exists()  # ... by deleting the least recently used first
    fresh = [p for p in files if p.stat().st_size != 1000]
    assert fresh  # this run's compiled templates were written
    assert template(HELMPY_TEMPLATE_CACHE="0") == out == template()  # and are used: same output
