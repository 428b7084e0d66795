"""index.yaml: strict loading, get/merge/sort, `repo index` output, fast Chart.yaml reading, Helm interop."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from helmpy import yamlutil
from helmpy.chart.archive import write_archive
from helmpy.chart.model import Metadata
from helmpy.cli.repo_index_cmd import index as index_cmd
from helmpy.errors import ArchiveError, ChartError, RepoError, RepoIndexError
from helmpy.repo import cache
from helmpy.repo._index_io import dump, load_block_yaml, read_chart_yaml
from helmpy.repo.index import (
    IndexFile,
    entry_from_raw,
    index_directory,
    is_plainly_valid,
    read_chart_metadata,
    rfc3339nano,
    url_join,
)
from tests.server.serve_helper import chart_tgz


def run_index(*args: str):  # type: ignore[no-untyped-def]
    """`repo index` through the repo group when it exists, else the command object itself."""
    from helmpy.cli.main import cli

    group = cli.get_command(None, "repo")  # type: ignore[arg-type]
    if group is not None and hasattr(group, "get_command") and group.get_command(None, "index") is not None:
        return CliRunner().invoke(cli, ["repo", "index", *args])
    return CliRunner().invoke(index_cmd, list(args))


def _repo(tmp_path: Path) -> Path:
    d = tmp_path / "repo"
    (d / "sub").mkdir(parents=True)
    (d / "deep" / "er").mkdir(parents=True)
    for name, version, where in [("alpha", "0.1.0", ""), ("alpha", "1.0.0-rc.1", ""), ("alpha", "0.10.0", ""),
                                 ("alpha", "1.0.0", "sub"), ("beta", "0.1.0", "sub"), ("gamma", "1.0.0", "deep/er")]:
        (d / where / f"{name}-{version}.tgz").write_bytes(chart_tgz(name, version, meta={"appVersion": "1.0"}))
    (d / "broken-1.0.0.tgz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (d / "notes.txt").write_text("not a chart")
    return d


# --- loading --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    (b"", "empty index.yaml file"),
    (b"  \n", "empty index.yaml file"),
    (b"entries: {}\n", "no API version specified"),
    (b"apiVersion: v1\nentries: {}\nbogus: 1\n", 'unknown field "bogus"'),
    (b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    foo: 1\n", 'unknown field "foo"'),
    (b"apiVersion: v1\nentries: [1]\n", "'entries' must be a map"),
    (b"apiVersion: v1\nentries:\n  a: 3\n", "entries.a must be a list"),
    (b"apiVersion: v1\nentries: {\n", "index.yaml: line"),
])
def test_load_errors(data: bytes, message: str) -> None:
    with pytest.raises(RepoIndexError, match=re.escape(message)):
        IndexFile.load(data, "index.yaml")


def test_load_json_is_lenient_and_entries_are_cleaned() -> None:
    doc = {"apiVersion": "v1", "extra": True, "entries": {"a": [
        {"name": "a", "version": "0.9.0", "unknown": 1, "urls": ["a-0.9.0.tgz"]},
        None,
        {"name": "a", "version": "1.0.0"},
        {"name": "a", "version": "not-semver!"},  # fails validation: dropped
        {"name": "a", "version": "1.1.0", "dependencies": [{"name": "d"}, {"name": "d"}]},  # tolerated
    ]}}
    idx = IndexFile.load(json.dumps(doc).encode(), "x.json")
    assert [cv.version for cv in idx.entries["a"]] == ["1.1.0", "1.0.0", "0.9.0"]
    assert idx.entries["a"][1].metadata.api_version == "v1"


def test_load_yaml_timestamps_and_get() -> None:
    text = b"""apiVersion: v1
entries:
  web:
  - name: web
    version: 1.2.0
    created: 2020-01-01T00:00:00Z
    urls: [web-1.2.0.tgz]
  - name: web
    version: 2.0.0-beta.1
  - name: web
    version: 1.10.0
