"""`helmpy serve` over real HTTP: index caching, ChartMuseum API, validation, auth, TLS, concurrency."""

from __future__ import annotations

import functools
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.server.serve_helper import Server, chart_tgz, self_signed_cert, start_server

FAKE_PROV = (b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nname: alpha\nversion: 0.1.0\n\n"
             b"...\nfiles:\n  alpha-0.1.0.tgz: sha256:00\n\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n"
             b"-----END PGP SIGNATURE-----")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(tmp_path / "repo")
    yield srv
    srv.stop()


def _index(srv: Server, **kw: object) -> dict:
    r = requests.get(srv.url + "index.yaml", timeout=10, **kw)  # type: ignore[arg-type]
    assert r.status_code == 200
    return yaml.safe_load(r.text)


def test_health_and_empty_index(server: Server) -> None:
    assert requests.get(server.url + "health", timeout=10).json() == {"healthy": True}
    idx = _index(server)
    assert idx["apiVersion"] == "v1" and idx["entries"] == {}
    assert (server.directory / "index.yaml").is_file()
    assert requests.get(server.url + "nope", timeout=10).status_code == 404


def test_upload_download_query_delete(server: Server) -> None:
    data = chart_tgz("alpha", "0.1.0")
    r = requests.post(server.url + "api/charts", data=data, timeout=10)
    assert (r.status_code, r.json()) == (201, {"saved": True})
    entry = _index(server)["entries"]["alpha"][0]
    assert entry["urls"] == ["charts/alpha-0.1.0.tgz"]
    assert entry["digest"] == hashlib.sha256(data).hexdigest()
    assert requests.get(server.url + "charts/alpha-0.1.0.tgz", timeout=10).content == data

    r = requests.post(server.url + "api/charts", data=data, timeout=10)
    assert (r.status_code, r.json()) == (409, {"error": "file already exists"})
    assert requests.post(server.url + "api/charts?force", data=data, timeout=10).status_code == 201
    assert requests.post(server.url + "api/charts", data=chart_tgz("alpha", "0.2.0"), timeout=10).status_code == 201

    listing = requests.get(server.url + "api/charts", timeout=10).json()
    assert [v["version"] for v in listing["alpha"]] == ["0.2.0", "0.1.0"]
    assert requests.get(server.url + "api/charts?offset=1", timeout=10).json() == {}
    assert len(requests.get(server.url + "api/charts/alpha", timeout=10).json()) == 2
    assert requests.get(server.url + "api/charts/alpha/latest", timeout=10).json()["version"] == "0.2.0"
    assert requests.get(server.url + "api/charts/alpha/0.1.0", timeout=10).json()["digest"] == entry["digest"]
    r = requests.get(server.url + "api/charts/beta", timeout=10)
    assert (r.status_code, r.json()) == (404, {"error": "chart not found"})
    assert requests.get(server.url + "api/charts/alpha/9.9.9", timeout=10).status_code == 404
    assert requests.head(server.url + "api/charts/alpha/0.1.0", timeout=10).status_code == 200
    assert requests.head(server.url + "api/charts/beta", timeout=10).status_code == 404

    r = requests.delete(server.url + "api/charts/alpha/0.1.0", timeout=10)
    assert (r.status_code, r.json()) == (200, {"deleted": True})
    assert not (server.directory / "alpha-0.1.0.tgz").exists()
    assert [v["version"] for v in _index(server)["entries"]["alpha"]] == ["0.2.0"]
    assert requests.delete(server.url + "api/charts/alpha/0.1.0", timeout=10).status_code == 404
    assert requests.get(server.url + "charts/alpha-0.1.0.tgz", timeout=10).status_code == 404


def test_index_caching_headers(server: Server) -> None:
    r = requests.get(server.url + "index.yaml", timeout=10)
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert requests.get(server.url + "index.yaml", headers={"If-None-Match": etag}, timeout=10).status_code == 304
    assert requests.get(server.url + "index.yaml", headers={"If-Modified-Since": modified},
                        timeout=10).status_code == 304
    assert requests.get(server.url + "index.yaml", headers={"If-None-Match": '"other"'},
                        timeout=10).status_code == 200
    past = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert requests.get(server.url + "index.yaml", headers={"If-Modified-Since": past}, timeout=10).status_code == 200
    head = requests.head(server.url + "index.yaml", timeout=10)
    assert head.status_code == 200 and head.headers["ETag"] == etag and head.content == b""
    requests.post(server.url + "api/charts", data=chart_tgz("alpha", "0.1.0"), timeout=10)
    r2 = requests.get(server.url + "index.yaml", headers={"If-None-Match": etag}, timeout=10)
    assert r2.status_code == 200 and r2.headers["ETag"] != etag


