"""A registry that dies in the middle of a push: the push fails with one line, no pull sees a half chart,
and the next push (registry back) succeeds. A real HTTP proxy between helmpy and the real registry
kills the registry process at the moment the chart layer's upload arrives."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.registry.test_oci_cli import ROOT, manifest, package
from tests.support.oci_registry import Registry
from tests.support.threaded_http import QuietHandler, ThreadedServer


class KillingProxy:
    """Forwards to ``reg``; on the ``kill_at``-th blob upload PUT, SIGKILLs the registry and drops the connection."""

    def __init__(self, reg: Registry, kill_at: int) -> None:
        self.reg, self.kill_at, self.puts, self.killed = reg, kill_at, 0, False
        proxy = self

        class Handler(QuietHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "PUT" and "/blobs/uploads/" in self.path:
                    proxy.puts += 1
                    if proxy.puts == proxy.kill_at:
                        proxy.reg.kill()
                        proxy.killed = True
                if proxy.killed:
                    self.close_connection = True
                    self.connection.close()
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                resp = requests.request(self.command, proxy.reg.base_url + self.path, headers=headers, data=body,
                                        allow_redirects=False, timeout=30)
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v.replace(proxy.reg.base_url, proxy.url))
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(resp.content)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = ThreadedServer(Handler)
        self.host, self.url = self.server.host, self.server.url

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def killing_proxy(oci_registry: Registry) -> Iterator[KillingProxy]:
    proxy = KillingProxy(oci_registry, kill_at=2)  # blob 1 = config, blob 2 = the chart layer
    yield proxy
    proxy.close()


def test_registry_killed_mid_push(cli: Any, oci_registry: Registry, killing_proxy: KillingProxy,
                                  tmp_path: Path) -> None:
    tgz = package(cli, tmp_path)
    r = cli("push", str(tgz), f"oci://{killing_proxy.host}/charts", "--plain-http")
    assert killing_proxy.killed
    assert r.exit_code == 1 and len(r.stderr.splitlines()) == 1 and r.stderr.startswith("Error: "), r
    assert "Traceback" not in r.stderr

    oci_registry.start()  # same port and storage, as after a crash and restart
    assert manifest(oci_registry, "charts/web", "0.1.0").status_code == 404
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{oci_registry.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 1 and "not found" in r.stderr, r
    assert list(dest.iterdir()) == []

    r = cli("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http")
    assert r.exit_code == 0, r
    r = cli("pull", f"oci://{oci_registry.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 0 and (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes(), r


def test_oversized_manifest_is_refused(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    """A manifest past HELMPY_MAX_OCI_METADATA_SIZE is not read (subprocess: the limit is an env var)."""
    assert cli("push", str(package(cli, tmp_path)), f"oci://{oci_registry.host}/charts", "--plain-http").exit_code == 0
    proc = subprocess.run([sys.executable, "-m", "helmpy", "show", "chart", f"oci://{oci_registry.host}/charts/web",
                           "--plain-http"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "HELMPY_MAX_OCI_METADATA_SIZE": "100"})
    assert proc.returncode == 1 and "more than the limit of 100 bytes" in proc.stderr, proc
    assert "HELMPY_MAX_OCI_METADATA_SIZE" in proc.stderr and len(proc.stderr.splitlines()) == 1
