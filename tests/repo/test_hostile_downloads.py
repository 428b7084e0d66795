"""Hostile repositories against the real download commands: nothing is written outside its destination.

A real HTTP server on 127.0.0.1 serves an index whose chart URLs are what an attacker would write
(percent-encoded, relative, absolute and backslash traversals, NUL and control characters, names that
already exist) and answers every download with a valid chart. Each test plants victim files around
the destination, runs the real command (``pull`` plain / ``--untar`` / ``--prov``, ``dependency
update``, ``repo add``/``update``) and compares a snapshot of the whole tree before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from helmpy import paths
from helmpy.errors import DownloadError
from helmpy.fsutil import MAX_NAME_BYTES, name_problem, safe_base_name
from helmpy.repo.downloader import url_filename
from tests.support.http_repo import RepoServer, chart_archive, raw_archive, serve

ARCHIVE = chart_archive("app", "1.0.0")
PRECIOUS = b"precious - must survive"


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every path under ``root`` with its content (files), ``<dir>`` or its link target."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = f"-> {os.readlink(p)}"
            elif p.is_dir():
                out[rel] = "<dir>"
            else:
                out[rel] = p.read_bytes()
    return out


def _changed(before: dict[str, bytes | str], after: dict[str, bytes | str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


class Site:
    """A work tree with victims planted around ``dest`` (so ``..`` at any depth hits one)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dest = root / "w" / "a" / "b" / "dest"
        self.dest.mkdir(parents=True)
        self.victims = [root / "victim" / "file.tgz", root / "w" / "victim" / "file.tgz",
                        root / "w" / "a" / "victim" / "file.tgz", root / "w" / "a" / "b" / "victim" / "file.tgz",
                        root / "w" / "a" / "b" / "file.tgz", root / "file.tgz"]
        for v in self.victims:
            v.parent.mkdir(parents=True, exist_ok=True)
            v.write_bytes(PRECIOUS)
        self.before = _snapshot(root)

    def changes(self) -> set[str]:
        return _changed(self.before, _snapshot(self.root))

    def assert_victims_intact(self) -> None:
        for v in self.victims:
            assert v.read_bytes() == PRECIOUS, v


def _index(urls: dict[str, list[str]], base: str, archive: bytes = ARCHIVE) -> bytes:
    """An index: chart name -> its URLs (``{url}`` stands for the server's own base URL)."""
    digest = hashlib.sha256(archive).hexdigest()
    entries = {name: [{"apiVersion": "v2", "name": name, "version": "1.0.0", "digest": digest,
                       "urls": [u.replace("{url}", base) for u in chart_urls]}]
               for name, chart_urls in urls.items()}
    return yaml.safe_dump({"apiVersion": "v1", "entries": entries}).encode()


