"""A real HTTP chart repository on 127.0.0.1 for tests: serves a directory, no mocks.

Options: basic auth (``auth=("user", "pw")``), ``fail_status`` (answer every request with that
status, e.g. 500), ``garbage`` (serve random bytes as index.yaml), ``routes`` (fixed bodies for raw,
still percent-encoded request paths, so a hostile index can point at ``/..%2F..%2Fx.tgz``),
``fallback`` (the body for any GET that matches no file, whatever path a client derives from a
hostile URL), ``headers`` (extra headers on every 200 answer, e.g. a hostile ``Content-Disposition``), ``tls``
(``(certificate, key)`` PEM files: HTTPS, e.g. from ``oci_registry.make_ca``) and a
minimal ChartMuseum upload API (``POST /api/charts``, 201/409/400) for push tests. Every request is recorded with its headers so
tests can check the User-Agent and where credentials were sent.
"""

from __future__ import annotations

import base64
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


@dataclass
class RepoServer:
    """A running server; use as a context manager or call stop()."""

    root: Path
    auth: tuple[str, str] | None = None
    fail_status: int | None = None
    garbage: bool = False
    routes: dict[str, bytes] = field(default_factory=dict)
    fallback: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    tls: tuple[Path, Path] | None = None
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _httpd: Any = None
    _thread: Any = None
    _url: str = ""

    @property
    def url(self) -> str:
        """Base URL (still known after stop(), for tests of unreachable repositories)."""
        return self._url

    def start(self) -> RepoServer:  # noqa: C901 - counts the methods of the handler class nested in it
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _record(self) -> None:
                server.requests.append(Request(self.command, self.path,
                                               {k.lower(): v for k, v in self.headers.items()}))

            def _send(self, status: int, body: bytes, ctype: str = "application/octet-stream") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status == 200:
                    for key, value in server.headers.items():
                        self.send_header(key, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _authorized(self) -> bool:
                if server.auth is None:
                    return True
                want = "Basic " + base64.b64encode(f"{server.auth[0]}:{server.auth[1]}".encode()).decode()
                if self.headers.get("Authorization") == want:
                    return True
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="charts"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._record()
                if server.fail_status:
                    self._send(server.fail_status, b"boom")
                    return
                if not self._authorized():
                    return
                raw_path = urlsplit(self.path).path
                if raw_path in server.routes:
                    self._send(200, server.routes[raw_path])
                    return
                path = unquote(raw_path).lstrip("/")
                if server.garbage and path.endswith("index.yaml"):
                    self._send(200, b"\x00\x01: [not: yaml: {{{\n\tgarbage", "text/yaml")
                    return
                target = (server.root / path).resolve()
                if server.root.resolve() not in target.parents or not target.is_file():
                    if server.fallback is not None:
                        self._send(200, server.fallback)
                        return
                    self._send(404, b"not found", "text/plain")
                    return
                self._send(200, target.read_bytes())

            do_HEAD = do_GET  # noqa: N815

            def do_POST(self) -> None:  # noqa: N802
                self._record()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if server.fail_status:
                    self._send(server.fail_status, b'{"error":"boom"}', "application/json")
                    return
                if not self._authorized():
                    return
                parts = urlsplit(self.path)
                if parts.path.rstrip("/") != "/api/charts":
                    self._send(404, b'{"error":"not found"}', "application/json")
                    return
                self._upload(body, "force" in parse_qs(parts.query, keep_blank_values=True))

            def _upload(self, body: bytes, force: bool) -> None:
                from helmpy.chart.loader import load_archive
                from helmpy.errors import HelmpyError

                try:
                    meta = load_archive(body, "upload").metadata
                except HelmpyError as err:
                    self._send(400, b'{"error":"%s"}' % str(err).replace('"', "'").encode(), "application/json")
                    return
                target = server.root / f"{meta.name}-{meta.version}.tgz"
                if target.exists() and not force:
                    self._send(409, b'{"error":"file already exists"}', "application/json")
                    return
                target.write_bytes(body)
                self._send(201, b'{"saved":true}', "application/json")

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # a client hanging up mid-response is normal in failure tests; never print into
                # the stderr of a command under test
                import sys

                server.errors.append(repr(sys.exc_info()[1]))

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host}:{port}"
        if self.tls is not None:
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self._url = f"https://{host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> RepoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(root: Path, **kwargs: Any) -> RepoServer:
    """Start a server for ``root`` (stop it when done)."""
    return RepoServer(root, **kwargs).start()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- building repositories ---------------------------------------------------------------------------
