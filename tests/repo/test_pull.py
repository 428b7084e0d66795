"""pull at the action level: untar safety, provenance fetching, verification failures."""

from __future__ import annotations

import functools
import http.server
import io
import tarfile
import threading
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


def test_a_kept_verdict_is_the_loaders_under_the_same_limits_only(srv, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The second pull of the same bytes takes the name from the parsed-inputs cache; under a smaller limit the
    archive is loaded again and refused, and nothing is saved."""
    for dest in (tmp_path / "a", tmp_path / "b"):
        dest.mkdir()
        assert pull("app", PullOptions(repo_url=srv.url, destination=str(dest))) == dest / "app-1.0.0.tgz"
    monkeypatch.setenv("HELMPY_MAX_FILE_SIZE", "10")
    refused = tmp_path / "c"
    refused.mkdir()
    with pytest.raises(ArchiveError, match="maximum"):
        pull("app", PullOptions(repo_url=srv.url, destination=str(refused)))
    assert list(refused.iterdir()) == []


def test_a_broken_archive_is_refused_on_every_pull(tmp_path: Path) -> None:
    """Refusals are never kept: each pull loads the archive again and gets the loader's error."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"apiVersion: v2\nname: app\nversion: not-a-version\n"
        info = tarfile.TarInfo("app/Chart.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "app-1.0.0.tgz").write_bytes(buf.getvalue())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/app-1.0.0.tgz"
        for dest in (tmp_path / "a", tmp_path / "b"):
            dest.mkdir()
            with pytest.raises(HelmpyError, match="version"):
                pull(url, PullOptions(destination=str(dest)))
            assert list(dest.iterdir()) == []
    finally:
        server.shutdown()
        server.server_close()