generated: 2020-01-01T00:00:00Z
"""
    idx = IndexFile.load(text)
    assert [cv.version for cv in idx.entries["web"]] == ["2.0.0-beta.1", "1.10.0", "1.2.0"]
    assert idx.entries["web"][2].created.startswith("2020-01-01")
    assert idx.get("web").version == "1.10.0"  # no pre-releases without asking
    assert idx.get("web", "1.2.0").version == "1.2.0"
    assert idx.get("web", "~1.2").version == "1.2.0"
    assert idx.get("web", "2.0.0-beta.1").version == "2.0.0-beta.1"
    with pytest.raises(RepoError, match="no chart name found"):
        idx.get("nope")
    with pytest.raises(RepoError, match="no chart version found for web-3.x"):
        idx.get("web", "3.x")
    with pytest.raises(RepoError, match="improper constraint"):
        idx.get("web", ">>1")
    assert idx.has("web", "1.10.0") and not idx.has("web", "9.9.9")


def test_add_merge_remove_and_roundtrip() -> None:
    a = IndexFile()
    a.add(Metadata(name="x", version="1.0.0", api_version="v2"), "x-1.0.0.tgz", "https://e.com/c", "d1")
    b = IndexFile()
    b.add(Metadata(name="x", version="1.0.0", api_version="v2"), "x-1.0.0.tgz", "", "old", created="2001-01-01T00:00:00Z")
    b.add(Metadata(name="x", version="0.5.0", api_version="v2"), "x-0.5.0.tgz", "", "d0", created="2001-01-01T00:00:00Z")
    a.merge(b)
    assert [(cv.version, cv.digest) for cv in a.entries["x"]] == [("1.0.0", "d1"), ("0.5.0", "d0")]
    assert a.entries["x"][0].urls == ["https://e.com/c/x-1.0.0.tgz"]
    assert a.entries["x"][1].created == "2001-01-01T00:00:00Z"
    again = IndexFile.load(a.to_yaml())
    assert [cv.to_dict() for cv in again.entries["x"]] == [cv.to_dict() for cv in a.entries["x"]]
    assert IndexFile.load(a.to_json()).entries["x"][0].digest == "d1"
    assert a.remove("x", "0.5.0") is not None and a.remove("x", "0.5.0") is None
    a.remove("x", "1.0.0")
    assert a.entries == {}


def test_url_join() -> None:
    assert url_join("https://example.com/charts/", "sub") == "https://example.com/charts/sub"
    assert url_join("https://example.com/a b/charts?x=1", "x-1.0.0.tgz") == \
        "https://example.com/a%20b/charts/x-1.0.0.tgz?x=1"
    assert url_join("charts", "x.tgz") == "charts/x.tgz"
    assert url_join("", "sub") == "sub"


def test_rfc3339nano() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", rfc3339nano())
    assert rfc3339nano(1_000_000_000_500_000_000)[19:] in (".5Z",) or rfc3339nano(0)[19:] not in ("", "Z")
    assert rfc3339nano(1_000_000_000_123_456_789)[19:29] == ".123456789"


# --- fast paths -----------------------------------------------------------------------------------
def _typed(value):  # type: ignore[no-untyped-def]
    """A value with its types spelled out (``True == 1 == 1.0`` must not pass for equal)."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def assert_same_as_full_parser(text: str) -> object:
    """The fast block parser either declines (None) or returns exactly what helmpy's YAML loader does."""
    got = load_block_yaml(text.encode("utf-8"))
    if got is not None:
        assert _typed(got) == _typed(yamlutil.load(text)), text
    return got


HANDLED = [
    "apiVersion: v2\nname: x\nversion: 1.0\n", "name: x\nkeywords:\n- a\n- 'b'\n", "a:\nb: 1\n",
    "deprecated: true\nname: on\n", "x: 'it''s'\n", "x: ~\n", "x: a:b\nurl: https://x.y/z#frag\n",
    "maintainers:\n- name: x\n  email: y\n", "x: y\n  z\n", "x: 2024-01-01\n", "k:\n- a\n-\n",
    'x: "a\\"b"\n', "a: b\na: c\n", "keywords:\n  - a\n  - \"b c\"\n", "name: n\nversion: '1.0'\n",
    "x: é\n", "name: y\nother: N\n", "x: 0x1F\ny: 1_000\nz: 1e3\nw: .5\n", "x: {}\ny: []\n",
    "e:\n  a:\n  - n: 1\n    l:\n    - p\n    m:\n      k: v\n  b: []\ng: 'x'\n",
    "x: \"wrapped double\n  quoted \\u00e9 text\"\ny: 'wrapped\n  single'\n",
    "description: a long plain\n  text over\n  three lines\nname: x\n", "1.0: a\ntrue: b\n",
    "x: Null\ny:\n", "k: 12:30\n", "annotations:\n  artifacthub.io/links: x\n",
    "x: a \n", "\nx: 1\n\n\ny: 2\n",
]
DECLINED = [
    "name: x # c\n", "---\nx: 1\n", "x: |\n  a\n", "x: [a]\n", "x: {a: 1}\n", "x: y\r\nz: 'w'\r\n",
    "x: -a\n", "x: -1\n", "x:\n  - - a\n", "-1: x\n", "x: &a 1\ny: *a\n", "x: !!str 1\n", "? a\n: b\n", '"q": 1\n', "x:\ty\n", "x: nel\x85\n",
    "x: a\n\n  b\n", "  x: 1\n", "x: 1\n y: 2\n", "x:\n  a: 1\n b: 2\n", "- a\n", "x: 'open\n", "x: <<\n",
    "x: \"a\" b\n", "x: 1\n...\n", "# only a comment\n", "x: a\n  b: c\n", "\ufeffx: 1\n", "x: \x07\n",
]


