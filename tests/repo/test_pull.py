"""pull at the action level: untar safety, provenance fetching, verification failures."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from helmpy.action.pull import PullOptions, expand, pull
from helmpy.errors import ArchiveError, DownloadError, HelmpyError, ProvenanceError
from tests.support.http_repo import build_repo, serve


@pytest.fixture
def srv(tmp_path: Path):
    s = serve(build_repo(tmp_path / "repo", [dict(name="app", version="1.0.0")]))
    yield s
    s.stop()


def _evil_archive() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("app/Chart.yaml", b"apiVersion: v2\nname: app\nversion: 1.0.0\n"),
                           ("app/../../escape.txt", b"pwned")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_expand_refuses_path_traversal(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="parent directory"):
        expand(_evil_archive(), tmp_path / "out", "evil.tgz")
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "out").exists()


def test_pull_prov_and_verify_failures(srv, tmp_path: Path) -> None:
    dest = tmp_path / "d"
    dest.mkdir()
    with pytest.raises(DownloadError, match=r'failed to fetch provenance ".*app-1.0.0.tgz.prov"'):
        pull("app", PullOptions(repo_url=srv.url, destination=str(dest), prov=True))
    (Path(srv.root) / "app-1.0.0.tgz.prov").write_text("-----BEGIN PGP SIGNED MESSAGE-----\nnot really\n")
    saved = pull("app", PullOptions(repo_url=srv.url, destination=str(dest), prov=True))
    assert saved == dest / "app-1.0.0.tgz"
    assert (dest / "app-1.0.0.tgz.prov").read_text().startswith("-----BEGIN PGP")
    keyring = tmp_path / "empty.gpg"
    keyring.write_bytes(b"")
    with pytest.raises(ProvenanceError):
        pull("app", PullOptions(repo_url=srv.url, destination=str(tmp_path / "d"), verify=True,
                                keyring=str(keyring), untar=True, untardir="u"))
    assert not (dest / "u" / "app").exists()  # nothing unpacked when verification fails


def test_pull_destination_must_exist(srv, tmp_path: Path) -> None:
    with pytest.raises(HelmpyError, match="does not exist"):
        pull("app", PullOptions(repo_url=srv.url, destination=str(tmp_path / "missing")))


def test_untar_keeps_files_and_refuses_overwrite(srv, tmp_path: Path) -> None:
    target = pull("app", PullOptions(repo_url=srv.url, destination=str(tmp_path), untar=True))
    assert target == tmp_path / "app"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "Chart.yaml", "templates/cm.yaml", "values.yaml"]
    with pytest.raises(HelmpyError, match="already exists"):
        pull("app", PullOptions(repo_url=srv.url, destination=str(tmp_path), untar=True))
    assert not list(tmp_path.glob(".app.untar-*"))