def chart_archive(name: str, version: str, *, app_version: str = "1.0", description: str = "",
                  keywords: list[str] | None = None, dependencies: list[dict[str, Any]] | None = None) -> bytes:
    """A small valid chart package (Chart.yaml, values.yaml, one template)."""
    import yaml

    from helmpy.chart.archive import write_archive

    meta: dict[str, Any] = {"apiVersion": "v2", "name": name, "version": version, "appVersion": app_version,
                            "description": description or f"The {name} chart", "type": "application"}
    if keywords:
        meta["keywords"] = keywords
    if dependencies:
        meta["dependencies"] = dependencies
    return write_archive([
        (f"{name}/Chart.yaml", yaml.safe_dump(meta).encode(), 1_700_000_000),
        (f"{name}/values.yaml", b"replicas: 1\n", 1_700_000_000),
        (f"{name}/templates/cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", 1_700_000_000),
    ])


def build_repo(root: Path, charts: list[dict[str, Any]], base_url: str = "") -> Path:
    """Write archives for ``charts`` (kwargs of :func:`chart_archive`) plus an index.yaml into ``root``."""
    import hashlib

    import yaml

    from helmpy.semverutil import sort_versions_desc

    root.mkdir(parents=True, exist_ok=True)
    entries: dict[str, list[dict[str, Any]]] = {}
    for spec in charts:
        data = chart_archive(**spec)
        fname = f"{spec['name']}-{spec['version']}.tgz"
        (root / fname).write_bytes(data)
        entry = {"apiVersion": "v2", "name": spec["name"], "version": spec["version"],
                 "appVersion": spec.get("app_version", "1.0"),
                 "description": spec.get("description") or f"The {spec['name']} chart",
                 "digest": hashlib.sha256(data).hexdigest(), "created": "2026-01-01T00:00:00Z",
                 "urls": [f"{base_url.rstrip('/')}/{fname}" if base_url else fname], "type": "application"}
        if spec.get("keywords"):
            entry["keywords"] = spec["keywords"]
        if spec.get("dependencies"):
            entry["dependencies"] = spec["dependencies"]
        entries.setdefault(spec["name"], []).append(entry)
    for _name, versions in entries.items():
        order = sort_versions_desc([v["version"] for v in versions])
        versions.sort(key=lambda v: order.index(v["version"]))
    index = {"apiVersion": "v1", "entries": entries, "generated": "2026-01-01T00:00:00Z"}
    (root / "index.yaml").write_text(yaml.safe_dump(index))
    return root


def raw_archive(members: list[tuple[str | bytes, bytes]]) -> bytes:
    """A gzipped tar whose member names are written verbatim into PAX ``path`` records.

    ``tarfile`` cuts names at NUL and re-encodes them; this keeps any bytes (NUL, newlines, invalid
    UTF-8, 300-byte components), so tests can build the archives an attacker would.
    """
    import gzip
    import tarfile

    def record(key: bytes, value: bytes) -> bytes:
        body = b" " + key + b"=" + value + b"\n"
        size = len(body)
        while len(str(size).encode()) + len(body) != size:
            size = len(str(size).encode()) + len(body)
        return str(size).encode() + body

    def block(data: bytes) -> bytes:
        return data + b"\0" * (-len(data) % 512)

    out = bytearray()
    for name, data in members:
        pax = record(b"path", name if isinstance(name, bytes) else name.encode("utf-8", "surrogateescape"))
        head = tarfile.TarInfo("PaxHeader")
        head.type, head.size = tarfile.XHDTYPE, len(pax)
        out += head.tobuf(format=tarfile.USTAR_FORMAT) + block(pax)
        info = tarfile.TarInfo("placeholder")
        info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
        out += info.tobuf(format=tarfile.USTAR_FORMAT) + block(data)
    return gzip.compress(bytes(out) + b"\0" * 1024, mtime=0)
