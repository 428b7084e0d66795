"""Regular expressions compiled on first use.

``re.compile`` at import costs ~0.1-3 ms a pattern (the URL and credential patterns of
:mod:`helmpy.redact` ~5 ms together); a module imported on every command's path pays that even when the
command never matches the pattern (``pull`` of an exact version never parses a constraint, no command
redacts a message unless it fails or logs). A :class:`LazyPattern` compiles on its first call; the
compiled pattern's methods then replace the wrappers, so later calls cost what ``re.Pattern``'s do.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator


class LazyPattern:
    """``re.compile(pattern, flags)``, done the first time a method is called."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        pattern = re.compile(self.pattern, self.flags)
        # instance attributes shadow the wrappers below: from now on calls go straight to ``pattern``
        self.__dict__.update(match=pattern.match, fullmatch=pattern.fullmatch, search=pattern.search,
                             sub=pattern.sub, finditer=pattern.finditer, compiled=lambda: pattern)
        return pattern

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().search(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, pos, endpos)
