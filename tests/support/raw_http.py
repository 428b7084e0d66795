"""Raw-socket HTTP clients for attacking real servers on 127.0.0.1: connect, read an answer, tell whether the
server closed the connection, and the body-framing attacks every helmpy server must refuse at once."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable

PROMPT = 2.0  # seconds an answer to a legitimate client may take while an attack runs


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server ended the connection (EOF or reset; a 408 answer first is fine), without waiting (a
    TLS socket can be readable with no data for the caller: a session ticket)."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        while True:
            try:
                if not sock.recv(65536):
                    return True
            except (BlockingIOError, ssl.SSLWantReadError):
                return False
    except OSError:
        return True
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)


def complete(answer: bytes) -> bool:
    """Whether ``answer`` holds a whole response with a Content-Length."""
    head, sep, body = answer.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    return bool(sep) and bool(lengths) and len(body) >= lengths[0]


def wait_closed(sock: socket.socket, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while not closed_by_server(sock) and time.monotonic() < end:
        time.sleep(0.1)
    return closed_by_server(sock)


def read_answer(sock: socket.socket, seconds: float, *,
                until: Callable[[bytes], bool] | None = None) -> tuple[bytes, float | None, bool]:
    """Read for up to ``seconds``: (what arrived, when its first byte did, whether the server then ended the
    connection); stops early once ``until(what arrived)`` holds (e.g. :func:`complete`)."""
    sock.settimeout(seconds)
    started = time.monotonic()
    answer, first, ended = b"", None, False
    while time.monotonic() - started < seconds:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset (or a TLS connection cut): the server ended it
            data = b""
        if not data:
            ended = True
            break
        first = first or time.monotonic() - started
        answer += data
        if until is not None and until(answer):
            break
    return answer, first, ended


def framing_attacks(post: bytes) -> list[tuple[str, bytes, int, bytes]]:
    """(name, request, status, text in the answer) for malformed body framing after the request line and
    headers ``post``: the server refuses each before reading the body (which never comes)."""
    return [
        ("negative length", post + b"Content-Length: -5\r\n\r\nabc", 400, b"invalid Content-Length"),
        ("signed length", post + b"Content-Length: +5\r\n\r\nabcde", 400, b"invalid Content-Length"),
        ("non-numeric length", post + b"Content-Length: abc\r\n\r\n", 400, b"invalid Content-Length"),
        ("hex length", post + b"Content-Length: 0x10\r\n\r\n", 400, b"invalid Content-Length"),
        ("duplicate length", post + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nabcde", 400,
         b"more than one Content-Length"),
        ("conflicting lengths", post + b"Content-Length: 5\r\nContent-Length: 500\r\n\r\nabcde", 400,
         b"more than one Content-Length"),
        ("length list", post + b"Content-Length: 5, 6\r\n\r\nabcde", 400, b"invalid Content-Length"),
        ("chunked and length", post + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
         400, b"both Transfer-Encoding and Content-Length"),
        ("unknown coding", post + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400,
         b"unsupported Transfer-Encoding"),
        ("huge length", post + b"Content-Length: 1000000000000\r\n\r\n", 413, b""),
        ("huge chunk", post + b"Transfer-Encoding: chunked\r\n\r\nfffffffffff\r\nabc", 413, b"would exceed the limit"),
        ("negative chunk", post + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nabc", 400, b"invalid chunk size"),
        ("non-hex chunk", post + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc", 400, b"invalid chunk size"),
        ("chunk without CRLF", post + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX", 400, b"not followed by CRLF"),
        ("endless chunk line", post + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 5000, 400, b"longer than"),
        ("header too big", b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 413, b""),
    ]
