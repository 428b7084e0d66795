"""The committed ``repo-index/`` directory: our example charts, packaged and indexed, served as they are."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import requests

from helmpy.chart.loader import load_archive
from helmpy.repo.index import IndexFile
from helmpy.server.storage import ChartStorage
from tests.server.serve_helper import ROOT, chart_tgz, start_server

REPO_INDEX = ROOT / "repo-index"
EXAMPLES = ("web", "stateful", "multi")


def test_committed_index_matches_the_committed_archives() -> None:
    index = IndexFile.load_file(REPO_INDEX / "index.yaml")
    archives = sorted(REPO_INDEX.glob("*.tgz"))
    assert {p.name.rsplit("-", 1)[0] for p in archives} == set(EXAMPLES)
    listed = {(cv.name, cv.version): cv for versions in index.entries.values() for cv in versions}
    assert len(listed) == len(archives)
    for path in archives:
        data = path.read_bytes()
        meta = load_archive(data, path.name).metadata
        cv = listed[(meta.name, meta.version)]
        assert cv.digest == hashlib.sha256(data).hexdigest(), f"{path.name}: re-run `helmpy repo index repo-index`"
        assert cv.urls == [path.name]
        assert (REPO_INDEX.parent / "charts" / meta.name / "Chart.yaml").is_file()


def test_serving_leaves_an_up_to_date_index_untouched(tmp_path: Path) -> None:
    served = tmp_path / "repo-index"
    shutil.copytree(REPO_INDEX, served)
    before = (served / "index.yaml").read_bytes()
    assert ChartStorage(served).rebuild().entries.keys() == set(EXAMPLES)
    assert (served / "index.yaml").read_bytes() == before

    (served / "extra-1.0.0.tgz").write_bytes(chart_tgz("extra", "1.0.0"))  # a new archive: index rewritten
    index = ChartStorage(served).rebuild()
    assert set(index.entries) == {*EXAMPLES, "extra"}
    assert index.entries["extra"][0].urls == ["charts/extra-1.0.0.tgz"]
    assert index.entries["web"][0].created == IndexFile.load(before).entries["web"][0].created


def test_helmpy_serve_of_repo_index_works_for_clients(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    served = tmp_path / "repo-index"
    shutil.copytree(REPO_INDEX, served)
    before = (served / "index.yaml").read_bytes()
    srv = start_server(served)
    try:
        assert requests.get(srv.url + "web-0.1.0.tgz", timeout=10).content == (served / "web-0.1.0.tgz").read_bytes()
        assert requests.get(srv.url + "nope-0.1.0.tgz", timeout=10).status_code == 404
        assert cli("repo", "add", "mine", srv.url).exit_code == 0
        found = cli("search", "repo", "mine", "-o", "json").json
        assert sorted(r["name"] for r in found) == [f"mine/{n}" for n in sorted(EXAMPLES)]
        r = cli("pull", "mine/web", "--untar", "-d", str(tmp_path))
        assert r.exit_code == 0, r.stderr
        assert (tmp_path / "web" / "Chart.yaml").is_file()
    finally:
        srv.stop()
    assert (served / "index.yaml").read_bytes() == before


@pytest.mark.helm
def test_helm_uses_served_repo_index(helm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    served = tmp_path / "repo-index"
    shutil.copytree(REPO_INDEX, served)
    srv = start_server(served)
    try:
        helm("repo", "add", "mine", srv.url)
        assert "mine/multi" in helm("search", "repo", "mine").stdout
        helm("pull", "mine/stateful", "-d", str(tmp_path))
        assert (tmp_path / "stateful-0.1.0.tgz").read_bytes() == (served / "stateful-0.1.0.tgz").read_bytes()
    finally:
        srv.stop()
