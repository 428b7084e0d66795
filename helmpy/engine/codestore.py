"""Where compiled templates persist between runs: the store both engines use, installed by the caller.

The engines never touch the disk themselves: :func:`set_code_store` installs a :class:`CodeStore`
(``helmpy.action.render`` installs the cache-directory one), the Jinja2 sandbox keeps compiled code in it
and the Go engine its parse trees, each under a key that includes :func:`source_fingerprint` of the code
the stored form depends on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Protocol

__all__ = ["CodeStore", "code_store", "set_code_store", "source_fingerprint"]


class CodeStore(Protocol):
    """Where compiled template code may persist between runs (the engine itself never touches disk)."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...


# per context (thread), not per process: two library callers with different cache settings render side by side
_code_store: ContextVar[CodeStore | None] = ContextVar("helmpy_code_store", default=None)


def set_code_store(store: CodeStore | None) -> None:
    """Let compiled templates outlive the process (``helmpy.action.render`` installs a cache-dir store) - for
    the renders of this thread or context."""
    _code_store.set(store)


def code_store() -> CodeStore | None:
    """The store :func:`set_code_store` installed (the Go engine keeps its parse trees there too)."""
    return _code_store.get()


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
