"""HTTP/1.1 request body framing, read strictly (RFC 9112 section 6): which body a request has, and a chunked
decoder that never trusts a chunk size.

A request whose framing is ambiguous is how request smuggling and memory blow-ups start, so anything but one
plain ``Content-Length`` of digits, or ``Transfer-Encoding: chunked`` alone, is refused before the body is
touched. The chunked decoder checks every chunk size against the body limit before reading a byte of it and
reads at most 64 KiB at a time, so a ``fffffffffff`` chunk is a 413 at once, not a read into memory.
"""

from __future__ import annotations

import re
from typing import Protocol

from helmpy.errors import RequestBodyTooLarge, ServerRequestError

MAX_CHUNK_LINE = 4096  # bytes of one chunk-size line (extensions included) or one trailer line
MAX_TRAILER_LINES = 64
_READ_STEP = 64 * 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_LENGTH = re.compile(rb"[0-9]{1,19}")


class _LineReader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


def _cut(value: bytes, limit: int = 40) -> str:
    text = repr(value[:limit])
    return text + ("..." if len(value) > limit else "")


def check_framing(content_length_lines: int, content_length: bytes | None, transfer_encoding: bytes | None) -> None:
    """Refuse a request whose body framing is not exactly one of: no body, one ``Content-Length: DIGITS``, or
    ``Transfer-Encoding: chunked`` (``transfer_encoding`` is every such header joined with commas)."""
    if content_length is not None and transfer_encoding is not None:
        raise ServerRequestError("request has both Transfer-Encoding and Content-Length")
    if content_length_lines > 1:
        raise ServerRequestError("request has more than one Content-Length header")
    if content_length is not None and not _LENGTH.fullmatch(content_length):
        raise ServerRequestError(f"invalid Content-Length {_cut(content_length)}")
    if transfer_encoding is not None:
        codings = [c.strip().lower() for c in transfer_encoding.split(b",") if c.strip()]
        if codings != [b"chunked"]:
            raise ServerRequestError(f"unsupported Transfer-Encoding {_cut(transfer_encoding)} (only chunked)")


class ChunkedBody:
    """A chunked request body as a WSGI input stream, limited to ``limit`` decoded bytes.

    Malformed framing raises :class:`ServerRequestError` (400), a body over the limit
    :class:`RequestBodyTooLarge` (413); ``finished`` tells whether the last chunk and trailers were read.
    """

    def __init__(self, rfile: _LineReader, limit: int) -> None:
        self._rfile = rfile
        self._limit = limit
        self._left = 0  # bytes still to read of the current chunk
        self.total = 0
        self.finished = False

    def _line(self, what: str) -> bytes:
        line = self._rfile.readline(MAX_CHUNK_LINE + 1)
        if not line:
            raise ServerRequestError("chunked request body ended early")
        if len(line) > MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise ServerRequestError(f"chunked request body: {what} longer than {MAX_CHUNK_LINE} bytes")
        return line

    def _next_chunk(self) -> None:
        size_text = self._line("chunk-size line").split(b";", 1)[0].strip(b" \t\r\n")
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise ServerRequestError(f"chunked request body: invalid chunk size {_cut(size_text)}")
        size = int(size_text, 16)
        if size == 0:
            for _ in range(MAX_TRAILER_LINES + 1):
                if self._line("trailer line") in (b"\r\n", b"\n"):
                    self.finished = True
                    return
            raise ServerRequestError(f"chunked request body: more than {MAX_TRAILER_LINES} trailer lines")
        if self.total + size > self._limit:
            raise RequestBodyTooLarge(f"request body too large: a chunk of {size} bytes would exceed "
                                      f"the limit of {self._limit} bytes")
        self._left = size

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` decoded bytes (all of the rest when ``size`` is None or negative)."""
        want = None if size is None or size < 0 else size
        out = bytearray()
        while not self.finished and (want is None or len(out) < want):
            if not self._left:
                self._next_chunk()
                continue
            step = min(self._left, _READ_STEP if want is None else min(_READ_STEP, want - len(out)))
            data = self._rfile.read(step)
            if not data:
                raise ServerRequestError("chunked request body ended inside a chunk")
            out += data
            self._left -= len(data)
            self.total += len(data)
            if not self._left and self._rfile.read(2) != b"\r\n":
                raise ServerRequestError("chunked request body: chunk data not followed by CRLF")
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        """One line of the decoded body (WSGI asks for it; helmpy's apps only ``read``)."""
        out = bytearray()
        while not out.endswith(b"\n") and (size < 0 or len(out) < size):
            byte = self.read(1)
            if not byte:
                break
            out += byte
        return bytes(out)


__all__ = ["MAX_CHUNK_LINE", "MAX_TRAILER_LINES", "ChunkedBody", "check_framing"]
