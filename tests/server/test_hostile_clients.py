"""`helmpy serve` attacked with raw sockets on 127.0.0.1: idle and slowloris connections, slow bodies, and
malformed body framing. Every loop is bounded in count and time."""

from __future__ import annotations

import resource
import select
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server.serve_helper import Server, chart_tgz, self_signed_cert, start_server
from tests.support.raw_http import (
    PROMPT,
    closed_by_server,
    complete,
    connect,
    framing_attacks,
    read_answer,
    wait_closed,
)

HEADER_TIMEOUT = 3.0  # --read-header-timeout used here (default 10 s)
READ_TIMEOUT = 3.0  # --read-timeout used here (default 2 m)


def _port(srv: Server) -> int:
    return int(srv.url.rsplit(":", 1)[1].strip("/"))


def _connect(srv: Server) -> socket.socket:
    return connect(_port(srv))


def _stop_and_check_log(srv: Server) -> str:
    srv.stop()
    assert srv.proc.stderr is not None
    log = srv.proc.stderr.read()
    assert "Traceback" not in log and "internal" not in log.lower(), log
    assert len(log.splitlines()) <= 5, log
    return log


def _health_and_upload(srv: Server, name: str, **kw: object) -> None:
    started = time.monotonic()
    assert requests.get(srv.url + "health", timeout=PROMPT, **kw).json() == {"healthy": True}  # type: ignore[arg-type]
    r = requests.post(srv.url + "api/charts", data=chart_tgz(name, "1.0.0"), timeout=PROMPT, **kw)  # type: ignore[arg-type]
    assert r.status_code == 201, r.text
    assert time.monotonic() - started < PROMPT


def _index(srv: Server) -> bytes:
    return (srv.directory / "index.yaml").read_bytes()


def test_idle_and_slowloris_connections_hold_no_worker_and_are_closed_in_time(tmp_path: Path) -> None:
    # two workers only: 16 idle and 8 slowloris connections would hold them all if a connection cost a thread
    srv = start_server(tmp_path / "repo", "--workers", "2", "--read-header-timeout", f"{HEADER_TIMEOUT:g}s")
    idle: list[socket.socket] = []
    slow: list[socket.socket] = []
    try:
        opened = time.monotonic()
        idle = [_connect(srv) for _ in range(16)]
        slow = [_connect(srv) for _ in range(8)]
        for sock in slow:
            sock.sendall(b"POST /api/charts HTTP/1.1\r\nHost: x\r\n")
        closed_at: dict[int, float] = {}
        for step in range(int(HEADER_TIMEOUT * 4) + 12):  # one byte per second each: no recv ever waits 3 s
            if step == 1:
                _health_and_upload(srv, "during-attack")
            for i, sock in enumerate(idle + slow):
                if i in closed_at:
                    continue
                if closed_by_server(sock):
                    closed_at[i] = time.monotonic() - opened
                elif i >= len(idle) and step % 4 == 0:
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        closed_at[i] = time.monotonic() - opened
            if len(closed_at) == len(idle) + len(slow):
                break
            time.sleep(0.25)
        assert len(closed_at) == len(idle) + len(slow), f"still open: {24 - len(closed_at)}"
        assert all(HEADER_TIMEOUT - 0.5 <= t <= HEADER_TIMEOUT + 2.5 for t in closed_at.values()), closed_at
        _health_and_upload(srv, "after-attack")
    finally:
        for sock in idle + slow:
            sock.close()
        _stop_and_check_log(srv)