@pytest.fixture
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``hostile({"chart": [url, ...]}, archive=..., headers=...)`` starts a server answering every
    download with ``archive`` (default: a valid chart app-1.0.0)."""
    servers: list[RepoServer] = []

    def start(urls: dict[str, list[str]], archive: bytes = ARCHIVE, headers: dict[str, str] | None = None
              ) -> RepoServer:
        srv = serve(tmp_path_factory.mktemp("served"), fallback=archive, headers=headers or {})
        srv.routes["/index.yaml"] = _index(urls, srv.url, archive)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


def _one_error(r: Any) -> str:
    assert r.exit_code != 0, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r
    return lines[0]


# (index URL, the name pull saves it under; None = refused)
PULL_FORMS = [
    ("..%2F..%2F..%2Fvictim%2Ffile.tgz", "file.tgz"),  # the reported hole; Helm saves file.tgz too
    ("..%2f..%2f..%2fvictim%2ffile.tgz", "file.tgz"),
    ("%2E%2E%2F%2E%2E%2Ffile.tgz", "file.tgz"),
    ("../../../victim/file.tgz", "file.tgz"),
    ("/..%2F..%2Fvictim%2Ffile.tgz", "file.tgz"),  # absolute path on the server
    ("{url}/..%2F..%2F..%2Fvictim%2Ffile.tgz", "file.tgz"),  # absolute URL
    ("..\\..\\..\\victim\\file.tgz", "file.tgz"),  # Helm on Linux saves '..\..\..\victim\file.tgz'
    ("..%5C..%5C..%5Cvictim%5Cfile.tgz", "file.tgz"),
    ("sub/dir/", "dir"),  # Go's filepath.Base drops the trailing slash
    ("%2Fetc%2Fpasswd", "passwd"),
    ("dl?name=..%2F..%2Fx.tgz", "dl"),  # the query never names the file
    ("%2E%2E", None),  # Helm writes a temp file one level above DEST, then fails
    ("..%2F", None),
    ("..", None),  # resolves to the server root: no name at all
    ("a%00b.tgz", None),
    ("a%0Ab.tgz", None),  # Helm saves 'a\nb.tgz'
    ("a%0Db.tgz", None),
    ("a%09b.tgz", None),
    ("x%1B%5B2J.tgz", None),
    ("x%7F.tgz", None),
    ("x%C2%85.tgz", None),  # NEL: a line break to YAML
    ("x" * 300 + ".tgz", None),
]


@pytest.mark.parametrize("url,saved", PULL_FORMS, ids=[u[:40] for u, _ in PULL_FORMS])
def test_pull_saves_the_safe_base_name_or_refuses(cli: Any, hostile: Any, tmp_path: Path, url: str,
                                                  saved: str | None) -> None:
    srv = hostile({"app": [url]})
    site = Site(tmp_path)
    r = cli("pull", "app", "--repo", srv.url, "-d", str(site.dest))
    site.assert_victims_intact()
    if saved is None:
        assert "cannot use" in _one_error(r) and "as a file name" in r.stderr, r
        assert site.changes() == set(), site.changes()
    else:
        assert r.exit_code == 0, r
        assert site.changes() == {f"w/a/b/dest/{saved}"}
        assert (site.dest / saved).read_bytes() == ARCHIVE


HELM_FORMS = ["..%2F..%2F..%2Fvictim%2Ffile.tgz", "../../../victim/file.tgz", "/..%2F..%2Fvictim%2Ffile.tgz",
              "sub/dir/", "dl?name=..%2F..%2Fx.tgz"]


@pytest.mark.parametrize("url", HELM_FORMS)
def test_the_saved_name_is_helms(cli: Any, helm: Any, hostile: Any, tmp_path: Path, url: str) -> None:
    srv = hostile({"app": [url]})
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    assert cli("pull", "app", "--repo", srv.url, "-d", str(ours)).exit_code == 0
    helm("pull", "app", "--repo", srv.url, "-d", str(theirs))
    assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs)) != []
    # and the request went out exactly as Helm sends it (percent-encoding kept)
    paths = [r.path for r in srv.requests if r.path != "/index.yaml"]
    assert len(paths) == 2 and paths[0] == paths[1], paths


def test_pull_untar_and_prov_stay_inside(cli: Any, hostile: Any, tmp_path: Path) -> None:
    srv = hostile({"app": ["..%2F..%2F..%2Fvictim%2Ffile.tgz"]})
    site = Site(tmp_path)
    r = cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), "--prov")
    assert r.exit_code == 0, r
    assert site.changes() == {"w/a/b/dest/file.tgz", "w/a/b/dest/file.tgz.prov"}
    r = cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), "--untar", "--untardir", "u", "--prov")
    assert r.exit_code == 0, r
    changed = site.changes()
    assert all(c.startswith("w/a/b/dest/") for c in changed), changed
    assert {"w/a/b/dest/u/app/Chart.yaml", "w/a/b/dest/u/file.tgz.prov"} <= changed
    assert not [c for c in changed if ".untar-" in c]
    site.assert_victims_intact()


def test_untar_of_an_archive_with_hostile_members_writes_nothing(cli: Any, hostile: Any, tmp_path: Path) -> None:
    evil = raw_archive([("app/Chart.yaml", b"apiVersion: v2\nname: app\nversion: 1.0.0\n"),
                        ("app/../../../../victim/file.tgz", b"pwned")])
    srv = hostile({"app": ["app-1.0.0.tgz"]}, archive=evil)
    site = Site(tmp_path)
    for extra in ([], ["--untar"], ["--untar", "--prov"]):
        line = _one_error(cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), *extra))
        assert "parent directory" in line and "'app/../../../../victim/file.tgz'" in line
    assert site.changes() == set()
    site.assert_victims_intact()


@pytest.mark.parametrize("chart_name", ["..", "x" * 300])
def test_untar_refuses_a_chart_name_that_is_no_directory_name(cli: Any, hostile: Any, tmp_path: Path,
                                                               chart_name: str) -> None:
    meta = yaml.safe_dump({"apiVersion": "v2", "name": chart_name, "version": "1.0.0"}).encode()
    srv = hostile({"app": ["app-1.0.0.tgz"]}, archive=raw_archive([("app/Chart.yaml", meta)]))
    site = Site(tmp_path)
    line = _one_error(cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), "--untar"))
    assert "chart.metadata.name" in line or "invalid chart name" in line, line
    assert site.changes() == set()
    site.assert_victims_intact()


def test_pull_never_clobbers_a_file_the_chart_does_not_own(cli: Any, hostile: Any, tmp_path: Path) -> None:
    srv = hostile({"app": ["..%2Fdest%2Fnotes.txt"], "own": ["app-1.0.0.tgz"]})
    site = Site(tmp_path)
    (site.dest / "notes.txt").write_bytes(PRECIOUS)
    (site.dest / "notes.txt.prov").write_bytes(PRECIOUS)
    site.before = _snapshot(tmp_path)
    for extra in ([], ["--prov"]):
        line = _one_error(cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), *extra))
        assert "refusing to overwrite" in line and "notes.txt" in line
    assert site.changes() == set()
    # the command's own output name may be replaced: pulling twice is fine (Helm does the same)
    for _ in range(2):
        assert cli("pull", "own", "--repo", srv.url, "-d", str(site.dest), "--prov").exit_code == 0
    assert site.changes() == {"w/a/b/dest/app-1.0.0.tgz", "w/a/b/dest/app-1.0.0.tgz.prov"}


def test_content_disposition_never_names_the_file(cli: Any, hostile: Any, tmp_path: Path) -> None:
    srv = hostile({"app": ["app-1.0.0.tgz"]},
                  headers={"Content-Disposition": 'attachment; filename="../../../../victim/file.tgz"; '
                                                  "filename*=UTF-8''..%2F..%2F..%2F..%2Fvictim%2Ffile.tgz"})
    site = Site(tmp_path)
    r = cli("pull", "app", "--repo", srv.url, "-d", str(site.dest), "--untar", "--prov")
    assert r.exit_code == 0, r
    r = cli("pull", "app", "--repo", srv.url, "-d", str(site.dest))
    assert r.exit_code == 0, r
    assert all(c.startswith("w/a/b/dest/") for c in site.changes()), site.changes()
    assert sorted(os.listdir(site.dest)) == ["app", "app-1.0.0.tgz", "app-1.0.0.tgz.prov"]
    site.assert_victims_intact()


# --- dependency update -------------------------------------------------------------------------------
def _parent_chart(root: Path, deps: list[dict[str, str]]) -> Path:
    chart = root / "w" / "a" / "b" / "dest" / "parent"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(yaml.safe_dump({"apiVersion": "v2", "name": "parent", "version": "1.0.0",
                                                      "dependencies": deps}))
    return chart


@pytest.mark.parametrize("url", ["..%2F..%2F..%2F..%2Fvictim%2Ffile.tgz", "..\\..\\..\\..\\victim\\file.tgz",
                                 "{url}/..%2F..%2F..%2F..%2Fvictim%2Ffile.tgz"])
def test_dependency_update_writes_under_charts_only(cli: Any, hostile: Any, tmp_path: Path, url: str) -> None:
    srv = hostile({"app": [url]})
    site = Site(tmp_path)
    chart = _parent_chart(tmp_path, [{"name": "app", "version": "1.0.0", "repository": srv.url}])
    site.before = _snapshot(tmp_path)
    for command in ("update", "build"):
        r = cli("dependency", command, str(chart))
        assert r.exit_code == 0, r
    assert site.changes() == {"w/a/b/dest/parent/charts", "w/a/b/dest/parent/charts/file.tgz",
                              "w/a/b/dest/parent/Chart.lock"}
    site.assert_victims_intact()


@pytest.mark.parametrize("url", ["a%00b.tgz", "%2E%2E", "a%0Ab.tgz"])
def test_dependency_update_refuses_a_url_with_no_safe_name(cli: Any, hostile: Any, tmp_path: Path,
                                                           url: str) -> None:
    srv = hostile({"app": [url]})
    site = Site(tmp_path)
    chart = _parent_chart(tmp_path, [{"name": "app", "version": "1.0.0", "repository": srv.url}])
    site.before = _snapshot(tmp_path)
    r = cli("dependency", "update", str(chart))
    assert r.exit_code != 0 and r.stderr.count("Error: ") == 1 and "as a file name" in r.stderr, r
    assert "Traceback" not in r.stderr
    assert site.changes() <= {"w/a/b/dest/parent/charts"}
    site.assert_victims_intact()


def test_dependency_update_never_clobbers_what_is_not_that_chart(cli: Any, hostile: Any, tmp_path: Path) -> None:
    srv = hostile({"app": ["..%2F_notes.txt"], "twin": ["x%2F..%2F_notes.txt"], "base": ["base-1.0.0.tgz"]})
    site = Site(tmp_path)
    chart = _parent_chart(tmp_path, [{"name": "app", "version": "1.0.0", "repository": srv.url}])
    charts = chart / "charts"
    charts.mkdir()
    (charts / "_notes.txt").write_bytes(PRECIOUS)
    site.before = _snapshot(tmp_path)
    r = cli("dependency", "update", str(chart))
    assert r.exit_code != 0 and "refusing to replace" in r.stderr and "_notes.txt" in r.stderr, r
    assert site.changes() == set()

    # a chart kept by hand in charts/ (a dependency without a repository) is not the download's to replace
    (charts / "_notes.txt").unlink()
    (charts / "base").mkdir()
    (charts / "base" / "Chart.yaml").write_text("apiVersion: v2\nname: base\nversion: 1.0.0\n")
    evil = hostile({"app": ["base"]})
    (chart / "Chart.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v2", "name": "parent", "version": "1.0.0",
        "dependencies": [{"name": "base", "version": "1.0.0"}, {"name": "app", "version": "1.0.0",
                                                                "repository": evil.url}]}))
    r = cli("dependency", "update", str(chart))
    assert r.exit_code != 0 and "refusing to replace" in r.stderr and "not a regular file" in r.stderr, r
    assert sorted(os.listdir(charts)) == ["base"] and sorted(os.listdir(charts / "base")) == ["Chart.yaml"]
    shutil.rmtree(charts / "base")

    # two dependencies whose URLs end in the same name: one must not silently replace the other
    (chart / "Chart.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v2", "name": "parent", "version": "1.0.0",
        "dependencies": [{"name": "app", "version": "1.0.0", "repository": srv.url},
                         {"name": "twin", "version": "1.0.0", "repository": srv.url}]}))
    r = cli("dependency", "update", str(chart))
    assert r.exit_code != 0 and "another dependency already downloaded" in r.stderr, r
    assert sorted(os.listdir(charts)) == []
    site.assert_victims_intact()


# --- repository names --------------------------------------------------------------------------------
BAD_REPO_NAMES = ["a/b", "..", ".", "a\\b", "a\0b", "a\nb", "a\x1bb", "x" * 250, ""]


@pytest.mark.parametrize("name", BAD_REPO_NAMES, ids=repr)
def test_repo_add_refuses_names_that_are_not_file_names(cli: Any, hostile: Any, helmpy_home: Path,
                                                        tmp_path: Path, name: str) -> None:
    srv = hostile({"app": ["app-1.0.0.tgz"]})
    before = _snapshot(helmpy_home)
    line = _one_error(cli("repo", "add", name, srv.url))
    if name == "a/b":
        assert line == "Error: repository name (a/b) contains '/', please specify a different name without '/'"
    else:
        assert "repository name" in line and "please specify a different name" in line
    assert _changed(before, _snapshot(helmpy_home)) == set()
    assert [r.path for r in srv.requests] == []  # refused before anything was fetched


def test_a_hand_edited_repo_name_never_becomes_a_path(cli: Any, hostile: Any, helmpy_home: Path) -> None:
    srv = hostile({"app": ["app-1.0.0.tgz"]})
    assert cli("repo", "add", "good", srv.url).exit_code == 0
    config = next(helmpy_home.rglob("repositories.yaml"))
    doc = yaml.safe_load(config.read_text())
    doc["repositories"].append({**doc["repositories"][0], "name": "../../evil"})
    config.write_text(yaml.safe_dump(doc))
    outside = [(paths.repository_cache() / f"../../evil{suffix}").resolve()
               for suffix in ("-index.yaml", "-charts.txt", "-helmpy.json")]
    assert all(helmpy_home in v.parents and paths.repository_cache() not in v.parents for v in outside)
    for victim in outside[1:]:
        victim.write_bytes(PRECIOUS)  # what ``repo remove`` would delete if the name became a path
    before = _snapshot(helmpy_home)
    fetched = len(srv.requests)
    r = cli("repo", "update")
    assert r.exit_code != 0 and "invalid repository name '../../evil'" in r.stdout + r.stderr, r
    assert "/index.yaml" in [q.path for q in srv.requests[fetched:]]  # good's index was fetched again
    changed = _changed(before, _snapshot(helmpy_home))  # nothing: good's index is unchanged, so not rewritten
    assert all("good-" in c for c in changed), changed
    r = cli("repo", "remove", "../../evil")
    assert r.exit_code == 0, r
    assert not outside[0].exists() and [v.read_bytes() for v in outside[1:]] == [PRECIOUS] * 2


# --- the name function itself ------------------------------------------------------------------------
SEPARATED = st.lists(st.text(max_size=12) | st.sampled_from(["..", ".", "", "\0", "\n", "x" * 256]), max_size=5)


@given(SEPARATED, st.sampled_from(["/", "\\"]))
def test_safe_base_name_is_a_safe_suffix_or_an_error(parts: list[str], sep: str) -> None:
    path = sep.join(parts)
    try:
        name = safe_base_name(path, "test", DownloadError)
    except DownloadError as err:
        assert "as a file name" in str(err)
        last = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        assert name_problem(last) is not None  # refused only when the last component is really unsafe
        return
    assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert path.replace("\\", "/").rstrip("/").endswith(name)


@given(st.text(max_size=12) | st.text(st.sampled_from("ab.-_ \x00\x1f\x7f\x85\x9f\xa0\u2028\u2029\ud800é"), max_size=8))
def test_name_problem_refuses_exactly_the_unsafe_names(name: str) -> None:
    """The definition, character by character: refused when empty, . or .., holding a separator or a control
    character (C0, DEL, C1, U+2028/9), not UTF-8 or longer than a name may be."""
    unsafe = (name in ("", ".", "..") or "/" in name or "\\" in name
              or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in name))
    if not unsafe:
        try:
            unsafe = len(name.encode("utf-8")) > MAX_NAME_BYTES
        except UnicodeEncodeError:
            unsafe = True
    assert (name_problem(name) is not None) == unsafe


@given(st.text(max_size=40))
def test_url_filename_of_any_encoded_path_is_safe_or_refused(text: str) -> None:
    for url in (f"http://h/{quote(text, safe='')}", f"http://h/c/{quote(text)}"):
        try:
            name = url_filename(url)
        except DownloadError:
            continue
        assert name_problem(name) is None
        assert "/" not in name and "\\" not in name
