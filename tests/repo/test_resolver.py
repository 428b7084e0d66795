"""Dependency resolution, Chart.lock digests (Helm's exact rule) and dependency update/build/list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from helmpy.action import dependency
from helmpy.chart.model import Dependency
from helmpy.errors import DependencyError
from helmpy.repo.resolver import go_json, hash_req
from tests.support.http_repo import build_repo, serve

REPO_CHARTS = [
    dict(name="alpha", version="1.0.0"),
    dict(name="alpha", version="1.2.0"),
    dict(name="alpha", version="2.0.0"),
    dict(name="beta", version="0.3.0"),
]


def make_chart(root: Path, deps: list[dict], name: str = "parent") -> Path:
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    meta = {"apiVersion": "v2", "name": name, "version": "0.1.0", "dependencies": deps}
    (chart / "Chart.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    (chart / "values.yaml").write_text("{}\n")
    return chart


def make_local(root: Path, name: str, version: str) -> Path:
    d = root / name
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: {version}\n")
    (d / "values.yaml").write_text("a: 1\n")
    return d


@pytest.fixture
def repo_srv(tmp_path: Path):
    srv = serve(build_repo(tmp_path / "repo", REPO_CHARTS))
    yield srv
    srv.stop()


def test_go_json_escapes_like_go() -> None:
    assert go_json([">=1.0 <2 & x"]) == '[">=1.0 \\u003c2 \\u0026 x"]'.replace(">", "\\u003e")


def test_hash_req_matches_helm_field_order() -> None:
    req = [Dependency(name="a", version=">=1.0", repository="https://x", condition="a.enabled", alias="b",
                      import_values=[{"parent": "p", "child": "c"}, "data"])]
    lock = [Dependency(name="a", version="1.2.0", repository="https://x")]
    import hashlib

    expected_json = ('[[{"name":"a","version":"\\u003e=1.0","repository":"https://x","condition":"a.enabled",'
                     '"import-values":[{"child":"c","parent":"p"},"data"],"alias":"b"}],'
                     '[{"name":"a","version":"1.2.0","repository":"https://x"}]]')
    assert hash_req(req, lock) == "sha256:" + hashlib.sha256(expected_json.encode()).hexdigest()


def test_update_resolves_downloads_and_locks(cli, repo_srv, tmp_path: Path) -> None:
    assert cli("repo", "add", "myrepo", repo_srv.url).exit_code == 0
    make_local(tmp_path, "localsub", "0.2.0")
    chart = make_chart(tmp_path, [
        {"name": "alpha", "version": "^1.0.0", "repository": "@myrepo"},
        {"name": "beta", "version": ">=0.1.0", "repository": repo_srv.url},
        {"name": "localsub", "version": "~0.2", "repository": "file://../localsub"},
    ])
    (chart / "charts").mkdir()
    (chart / "charts" / "alpha-0.0.1.tgz").write_bytes(_archive("alpha", "0.0.1"))  # outdated: will be deleted
    r = cli("dependency", "update", str(chart))
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[:3] == ["Hang tight while we grab the latest from your chart repositories...",
                         '...Successfully got an update from the "myrepo" chart repository',
                         "Update Complete. ⎈Happy Helming!⎈"]
    assert "Saving 3 charts" in lines and "Deleting outdated charts" in lines
    assert f"Downloading alpha from repo {repo_srv.url}" in lines
    assert sorted(p.name for p in (chart / "charts").iterdir()) == ["alpha-1.2.0.tgz", "beta-0.3.0.tgz",
                                                                     "localsub-0.2.0.tgz"]
    lock = yaml.safe_load((chart / "Chart.lock").read_text())
    assert lock["dependencies"] == [
        {"name": "alpha", "repository": repo_srv.url, "version": "1.2.0"},
        {"name": "beta", "repository": repo_srv.url, "version": "0.3.0"},
        {"name": "localsub", "repository": "file://../localsub", "version": "0.2.0"}]
    assert lock["digest"].startswith("sha256:")
    text = (chart / "Chart.lock").read_text()
    assert text.splitlines()[-1].startswith('generated: "') and text.endswith('Z"\n')

    r = cli("dependency", "list", str(chart))
    assert r.exit_code == 0, r
    rows = [line.split("\t") for line in r.stdout.strip().splitlines()]
    assert [c.strip() for c in rows[0]] == ["NAME", "VERSION", "REPOSITORY", "STATUS"]
    assert [row[3].strip() for row in rows[1:]] == ["ok", "ok", "ok"]

    # build reproduces charts/ from the lock; an unchanged lock is not rewritten
    before = (chart / "Chart.lock").read_text()
    shutil.rmtree(chart / "charts")
    r = cli("dep", "build", str(chart))
    assert r.exit_code == 0, r
    assert len(list((chart / "charts").iterdir())) == 3
    r = cli("dep", "up", str(chart), "--skip-refresh")
    assert r.exit_code == 0 and "Hang tight" not in r.stdout
    assert (chart / "Chart.lock").read_text() == before

    # Chart.yaml changes -> build refuses the stale lock
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    meta["dependencies"][0]["version"] = "^2.0.0"
    (chart / "Chart.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    r = cli("dependency", "build", str(chart))
    assert r.exit_code == 1
    assert r.stderr == ("Error: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). "
                        "Please update the dependencies\n")
    r = cli("dependency", "list", str(chart))
    assert r.stdout.splitlines()[1].split("\t")[3].strip() == "wrong version"


def _archive(name: str, version: str) -> bytes:
    from tests.support.http_repo import chart_archive

    return chart_archive(name, version)


def test_update_errors(cli, repo_srv, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, [{"name": "alpha", "version": "^9", "repository": repo_srv.url}])
    r = cli("dependency", "update", str(chart))
    assert r.exit_code == 1
    assert "can't get a valid version for 1 subchart(s): \"alpha\"" in r.stderr
    chart2 = make_chart(tmp_path, [{"name": "alpha", "version": "1", "repository": "@nope"}], name="p2")
    r = cli("dependency", "update", str(chart2))
    assert r.stderr == "Error: no repository definition for @nope. Please add them via 'helmpy repo add'\n"
    chart3 = make_chart(tmp_path, [{"name": "gone", "version": "1", "repository": ""}], name="p3")
    r = cli("dependency", "update", str(chart3))
    assert r.exit_code == 1 and "charts/gone not found" in r.stderr
    assert not list(tmp_path.glob("*/tmpcharts-*"))
    r = cli("dependency", "list", str(chart3))
    assert r.stdout.splitlines()[1].split("\t")[3].strip() == "missing"


def test_update_digest_mismatch_keeps_old_charts(cli, repo_srv, tmp_path: Path) -> None:
    cli("repo", "add", "r", repo_srv.url)
    chart = make_chart(tmp_path, [{"name": "beta", "version": "*", "repository": "@r"}])
    (chart / "charts").mkdir()
    old = chart / "charts" / "beta-0.1.0.tgz"
    old.write_bytes(_archive("beta", "0.1.0"))
    (Path(repo_srv.root) / "beta-0.3.0.tgz").write_bytes(_archive("beta", "0.3.1"))
    r = cli("dependency", "update", str(chart))
    assert r.exit_code == 1 and "digest mismatch" in r.stderr
    assert [p.name for p in (chart / "charts").iterdir()] == ["beta-0.1.0.tgz"]
    assert not (chart / "Chart.lock").exists()


def test_python_api_for_package(cli, repo_srv, tmp_path: Path) -> None:
    make_local(tmp_path, "sub", "1.0.0")
    chart = make_chart(tmp_path, [{"name": "sub", "version": "1.0.0", "repository": "file://../sub"}])
    lines: list[str] = []
    dependency.update(chart, lines.append)
    assert (chart / "charts" / "sub-1.0.0.tgz").is_file()
    (chart / "charts" / "sub-1.0.0.tgz").unlink()
    dependency.build(chart, lines.append)
    assert (chart / "charts" / "sub-1.0.0.tgz").is_file()
    with pytest.raises(DependencyError):
        dependency.update(tmp_path / "nowhere", lines.append)


@pytest.mark.helm
def test_lock_digest_and_charts_match_real_helm(cli, helm, repo_srv, tmp_path: Path) -> None:
    make_local(tmp_path, "localsub", "0.2.0")
    deps = [
        {"name": "alpha", "version": ">=1.0.0 <2.0.0", "repository": "@myrepo", "condition": "alpha.enabled",
         "tags": ["front"], "import-values": [{"child": "cv", "parent": "pv"}, "data"]},
        {"name": "beta", "version": "~0.3", "repository": repo_srv.url, "alias": "db"},
        {"name": "localsub", "version": "0.2.0", "repository": "file://../localsub"},
    ]
    ours = make_chart(tmp_path / "ours", deps)
    theirs = make_chart(tmp_path / "theirs", deps)
    shutil.copytree(tmp_path / "localsub", tmp_path / "ours" / "localsub")
    shutil.copytree(tmp_path / "localsub", tmp_path / "theirs" / "localsub")
    assert cli("repo", "add", "myrepo", repo_srv.url).exit_code == 0
    helm("repo", "add", "myrepo", repo_srv.url)
    r = cli("dependency", "update", str(ours))
    assert r.exit_code == 0, r
    helm("dependency", "update", str(theirs))
    our_lock = yaml.safe_load((ours / "Chart.lock").read_text())
    their_lock = yaml.safe_load((theirs / "Chart.lock").read_text())
    assert our_lock["digest"] == their_lock["digest"]
    assert our_lock["dependencies"] == their_lock["dependencies"]
    assert sorted(p.name for p in (ours / "charts").iterdir()) == sorted(p.name for p in (theirs / "charts").iterdir())
    # each tool accepts the other's lock
    shutil.copy(theirs / "Chart.lock", ours / "Chart.lock")
    shutil.rmtree(ours / "charts")
    assert cli("dependency", "build", str(ours)).exit_code == 0
    shutil.copy(tmp_path / "ours" / "parent" / "Chart.lock", theirs / "Chart.lock")
    helm("dependency", "build", str(theirs))
    ours_list = cli("dependency", "list", str(ours)).stdout
    assert ours_list == helm("dependency", "list", str(ours)).stdout
