"""`helmpy cluster serve` attacked with raw sockets on 127.0.0.1 (idle, slowloris and stalled-TLS connections,
malformed body framing, bodies over the 3 MiB cap, watches that never read) while real kubectl and Helm keep
getting prompt answers, and healthy watches stay open as long as they asked. Every loop is bounded."""

from __future__ import annotations

import json
import resource
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.kubeapi.conftest import ServedCluster, helm_runner, start_server, stop_server
from tests.support.raw_http import closed_by_server, complete, connect, framing_attacks, read_answer

HEADER_TIMEOUT = 12.0  # --read-header-timeout of the attacked server (default 32 s)
SHORT = 2.0  # --read-header-timeout and --read-timeout of the watch server (defaults 32 s and 1 m)
PROMPT = 6.0  # seconds a whole kubectl or helm run may take while an attack is going on (process start included)
CAP = 3 * 1024 * 1024


def _check_log(served: ServedCluster) -> None:
    log = served.log_text()
    assert "Traceback" not in log and "internal error" not in log, log
    assert len(log.splitlines()) <= 5, log


def _kubectl(served: ServedCluster, helm_bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(helm_bin_dir / "kubectl"), *args], capture_output=True, text=True, env=served.env(),
                          timeout=60, cwd=served.home)


def _prompt_kubectl_and_helm(served: ServedCluster, helm_bin_dir: Path) -> None:
    started = time.monotonic()
    got = _kubectl(served, helm_bin_dir, "get", "ns")
    assert got.returncode == 0 and "default" in got.stdout, got.stderr
    assert time.monotonic() - started < PROMPT, "kubectl get ns was not answered promptly"
    started = time.monotonic()
    helm_runner(served, helm_bin_dir)("list", "-A")
    assert time.monotonic() - started < PROMPT, "helm list was not answered promptly"


def _request(served: ServedCluster, line: str, extra: bytes = b"\r\n") -> bytes:
    return f"{line} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {served.token}\r\n".encode() + extra


@pytest.mark.helm
def test_idle_slowloris_and_stalled_tls_connections_do_not_block_kubectl_or_helm(tmp_path: Path,
                                                                                helm_bin_dir: Path) -> None:
    # four workers: any one of the 80 connections below would hold one if a connection cost a thread
    served = start_server(tmp_path, "--workers", "4", "--read-header-timeout", f"{HEADER_TIMEOUT:g}s")
    attack: list[socket.socket] = []
    try:
        attack = [connect(served.port) for _ in range(64)]  # TCP, never a byte: no TLS handshake even
        for _ in range(8):
            sock = connect(served.port)
            sock.sendall(b"\x16\x03\x01")  # the first bytes of a ClientHello, then nothing
            attack.append(sock)
        slow = [served.tls_connect() for _ in range(8)]
        attack += slow
        for sock in slow:
            sock.sendall(_request(served, "GET /api/v1/namespaces", b""))  # the header's end never comes
        opened = time.monotonic()  # the last of them (the first opened at most a second earlier)
        _prompt_kubectl_and_helm(served, helm_bin_dir)
        for sock in slow:
            sock.sendall(b"X")
        early = [i for i, s in enumerate(attack) if closed_by_server(s)]
        assert not early, f"the attack must still be on while kubectl/helm ran: {early} {time.monotonic() - opened}"
        closed_at: dict[int, float] = {}
        for step in range(int(HEADER_TIMEOUT * 4) + 16):  # the slow ones send a byte a second: no recv waits long
            for i, sock in enumerate(attack):
                if i not in closed_at and closed_by_server(sock):
                    closed_at[i] = time.monotonic() - opened
                elif i not in closed_at and sock in slow and step % 4 == 0:
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        closed_at[i] = time.monotonic() - opened
            if len(closed_at) == len(attack):
                break
            time.sleep(0.25)
        assert len(closed_at) == len(attack), f"still open: {len(attack) - len(closed_at)}"
        assert all(HEADER_TIMEOUT - 1.5 <= t <= HEADER_TIMEOUT + 3 for t in closed_at.values()), closed_at
        _prompt_kubectl_and_helm(served, helm_bin_dir)
    finally:
        for sock in attack:
            sock.close()
        stop_server(served)
    _check_log(served)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """A server under a 1 GiB address-space limit (the default 3 MiB body cap)."""
    served = start_server(tmp_path_factory.mktemp("capped"))
    # RLIMIT_AS applied to the running server: every attack below must fit in it
    resource.prlimit(served.proc.pid, resource.RLIMIT_AS, (1 << 30, 1 << 30))
    yield served
    stop_server(served)
    _check_log(served)


