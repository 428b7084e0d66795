"""Go's notions of characters that Python spells differently: ``unicode.IsSpace``, simple case mapping."""

from __future__ import annotations

import unicodedata

GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                     "\u200a\u2028\u2029\u202f\u205f\u3000")
GO_SPACE_STR = "".join(sorted(GO_SPACE))


def is_space(ch: str) -> bool:
    return ch in GO_SPACE


def is_upper(ch: str) -> bool:
    return unicodedata.category(ch) == "Lu"


def is_lower(ch: str) -> bool:
    return unicodedata.category(ch) == "Ll"


def is_title(ch: str) -> bool:
    return unicodedata.category(ch) == "Lt"


def is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


def is_number(ch: str) -> bool:
    return unicodedata.category(ch).startswith("N")


def is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _one(mapped: str, ch: str) -> str:
    return mapped if len(mapped) == 1 else ch


def to_upper(ch: str) -> str:
    """``unicode.ToUpper`` (one rune to one rune: ``ß`` stays ``ß``)."""
    return _one(ch.upper(), ch)


def to_lower(ch: str) -> str:
    return _one(ch.lower(), ch)


def to_title(ch: str) -> str:
    t = ch.title()
    return t if len(t) == 1 else to_upper(ch)


def upper(s: str) -> str:
    """``strings.ToUpper``."""
    return s.upper() if s.isascii() else "".join(map(to_upper, s))


def lower(s: str) -> str:
    """``strings.ToLower``."""
    return s.lower() if s.isascii() else "".join(map(to_lower, s))


def trim_space(s: str) -> str:
    """``strings.TrimSpace``."""
    return s.strip(GO_SPACE_STR)
