"""``downloaders:``: repo add, search, pull and dependency update through a downloader plugin's scheme."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.plugin.conftest import ROOT, Run, write_plugin
from tests.support.http_repo import build_repo

# serves fake://<path> from $FAKE_ROOT/<path>; logs its arguments and credentials
FAKE = """\
name: fake
version: 1.0.0
downloaders:
  - command: bin/fetch.sh
    protocols: [fake, fake+alt]
"""
FETCH_SH = """\
#!/bin/sh
echo "certs=[$1][$2][$3] url=$4 user=$HELM_PLUGIN_USERNAME pass=$HELM_PLUGIN_PASSWORD" >> "$FAKE_LOG"
path="${4#*://}"
exec cat "$FAKE_ROOT/${path%%\\?*}"
"""


@pytest.fixture
def fake(helmpy: Run, tmp_path: Path) -> dict[str, str]:
    src = write_plugin(tmp_path / "fake", FAKE, {"bin/fetch.sh": FETCH_SH})
    assert helmpy("plugin", "install", str(src)).returncode == 0
    build_repo(tmp_path / "served" / "repo", [{"name": "alpha", "version": "1.0.0"},
                                             {"name": "alpha", "version": "1.1.0"}])
    return {"FAKE_ROOT": str(tmp_path / "served"), "FAKE_LOG": str(tmp_path / "fetch.log")}


def test_repo_add_search_and_pull_through_a_downloader(helmpy: Run, tmp_path: Path, fake: dict[str, str]) -> None:
    added = helmpy("repo", "add", "fk", "fake://repo", "--username", "u", "--password", "p", env=fake)
    assert added.returncode == 0, added.stderr
    assert "fk/alpha\t1.1.0" in helmpy("search", "repo", "fk/").stdout.replace(" ", "")
    out = tmp_path / "out"
    out.mkdir()
    pulled = helmpy("pull", "fk/alpha", "--version", "1.0.0", "-d", str(out), env=fake)
    assert pulled.returncode == 0, pulled.stderr
    assert (out / "alpha-1.0.0.tgz").read_bytes() == (Path(fake["FAKE_ROOT"]) / "repo" / "alpha-1.0.0.tgz").read_bytes()
    direct = helmpy("pull", "fake+alt://repo/alpha-1.1.0.tgz", "-d", str(out), env=fake)
    assert direct.returncode == 0, direct.stderr
    assert (out / "alpha-1.1.0.tgz").is_file()
    log = Path(fake["FAKE_LOG"]).read_text().splitlines()
    assert log[0] == "certs=[][][] url=fake://repo/index.yaml user=u pass=p"  # the repository's own credentials
    assert log[1] == "certs=[][][] url=fake://repo/alpha-1.0.0.tgz user=u pass=p"
    assert log[2] == "certs=[][][] url=fake+alt://repo/alpha-1.1.0.tgz user= pass="  # another origin: none


def test_dependency_update_from_a_downloader_repository(helmpy: Run, tmp_path: Path, fake: dict[str, str]) -> None:
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
                                      "  - name: alpha\n    version: ~1.0\n    repository: fake://repo\n")
    updated = helmpy("dependency", "update", str(chart), env=fake)
    assert updated.returncode == 0, updated.stderr
    assert (chart / "charts" / "alpha-1.0.0.tgz").is_file()
    assert "repository: fake://repo" in (chart / "Chart.lock").read_text()


def test_a_failing_or_missing_downloader_is_one_error(helmpy: Run, tmp_path: Path, fake: dict[str, str]) -> None:
    gone = helmpy("pull", "fake://repo/nothere-1.0.0.tgz", env=fake)
    assert gone.returncode == 1
    assert gone.stderr.strip().splitlines()[-1] == ('Error: downloader plugin "fake" exited with error (exit code 1) '
                                                    "fetching fake://repo/nothere-1.0.0.tgz")
    unknown = helmpy("repo", "add", "x", "nope://repo")
    assert unknown.returncode == 1 and unknown.stderr.count("Error:") == 1, unknown.stderr


def test_downloader_output_is_capped(helmpy: Run, tmp_path: Path, fake: dict[str, str]) -> None:
    big = Path(fake["FAKE_ROOT"]) / "repo" / "big-1.0.0.tgz"
    big.write_bytes(b"\0" * 300_000)
    capped = helmpy("pull", "fake://repo/big-1.0.0.tgz", env={**fake, "HELMPY_MAX_CHART_SIZE": "100000"})
    assert capped.returncode == 1
    assert "printed more than the limit of 100000 bytes (HELMPY_MAX_CHART_SIZE)" in capped.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


def test_public_helm_git_plugin_runs_under_helmpy(helmpy: Run, tmp_path: Path) -> None:
    """helm-git 1.4.1 (tests/data/plugins/helm-git, unchanged), a pure-shell downloader: it clones the
    repository and calls ``$HELM_BIN dependency update/package/repo index`` - helmpy, here."""
    src = tmp_path / "helm-git"
    shutil.copytree(ROOT / "tests" / "data" / "plugins" / "helm-git", src)
    assert helmpy("plugin", "install", str(src)).returncode == 0
    repo = tmp_path / "charts-repo"
    (repo / "charts").mkdir(parents=True)
    assert helmpy("create", str(repo / "charts" / "mychart")).returncode == 0
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "chart")
    env = {"TMPDIR": str(tmp_path)}
    added = helmpy("repo", "add", "gitrepo", f"git+{repo.as_uri()}@charts?ref=main", env=env)
    assert added.returncode == 0, added.stderr
    assert "gitrepo/mychart" in helmpy("search", "repo", "gitrepo").stdout
    out = tmp_path / "out"
    out.mkdir()
    pulled = helmpy("pull", "gitrepo/mychart", "-d", str(out), env=env)
    assert pulled.returncode == 0, pulled.stderr
    direct = helmpy("show", "chart", f"git+{repo.as_uri()}@charts/mychart-0.1.0.tgz?ref=main", env=env)
    assert "name: mychart" in direct.stdout, direct.stderr
    assert [p.name for p in out.iterdir()] == ["mychart-0.1.0.tgz"]
