"""Bounded gzip decompression: a small hostile input must not inflate to gigabytes."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

_MAGIC = b"\x1f\x8b"
#: Compressed bytes handed to zlib per call. zlib keeps what one call did not consume as a new ``bytes``
#: (``unconsumed_tail``), so feeding a whole 20 MiB archive in one piece copies its rest once per output
#: block; small pieces keep that copy small.
_PIECE = 64 * 1024
#: Most decompressed bytes one zlib call may produce: a small piece of a gzip bomb yields bounded blocks.
_BLOCK = 1024 * 1024


def inflate(blocks: Iterable[bytes], limit: int, too_large: Callable[[int], Exception]) -> Iterator[bytes]:
    """Decompress the gzip stream that ``blocks`` carry (multi-member gzip included), yielding the output in
    blocks; raises ``too_large(limit)`` once more than ``limit`` bytes would come out.

    As gzip(1) does, bytes after a member that do not start another member end the stream (they are read
    and ignored), and a stream cut short yields what it held (the reader of the output notices the cut).
    Invalid compressed data raises :class:`zlib.error`."""
    d: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = 0
    carry = b""  # after a member: the start of the next bytes, too short yet to tell whether a member follows
    for block in blocks:
        if d is None:
            continue  # trailing garbage: read (a caller may be hashing it) and ignored
        view = memoryview(carry + block if carry else block)
        carry = b""
        at = 0
        while at < len(view):
            if d.eof:  # multi-member gzip: another member, or the end of the stream
                if len(view) - at < 2:
                    carry = bytes(view[at:])
                    break
                if view[at:at + 2] != _MAGIC:
                    d = None
                    break
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            piece = view[at:at + _PIECE]
            at += len(piece)
            out = d.decompress(piece, _BLOCK)
            while True:
                total += len(out)
                if total > limit:
                    raise too_large(limit)
                if out:
                    yield out
                if d.eof or not d.unconsumed_tail:  # at the end zlib leaves the rest in both
                    break
                out = d.decompress(d.unconsumed_tail, _BLOCK)
            if d.eof and d.unused_data:  # the member ended inside this piece: its rest is looked at again
                at -= len(d.unused_data)


def gunzip_limited(data: bytes, limit: int, too_large: Callable[[int], Exception]) -> bytes:
    """Decompress ``data`` whole (see :func:`inflate`); never holds more than ``limit`` + 1 MiB of output."""
    return b"".join(inflate((data,), limit, too_large))


class GunzipReader:
    """A read-only file object over :func:`inflate`'s output, for readers that pull (``tarfile`` in stream
    mode): ``read(n)`` inflates only as much as it returns."""

    def __init__(self, blocks: Iterable[bytes], limit: int, too_large: Callable[[int], Exception]) -> None:
        self._out = inflate(blocks, limit, too_large)
        self._buf = b""
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest = self._buf[self._pos:] + b"".join(self._out)
            self._buf, self._pos = b"", 0
            return rest
        while len(self._buf) - self._pos < size:
            block = next(self._out, None)
            if block is None:
                break
            self._buf = self._buf[self._pos:] + block
            self._pos = 0
        chunk = self._buf[self._pos:self._pos + size]
        self._pos += len(chunk)
        return chunk

    def drain(self) -> None:
        """Inflate (and drop) what is left: the rest of the stream is checked and counted against the limit."""
        self._buf, self._pos = b"", 0
        for _ in self._out:
            pass