_POST = b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
_MANY_CHUNKS = b"".join(b"100000\r\n" + b"a" * 0x100000 + b"\r\n" for _ in range(3)) + b"100000\r\n"
MALFORMED = [
    *framing_attacks(_POST),
    ("length over the cap", _POST + f"Content-Length: {CAP + 1}\r\n\r\n{{".encode(), 413,
     f"Request entity too large: limit is {CAP}".encode()),
    ("chunks over the cap", _POST + b"Transfer-Encoding: chunked\r\n\r\n" + _MANY_CHUNKS, 413, b"would exceed"),
]


@pytest.mark.parametrize(("request_bytes", "status", "detail"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_framing_and_bodies_over_the_cap_get_a_4xx_at_once(capped: ServedCluster, request_bytes: bytes,
                                                                     status: int, detail: bytes) -> None:
    token = f"Authorization: Bearer {capped.token}\r\n".encode()
    request_bytes = request_bytes.replace(b"Host: x\r\n", b"Host: x\r\n" + token, 1)
    with capped.tls_connect() as sock:
        sock.sendall(request_bytes)  # the body is never completed: the answer must not wait for it
        answer, first, ended = read_answer(sock, 4.0)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert detail in answer and first is not None and first < 1.0, (answer[:300], first)
    assert ended, answer[:300]  # the rest of a refused body is never read as a request
    if status == 413 and b"limit is" in detail:  # kubectl and Helm get a Status, as from a real API server
        status_doc = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert status_doc["kind"] == "Status" and status_doc["reason"] == "RequestEntityTooLarge", status_doc
    with capped.tls_connect() as sock:  # nothing was created, and the server still answers
        sock.sendall(_request(capped, "GET /api/v1/namespaces/default/configmaps"))
        listed, _, _ = read_answer(sock, 4.0, until=complete)
    assert b"200 OK" in listed and json.loads(listed.partition(b"\r\n\r\n")[2])["items"] == []


def test_a_body_at_the_cap_is_accepted(capped: ServedCluster) -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": ""}}
    doc["data"]["a"] = "x" * (CAP - len(json.dumps(doc)))
    body = json.dumps(doc).encode()
    assert len(body) == CAP
    with capped.tls_connect() as sock:
        sock.sendall(_POST.replace(b"Host: x\r\n", f"Host: x\r\nAuthorization: Bearer {capped.token}\r\n".encode())
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer, _, _ = read_answer(sock, 20.0, until=complete)
    # read whole and judged by the API itself (a ConfigMap's data is capped at 1 MiB, as on a real cluster),
    # not refused by the body cap with a 413
    assert answer.startswith(b"HTTP/1.1 422 "), answer[:300]
    assert b'"reason":"FieldValueTooLong"' in answer, answer[:600]


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """A server with 2-second header and body timeouts and four workers (so two watches at most)."""
    served = start_server(tmp_path_factory.mktemp("short"), "--read-header-timeout", f"{SHORT:g}s",
                          "--read-timeout", f"{SHORT:g}s", "--workers", "4")
    yield served
    stop_server(served)
    _check_log(served)


def test_a_raw_watch_streams_for_its_whole_timeout_past_every_read_deadline(short: ServedCluster,
                                                                            helm_bin_dir: Path) -> None:
    with short.tls_connect() as sock:
        started = time.monotonic()
        sock.sendall(_request(short, "GET /api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=7"))
        time.sleep(SHORT * 2)  # longer than both timeouts
        made = _kubectl(short, helm_bin_dir, "create", "configmap", "late", "--from-literal=a=b")
        assert made.returncode == 0, made.stderr
        answer, _, _ = read_answer(sock, 12.0, until=lambda got: got.endswith(b"\r\n0\r\n\r\n"))
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"name":"late"' in answer, answer[:500]
    assert answer.endswith(b"\r\n0\r\n\r\n"), answer[-200:]  # a complete chunked stream, not a cut one
    assert 6.5 <= elapsed <= 10, elapsed  # ended by the watch's own timeout, not by a read deadline


@pytest.mark.helm
def test_kubectl_get_watch_stays_open_past_the_timeouts(short: ServedCluster, helm_bin_dir: Path) -> None:
    watcher = subprocess.Popen([str(helm_bin_dir / "kubectl"), "get", "ns", "-w"], env=short.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=short.home)
    try:
        time.sleep(SHORT * 3)
        made = _kubectl(short, helm_bin_dir, "create", "namespace", "arrived-late")
        assert made.returncode == 0, made.stderr
        time.sleep(2)
        assert watcher.poll() is None, watcher.communicate()
    finally:
        watcher.terminate()
        out, err = watcher.communicate(timeout=30)
    assert "arrived-late" in out, (out, err)


def _watch_served(served: ServedCluster, path: str) -> bool:
    with served.tls_connect() as sock:
        sock.sendall(_request(served, f"GET {path}?watch=true&timeoutSeconds=1"))
        return sock.recv(100).startswith(b"HTTP/1.1 200 ")


def _non_reading_watch(served: ServedCluster, path: str) -> ssl.SSLSocket:
    """A watch whose client reads the answer's first bytes, then nothing (a tiny receive buffer)."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.settimeout(10)
    raw.connect(("127.0.0.1", served.port))
    sock = ssl.create_default_context(cafile=str(served.ca_file)).wrap_socket(raw, server_hostname="127.0.0.1")
    sock.sendall(_request(served, f"GET {path}?watch=true&timeoutSeconds=120"))
    assert sock.recv(100).startswith(b"HTTP/1.1 200 ")
    return sock


@pytest.mark.helm
def test_watches_that_never_read_cannot_take_every_worker_and_are_dropped_once_stuck(tmp_path: Path,
                                                                                   helm_bin_dir: Path) -> None:
    served = start_server(tmp_path, "--read-header-timeout", f"{SHORT:g}s", "--workers", "4")
    path = "/api/v1/namespaces/default/configmaps"
    watches: list[ssl.SSLSocket] = []
    try:
        watches = [_non_reading_watch(served, path) for _ in range(2)]  # all the watch slots of four workers
        with served.tls_connect() as extra:
            extra.sendall(_request(served, f"GET {path}?watch=true"))
            answer, _, _ = read_answer(extra, 4.0, until=complete)
        assert answer.startswith(b"HTTP/1.1 429 ") and b"Retry-After: 1" in answer, answer[:300]
        assert b"too many watches open (at most 2)" in answer
        _prompt_kubectl_and_helm(served, helm_bin_dir)
        # events far bigger than the socket buffers: the server's writes to the watches get stuck
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"big-{i}"},
                 "data": {"a": "x" * (1 << 20)}} for i in range(8)]
        (tmp_path / "big.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
        made = _kubectl(served, helm_bin_dir, "create", "--validate=false", "-f",
                        str(tmp_path / "big.json"))
        assert made.returncode == 0, made.stderr
        deadline = time.monotonic() + SHORT + 8
        while not _watch_served(served, path):  # a stuck write ends after the 2 s timeout and frees the slot
            assert time.monotonic() < deadline, "watches stuck writing to a client that does not read were kept"
            time.sleep(0.5)
    finally:
        for sock in watches:
            sock.close()
        stop_server(served)
    _check_log(served)
