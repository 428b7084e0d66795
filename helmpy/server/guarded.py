"""cheroot, made to stand up to hostile clients (used by ``helmpy serve`` through :mod:`helmpy.server.runner`).

Plain cheroot gives every accepted connection to a worker thread at once, and the worker blocks reading the
request with only a per-``recv`` socket timeout: eight connections that send nothing, or one byte every 20 s
(slowloris), hold all eight workers and ``/health`` waits. Here:

* **Headers are read in the selector thread, not by a worker.** A connection (new, or kept alive between
  requests) stays in cheroot's selector until its whole request header has arrived; the selector thread reads
  what is there without blocking (TLS handshakes too) and hands the connection to a worker only then. A
  connection that has not delivered a complete header ``header_timeout`` seconds after it opened (or after its
  first byte, for a kept-alive one, which may itself idle ``header_timeout``) is closed by cheroot's expiry, whose
  clock the dribbled bytes do not reset. Idle and slow clients cost a socket, never a thread.
* **Whole-request deadline in the worker.** From the hand-over, reading the rest of the request (its body) must
  finish within ``read_timeout`` (each ``recv`` also within ``header_timeout``); then cheroot answers 408, or the
  app gets a timeout from ``wsgi.input``.
* **Strict framing** (:mod:`helmpy.server.framing`): duplicate, signed or non-numeric ``Content-Length``, both
  ``Transfer-Encoding`` and ``Content-Length``, or a coding other than ``chunked`` are 400 before any body is
  read; the chunked decoder refuses a chunk over the body limit (413) before reading it.
* **No reading of unwanted bodies.** A response sent before the request body was read to its end (an early
  401/413) closes the connection after discarding at most 256 KiB for up to 1 s, ending at a 0.2 s pause (as
  Go's net/http does, so the client sees the answer instead of a reset) instead of cheroot's read of the whole
  remaining body.
* At most ``max_connections`` connections are open; further ones are closed as they are accepted.
"""

from __future__ import annotations

import _pyio  # type: ignore[import-not-found]  # CPython's pure-Python io, no stubs
import contextlib
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from cheroot import wsgi
from cheroot.makefile import MakeFile, StreamReader
from cheroot.server import HeaderReader, HTTPConnection, HTTPRequest

from helmpy.errors import ServerRequestError
from helmpy.server.framing import ChunkedBody, check_framing
from helmpy.server.limits import ServerLimits

logger = logging.getLogger(__name__)

DRAIN_BYTES = 256 * 1024
DRAIN_SECONDS = 1.0
DRAIN_PAUSE = 0.2
_RECV_SIZE = 64 * 1024
_TLS_ONLY = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 70\r\n\r\n"
             b"The client sent a plain HTTP request, but this port only speaks HTTPS.")


def header_complete(data: bytes | bytearray) -> bool:
    """Whether ``data`` holds a whole request header (cheroot itself refuses bare-LF ones with a 400)."""
    return b"\n\r\n" in data or b"\n\n" in data


