"""Search rules (Helm's matching, scoring, sorting, constraints) on compact rows, and the compact cache."""

from __future__ import annotations

import json

import pytest

from helmpy.errors import RepoError
from helmpy.repo import cache
from helmpy.repo.cache import CachedIndex, IndexedVersion
from helmpy.repo.search import search


def rows(*items: tuple[str, str, str, list[str]]) -> list[list]:
    return [IndexedVersion(name, version, "1.0", desc, kw, [f"{name}-{version}.tgz"]).row()
            for name, version, desc, kw in items]


REPO = rows(
    ("nginx", "2.0.0", "web server", ["http"]),
    ("nginx", "1.0.0", "web server", ["http"]),
    ("proxy", "1.0.0", "an nginx front", []),
    ("cache", "1.0.0", "memory cache", ["nginx"]),
    ("zeta", "3.0.0-rc.1", "pre-release only nginx", []),
    ("aaa", "0.0.0", "zero version nginx", []),
    ("weird", "not-semver", "nginx", []),
)


def names(results) -> list[tuple[str, str, int]]:
    return [(r.name, r.version, r.score) for r in results]


def test_score_orders_name_then_repo_name_then_description_then_keywords() -> None:
    got = names(search([("s", REPO)], "nginx"))
    assert got == [("s/nginx", "2.0.0", 0), ("s/proxy", "1.0.0", 2), ("s/cache", "1.0.0", 3)]


def test_repo_name_match_scores_one() -> None:
    got = names(search([("nginx-repo", rows(("other", "1.0.0", "", [])))], "nginx"))
    assert got == [("nginx-repo/other", "1.0.0", 1)]


def test_devel_versions_and_constraints() -> None:
    assert ("s/zeta", "3.0.0-rc.1", 2) in names(search([("s", REPO)], "nginx", devel=True))
    assert names(search([("s", REPO)], "nginx", versions=True))[:2] == [("s/nginx", "2.0.0", 0),
                                                                        ("s/nginx", "1.0.0", 0)]
    assert names(search([("s", REPO)], "nginx", version="~1.0")) == [("s/nginx", "1.0.0", 0), ("s/proxy", "1.0.0", 2),
                                                                     ("s/cache", "1.0.0", 3)]
    with pytest.raises(RepoError, match="improper constraint"):
        search([("s", REPO)], "x", version="not a constraint!")


def test_no_keyword_lists_everything_sorted_by_name() -> None:
    got = [r.name for r in search([("b", rows(("x", "1.0.0", "", []))), ("a", REPO)])]
    assert got == ["a/cache", "a/nginx", "a/proxy", "b/x"]


def test_regexp_is_case_sensitive_and_literal_is_not() -> None:
    assert names(search([("s", REPO)], "NGINX")) == names(search([("s", REPO)], "nginx"))
    assert search([("s", REPO)], "NGINX", regexp=True) == []
    assert [r.name for r in search([("s", REPO)], r"^ngi", regexp=True)] == ["s/nginx"]
    with pytest.raises(RepoError, match="error parsing regexp"):
        search([("s", REPO)], "(", regexp=True)


def test_best_version_per_chart_follows_score_first() -> None:
    # the newest version only matches in keywords (3), an older one in the description (2): Helm keeps the older
    repo = rows(("db", "2.0.0", "database", ["fast"]), ("db", "1.0.0", "fast database", []))
    assert names(search([("s", repo)], "fast")) == [("s/db", "1.0.0", 2)]


def test_compact_cache_is_written_and_refreshed_when_stale() -> None:
    data = (b"apiVersion: v1\nentries:\n  a:\n  - apiVersion: v2\n    name: a\n    version: 1.0.0\n"
            b"    description: first\n    urls: [a-1.0.0.tgz]\n")
    cache.store("r", data, cache.parse_index(data, "index.yaml"))
    fast = json.loads(cache.fast_file("r").read_text())
    assert fast["rows"][0][:4] == ["a", "1.0.0", "", "first"]
    newer = data.replace(b"first", b"second, longer")
    cache.index_file("r").write_bytes(newer)  # e.g. written by another tool: size/mtime differ
    assert cache.load("r").entries["a"][0].description == "second, longer"
    assert "second" in cache.fast_file("r").read_text()
    cache.remove("r")
    with pytest.raises(RepoError, match="no cached repo found"):
        cache.load_rows("r")


def test_index_get_prefers_exact_then_newest_match() -> None:
    idx = CachedIndex({"a": [IndexedVersion("a", v) for v in ("2.0.0", "1.5.0", "1.0.0-beta", "v1.0")]})
    assert idx.get("a").version == "2.0.0"
    assert idx.get("a", "v1.0").version == "v1.0"
    assert idx.get("a", "^1").version == "1.5.0"
    with pytest.raises(RepoError, match="no chart version found for a-3"):
        idx.get("a", "3")
    with pytest.raises(RepoError, match="no chart name found"):
        idx.get("b")


def test_resolve_reference_url() -> None:
    r = cache.resolve_reference_url
    assert r("http://h/charts", "a-1.tgz") == "http://h/charts/a-1.tgz"
    assert r("http://h/charts/", "sub/a-1.tgz") == "http://h/charts/sub/a-1.tgz"
    assert r("http://h/charts?token=1", "a-1.tgz") == "http://h/charts/a-1.tgz?token=1"
    assert r("http://h/charts", "https://cdn/a-1.tgz") == "https://cdn/a-1.tgz"
    assert cache.index_url("http://h/x?y=1") == "http://h/x/index.yaml?y=1"
