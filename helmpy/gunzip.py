"""Bounded gzip decompression: a small hostile input must not inflate to gigabytes."""

from __future__ import annotations

import zlib
from collections.abc import Callable


def gunzip_limited(data: bytes, limit: int, too_large: Callable[[int], Exception]) -> bytes:
    """Decompress ``data`` (multi-member gzip included), raising ``too_large(limit)`` once more than ``limit``
    bytes would come out; never holds more than ``limit`` + 1 MiB."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    buf = data
    while buf:
        out += d.decompress(buf, 1024 * 1024)
        if len(out) > limit:
            raise too_large(limit)
        buf = d.unconsumed_tail
        if d.eof:
            rest = d.unused_data  # multi-member gzip: continue with the next member
            if rest[:2] == b"\x1f\x8b":
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                buf = rest
            else:
                break
    return bytes(out)
