"""`.helmignore` rules with Helm's exact (non-gitignore) semantics.

Rules are checked in order; the first positive rule that matches ignores the path, and a negated
rule ``!p`` ignores every path that does not match ``p``. Patterns use shell globbing where ``*``
does not cross ``/``; ``**`` is rejected like Helm does.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass
from typing import Protocol

from helmpy.errors import IgnoreRuleError

DEFAULT_RULE = "templates/.?*"


_GLOB_SYNTAX = frozenset("*?[\\")


class _Matcher(Protocol):
    def match(self, target: str) -> object: ...


class _Literal:
    """A rule without glob syntax (``.DS_Store``, ``.git``): what ``^text$`` matches, with no regex compiled."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def match(self, target: str) -> bool:
        return target in (self.text, self.text + "\n")  # ``$`` also matches before a final newline


class _Suffix:
    """A ``*<text>`` rule (``*.swp``, ``*~``): what ``^[^/]*<text>$`` matches, with no regex compiled."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def match(self, target: str) -> bool:
        return any(target.endswith(end) and "/" not in target[:len(target) - len(end)]
                   for end in (self.text, self.text + "\n"))


@dataclass
class _Rule:
    raw: str
    pattern: _Matcher
    negate: bool
    must_dir: bool
    full_path: bool


def _compile(glob: str, where: str) -> _Matcher:
    """The matcher of ``glob``: a string comparison for the common literal and ``*.ext`` rules (a created
    chart's .helmignore has only those; compiling them was most of a small chart's load), else its regex."""
    if not _GLOB_SYNTAX.intersection(glob):
        return _Literal(glob)
    if glob.startswith("*") and not _GLOB_SYNTAX.intersection(glob[1:]) and "/" not in glob:
        return _Suffix(glob[1:])
    return _regex(glob, where)


def _regex(glob: str, where: str) -> re.Pattern[str]:
    # fnmatch.translate lets "*" cross "/", Go's filepath.Match does not: build our own.
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = glob.find("]", i + 1)
            if j == -1:
                raise IgnoreRuleError(f"{where}: syntax error in pattern {glob!r}")
            body = glob[i + 1:j]
            if body.startswith("^"):
                body = "!" + body[1:]
            cls = fnmatch.translate("[" + body + "]")
            # fnmatch.translate wraps in (?s:...)\Z; strip that
            out.append(cls[4:-3])
            i = j
        elif c == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("^" + "".join(out) + "$")
    except re.error as err:
        raise IgnoreRuleError(f"{where}: syntax error in pattern {glob!r}") from err


class IgnoreRules:
    """A parsed .helmignore."""

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules

    @classmethod
    def parse(cls, text: str, where: str = ".helmignore") -> IgnoreRules:
        rules: list[_Rule] = []
        for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            rules.append(cls._rule(line, f"{where}:{lineno}"))
        rules.append(cls._rule(DEFAULT_RULE, "<default>"))
        return cls(rules)

    @classmethod
    def empty(cls) -> IgnoreRules:
        return cls.parse("")

    @staticmethod
    def _rule(line: str, where: str) -> _Rule:
        if "**" in line:
            raise IgnoreRuleError(f"{where}: double-star (**) syntax is not supported: {line!r}")
        negate = line.startswith("!")
        body = line[1:] if negate else line
        must_dir = body.endswith("/") and len(body) > 1
        if must_dir:
            body = body.rstrip("/")
        full_path = "/" in body
        body = body.lstrip("/")
        return _Rule(line, _compile(body, where), negate, must_dir, full_path)

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (relative, ``/``-separated) is ignored."""
        if path in ("", ".", "./"):
            return False
        base = posixpath.basename(path)
        for rule in self.rules:
            if rule.must_dir and not is_dir:
                if rule.negate:
                    return True
                continue
            target = path if rule.full_path else base
            matched = bool(rule.pattern.match(target))
            if rule.negate:
                if not matched:
                    return True
                continue
            if matched:
                return True
        return False
