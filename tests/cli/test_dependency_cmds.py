"""``dependency list|update|build`` through the CLI, against a real repository server (and real Helm)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.http_repo import build_repo, serve

REPO_CHARTS = [
    dict(name="alpha", version="1.0.0"), dict(name="alpha", version="1.2.0"), dict(name="alpha", version="2.0.0"),
    dict(name="beta", version="0.3.0"),
]


def _parent(root: Path, repo_url: str) -> Path:
    """A chart needing alpha ^1.0.0 by URL, beta via the repo name @r, and a file:// sibling under an alias."""
    local = root / "local"
    (local / "templates").mkdir(parents=True)
    (local / "Chart.yaml").write_text("apiVersion: v2\nname: local\nversion: 0.1.0\n")
    parent = root / "parent"
    (parent / "templates").mkdir(parents=True)
    (parent / "values.yaml").write_text("{}\n")
    (parent / "Chart.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v2", "name": "parent", "version": "1.0.0", "dependencies": [
            {"name": "alpha", "version": "^1.0.0", "repository": repo_url},
            {"name": "beta", "version": "0.3.x", "repository": "@r"},
            {"name": "local", "version": ">=0.1.0", "repository": "file://../local", "alias": "loc"},
        ]}))
    return parent


def _one_error_line(r) -> str:  # type: ignore[no-untyped-def]
    assert r.exit_code == 1, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in r.stderr, r.stderr
    return lines[0]


@pytest.fixture
def repo_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    srv = serve(build_repo(tmp_path / "served", REPO_CHARTS))
    yield srv.url
    srv.stop()


def test_list_update_build_cycle(cli, repo_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("repo", "add", "r", repo_url).exit_code == 0
    parent = _parent(tmp_path, repo_url)

    r = cli("dependency", "list", str(parent))
    assert r.exit_code == 0
    assert [line.split()[-1] for line in r.stdout.strip().splitlines()[1:]] == ["missing"] * 3

    r = cli("dependency", "update", str(parent))
    assert r.exit_code == 0, r.stderr
    assert "Saving 3 charts" in r.stdout and "Deleting outdated charts" in r.stdout
    lock = yaml.safe_load((parent / "Chart.lock").read_text())
    assert [(d["name"], d["version"]) for d in lock["dependencies"]] == [("alpha", "1.2.0"), ("beta", "0.3.0"),
                                                                          ("local", "0.1.0")]
    assert lock["digest"].startswith("sha256:")
    built = sorted(p.name for p in (parent / "charts").iterdir())
    assert built == ["alpha-1.2.0.tgz", "beta-0.3.0.tgz", "local-0.1.0.tgz"]
    served = (tmp_path / "served" / "alpha-1.2.0.tgz").read_bytes()
    assert (parent / "charts" / "alpha-1.2.0.tgz").read_bytes() == served  # the digest-checked archive

    r = cli("dependency", "list", str(parent))
    assert [line.split()[-1] for line in r.stdout.strip().splitlines()[1:]] == ["ok"] * 3

    shutil.rmtree(parent / "charts")
    r = cli("dep", "build", str(parent))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in (parent / "charts").iterdir()) == built
    digest = hashlib.sha256((parent / "charts" / "alpha-1.2.0.tgz").read_bytes()).hexdigest()
    assert digest == hashlib.sha256(served).hexdigest()

    # Chart.yaml changed after locking: build refuses the stale lock
    text = (parent / "Chart.yaml").read_text().replace("^1.0.0", "^2.0.0")
    (parent / "Chart.yaml").write_text(text)
    assert "out of sync" in _one_error_line(cli("dependency", "build", str(parent)))
    assert cli("dependency", "update", str(parent)).exit_code == 0
    assert (parent / "charts" / "alpha-2.0.0.tgz").is_file() and not (parent / "charts" / "alpha-1.2.0.tgz").exists()


def test_dependency_errors(cli, repo_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    parent = _parent(tmp_path, repo_url)
    assert "no repository definition for @r" in _one_error_line(cli("dependency", "update", str(parent)))
    assert "not a chart directory" in _one_error_line(cli("dependency", "list", str(tmp_path / "nope")))
    assert cli("repo", "add", "r", repo_url).exit_code == 0
    text = (parent / "Chart.yaml").read_text().replace("0.3.x", "9.x")
    (parent / "Chart.yaml").write_text(text)
    assert "beta" in _one_error_line(cli("dependency", "update", str(parent)))
    assert not (parent / "Chart.lock").exists()
    r = cli("dependency", "list", str(tmp_path / "local"))
    assert r.exit_code == 0 and "WARNING: no dependencies" in r.stdout


@pytest.mark.helm
def test_helm_lists_what_we_built_as_ok(cli, helm, repo_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("repo", "add", "r", repo_url).exit_code == 0
    helm("repo", "add", "r", repo_url)
    parent = _parent(tmp_path, repo_url)
    assert cli("dependency", "update", str(parent)).exit_code == 0
    listing = helm("dependency", "list", str(parent)).stdout
    assert [line.split()[-1] for line in listing.strip().splitlines()[1:]] == ["ok"] * 3
    ours = cli("dependency", "list", str(parent)).stdout
    assert [line.split() for line in ours.strip().splitlines()] == [line.split() for line in listing.strip().splitlines()]
