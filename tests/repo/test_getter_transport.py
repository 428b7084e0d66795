"""The getter's own HTTP transport (http.client) against real local servers: redirects and where the
Authorization header may go, gzip bodies and their cap, multipart uploads, the proxy environment, keep-alive."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from helmpy.errors import DownloadError
from helmpy.repo.getter import Getter, GetterOptions, ResponseTooLarge, get

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class Site:
    """A threaded HTTP/1.1 server whose every request goes to ``answer``; it records what arrived."""

    def __init__(self, answer: Handler) -> None:
        self.seen: list[dict[str, Any]] = []
        self.peers: set[int] = set()
        site = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                site.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                  "body": self.rfile.read(length) if length else b""})
                site.peers.add(self.client_address[1])
                answer(self)

            do_GET = do_POST = do_PUT = do_HEAD = _any  # noqa: N815 - http.server API

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites() -> Iterator[Callable[[Handler], Site]]:
    started: list[Site] = []

    def start(answer: Handler) -> Site:
        started.append(Site(answer))
        return started[-1]

    yield start
    for site in started:
        site.stop()


def reply(h: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"",
          headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def test_a_redirect_to_another_host_drops_the_authorization_header(sites) -> None:
    other = sites(lambda h: reply(h, 200, b"there"))
    home = sites(lambda h: reply(h, 302, headers={"Location": f"{other.url}/x.tgz"}) if h.path == "/a.tgz"
                 else reply(h, 200, b"here"))
    opts = GetterOptions(username="u", password="p", credentials_url=home.url, headers={"Authorization": "Bearer t"})
    assert get(f"{home.url}/a.tgz", opts) == b"there"
    assert home.seen[0]["headers"]["Authorization"].startswith("Basic ")
    assert "Authorization" not in other.seen[0]["headers"]
    # a redirect on the same host keeps the credentials
    same = sites(lambda h: reply(h, 301, headers={"Location": "/b"}) if h.path == "/a" else reply(h, 200, b"b"))
    assert get(f"{same.url}/a", GetterOptions(username="u", password="p", credentials_url=same.url)) == b"b"
    assert [s["headers"].get("Authorization", "")[:6] for s in same.seen] == ["Basic ", "Basic "]


def test_a_redirect_loop_is_one_error(sites) -> None:
    loop = sites(lambda h: reply(h, 302, headers={"Location": h.path}))
    with pytest.raises(DownloadError, match="more than 10 redirects"):
        get(f"{loop.url}/again")


def test_gzip_bodies_are_decoded_and_capped_after_decoding(sites) -> None:
    packed = gzip.compress(b"entries: {}\n" * 1000)
    site = sites(lambda h: reply(h, 200, packed, {"Content-Encoding": "gzip"}))
    assert get(f"{site.url}/index.yaml") == b"entries: {}\n" * 1000
    assert site.seen[0]["headers"]["Accept-Encoding"] == "gzip"
    bomb = gzip.compress(b"\0" * (8 << 20))  # 8 MiB of zeros in a few KiB
    site = sites(lambda h: reply(h, 200, bomb, {"Content-Encoding": "gzip"}))
    with Getter() as g, pytest.raises(ResponseTooLarge, match="more than the limit of 1048576 bytes"):
        g.request("GET", f"{site.url}/blob", max_bytes=1 << 20)


def test_post_with_files_sends_multipart_form_data(sites) -> None:
    site = sites(lambda h: reply(h, 201, b'{"saved": true}'))
    with Getter() as g:
        resp = g.post(f"{site.url}/api/charts", b"", files={"chart": ("web-0.1.0.tgz", b"TGZ", "application/gzip"),
                                                             "prov": ("web-0.1.0.tgz.prov", b"SIG", "text/plain")},
                      params={"force": "true"})
    assert resp.status == 201 and resp.json() == {"saved": True}
    seen = site.seen[0]
    assert seen["path"] == "/api/charts?force=true"
    ctype = seen["headers"]["Content-Type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    import email.parser

    parsed = email.parser.BytesParser().parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + seen["body"])
    parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in parsed.get_payload()}
    assert parts == {"chart": b"TGZ", "prov": b"SIG"}


def test_http_proxy_from_the_environment_and_no_proxy(sites, monkeypatch) -> None:
    proxy = sites(lambda h: reply(h, 200, b"via proxy"))
    direct = sites(lambda h: reply(h, 200, b"direct"))
    monkeypatch.setenv("HTTP_PROXY", f"http://user:pw@{proxy.url.split('//')[1]}")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.setenv("NO_PROXY", "example.invalid")
    assert get("http://charts.example.test/index.yaml") == b"via proxy"
    assert proxy.seen[0]["path"] == "http://charts.example.test/index.yaml"
    assert proxy.seen[0]["headers"]["Proxy-Authorization"].startswith("Basic ")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert get(f"{direct.url}/index.yaml") == b"direct" and len(proxy.seen) == 1


def test_one_connection_serves_a_command_run(sites) -> None:
    site = sites(lambda h: reply(h, 200, b"ok"))
    with Getter() as g:
        for _ in range(3):
            assert g.get(f"{site.url}/index.yaml") == b"ok"
        assert g.request("HEAD", f"{site.url}/blob", max_bytes=10).status == 200
        assert g.request("GET", f"{site.url}/blob", max_bytes=10).body == b"ok"
    assert len(site.seen) == 5 and len(site.peers) == 1


def test_invalid_urls_are_one_error() -> None:
    for url in ("ftp://example.com/x.tgz", "http:///nohost"):
        with pytest.raises(DownloadError, match="invalid URL"):
            get(url)


def test_close_ends_connections_whose_body_was_not_read(sites) -> None:
    site = sites(lambda h: reply(h, 404, b"x" * 100_000))
    g = Getter()
    with pytest.raises(DownloadError, match="404"):
        g.get(f"{site.url}/missing.tgz")
    (busy,) = g._busy  # noqa: SLF001 - the one connection left mid-body
    g.close()
    assert busy.sock is None and not g._busy  # noqa: SLF001


def cut_short(h: http.server.BaseHTTPRequestHandler) -> None:
    """Promise 1,000 bytes, send 400, hang up (a dropped connection in the middle of a body)."""
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"x" * 400)
    h.wfile.flush()
    h.close_connection = True


def test_a_body_cut_short_of_its_content_length_is_a_transport_failure(sites) -> None:
    """http.client ends such a body without a word; the getter must not hand 400 bytes on as the answer."""
    site = sites(cut_short)
    with pytest.raises(DownloadError, match="the connection closed 600 bytes before the end of the answer"):
        get(f"{site.url}/chart.tgz")
    with Getter() as getter, pytest.raises(DownloadError, match="closed 600 bytes before the end"):
        getter.request("GET", f"{site.url}/blob", max_bytes=10_000)
    whole = sites(lambda h: reply(h, 200, b"y" * 1000))
    assert get(f"{whole.url}/chart.tgz") == b"y" * 1000
