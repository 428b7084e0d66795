"""The on-disk code store: compiled Jinja2 code and Go parse trees under ``$HELMPY_CACHE_HOME/templates``.

Engines hand it opaque bytes under a content hash (template text, helmpy, Python and engine versions), so a
stale entry is never asked for. What comes back from disk is verified, not trusted: every file starts with a
magic line and the SHA-256 of its key and payload, so a truncated, corrupt or foreign file (one copied from
another key, another tool's file) reads as a miss and the engine compiles again. Writes go to a temporary
file renamed into place (two processes writing one entry both leave a whole file; no ``fsync``: a file a
crash cut short fails the check). The directory is bounded: once it holds more than
:func:`~helmpy.limits.template_cache_size` bytes, the least recently used entries are removed down to
three quarters of it. Unreadable or unwritable files only mean compiling again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from helmpy import limits

logger = logging.getLogger(__name__)

MAGIC = b"helmpy-code/1\n"
_DIGEST_SIZE = 32
_HEADER = len(MAGIC) + _DIGEST_SIZE
_TOUCH_AFTER = 24 * 3600  # a hit older than this is touched, so eviction sees it as recently used


def _digest(key: str, payload: bytes) -> bytes:
    return hashlib.sha256(key.encode("ascii", "replace") + b"\0" + payload).digest()


class TemplateCodeCache:
    """A :class:`~helmpy.engine.sandbox.CodeStore` on disk (``root``: ``cache_home()/templates``)."""

    def __init__(self, root: Path | None = None, max_bytes: int | None = None) -> None:
        if root is None:
            from helmpy.paths import cache_home

            root = cache_home() / "templates"
        self.root = root
        self.max_bytes = limits.template_cache_size() if max_bytes is None else max_bytes
        self._total: int | None = None  # bytes on disk, counted at the first save of this process
        self._made: set[Path] = set()  # shard directories this process created or found

    def _path(self, key: str) -> Path | None:
        if len(key) < 3 or not key.isalnum():  # keys are hex digests; anything else never names a file
            return None
        return self.root / key[:2] / key

    def contains(self, key: str) -> bool:
        """Whether an entry is stored under ``key`` (one ``stat``; it is checked only when loaded)."""
        path = self._path(key)
        return path is not None and path.is_file()

    def load(self, key: str) -> bytes | None:
        """The payload stored under ``key``, or None (absent, unreadable, too large, or failing the check)."""
        path = self._path(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not _HEADER <= st.st_size <= self.max_bytes:
                    return None
                data = fh.read(st.st_size + 1)
        except OSError:
            return None
        payload = data[_HEADER:]
        if not data.startswith(MAGIC) or data[len(MAGIC):_HEADER] != _digest(key, payload):
            logger.debug("ignoring a cache entry that fails its check path=%s", path)
            return None
        if time.time() - st.st_mtime > _TOUCH_AFTER:
            try:
                os.utime(path)
            except OSError:
                pass
        return payload

    def save(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (atomically; skipped when larger than the whole budget)."""
        import tempfile  # here: a warm render stores nothing

        path = self._path(key)
        size = _HEADER + len(data)
        if path is None or size > self.max_bytes:
            return
        try:
            if path.parent not in self._made:  # one mkdir per shard, not per entry (a cold chart saves hundreds)
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(MAGIC + _digest(key, data) + data)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as err:
            logger.debug("cannot cache compiled template path=%s error=%s", path, err)
            return
        if self._total is None:
            self._total = self.disk_usage()
        else:
            self._total += size
        if self._total > self.max_bytes:
            self._total = self.prune(self.max_bytes * 3 // 4)

    def _entries(self) -> list[tuple[float, int, Path]]:
        out: list[tuple[float, int, Path]] = []
        try:
            shards = list(os.scandir(self.root))
        except OSError:
            return out
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                for entry in os.scandir(shard.path):
                    if entry.is_file(follow_symlinks=False):
                        st = entry.stat(follow_symlinks=False)
                        out.append((st.st_mtime, st.st_size, Path(entry.path)))
            except OSError:
                continue
        return out

    def disk_usage(self) -> int:
        """Bytes the cache's files take."""
        return sum(size for _, size, _ in self._entries())

    def prune(self, target: int) -> int:
        """Remove the least recently used entries until at most ``target`` bytes remain; returns what remains."""
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= target:
                break
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                continue
            total -= size
        logger.debug("pruned the template cache bytes=%d target=%d", total, target)
        return total