class _DeadlineSocketIO(socket.SocketIO):
    """The socket under a connection's reader: bytes the selector thread already read come first, and while a
    worker serves a request every ``recv`` is bounded by the request's deadline."""

    def __init__(self, sock: socket.socket, idle_timeout: float) -> None:
        super().__init__(sock, "rb")
        self.socket = sock
        self.prefix = bytearray()
        self.deadline: float | None = None
        self._idle = idle_timeout

    def readinto(self, buffer: Any) -> int | None:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            del self.prefix[:n]
            return n
        if self.deadline is None:
            return super().readinto(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")  # cheroot answers 408 to exactly this
        self.socket.settimeout(min(self._idle, left))
        try:
            return super().readinto(buffer)
        finally:
            self.socket.settimeout(self._idle)


class _Reader(StreamReader):  # type: ignore[misc]
    """cheroot's buffered socket reader over :class:`_DeadlineSocketIO`."""

    def __init__(self, raw: _DeadlineSocketIO, bufsize: int) -> None:
        _pyio.BufferedReader.__init__(self, raw, bufsize)
        self.bytes_read = 0
        self.deadline_io = raw

    def has_data(self) -> bool:
        """Whether a worker can start on the next request without waiting for the client."""
        return bool(super().has_data()) or header_complete(self.deadline_io.prefix)

    def unbuffer(self) -> None:
        """Give bytes of the next request read ahead by the last one back to the header phase."""
        buffered = len(self._read_buf) - self._read_pos  # type: ignore[attr-defined]  # _pyio.BufferedReader's
        if buffered > 0:
            self.deadline_io.prefix[:0] = self.read(buffered)


class _FramingHeaderReader(HeaderReader):  # type: ignore[misc]
    """cheroot's header parser, counting the ``Content-Length`` lines it would fold into one, then refusing
    ambiguous body framing (cheroot answers a ``ValueError`` here with 400 and closes)."""

    def __call__(self, rfile: Any, hdict: dict[bytes, bytes] | None = None) -> dict[bytes, bytes]:
        self._lengths = 0
        headers: dict[bytes, bytes] = super().__call__(rfile, hdict)
        try:
            check_framing(self._lengths, headers.get(b"Content-Length"), headers.get(b"Transfer-Encoding"))
        except ServerRequestError as err:
            logger.debug("refused request framing: %s", err.message)
            raise ValueError(err.message) from err
        return headers

    def _allow_header(self, key_name: bytes) -> bool:
        if key_name == b"Content-Length":
            self._lengths += 1
        return True


class _Request(HTTPRequest):  # type: ignore[misc]
    def __init__(self, server: Any, conn: _Connection, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, conn, *args, **kwargs)
        self.header_reader = _FramingHeaderReader()
        conn.request = self

    def body_left(self) -> bool:
        """Whether the request body was not read to its end."""
        rfile = getattr(self, "rfile", None)
        if isinstance(rfile, ChunkedBody):
            return not rfile.finished
        return getattr(rfile, "remaining", 0) > 0

    def respond(self) -> None:
        if not self.chunked_read:
            super().respond()
            return
        limit = self.server.limits.max_chunked_body or self.server.max_request_body_size or 1 << 62
        self.rfile = ChunkedBody(self.conn.rfile, limit)
        self.server.gateway(self).respond()
        if self.ready:
            self.ensure_headers_sent()
        if self.chunked_write:
            self.conn.wfile.write(b"0\r\n\r\n")

    def send_headers(self) -> None:
        if self.body_left():
            self.close_connection = True  # cheroot would read (and buffer) the rest of a body nobody wants
        super().send_headers()


class _Connection(HTTPConnection):  # type: ignore[misc]
    RequestHandlerClass = _Request

    def __init__(self, server: GuardedServer, sock: Any, makefile: Callable[..., Any] = MakeFile) -> None:
        self.deadline_io = _DeadlineSocketIO(sock, server.timeout)
        self.request: _Request | None = None
        self.header_started: float | None = None
        self._closed = False

        def files(s: Any, mode: str = "r", bufsize: int = _pyio.DEFAULT_BUFFER_SIZE) -> Any:
            return _Reader(self.deadline_io, bufsize) if "r" in mode else makefile(s, mode, bufsize)

        super().__init__(server, sock, files)
        server.count_connection(+1)

    def communicate(self) -> bool:
        self.request = None
        self.deadline_io.deadline = time.monotonic() + self.server.limits.read_timeout
        try:
            keep = bool(super().communicate())
        finally:
            self.deadline_io.deadline = None
        if not keep and self.request is not None and self.request.body_left():
            self._drain()
        return keep

    def _drain(self) -> None:
        """Discard a little of an unread body before closing, so the client reads the answer, not a reset
        (a client that pauses for ``DRAIN_PAUSE`` ends it: a silent one holds the worker only that long)."""
        end, left = time.monotonic() + DRAIN_SECONDS, DRAIN_BYTES
        with contextlib.suppress(OSError, ValueError):
            while left > 0 and (wait := end - time.monotonic()) > 0:
                self.socket.settimeout(min(wait, DRAIN_PAUSE))
                data = self.socket.recv(min(left, _RECV_SIZE))
                if not data:
                    break
                left -= len(data)

    def pull_header(self) -> str:
        """Read what the client has sent without blocking (selector thread): ``"ready"`` when a worker can take
        the request (complete header, too big a header, or the client ended mid-header), ``"wait"`` for more,
        ``"closed"`` when there is nothing left to serve."""
        sock, prefix = self.socket, self.deadline_io.prefix
        limit = self.server.max_request_header_size or 1 << 20
        try:
            sock.setblocking(False)
            while len(prefix) < limit:
                try:
                    data = sock.recv(_RECV_SIZE)
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    return "wait"
                except ssl.SSLError as err:
                    if err.reason == "HTTP_REQUEST":
                        os.write(sock.fileno(), _TLS_ONLY)
                    logger.debug("tls connection refused reason=%s", err.reason)
                    return "closed"
                if not data:
                    return "ready" if prefix else "closed"
                start = max(0, len(prefix) - 3)
                prefix += data
                if header_complete(prefix[start:]):
                    return "ready"
            return "ready"
        except OSError as err:
            logger.debug("connection ended while reading its header: %s", err)
            return "closed"
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(self.server.timeout)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.server.count_connection(-1)
        super().close()


class GuardedServer(wsgi.Server):  # type: ignore[misc]
    """cheroot's WSGI server with the protections in this module's docstring."""

    ConnectionClass = _Connection

    def __init__(self, bind_addr: tuple[str, int], app: Callable[..., Any], limits: ServerLimits,
                 **kwargs: Any) -> None:
        super().__init__(bind_addr, app, numthreads=limits.workers,
                         timeout=limits.header_timeout, **kwargs)  # type: ignore[arg-type]  # a float works
        self.limits = limits
        self.max_request_header_size = limits.max_header_bytes
        self.max_request_body_size = limits.max_body
        self.keep_alive_conn_limit = limits.max_connections
        self._open = 0
        self._open_lock = threading.Lock()

    def count_connection(self, delta: int) -> None:
        with self._open_lock:
            self._open += delta

    def process_conn(self, conn: _Connection) -> None:
        """Called by cheroot's selector thread for a new or readable connection (and from a worker for one
        whose next request is already read): a worker gets it only once its header is complete."""
        if conn.rfile.has_data():
            conn.header_started = None
            super().process_conn(conn)
            return
        if conn.header_started is None:
            if conn.last_used is None and self._open > self.limits.max_connections:
                logger.debug("too many connections open=%d: closing a new one", self._open)
                conn.close()
                return
            conn.header_started = time.time()
        state = conn.pull_header()
        if state == "wait":
            self._connections.put(conn)  # type: ignore[attr-defined]  # cheroot's ConnectionManager
            conn.last_used = conn.header_started  # expiry counts from the header's start, not the last byte
        elif state == "ready":
            conn.header_started = None
            super().process_conn(conn)
        else:
            conn.close()

    def put_conn(self, conn: _Connection) -> None:
        """Back from a worker after a kept-alive response: read-ahead bytes go to the header phase."""
        conn.rfile.unbuffer()
        super().put_conn(conn)


__all__ = ["GuardedServer", "header_complete"]