def test_multipart_upload_and_prov(server: Server) -> None:
    data = chart_tgz("alpha", "0.1.0")
    r = requests.post(server.url + "api/charts", files={"chart": ("alpha-0.1.0.tgz", data),
                                                        "prov": ("alpha-0.1.0.tgz.prov", FAKE_PROV)}, timeout=10)
    assert r.status_code == 201, r.text
    assert requests.get(server.url + "charts/alpha-0.1.0.tgz.prov", timeout=10).content == FAKE_PROV
    r = requests.post(server.url + "api/prov", data=FAKE_PROV, timeout=10)
    assert (r.status_code, r.json()) == (409, {"error": "file already exists"})
    assert requests.post(server.url + "api/prov", data=FAKE_PROV.replace(b"alpha", b"beta"),
                         timeout=10).status_code == 201
    assert (server.directory / "beta-0.1.0.tgz.prov").is_file()
    r = requests.post(server.url + "api/prov", data=b"not a prov", timeout=10)
    assert r.status_code == 400 and "clear-signed" in r.json()["error"]
    r = requests.post(server.url + "api/charts", files={"other": ("x", data)}, timeout=10)
    assert r.status_code == 400 and "'chart'" in r.json()["error"]


@pytest.mark.parametrize("body, message", [
    (b"garbage", "not a gzipped chart archive"),
    (chart_tgz("alpha", "0.1.0", extra=[("alpha/../../evil.txt", b"x")]), "parent directory"),
    (chart_tgz("alpha", "0.1.0", extra=[("/etc/evil", b"x")]), "absolute"),
    (chart_tgz("a/b", "0.1.0", top="ab"), "invalid"),
    (chart_tgz("alpha", "not-a-version"), "version"),
    (b"", "empty request body"),
])
def test_invalid_uploads_are_400(server: Server, body: bytes, message: str) -> None:
    r = requests.post(server.url + "api/charts", data=body, timeout=10)
    assert r.status_code == 400 and message in r.json()["error"], r.text
    assert [p.name for p in server.directory.glob("*.tgz")] == []


