"""resolve_chart: every reference form, the content cache and digest checks, against a real server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helmpy import paths
from helmpy.action.chartref import resolve_chart
from helmpy.chart.loader import load
from helmpy.errors import ChartNotFoundError, DownloadError, RepoError
from tests.support.http_repo import build_repo, chart_archive, serve

CHARTS = [dict(name="web", version="1.0.0"), dict(name="web", version="1.1.0"),
          dict(name="web", version="2.0.0-alpha.1")]


@pytest.fixture
def srv(tmp_path: Path):
    s = serve(build_repo(tmp_path / "repo", CHARTS))
    yield s
    s.stop()


def test_local_forms(tmp_path: Path) -> None:
    d = tmp_path / "mychart"
    d.mkdir()
    (d / "Chart.yaml").write_text("apiVersion: v2\nname: mychart\nversion: 0.1.0\n")
    assert resolve_chart(str(d)) == d
    tgz = tmp_path / "x.tgz"
    tgz.write_bytes(chart_archive("x", "1.0.0"))
    assert resolve_chart(str(tgz)) == tgz
    assert resolve_chart(f"file://{d}") == d
    with pytest.raises(ChartNotFoundError, match=r'path "\./nope" not found'):
        resolve_chart("./nope")
    with pytest.raises(ChartNotFoundError, match='path "/abs/nope" not found'):
        resolve_chart("/abs/nope")
    with pytest.raises(ChartNotFoundError, match="repo_name/path_to_chart"):
        resolve_chart("barename")


def test_repo_reference_downloads_into_content_cache(cli, srv) -> None:
    assert cli("repo", "add", "r", srv.url).exit_code == 0
    path = resolve_chart("r/web")
    data = (Path(srv.root) / "web-1.1.0.tgz").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert path == paths.content_cache() / digest[:2] / f"{digest}.chart"
    assert load(path).metadata.version == "1.1.0"
    n = len(srv.requests)
    assert resolve_chart("r/web") == path and len(srv.requests) == n  # cache hit: no request
    assert load(resolve_chart("r/web", devel=True)).metadata.version == "2.0.0-alpha.1"
    assert load(resolve_chart("r/web", version="1.0.0")).metadata.version == "1.0.0"
    assert load(resolve_chart("r/web", version="~1.0")).metadata.version == "1.0.0"
    with pytest.raises(RepoError, match=r'chart "web" matching \^3 not found in r index'):
        resolve_chart("r/web", version="^3")


def test_repo_url_and_absolute_url(srv) -> None:
    assert load(resolve_chart("web", repo_url=srv.url)).metadata.version == "1.1.0"
    assert load(resolve_chart(f"{srv.url}/web-1.0.0.tgz")).metadata.version == "1.0.0"
    with pytest.raises(DownloadError, match="404 Not Found"):
        resolve_chart(f"{srv.url}/web-9.tgz")


def test_absolute_url_listed_in_a_configured_repo_uses_its_credentials(cli, tmp_path: Path) -> None:
    with serve(tmp_path / "pending", auth=("u", "p")) as s:
        build_repo(tmp_path / "pending", CHARTS[:1], base_url=s.url)
        assert cli("repo", "add", "sec", s.url, "--username", "u", "--password", "p").exit_code == 0
        assert load(resolve_chart(f"{s.url}/web-1.0.0.tgz")).metadata.name == "web"
        with pytest.raises(RepoError, match="not a valid chart repository .*401"):
            resolve_chart("web", repo_url=s.url)
        assert load(resolve_chart("web", repo_url=s.url, username="u", password="p")).metadata.name == "web"


def test_credentials_are_not_sent_to_a_chart_host_elsewhere(cli, tmp_path: Path) -> None:
    """The index points chart URLs at another server: credentials stay home unless --pass-credentials."""
    (tmp_path / "cdn").mkdir()
    with serve(tmp_path / "cdn") as cdn, serve(tmp_path / "idx", auth=("u", "p")) as idx:
        build_repo(tmp_path / "idx", CHARTS[:1], base_url=cdn.url)
        (tmp_path / "cdn" / "web-1.0.0.tgz").write_bytes((tmp_path / "idx" / "web-1.0.0.tgz").read_bytes())
        assert cli("repo", "add", "r", idx.url, "--username", "u", "--password", "p").exit_code == 0
        resolve_chart("r/web")
        assert cdn.requests[-1].authorization is None
        assert idx.requests[-1].authorization is not None
        assert cli("repo", "add", "r2", idx.url, "--username", "u", "--password", "p",
                   "--pass-credentials").exit_code == 0
        for f in paths.content_cache().rglob("*.chart"):
            f.unlink()
        resolve_chart("r2/web")
        assert cdn.requests[-1].authorization is not None


def test_digest_mismatch_is_an_error_and_leaves_nothing(cli, srv) -> None:
    assert cli("repo", "add", "r", srv.url).exit_code == 0
    (Path(srv.root) / "web-1.1.0.tgz").write_bytes(chart_archive("web", "1.1.0", description="tampered"))
    with pytest.raises(DownloadError, match="digest mismatch"):
        resolve_chart("r/web")
    assert not any(p.is_file() for p in paths.content_cache().rglob("*")) if paths.content_cache().exists() else True


def test_missing_cache_says_update(cli, srv) -> None:
    assert cli("repo", "add", "r", srv.url).exit_code == 0
    (paths.repository_cache() / "r-index.yaml").unlink()
    with pytest.raises(RepoError, match="no cached repo found"):
        resolve_chart("r/web")
