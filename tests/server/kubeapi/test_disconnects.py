"""Clients that hang up (mid-request, mid-response, mid-watch, mid-handshake) leave no tracebacks on stderr."""

from __future__ import annotations

import logging
import socket
import ssl
import struct
import subprocess
import time

import pytest

from helmpy.kube.embedded import EmbeddedCluster
from helmpy.server.kubeapi.server import KubeApiServer, client_went_away
from tests.server.kubeapi.conftest import start_server


def _tls(served) -> ssl.SSLSocket:
    return served.tls_connect()


def _reset(sock: socket.socket) -> None:
    """Close with an RST and no TLS close_notify, as a killed client does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _request(served, method: str, path: str, extra: bytes = b"") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {served.token}\r\n".encode() + extra)


@pytest.mark.helm
def test_client_disconnects_print_nothing(tmp_path, helm_bin_dir):
    served = start_server(tmp_path)
    try:
        # a body promised but never sent, then a reset
        sock = _tls(served)
        sock.sendall(_request(served, "POST", "/api/v1/namespaces/default/configmaps",
                              b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":"))
        _reset(sock)
        # headers cut off half-way, closed without close_notify
        sock = _tls(served)
        sock.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n")
        _reset(sock)
        # a request whose answer the client does not wait for (the server writes into a closed connection)
        for _ in range(5):
            sock = _tls(served)
            sock.sendall(_request(served, "GET", "/openapi/v3/api/v1", b"\r\n"))
            _reset(sock)
        # a raw watch, read once, then dropped; events written afterwards hit the dead connection
        sock = _tls(served)
        sock.sendall(_request(served, "GET", "/api/v1/namespaces/default/configmaps?watch=true", b"\r\n"))
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        _reset(sock)
        # TCP without TLS, and a TLS handshake abandoned half-way
        with socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1])), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01\x00")
        with socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1])), timeout=10) as raw:
            raw.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
            raw.recv(100)
        # kubectl watching, killed
        kubectl = [str(helm_bin_dir / "kubectl")]
        watcher = subprocess.Popen([*kubectl, "get", "configmaps", "-w", "-o", "json"], env=served.env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.5)
        watcher.kill()
        watcher.communicate()
        for i in range(3):
            subprocess.run([*kubectl, "create", "configmap", f"after-{i}", "--from-literal=a=b"], env=served.env(),
                           capture_output=True, check=True, timeout=60)
        time.sleep(1)
        assert served.proc.poll() is None
    finally:
        served.proc.terminate()
        served.proc.communicate(timeout=30)
        served.stop()
    err = served.log_text()
    assert served.proc.returncode == 0
    assert "Traceback" not in err and "socket.error" not in err and "SSLEOFError" not in err, err
    assert err.strip() == "", err


@pytest.mark.parametrize("exc, gone", [
    (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), True),
    (BrokenPipeError(32, "Broken pipe"), True),
    (ConnectionResetError(104, "Connection reset by peer"), True),
    (TimeoutError("timed out"), True),
    (ValueError("a bug"), False),
    (OSError(28, "No space left on device"), False),
    (None, False)])
def test_client_went_away(exc, gone):
    assert client_went_away(exc) is gone


def test_server_errors_are_one_line_and_disconnects_debug(tmp_path, caplog):
    api = KubeApiServer(EmbeddedCluster(tmp_path / "c.db"), use_tls=False)
    api.start()
    try:
        log = api._server.error_log  # cheroot's documented hook, as cheroot calls it from its except blocks

        def shown() -> list[logging.LogRecord]:  # what a user without --debug sees
            return [r for r in caplog.records if r.name == "helmpy.server.kubeapi.server" and r.levelno > logging.DEBUG]

        with caplog.at_level(logging.DEBUG, logger="helmpy.server.kubeapi.server"):
            try:
                raise ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
            except ssl.SSLError:
                log("socket.error 8", level=logging.WARNING, traceback=True)
            assert shown() == []
            assert any("connection ended" in r.getMessage() for r in caplog.records)
            try:
                raise RuntimeError("disk on fire")
            except RuntimeError:
                log("socket.error 'x'", level=logging.ERROR, traceback=True)
        assert [(r.levelno, r.getMessage()) for r in shown()] == [
            (logging.ERROR, "kube api server error: socket.error 'x': RuntimeError: disk on fire")]
        assert shown()[0].exc_info is None
    finally:
        api.stop()