def test_path_tricks_and_limits(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--max-upload-size", "2000")
    try:
        (tmp_path / "secret.tgz").write_bytes(b"TOPSECRETDATA")
        for path in ("charts/..%2Fsecret.tgz", "charts/../secret.tgz", "charts/%2Fetc%2Fpasswd",
                     "api/charts/..%2F..%2Fx/1.0.0"):
            r = requests.get(srv.url + path, timeout=10)
            assert r.status_code in (400, 404) and "TOPSECRETDATA" not in r.text, path
        r = requests.get(srv.url + "charts/..%2Fsecret.tgz", timeout=10)
        assert r.status_code == 400 and "error" in r.json()
        big = chart_tgz("alpha", "0.1.0", extra=[("alpha/big.bin", __import__("os").urandom(4000))])
        assert len(big) > 2000
        r = requests.post(srv.url + "api/charts", data=big, timeout=10)
        assert r.status_code == 413 and "too large" in r.json()["error"]
        r = requests.post(srv.url + "api/charts", data=iter([big]), timeout=10)  # chunked, no Content-Length
        assert r.status_code == 413 and "too large" in r.json()["error"]
    finally:
        srv.stop()


def test_allow_overwrite_and_startup_reindex(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pre-1.0.0.tgz").write_bytes(chart_tgz("pre", "1.0.0"))
    (repo / "broken-1.0.0.tgz").write_bytes(b"\x1f\x8bnot really")
    srv = start_server(repo, "--allow-overwrite")
    try:
        entries = _index(srv)["entries"]
        assert list(entries) == ["pre"] and entries["pre"][0]["urls"] == ["charts/pre-1.0.0.tgz"]
        for _ in range(2):
            assert requests.post(srv.url + "api/charts", data=chart_tgz("pre", "1.0.0", meta={"appVersion": "x"}),
                                 timeout=10).status_code == 201
        assert [v["appVersion"] for v in _index(srv)["entries"]["pre"]] == ["x"]
    finally:
        srv.stop()


def test_basic_auth(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--basic-auth-user", "ci", "--basic-auth-pass", "s3cret")
    try:
        data = chart_tgz("alpha", "0.1.0")
        r = requests.post(srv.url + "api/charts", data=data, timeout=10)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
        assert requests.post(srv.url + "api/charts", data=data, auth=("ci", "wrong"), timeout=10).status_code == 401
        assert requests.post(srv.url + "api/charts", data=data, auth=("ci", "s3cret"), timeout=10).status_code == 201
        assert requests.delete(srv.url + "api/charts/alpha/0.1.0", timeout=10).status_code == 401
        assert requests.get(srv.url + "index.yaml", timeout=10).status_code == 200  # reads stay open
    finally:
        srv.stop()


def test_auth_reads_with_htpasswd_sha_file(tmp_path: Path) -> None:
    import base64

    users = tmp_path / "users"
    users.write_text("# users\nreader:{SHA}" + base64.b64encode(hashlib.sha1(b"pw").digest()).decode() + "\n")
    srv = start_server(tmp_path / "repo", "--basic-auth-file", str(users), "--auth-reads")
    try:
        assert requests.get(srv.url + "index.yaml", timeout=10).status_code == 401
        assert requests.get(srv.url + "index.yaml", auth=("reader", "pw"), timeout=10).status_code == 200
        assert requests.get(srv.url + "api/charts", auth=("reader", "nope"), timeout=10).status_code == 401
        assert requests.get(srv.url + "health", timeout=10).status_code == 200
    finally:
        srv.stop()


def test_serve_flag_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("serve", str(tmp_path / "r"), "--auth-reads")
    assert r.exit_code == 2 and "--auth-reads needs credentials" in r.stderr
    r = cli("serve", str(tmp_path / "r"), "--basic-auth-user", "u")
    assert r.exit_code == 2 and "must be given together" in r.stderr
    r = cli("serve", str(tmp_path / "r"), "--address", "nonsense")
    assert r.exit_code == 2 and "HOST:PORT" in r.stderr
    (tmp_path / "bad.pem").write_text("not a certificate")
    r = cli("serve", str(tmp_path / "r"), "--tls-cert", str(tmp_path / "bad.pem"), "--tls-key",
            str(tmp_path / "bad.pem"))
    assert r.exit_code == 2 and "Error: cannot load TLS certificate" in r.stderr and "Traceback" not in r.stderr
    r = cli("serve", str(tmp_path / "r"), "--tls-cert", str(tmp_path / "bad.pem"))
    assert r.exit_code == 2 and "--tls-cert and --tls-key must be given together" in r.stderr


def test_serve_that_cannot_bind_leaves_the_directory_alone(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import socket

    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "alpha-0.1.0.tgz").write_bytes(chart_tgz("alpha", "0.1.0"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = cli("serve", str(repo), "--address", f"127.0.0.1:{busy.getsockname()[1]}")
    assert r.exit_code == 2 and "Error: cannot listen on" in r.stderr
    assert not (repo / "index.yaml").exists()


def test_tls(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    srv = start_server(tmp_path / "repo", "--tls-cert", str(cert), "--tls-key", str(key),
                       "--basic-auth-user", "u", "--basic-auth-pass", "p")
    try:
        assert srv.url.startswith("https://")
        assert requests.get(srv.url + "health", verify=str(cert), timeout=10).json() == {"healthy": True}
        r = requests.post(srv.url + "api/charts", data=chart_tgz("alpha", "0.1.0"), auth=("u", "p"),
                          verify=str(cert), timeout=10)
        assert r.status_code == 201
        assert "alpha" in _index(srv, verify=str(cert))["entries"]
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(srv.url + "health", timeout=10)  # not trusted without the cert
        with socket.create_connection(("127.0.0.1", int(srv.url.rsplit(":", 1)[1].strip("/")))):
            # a client that connects and never handshakes must not stall anyone else
            assert requests.get(srv.url + "health", verify=str(cert), timeout=5).status_code == 200
        home = tmp_path / "client"
        env = {"HELMPY_CONFIG_HOME": str(home / "c"), "HELMPY_CACHE_HOME": str(home / "k"),
               "HELMPY_DATA_HOME": str(home / "d")}
        helmpy = [sys.executable, "-m", "helmpy"]
        run = functools.partial(subprocess.run, capture_output=True, text=True, env={**os.environ, **env})
        bad = run([*helmpy, "repo", "add", "tls", srv.url])
        assert bad.returncode == 1 and "TLS error" in bad.stderr and "Traceback" not in bad.stderr
        ok = run([*helmpy, "repo", "add", "tls", srv.url, "--ca-file", str(cert)])
        assert ok.returncode == 0, ok.stderr
        pulled = run([*helmpy, "pull", "tls/alpha", "-d", str(tmp_path), "--ca-file", str(cert)])
        assert (tmp_path / "alpha-0.1.0.tgz").is_file() or pulled.returncode != 0
        try:  # plain HTTP on the HTTPS port is refused (cheroot may first answer 400 "speaks HTTPS")
            plain = requests.get(srv.url.replace("https://", "http://") + "health", timeout=10)
        except requests.exceptions.ConnectionError:
            pass
        else:
            assert plain.status_code == 400
    finally:
        srv.stop()


def test_concurrent_uploads_never_lose_entries(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    servers = [start_server(repo), start_server(repo)]  # two processes on one directory, many threads each
    try:
        errors: list[str] = []

        def upload(i: int) -> None:
            srv = servers[i % 2]
            r = requests.post(srv.url + "api/charts", data=chart_tgz(f"c{i:02d}", f"1.0.{i}"), timeout=60)
            if r.status_code != 201:
                errors.append(r.text)

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        for srv in servers:
            assert len(_index(srv)["entries"]) == 40
        on_disk = yaml.safe_load((repo / "index.yaml").read_text())
        assert sorted(on_disk["entries"]) == [f"c{i:02d}" for i in range(40)]
    finally:
        for srv in servers:
            srv.stop()


@pytest.mark.helm
def test_helm_uses_the_served_repository(tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    srv = start_server(tmp_path / "repo")
    try:
        data = chart_tgz("alpha", "0.1.0")
        requests.post(srv.url + "api/charts", data=data, timeout=10).raise_for_status()
        requests.post(srv.url + "api/charts", data=chart_tgz("alpha", "0.2.0"), timeout=10).raise_for_status()
        helm("repo", "add", "mine", srv.url)
        out = helm("search", "repo", "mine/alpha", "--versions").stdout
        assert "mine/alpha" in out and "0.2.0" in out and "0.1.0" in out
        dest = tmp_path / "pulled"
        dest.mkdir()
        helm("pull", "mine/alpha", "--version", "0.1.0", "-d", str(dest))
        assert (dest / "alpha-0.1.0.tgz").read_bytes() == data
    finally:
        srv.stop()


def test_an_index_pointing_at_another_host_is_rewritten_at_start(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`repo index --url` for some other host must not make the served repository download from there."""
    (tmp_path / "alpha-0.1.0.tgz").write_bytes(chart_tgz("alpha", "0.1.0"))
    assert cli("repo", "index", str(tmp_path), "--url", "http://127.0.0.1:1/elsewhere").exit_code == 0
    srv = start_server(tmp_path)
    try:
        index = yaml.safe_load(requests.get(srv.url.rstrip("/") + "/index.yaml", timeout=10).text)
        url = index["entries"]["alpha"][0]["urls"][0]
        assert "://" not in url
        got = requests.get(srv.url.rstrip("/") + "/" + url, timeout=10)
        assert got.status_code == 200 and got.content == (tmp_path / "alpha-0.1.0.tgz").read_bytes()
    finally:
        srv.stop()


def test_an_index_with_relative_urls_is_left_untouched(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "alpha-0.1.0.tgz").write_bytes(chart_tgz("alpha", "0.1.0"))
    assert cli("repo", "index", str(tmp_path)).exit_code == 0
    before = (tmp_path / "index.yaml").read_bytes()
    srv = start_server(tmp_path)
    try:
        assert requests.get(srv.url.rstrip("/") + "/index.yaml", timeout=10).content == before
    finally:
        srv.stop()
    assert (tmp_path / "index.yaml").read_bytes() == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_cleanly(tmp_path: Path, signum: int) -> None:
    """SIGTERM (systemd, Kubernetes) and Ctrl-C stop serving at once with exit 0, even with a client connected:
    the worker threads end too, so nothing keeps the process alive."""
    srv = start_server(tmp_path / "repo")
    idle = socket.create_connection(("127.0.0.1", int(srv.url.rsplit(":", 1)[1].strip("/"))))
    try:
        assert requests.get(srv.url + "health", timeout=5).status_code == 200
        srv.proc.send_signal(signum)
        _out, err = srv.proc.communicate(timeout=15)
    finally:
        idle.close()
        srv.stop()
    assert srv.proc.returncode == 0, err
    assert "Error" not in err and "Traceback" not in err, err
