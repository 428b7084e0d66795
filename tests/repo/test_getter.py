"""The HTTP getter against real local servers: headers, the credential rule, and every failure mode."""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import pytest

from helmpy.errors import DownloadError
from helmpy.repo.getter import Getter, GetterOptions, get, may_send_credentials
from tests.support.http_repo import closed_port_url, serve


@pytest.fixture
def site(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.yaml").write_text("apiVersion: v1\nentries: {}\n")
    (root / "big.bin").write_bytes(b"x" * 300_000)
    srv = serve(root)
    yield srv
    srv.stop()


def _basic(user: str, pw: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()


def test_get_sends_user_agent_and_accept(site) -> None:
    assert get(f"{site.url}/index.yaml").startswith(b"apiVersion")
    with Getter() as g:
        g.get(f"{site.url}/big.bin", accept="application/gzip,application/octet-stream")
    first, second = site.requests
    assert first.headers["user-agent"].startswith("helmpy/")
    assert second.headers["accept"] == "application/gzip,application/octet-stream"


def test_credentials_only_go_to_the_repository_host(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f").write_text("a")
    (tmp_path / "b" / "f").write_text("b")
    with serve(tmp_path / "a") as repo_srv, serve(tmp_path / "b") as other:
        opts = GetterOptions(username="u", password="p", credentials_url=repo_srv.url + "/charts")
        with Getter() as g:
            g.get(f"{repo_srv.url}/f", opts)
            g.get(f"{other.url}/f", opts)  # different port = different host: no credentials
        assert repo_srv.requests[-1].authorization == _basic("u", "p")
        assert other.requests[-1].authorization is None
        opts.pass_credentials = True
        get(f"{other.url}/f", opts)
        assert other.requests[-1].authorization == _basic("u", "p")


def test_credential_rule_needs_both_parts_and_same_scheme() -> None:
    base = "http://h:1/x"
    assert not may_send_credentials("http://h:1/y", GetterOptions(username="u", credentials_url=base))
    assert not may_send_credentials("https://h:1/y", GetterOptions(username="u", password="p", credentials_url=base))
    assert may_send_credentials("http://H:1/z", GetterOptions(username="u", password="p", credentials_url=base))


def test_status_errors_are_one_line(site, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as err:
        get(f"{site.url}/missing.tgz")
    assert str(err.value) == f"failed to fetch {site.url}/missing.tgz : 404 Not Found"
    with serve(tmp_path, auth=("u", "p")) as locked:
        with pytest.raises(DownloadError, match="401 Unauthorized .*--username"):
            get(f"{locked.url}/index.yaml")
        with pytest.raises(DownloadError, match="401"):
            get(f"{locked.url}/index.yaml", GetterOptions(username="u", password="wrong", credentials_url=locked.url))
    with (serve(tmp_path, fail_status=500) as broken,
          pytest.raises(DownloadError, match="500 Internal Server Error .*server failed")):
        get(f"{broken.url}/index.yaml")
    with serve(tmp_path, fail_status=403) as forbidden, pytest.raises(DownloadError, match="403 Forbidden"):
        get(f"{forbidden.url}/x")


def test_connection_refused_and_timeout() -> None:
    url = closed_port_url()
    with pytest.raises(DownloadError, match="connection refused"):
        get(f"{url}/index.yaml")
    # a listening socket that never answers: the read times out
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(DownloadError, match="timed out"):
            get(f"http://127.0.0.1:{port}/index.yaml", GetterOptions(timeout=0.5))


def test_tls_errors_are_reported(site) -> None:
    # speaking TLS to a plain-HTTP server fails the handshake
    https_url = site.url.replace("http://", "https://")
    with pytest.raises(DownloadError, match="TLS error|connection"):
        get(f"{https_url}/index.yaml", GetterOptions(timeout=5))
    with pytest.raises(DownloadError, match="--ca-file"):
        get(f"{https_url}/index.yaml", GetterOptions(ca_file="/nonexistent/ca.pem"))


def test_progress_bar_under_debug(site, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HELMPY_DEBUG", "1")
    data = get(f"{site.url}/big.bin", progress="Downloading big.bin")
    assert len(data) == 300_000
    err = capsys.readouterr().err
    assert "Downloading big.bin" in err and "100.0%" in err
    monkeypatch.delenv("HELMPY_DEBUG")
    get(f"{site.url}/big.bin", progress="Downloading big.bin")
    assert "Downloading" not in capsys.readouterr().err  # stderr is not a terminal here