@pytest.mark.parametrize("text", HANDLED)
def test_block_yaml_handles_common_shapes_exactly(text: str) -> None:
    assert assert_same_as_full_parser(text) is not None


@pytest.mark.parametrize("text", DECLINED)
def test_block_yaml_declines_what_it_cannot_do_exactly(text: str) -> None:
    assert load_block_yaml(text.encode("utf-8")) is None


def test_block_yaml_matches_full_parser_on_generated_documents() -> None:
    """Random strings dumped by PyYAML (narrow width, so long scalars wrap) and by our writer."""
    import random

    rng = random.Random(7)
    alphabet = "abcXYZ019 .-_:#'\"\\/@&*!|>%,[]{}?~=<+\u00e9\u4e2d\U0001F600\n\t"
    words = ["y", "n", "yes", "No", "on", "null", "~", "1.0", "010", "0x1f", "1e3", "2024-01-01", "", " ", "-", "--",
             "- a", ":", "a: b", "#", "x #y", "'", '"', "true", "=", "<<", ".inf", "1_0", "12:30"]

    plain = ["nginx", "chart", "A", "web", "server", "1.2.3", "v2", "https://example.com/x.tgz", "d1e2", "x-y_z"]

    def text() -> str:
        roll = rng.random()
        if roll < 0.15:
            return rng.choice(words)
        if roll < 0.25:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        return " ".join(rng.choice(plain) for _ in range(rng.randint(1, 25)))

    def value(depth: int):  # type: ignore[no-untyped-def]
        roll = rng.random()
        if depth < 3 and roll < 0.2:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}
        if depth < 3 and roll < 0.35:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return rng.choice([text(), text(), text(), True, None, rng.randint(-5, 10 ** 6), 1.5])

    handled = 0
    for i in range(400):
        doc = {text() or "k": value(0) for _ in range(rng.randint(1, 6))}
        outputs = [yaml.safe_dump(doc, width=rng.choice([20, 40, 80]), allow_unicode=bool(i % 2))]
        if all(isinstance(k, str) for k in doc):
            outputs.append(dump(doc))
        for out in outputs:
            handled += assert_same_as_full_parser(out) is not None
    assert handled > 150  # the fast path is the common path, not the exception


def test_index_from_fast_path_equals_full_model() -> None:
    """The client cache's quick rows equal the rows built through the full chart model."""
    versions = [
        {"apiVersion": "v2", "name": "a", "version": "1.0.0", "description": "plain", "urls": ["a.tgz"]},
        {"name": "a", "version": "v0.1", "keywords": ["k"], "digest": "d", "deprecated": True},
        {"name": "a", "version": "1.1.0", "description": "tab\there", "appVersion": "x\u00a0y"},
        {"name": "a", "version": "1.2.0", "appVersion": 1.0, "keywords": "single"},
        {"name": "a", "version": "not-semver"}, {"name": "a/b", "version": "1.0.0"},
        {"name": "a", "version": "1.3.0", "type": "weird"}, {"name": "a", "version": "1.4.0", "apiVersion": "v3"},
        {"name": "a", "version": "1.5.0", "dependencies": [{"name": "d"}, {"name": "d"}]},
        {"name": "a", "version": "1.6.0", "maintainers": ["x"]}, {"name": "a", "version": "1.7.0", "created": None},
    ]
    doc = {"apiVersion": "v1", "entries": {"a": versions}}
    quick = cache.parse_index(json.dumps(doc).encode(), "x.json")
    full = IndexFile.load(json.dumps(doc).encode(), "x.json")
    assert quick.entries["a"] == [cache._from_obj("a", cv) for cv in full.entries["a"]]
    assert [v.version for v in quick.entries["a"]] == ["1.7.0", "1.5.0", "1.2.0", "1.1.0", "1.0.0", "v0.1"]
    assert quick.entries["a"][3].description == "tab here" and quick.entries["a"][3].app_version == "x y"
    assert [is_plainly_valid(v) for v in versions[:3]] == [True, True, False]
    for v in versions:  # the quick check never accepts what the full model rejects or changes
        if is_plainly_valid(v):
            cv = entry_from_raw(dict(v), "x")
            assert cv is not None and cache._from_obj("a", cv) == cache._from_plain("a", v)


