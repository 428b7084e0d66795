"""A tiny Kubernetes API on 127.0.0.1 that records every request (time, method, path, header lines) and serves just
enough for ``helmpy list``/``status`` and ``kubectl get --raw``: version, discovery of core v1, empty lists, 404s."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.kubeapi_server import write_kubeconfig

_CORE = {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
    {"name": n, "kind": k, "namespaced": ns, "verbs": ["get", "list", "create", "delete", "patch"]}
    for n, k, ns in (("secrets", "Secret", True), ("configmaps", "ConfigMap", True), ("namespaces", "Namespace", False))]}


@dataclass
class Seen:
    """One request: when it arrived (monotonic), method, path, and its header lines as sent (names lower-cased)."""

    at: float
    method: str
    path: str
    headers: list[tuple[str, str]]

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]


@dataclass
class RecordingApi:
    url: str
    kubeconfig: Path
    seen: list[Seen] = field(default_factory=list)

    def impersonation(self, index: int = -1) -> list[tuple[str, str]]:
        """The Impersonate-* lines of one request, in order."""
        return [(k, v) for k, v in self.seen[index].headers if k.startswith("impersonate-")]


def _handler(api: RecordingApi) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            api.seen.append(Seen(time.monotonic(), self.command, self.path,
                                 [(k.lower(), v) for k, v in self.headers.items()]))
            path = self.path.split("?", 1)[0]
            code, body = 200, {}
            if path == "/version":
                body = {"major": "1", "minor": "30", "gitVersion": "v1.30.2"}
            elif path == "/api":
                body = {"kind": "APIVersions", "versions": ["v1"]}
            elif path == "/apis":
                body = {"kind": "APIGroupList", "groups": []}
            elif path == "/api/v1":
                body = _CORE
            elif path.endswith(("/secrets", "/configmaps", "/namespaces")):
                body = {"kind": "List", "items": [], "metadata": {}}
            else:
                code, body = 404, {"kind": "Status", "status": "Failure", "code": 404, "reason": "NotFound",
                                   "message": f"{path} not found"}
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def serve(tmp: Path, user: dict | None = None) -> Iterator[RecordingApi]:
    """Run the server (for a fixture to ``yield from``); the kubeconfig's user gets a token plus ``user``."""
    api = RecordingApi("", tmp / "kc.yaml")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    api.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    write_kubeconfig(api.kubeconfig, api.url, user={"token": "tok", **(user or {})})
    try:
        yield api
    finally:
        httpd.shutdown()
        httpd.server_close()