def test_kept_alive_connection_that_dribbles_its_next_request_is_closed(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--workers", "1", "--read-header-timeout", f"{HEADER_TIMEOUT:g}s")
    try:
        with _connect(srv) as sock:
            # a complete request and the start of the next in one packet: the rest must not be waited for
            # by the only worker
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\n")
            assert b"200 OK" in sock.recv(65536)
            _health_and_upload(srv, "alpha")
            started = time.monotonic()
            for _ in range(int(HEADER_TIMEOUT * 4) + 12):
                if closed_by_server(sock):
                    break
                sock.sendall(b"X")
                time.sleep(0.25)
            assert closed_by_server(sock) and time.monotonic() - started <= HEADER_TIMEOUT + 2.5
    finally:
        _stop_and_check_log(srv)


def test_slow_upload_body_gets_408_within_the_read_timeout(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--workers", "2", "--read-timeout", f"{READ_TIMEOUT:g}s")
    try:
        before = _index(srv)
        socks = [_connect(srv) for _ in range(2)]  # as many as there are workers
        started = time.monotonic()
        for sock in socks:
            sock.sendall(b"POST /api/charts HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
        answers = [b""] * len(socks)
        for _ in range(int(READ_TIMEOUT * 2) + 10):
            for i, sock in enumerate(socks):
                if not answers[i] and select.select([sock], [], [], 0)[0]:
                    answers[i] = sock.recv(65536) or b"EOF"
                elif not answers[i]:
                    sock.sendall(b"x")
            if all(answers):
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers
        assert READ_TIMEOUT - 0.5 <= elapsed <= READ_TIMEOUT + 2.5
        assert all(wait_closed(s, PROMPT) for s in socks)  # after discarding at most 1 s of the rest
        assert _index(srv) == before and not list(srv.directory.glob("*.tgz"))
        _health_and_upload(srv, "alpha")
    finally:
        _stop_and_check_log(srv)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server with a 2000-byte upload cap, run under a 1 GiB address-space limit."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    srv = start_server(tmp_path_factory.mktemp("capped") / "repo", "--max-upload-size", "2000",
                       preexec_fn=limit_memory)
    yield srv
    _stop_and_check_log(srv)


_POST = b"POST /api/charts HTTP/1.1\r\nHost: x\r\n"
MALFORMED = [
    *framing_attacks(_POST),
    ("no length", _POST + b"\r\n", 411, b"Content-Length or a chunked body"),
    ("length over the cap", _POST + b"Content-Length: 3000\r\n\r\n", 413, b"request body too large: 3000 bytes"),
    ("chunks over the cap", _POST + b"Transfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"a" * 1024 + b"\r\n" +
     b"400\r\n" + b"a" * 1024 + b"\r\n" + b"400\r\n", 413, b"too large"),
]


@pytest.mark.parametrize(("request_bytes", "status", "detail"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_body_framing_gets_a_4xx_at_once(capped: Server, request_bytes: bytes, status: int,
                                                  detail: bytes) -> None:
    before = _index(capped)
    with _connect(capped) as sock:
        sock.sendall(request_bytes)  # the body is never completed: the answer must not wait for it
        answer, first, ended = read_answer(sock, PROMPT + 1, until=complete if status == 411 else None)
        assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
        assert detail in answer and first is not None and first < 0.5, (answer[:300], first)
        if status == 411:  # no body was announced, so the connection may serve the next request
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"200 OK" in sock.recv(65536)
        else:  # the rest of a refused body is never read as a request
            assert ended, answer[:300]
    assert _index(capped) == before and not list(capped.directory.glob("*.tgz"))
    assert requests.get(capped.url + "health", timeout=PROMPT).status_code == 200


def test_too_many_connections_are_closed_at_once(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--max-connections", "4")
    socks: list[socket.socket] = []
    try:
        socks = [_connect(srv) for _ in range(4)]
        time.sleep(0.3)
        with _connect(srv) as extra:
            extra.settimeout(PROMPT)
            assert extra.recv(100) == b""
        for sock in socks:
            sock.close()
        socks = []
        time.sleep(0.3)
        _health_and_upload(srv, "alpha")
    finally:
        for sock in socks:
            sock.close()
        _stop_and_check_log(srv)


def test_tls_clients_that_stall_the_handshake_hold_no_worker(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    srv = start_server(tmp_path / "repo", "--tls-cert", str(cert), "--tls-key", str(key), "--workers", "1",
                       "--read-header-timeout", f"{HEADER_TIMEOUT:g}s")
    socks: list[socket.socket] = []
    try:
        socks = [_connect(srv) for _ in range(8)]
        for sock in socks[4:]:
            sock.sendall(b"\x16\x03\x01")  # the first bytes of a ClientHello, then nothing
        context = ssl.create_default_context(cafile=str(cert))
        with context.wrap_socket(_connect(srv), server_hostname="127.0.0.1") as half:
            half.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # handshake done, header unfinished
            _health_and_upload(srv, "alpha", verify=str(cert))
        started = time.monotonic()
        for _ in range(int(HEADER_TIMEOUT * 4) + 12):
            if all(closed_by_server(s) for s in socks):
                break
            time.sleep(0.25)
        assert all(closed_by_server(s) for s in socks) and time.monotonic() - started <= HEADER_TIMEOUT + 2.5
    finally:
        for sock in socks:
            sock.close()
        _stop_and_check_log(srv)
