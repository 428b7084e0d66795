"""Caches under ``$HELMPY_CACHE_HOME`` keyed by content hash: compiled templates and parsed inputs.

Two layers, one module:

* :class:`DiskCache` keeps opaque bytes by key in one directory of the cache home (``templates``,
  ``parsed``), written atomically (mode 0600, no fsync: every reader verifies what it reads) and bounded in
  bytes: the first write of a run that finds the directory past its bound deletes the oldest entries until
  three quarters of it remain.
* :class:`ValueCache` keeps the plain-data result of a parse (dicts, lists, strings, numbers, booleans,
  None, bytes, tuples, sets: what :mod:`marshal` writes exactly) for one *kind* of input and *version* of its
  parser. The key hashes the input's bytes with the kind, the version, what the caller says the result
  also depends on (a limit), helmpy's and Python's versions and the size and mtime of the parser's source
  files, so a stale entry is never found. Each entry repeats its kind and version and carries a digest of
  its payload: a short, corrupt or foreign file is ignored (the input is parsed again and the entry
  replaced). A value marshal cannot write exactly (an ``int`` subclass, say) is simply not cached.

Nothing here may change a result: a hit returns what the parse returned, a miss, an unreadable or
unwritable cache directory or ``HELMPY_PARSE_CACHE=0`` just means parsing. Only successful parses are
stored; errors are raised by the parse every time.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from helmpy.action.codecache import TemplateCodeCache

logger = logging.getLogger(__name__)

T = TypeVar("T")

_MAGIC = b"HPYC\x01"
_DIGEST_SIZE = 16
_MARSHAL_VERSION = 4
_HEADER = struct.Struct(">H I")  # kind length, version


class DiskCache:
    """Opaque bytes by key under ``$HELMPY_CACHE_HOME/<name>/<key[:2]>/<key>``, bounded by ``cap()`` bytes.

    The files are :class:`helmpy.action.codecache.TemplateCodeCache`'s (one verified, size-bounded store for
    every cache: magic line and SHA-256 per entry, least recently used entries deleted past the bound); this
    names the directory and its bound. Keys must be hex digests (they name files). Unreadable or unwritable
    entries are misses.
    """

    def __init__(self, name: str, cap: Callable[[], int]) -> None:
        self.name = name
        self._cap = cap
        self._stores: dict[Path, TemplateCodeCache] = {}

    def root(self) -> Path:
        """The cache's directory (created on the first write)."""
        from helmpy.paths import cache_home

        return cache_home() / self.name

    def _store(self) -> TemplateCodeCache:
        from helmpy.action.codecache import TemplateCodeCache

        root = self.root()
        store = self._stores.get(root)
        if store is None:  # the cache home can change between calls (tests, a library's Clients)
            store = self._stores[root] = TemplateCodeCache(root, self._cap())
        return store

    def load(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None."""
        return self._store().load(key)

    def save(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (best effort: a failure only means parsing again next time)."""
        self._store().save(key, data)


def parse_cache_store() -> DiskCache | None:
    """The store of parsed inputs (``$HELMPY_CACHE_HOME/parsed``), or None when ``HELMPY_PARSE_CACHE=0``."""
    from helmpy import limits

    if not limits.env_switch(limits.PARSE_CACHE_ENV):
        return None
    limits.parse_cache_size()  # a bad HELMPY_MAX_PARSE_CACHE_SIZE is an error on every run, not only on a write
    return _PARSED


@functools.cache
def _fingerprint(modules: tuple[str, ...]) -> bytes:
    """helmpy's and Python's versions and the size/mtime of the source files of ``modules`` (so editing a
    parser in a checkout invalidates its entries; an installed release changes its version)."""
    from helmpy import __version__

    parts = [__version__, sys.version, str(_MARSHAL_VERSION)]
    for path in module_files(modules):
        try:
            st = os.stat(path)
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(path)
    return "\0".join(parts).encode("utf-8", "surrogatepass")


def module_files(modules: Iterable[str]) -> tuple[str, ...]:
    """The source files of ``modules`` (dotted names), found without importing them.

    A module that cannot be found contributes its name (it cannot be stat'ed, so it cannot go stale either).
    """
    files = []
    for name in modules:
        loaded = sys.modules.get(name)
        origin = getattr(loaded, "__file__", None) if loaded is not None else _find_origin(name)
        files.append(origin or name)
    return tuple(files)


def _find_origin(name: str) -> str | None:
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None else None


class ValueCache:
    """Plain-data parse results of one ``kind`` of input, parser ``version``, keyed by the input's bytes.

    ``depends_on`` names the modules (dotted names) whose edits must invalidate entries (the parser's),
    ``settings`` what else the result depends on (a limit the parse enforces, as text), ``store`` where entries
    live (default: the parsed-inputs store, unless turned off). Bump ``version`` whenever the parse's result
    changes shape.
    """

    def __init__(self, kind: str, version: int, *, depends_on: tuple[str, ...] = (),
                 settings: Callable[[], str] = str,
                 store: Callable[[], DiskCache | None] = parse_cache_store) -> None:
        self.kind = kind
        self.version = version
        self._depends_on = depends_on
        self._settings = settings
        self._store = store
        self._tag = kind.encode("utf-8")

    def key(self, content: bytes, extra: str = "") -> str:
        """The entry name of ``content`` (``extra``: anything else the result depends on, e.g. a limit)."""
        digest = hashlib.sha256(_fingerprint(self._depends_on))
        for part in (self._tag, str(self.version).encode(), self._settings().encode("utf-8", "surrogatepass"),
                     extra.encode("utf-8", "surrogatepass")):
            digest.update(b"\0" + part)
        digest.update(b"\0")
        digest.update(content)
        return digest.hexdigest()

    def encode(self, value: object) -> bytes | None:
        """The entry for ``value``; None when marshal cannot write it exactly."""
        try:
            payload = marshal.dumps(value, _MARSHAL_VERSION)  # type: ignore[arg-type]  # checked below
        except (ValueError, TypeError):
            return None
        if not round_trips(value):
            return None
        digest = hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()
        return _MAGIC + _HEADER.pack(len(self._tag), self.version) + self._tag + digest + payload

    def decode(self, data: bytes) -> tuple[bool, object]:
        """``(True, value)`` for an intact entry of this kind and version, else ``(False, None)``."""
        head = len(_MAGIC) + _HEADER.size
        if not data.startswith(_MAGIC) or len(data) < head:
            return False, None
        tag_len, version = _HEADER.unpack_from(data, len(_MAGIC))
        tag_end = head + tag_len
        if version != self.version or data[head:tag_end] != self._tag:
            return False, None
        digest, payload = data[tag_end:tag_end + _DIGEST_SIZE], data[tag_end + _DIGEST_SIZE:]
        if len(digest) != _DIGEST_SIZE or hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() != digest:
            return False, None
        try:
            return True, marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return False, None

    def get(self, content: bytes, extra: str = "") -> tuple[bool, object]:
        """``(True, value)`` when ``content`` has an intact entry, else ``(False, None)``."""
        store = self._store()
        if store is None:
            return False, None
        data = store.load(self.key(content, extra))
        if data is None:
            return False, None
        found, value = self.decode(data)
        if not found:
            logger.debug("ignoring a corrupt or foreign cache entry kind=%s", self.kind)
        return found, value

    def put(self, content: bytes, value: object, extra: str = "") -> None:
        """Remember ``value`` as the parse of ``content`` (nothing happens when it cannot be stored exactly)."""
        store = self._store()
        if store is None:
            return
        entry = self.encode(value)
        if entry is not None:
            store.save(self.key(content, extra), entry)

    def cached(self, content: bytes, parse: Callable[[], T], extra: str = "") -> T:
        """``parse()``'s result for ``content``: from the cache when present, else parsed and stored."""
        found, value = self.get(content, extra)
        if found:
            return value  # type: ignore[return-value]  # stored by this kind's parse
        result = parse()
        self.put(content, result, extra)
        return result


_EXACT = frozenset((str, int, float, bool, bytes, type(None)))


def round_trips(value: object) -> bool:
    """True when every object in ``value`` has a type marshal writes as itself (no subclasses, no bytearray,
    which marshal would turn into their base types)."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _EXACT:
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if kind is dict:
            stack.extend(item.keys())  # type: ignore[attr-defined]
            stack.extend(item.values())  # type: ignore[attr-defined]
        elif kind in (list, tuple, set, frozenset):
            stack.extend(item)  # type: ignore[arg-type]
        else:
            return False
    return True


def _parse_cache_size() -> int:
    from helmpy.limits import parse_cache_size

    return parse_cache_size()


#: Parsed inputs (compiled templates and Go parse trees: :mod:`helmpy.action.codecache`).
_PARSED = DiskCache("parsed", _parse_cache_size)
