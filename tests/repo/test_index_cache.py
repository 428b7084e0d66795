"""``repo update`` of an unchanged index: the parse comes from the parsed-inputs cache and nothing is rewritten;
what the commands print and what the repository cache holds are exactly what a fresh parse gives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helmpy import paths
from tests.support.http_repo import RepoServer, build_repo, serve

CHARTS = [
    dict(name="alpha", version="1.0.0", keywords=["web"], description="Alpha web proxy"),
    dict(name="alpha", version="0.9.0", description="Alpha (old)"),
    dict(name="beta", version="2.0.0", app_version="2.0", description="A database"),
]


@pytest.fixture
def repo_srv(tmp_path: Path) -> Iterator[RepoServer]:
    srv = serve(build_repo(tmp_path / "repo", CHARTS))
    yield srv
    srv.stop()


def cache_files() -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(paths.repository_cache().iterdir())}


def parsed_entries() -> list[Path]:
    root = Path(os.environ["HELMPY_CACHE_HOME"]) / "parsed"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_unchanged_index_is_read_from_the_cache_and_not_rewritten(cli: Any, repo_srv: RepoServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("repo", "add", "r", repo_srv.url).exit_code == 0
    added = cache_files()
    assert parsed_entries()  # the add's parse was remembered
    search = cli("search", "repo", "alpha", "--versions", "-o", "json")
    update = cli("repo", "update")
    assert update.exit_code == 0, update
    assert cache_files() == added  # same bytes, not even rewritten
    assert cli("search", "repo", "alpha", "--versions", "-o", "json").stdout == search.stdout
    monkeypatch.setenv("HELMPY_PARSE_CACHE", "0")
    off = cli("repo", "update")
    assert off.stdout == update.stdout and cache_files() == added


def test_a_changed_index_is_parsed_and_stored_again(cli: Any, repo_srv: RepoServer, tmp_path: Path) -> None:
    assert cli("repo", "add", "r", repo_srv.url).exit_code == 0
    build_repo(Path(repo_srv.root), [*CHARTS, dict(name="gamma", version="3.0.0", description="New")])
    assert cli("repo", "update").exit_code == 0
    assert (paths.repository_cache() / "r-index.yaml").read_bytes() == (Path(repo_srv.root) / "index.yaml").read_bytes()
    assert (paths.repository_cache() / "r-charts.txt").read_text().split() == ["alpha", "beta", "gamma"]
    assert [row["name"] for row in cli("search", "repo", "gamma", "-o", "json").json] == ["r/gamma"]


def test_corrupt_cache_entries_and_a_broken_compact_file_change_nothing(cli: Any, repo_srv: RepoServer) -> None:
    assert cli("repo", "add", "r", repo_srv.url).exit_code == 0
    search = cli("search", "repo", "a", "--versions", "-o", "json").stdout
    for entry in parsed_entries():
        entry.write_bytes(entry.read_bytes()[:50])
    compact = paths.repository_cache() / "r-helmpy.json"
    compact.write_bytes(compact.read_bytes()[:120])  # header intact, rows cut: update leaves it, search repairs it
    assert cli("repo", "update").exit_code == 0
    assert cli("search", "repo", "a", "--versions", "-o", "json").stdout == search


def test_an_index_whose_parse_warns_warns_on_every_update(cli: Any, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    root = build_repo(tmp_path / "repo", CHARTS)
    index = root / "index.yaml"
    index.write_text(index.read_text().replace("entries:\n", "entries:\n  nulls:\n  - null\n", 1))
    srv = serve(root)
    try:
        assert cli("repo", "add", "r", srv.url).exit_code == 0
        for _ in range(2):
            caplog.clear()
            assert cli("repo", "update").exit_code == 0
            assert [r.getMessage() for r in caplog.records if "skipping null entry" in r.getMessage()]
    finally:
        srv.stop()