@pytest.mark.parametrize("value", ["plain", "1.0", "1.16.0", "", "y", "n", "yes", "null", "~", "a: b", "a #b",
                                   "- x", "'q'", '"q"', "line\nbreak", "trail ", "ünï", "2024-01-01", "0x1F",
                                   "https://e.com/x?y=1#z", "*", "@repo", "!tag", "%x", "1e3", ".5", "<<",
                                   "del\x7f", "nel\x85", "ls\u2028", "bom\ufeff", "emoji \U0001F600", "tab\t"])
def test_fast_dump_round_trips(value: str) -> None:
    doc = {"entries": {"k": [{"v": value, "l": [value], "m": {}, "e": [], "b": True, "n": None}]}}
    assert yaml.safe_load(dump(doc)) == doc


def test_read_chart_yaml_edge_cases() -> None:
    big = os.urandom(200_000)
    meta = b"apiVersion: v2\nname: c\nversion: 1.0.0\n"
    after_big = write_archive([("c/templates/a.bin", big, 0), ("c/Chart.yaml", meta, 0)])
    assert read_chart_yaml(after_big, "x", 1 << 20) == meta
    long_path = write_archive([("c/" + "d" * 150 + "/f", b"x", 0), ("c/Chart.yaml", meta, 0)])  # PAX path
    assert read_chart_yaml(long_path, "x", 1 << 20) == meta
    with pytest.raises(ArchiveError, match="unexpected end of data"):
        read_chart_yaml(after_big[: len(after_big) // 2], "x", 1 << 20)
    with pytest.raises(ArchiveError, match="Chart.yaml file is missing"):
        read_chart_yaml(write_archive([("c/x", b"1", 0)]), "x", 1 << 20)
    with pytest.raises(ArchiveError, match="not a gzipped chart archive"):
        read_chart_yaml(b"apiVersion: v1", "x", 1 << 20)
    with pytest.raises(ArchiveError, match="larger than the maximum"):
        read_chart_yaml(write_archive([("c/Chart.yaml", meta, 0)]), "x", 10)
    with pytest.raises(ArchiveError, match="chart yaml not in base directory"):
        read_chart_yaml(write_archive([("Chart.yaml", meta, 0)]), "x", 1 << 20)
    with pytest.raises(ChartError, match="chart.metadata.name is required"):
        read_chart_metadata(write_archive([("c/Chart.yaml", b"version: 1.0.0\n", 0)]), "x.tgz")
    for bad, message in [(b"name: c\nversion: one\n", "version 'one' is invalid"),
                         (b"name: c\nversion: 1.0.0\ntype: odd\n", "type must be application or library")]:
        with pytest.raises(ChartError, match=message):
            read_chart_metadata(write_archive([("c/Chart.yaml", bad, 0)]), "x.tgz")
    tabbed = read_chart_metadata(write_archive([("c/Chart.yaml", b'name: c\nversion: 1.0.0\ndescription: "a\\tb"\n',
                                                 0)]), "x.tgz")
    assert tabbed.description == "a b"  # not plainly valid: sanitised by the full validation


# --- repo index -----------------------------------------------------------------------------------
def test_repo_index_command(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    r = run_index(str(repo))
    assert r.exit_code == 0, r.output
    assert "broken-1.0.0.tgz" in r.stderr and "skipping" in r.stderr
    text = (repo / "index.yaml").read_text()
    doc = yaml.safe_load(text)
    assert list(doc) == ["apiVersion", "entries", "generated"] and doc["apiVersion"] == "v1"
    assert list(doc["entries"]) == ["alpha", "beta"]  # deep/er/*.tgz is two levels down: not indexed
    alpha = doc["entries"]["alpha"]
    assert [e["version"] for e in alpha] == ["1.0.0", "1.0.0-rc.1", "0.10.0", "0.1.0"]
    assert alpha[0]["urls"] == ["sub/alpha-1.0.0.tgz"] and alpha[1]["urls"] == ["alpha-1.0.0-rc.1.tgz"]
    assert alpha[0]["digest"] == hashlib.sha256((repo / "sub" / "alpha-1.0.0.tgz").read_bytes()).hexdigest()
    assert list(alpha[0]) == ["apiVersion", "appVersion", "created", "description", "digest", "name", "urls",
                              "version"]
    assert '\n    appVersion: "1.0"\n' in text and text.endswith("\n")

    r = run_index(str(repo), "--url", "https://example.com/a b/charts?x=1", "--json")
    assert r.exit_code == 0
    raw = (repo / "index.yaml").read_text()
    data = json.loads(raw)
    assert list(data) == ["apiVersion", "generated", "entries"] and not raw.endswith("\n")
    assert data["entries"]["beta"][0]["urls"] == ["https://example.com/a%20b/charts/sub/beta-0.1.0.tgz?x=1"]
    assert list(data["entries"]["beta"][0])[:2] == ["name", "version"]


def test_repo_index_merge(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    old = IndexFile()
    old.add(Metadata(name="alpha", version="0.1.0", api_version="v2"), "x.tgz", "https://old", "olddigest",
            created="2001-01-01T00:00:00Z")
    old.add(Metadata(name="retired", version="3.0.0", api_version="v2"), "r.tgz", "https://old", "rd",
            created="2001-01-01T00:00:00Z")
    old.write(tmp_path / "old.yaml")
    assert run_index(str(repo), "--merge", str(tmp_path / "old.yaml")).exit_code == 0
    doc = yaml.safe_load((repo / "index.yaml").read_text())
    assert doc["entries"]["retired"][0]["created"] == "2001-01-01T00:00:00Z"
    assert doc["entries"]["retired"][0]["urls"] == ["https://old/r.tgz"]
    local = next(e for e in doc["entries"]["alpha"] if e["version"] == "0.1.0")
    assert local["digest"] != "olddigest"  # local charts win

    missing = tmp_path / "missing.yaml"
    assert run_index(str(repo), "--merge", str(missing)).exit_code == 0
    assert yaml.safe_load(missing.read_text())["entries"] == {}  # Helm writes an empty index there
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nwhat: 1\n")
    r = run_index(str(repo), "--merge", str(tmp_path / "bad.yaml"))
    assert r.exit_code != 0 and "merge failed" in str(r.exception)


def test_index_directory_empty_and_missing(tmp_path: Path) -> None:
    assert index_directory(tmp_path).entries == {}
    with pytest.raises(RepoIndexError, match="no such directory"):
        index_directory(tmp_path / "nope")


@pytest.mark.helm
def test_helm_reads_our_index_and_we_read_helms(tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(tmp_path)
    os.remove(repo / "broken-1.0.0.tgz")
    helm("create", "hc", cwd=tmp_path)
    helm("package", str(tmp_path / "hc"), "-d", str(repo))
    assert run_index(str(repo), "--url", "http://charts.example").exit_code == 0
    ours = IndexFile.load_file(repo / "index.yaml")
    assert "hc" in ours.entries
    helm("repo", "index", str(repo), "--url", "http://charts.example")
    theirs = IndexFile.load_file(repo / "index.yaml")
    for name, versions in theirs.entries.items():
        mine = {cv.version: cv for cv in ours.entries[name]}
        for cv in versions:
            a, b = cv.to_dict(), mine[cv.version].to_dict()
            a.pop("created"), b.pop("created")
            assert a == b
    assert [cv.version for cv in theirs.entries["alpha"]] == [cv.version for cv in ours.entries["alpha"]]


def test_repo_index_through_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(tmp_path)
    r = cli("repo", "index", str(repo), "--url", "https://charts.example/x")
    if r.exit_code == 2 and "No such command" in r.stderr:
        pytest.skip("the repo command group does not register `index` yet")
    assert r.exit_code == 0, r
    assert "WARNING: skipping archive broken-1.0.0.tgz" in r.stderr
    doc = yaml.safe_load((repo / "index.yaml").read_text())
    assert doc["entries"]["beta"][0]["urls"] == ["https://charts.example/x/sub/beta-0.1.0.tgz"]
    (tmp_path / "bad.yaml").write_text("")
    r = cli("repo", "index", str(repo), "--merge", str(tmp_path / "bad.yaml"))
    assert r.exit_code == 1
    assert f"Error: merge failed: error loading {tmp_path / 'bad.yaml'}: empty index.yaml file" in r.stderr
