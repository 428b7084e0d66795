"""Taking a blob as it arrives: hashed and sized on the way, optionally written out and inspected, and refused
unless it is exactly the blob its descriptor names.

One pass serves a download (the bytes go to the content cache's temporary file) and a cached copy read back
(nothing is written): the bytes are looked at once, while they are in the processor's cache, instead of being
collected, hashed, written, read back and inflated in turn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from helmpy.errors import DigestMismatch, HelmpyError

#: Bytes read per block from a cached copy.
_READ = 256 * 1024

Inspect = Callable[[Iterator[bytes]], object]


class _Upstream(Exception):
    """A failure of the blocks' source (the connection, the cache file), carried through ``inspect`` (which must
    not take a dropped connection for a corrupt archive) and raised again as it was."""

    def __init__(self, err: Exception) -> None:
        super().__init__(str(err))
        self.err = err


class _Sink(_Upstream):
    """A failure to write to ``sink`` (a full disk), carried the same way: the blob was not refused, it could
    not be kept (re-raised as the ``OSError`` it was, for the caller to name its file)."""


def take(blocks: Iterable[bytes], digest: str, size: int, what: str, sink: BinaryIO | None = None,
         inspect: Inspect | None = None) -> None:
    """Read ``blocks`` to the end, writing them to ``sink``; :class:`DigestMismatch` unless they are ``size``
    bytes with sha256 ``digest`` (``sha256:<hex>``). ``inspect`` reads the same blocks as they pass; what it
    raises (a refused archive) is raised once the digest has been checked, so a blob altered on its way is
    reported as that. Failures of ``blocks`` itself are raised unchanged, and so is an ``OSError`` writing to
    ``sink`` (a full disk: the blob could not be kept, it was not refused)."""
    sha = hashlib.sha256()
    seen = [0]
    source = iter(blocks)

    def tee() -> Iterator[bytes]:
        while True:
            try:
                block = next(source, None)
            except Exception as err:
                raise _Upstream(err) from err
            if block is None:
                return
            seen[0] += len(block)
            if seen[0] > size:
                return  # longer than the descriptor says: refused below, the rest unread
            sha.update(block)
            if sink is not None:
                _write(sink, block)
            yield block

    passing = tee()
    refusal: HelmpyError | None = None
    try:
        if inspect is not None:
            try:
                inspect(passing)
            except _Upstream:
                raise
            except HelmpyError as err:
                refusal = err
            except (OSError, ValueError) as err:  # an inspector's own slip: the blob is refused, not the link
                refusal = HelmpyError(f"{what}: cannot read the blob: {err}")
        for _ in passing:  # what inspect left (all of it after a refusal): the digest covers every byte
            pass
    except _Upstream as up:  # _Sink included
        raise up.err from None
    actual = "sha256:" + sha.hexdigest()
    if actual != digest or seen[0] != size:
        shown = f"{seen[0]} bytes" if seen[0] <= size else f"more than {size} bytes"
        raise DigestMismatch(f"{what}: blob {digest} ({size} bytes) arrived as {actual} ({shown}); refusing it")
    if refusal is not None:
        raise refusal


def _write(sink: BinaryIO, block: bytes) -> None:
    try:
        sink.write(block)
    except OSError as err:
        raise _Sink(err) from err


def file_blocks(path: Path) -> Iterator[bytes]:
    """A file's bytes in blocks."""
    with open(path, "rb") as fh:
        while block := fh.read(_READ):
            yield block


def verify_file(path: Path, digest: str, size: int, inspect: Inspect | None = None) -> bool:
    """Whether ``path`` holds exactly the blob (and ``inspect`` accepts it); an unreadable, altered or refused
    copy is False."""
    try:
        if path.stat().st_size != size:
            return False
        take(file_blocks(path), digest, size, str(path), inspect=inspect)
    except (OSError, ValueError, HelmpyError):
        return False
    return True
