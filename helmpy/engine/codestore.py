"""Where compiled templates persist between runs: the store both engines use, installed by the caller.

The engines never touch the disk themselves: :func:`set_code_store` installs a :class:`CodeStore`
(``helmpy.action.render`` installs the cache-directory one), the Jinja2 sandbox keeps compiled code in it
and the Go engine its parse trees, each under a key that includes :func:`source_fingerprint` of the code
the stored form depends on.
"""

from __future__ import annotations

import os
from typing import Iterable, Protocol

__all__ = ["CodeStore", "code_store", "set_code_store", "source_fingerprint"]


class CodeStore(Protocol):
    """Where compiled template code may persist between runs (the engine itself never touches disk)."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...


_code_store: CodeStore | None = None


def set_code_store(store: CodeStore | None) -> None:
    """Let compiled templates outlive the process (``helmpy.action.render`` installs a cache-dir store)."""
    global _code_store
    _code_store = store


def code_store() -> CodeStore | None:
    """The store :func:`set_code_store` installed (the Go engine keeps its parse trees there too)."""
    return _code_store


def source_fingerprint(parts: list[str], paths: Iterable[str | None]) -> bytes:
    """``parts`` plus each source file's path, size and mtime: what a stored compilation must match."""
    out = list(parts)
    for path in paths:
        try:
            st = os.stat(path or "")
            out.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            out.append(path or "")
    return "\0".join(out).encode()
