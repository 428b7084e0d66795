"""Sprig's string functions with Go's byte semantics (``trunc``/``substr``/``abbrev`` count bytes).

Argument order is Sprig's: the piped value comes last (``"abc" | trunc 2`` is ``trunc 2 "abc"``).
"""

from __future__ import annotations

from helmpy.engine.gotemplate.funcs import _text
from helmpy.engine.gotemplate.funcs._goval import (
    StringMap,
    StringSlice,
    from_bytes,
    go_quote,
    sprint_v,
    strval,
    to_bytes,
)
from helmpy.engine.gotemplate.funcs._sig import ANY, INT, STR, go
from helmpy.engine.gotemplate.funcs.conversion import strslice
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.limits import check_size


def _slice_error(lo: int | None, hi: int | None, length: int) -> FuncError:
    """Go's runtime panic text for a bad string slice."""
    if hi is not None and (hi < 0 or (lo is None and hi > length)):
        text = f"[:{hi}]" + (f" with length {length}" if hi >= 0 else "")
    elif lo is not None and lo < 0:
        text = f"[{lo}:]"
    else:
        text = f"[{lo}:{hi}]"
    return FuncError(f"runtime error: slice bounds out of range {text}", panic=True)


def byte_slice(s: str, lo: int | None, hi: int | None) -> str:
    """``s[lo:hi]`` on Go's bytes, panicking (:class:`FuncError`) as Go does on bad bounds."""
    b = s if s.isascii() else to_bytes(s)
    n = len(b)
    if hi is not None and (hi < 0 or hi > n):
        raise _slice_error(None, hi, n)
    end = n if hi is None else hi
    if lo is not None and (lo < 0 or lo > end):
        raise _slice_error(lo, end, n)
    part = b[lo or 0:end]
    return part if isinstance(part, str) else from_bytes(part)


def _blen(s: str) -> int:
    return len(s) if s.isascii() else len(to_bytes(s))


@go(INT, STR)
def trunc(c: int, s: str) -> str:
    """``trunc N S``: the first N bytes, or with N < 0 the last -N."""
    n = _blen(s)
    if c < 0 and n + c > 0:
        return byte_slice(s, n + c, None)
    if c >= 0 and n > c:
        return byte_slice(s, None, c)
    return s


@go(INT, INT, STR)
def substr(start: int, end: int, s: str) -> str:
    """``substr START END S`` with Sprig's bounds: START < 0 means from 0; END < 0 or past the end means to the end."""
    if start < 0:
        return byte_slice(s, None, end)
    if end < 0 or end > _blen(s):
        return byte_slice(s, start, None)
    return byte_slice(s, start, end)


def _abbreviate_full(s: str, offset: int, max_width: int) -> str:
    """goutils ``AbbreviateFull`` (errors become ``""`` as Sprig drops them)."""
    if s == "":
        return ""
    if max_width < 4:
        return ""
    n = _blen(s)
    if n <= max_width:
        return s
    if offset > n:
        offset = n
    if n - offset < max_width - 3:
        offset = n - (max_width - 3)
    if offset <= 4:
        return byte_slice(s, 0, max_width - 3) + "..."
    if max_width < 7:
        return ""
    if offset + max_width - 3 < n:
        return "..." + _abbreviate_full(byte_slice(s, offset, None), 0, max_width - 3)
    return "..." + byte_slice(s, n - (max_width - 3), None)


@go(INT, STR)
def abbrev(width: int, s: str) -> str:
    """``abbrev N S``: at most N bytes, ending in ``...`` when cut (N < 4 returns S)."""
    if width < 4:
        return s
    return _abbreviate_full(s, 0, width)


@go(INT, INT, STR)
def abbrevboth(left: int, right: int, s: str) -> str:
    """``abbrevboth LEFT RIGHT S``."""
    if right < 4 or (left > 0 and right < 7):
        return s
    return _abbreviate_full(s, left, right)


def _byte_runes(s: str) -> list[str]:
    """goutils' ``rune(str[i])``: every byte read as a Latin-1 code point."""
    return [chr(b) for b in to_bytes(s)]


@go(STR)
def initials(s: str) -> str:
    """``initials "First Try"`` is ``FT`` (goutils reads bytes, so non-ASCII letters come out mangled, as in Helm)."""
    out = []
    gap = True
    for ch in _byte_runes(s) if not s.isascii() else s:
        if _text.is_space(ch):
            gap = True
        elif gap:
            out.append(ch)
            gap = False
    return "".join(out)


@go(STR)
def nospace(s: str) -> str:
    """``nospace``: every whitespace byte removed (goutils ``DeleteWhiteSpace``, byte-wise like Helm)."""
    chars = list(s) if s.isascii() else _byte_runes(s)
    kept = [c for c in chars if not _text.is_space(c)]
    if len(kept) == len(chars):
        return s
    return "".join(kept)


@go(STR)
def untitle(s: str) -> str:
    """``untitle``: the first letter of every whitespace-separated word in lower case."""
    out = []
    nxt = True
    for ch in s:
        if _text.is_space(ch):
            nxt = True
        elif nxt:
            ch = _text.to_lower(ch)
            nxt = False
        out.append(ch)
    return "".join(out)


def _title_separator(ch: str) -> bool:
    if ch <= "\x7f":
        return not (ch.isalnum() or ch == "_")
    if _text.is_letter(ch) or _text.is_digit(ch):
        return False
    return _text.is_space(ch)


@go(STR)
def title(s: str) -> str:
    """``strings.Title``."""
    out = []
    prev = " "
    for ch in s:
        out.append(_text.to_title(ch) if _title_separator(prev) else ch)
        prev = ch
    return "".join(out)


@go(STR)
def swapcase(s: str) -> str:
    """goutils ``SwapCase``: upper to lower, lower to upper, and a lower letter after whitespace to title case."""
    out = []
    ws = True
    for ch in s:
        if _text.is_upper(ch) or _text.is_title(ch):
            out.append(_text.to_lower(ch))
            ws = False
        elif _text.is_lower(ch):
            out.append(_text.to_title(ch) if ws else _text.to_upper(ch))
            ws = False
        else:
            out.append(ch)
            ws = _text.is_space(ch)
    return "".join(out)


@go(INT, STR)
def repeat(count: int, s: str) -> str:
    """``repeat N S``."""
    if count < 0:
        raise FuncError("strings: negative Repeat count", panic=True)
    check_size(count * _blen(s))
    return s * count


def wrap_custom(s: str, width: int, newline: str, wrap_long: bool) -> str:
    """goutils ``WrapCustom``: break at spaces before ``width`` bytes (long words cut when ``wrap_long``)."""
    if s == "":
        return ""
    if newline == "":
        newline = "\n"
    width = max(width, 1)
    b = to_bytes(s)
    nl = to_bytes(newline)
    n = len(b)
    offset = 0
    out = bytearray()
    while n - offset > width:
        if b[offset] == 0x20:
            offset += 1
            continue
        end = width + offset + 1
        space = b.rfind(b" ", offset, min(end, n))
        if space >= offset:
            out += b[offset:space] + nl
            offset = space + 1
        elif wrap_long:
            out += b[offset:width + offset] + nl
            offset += width
        else:
            idx = b.find(b" ", width + offset)
            if idx == -1:
                out += b[offset:]
                offset = n
            else:
                out += b[offset:idx] + nl
                offset = idx + 1
        check_size(len(out))
    out += b[offset:]
    return from_bytes(bytes(out))


@go(INT, STR)
def wrap(width: int, s: str) -> str:
    """``wrap N S``."""
    return wrap_custom(s, width, "", False)


@go(INT, STR, STR)
def wrap_with(width: int, sep: str, s: str) -> str:
    """``wrapWith N SEP S`` (long words are cut)."""
    return wrap_custom(s, width, sep, True)


@go(STR, STR)
def contains(sub: str, s: str) -> bool:
    return sub in s


@go(STR, STR)
def has_prefix(prefix: str, s: str) -> bool:
    return s.startswith(prefix)


@go(STR, STR)
def has_suffix(suffix: str, s: str) -> bool:
    return s.endswith(suffix)


@go(variadic=ANY)
def quote(*values: object) -> str:
    """``quote``: each non-nil argument as a Go double-quoted string, joined by spaces."""
    return " ".join(go_quote(strval(v)) for v in values if v is not None)


@go(variadic=ANY)
def squote(*values: object) -> str:
    """``squote``: each non-nil argument between single quotes (no escaping)."""
    return " ".join(f"'{sprint_v(v)}'" for v in values if v is not None)


@go(variadic=ANY)
def cat(*values: object) -> str:
    """``cat``: the non-nil arguments' ``%v``, space separated."""
    return " ".join(sprint_v(v) for v in values if v is not None)


@go(INT, STR)
def indent(spaces: int, s: str) -> str:
    """``indent N S``: N spaces before every line."""
    if spaces < 0:
        raise FuncError("strings: negative Repeat count", panic=True)
    lines = s.count("\n") + 1
    check_size(spaces * lines + _blen(s))
    pad = " " * spaces
    return pad + s.replace("\n", "\n" + pad)


@go(INT, STR)
def nindent(spaces: int, s: str) -> str:
    """``nindent N S``: a newline, then ``indent N S``."""
    return "\n" + indent(spaces, s)


@go(STR, STR, STR)
def replace(old: str, new: str, src: str) -> str:
    """``replace OLD NEW S``: every occurrence."""
    if old in src or old == "":
        count = src.count(old) if old else len(src) + 1
        check_size(_blen(src) + count * max(0, _blen(new) - _blen(old)))
    return src.replace(old, new)


@go(STR, STR, INT)
def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def _split(s: str, sep: str, n: int = -1) -> list[str]:
    """``strings.SplitN`` (n < 0: all; n == 0: none; an empty sep splits into characters)."""
    if n == 0:
        return []
    if sep == "":
        chars = list(s)
        if 0 < n < len(chars):
            return chars[:n - 1] + ["".join(chars[n - 1:])]
        return chars
    check_size(s.count(sep) + 1 if n < 0 else n)
    return s.split(sep, n - 1) if n > 0 else s.split(sep)


@go(STR, STR)
def split_list(sep: str, s: str) -> list[str]:
    """``splitList SEP S`` (a ``[]string``)."""
    return StringSlice(_split(s, sep))


@go(STR, STR)
def split(sep: str, s: str) -> dict[str, str]:
    """``split SEP S``: a map ``_0``, ``_1`` ... of the parts."""
    return StringMap((f"_{i}", p) for i, p in enumerate(_split(s, sep)))


@go(STR, INT, STR)
def splitn(sep: str, n: int, s: str) -> dict[str, str]:
    """``splitn SEP N S``: at most N parts as ``_0`` ... ``_N-1``."""
    return StringMap((f"_{i}", p) for i, p in enumerate(_split(s, sep, n)))


@go(STR, ANY)
def join(sep: str, v: object) -> str:
    """``join SEP LIST``: the non-nil items' string forms."""
    parts = strslice(v)
    check_size(sum(map(len, parts)) + len(sep) * max(0, len(parts) - 1))
    return sep.join(parts)


@go(ANY)
def sort_alpha(v: object) -> list[str]:
    """``sortAlpha``: a list's items as strings in byte order; a non-list as a one-item list."""
    if isinstance(v, (list, tuple)):
        return StringSlice(sorted(strslice(v), key=to_bytes))
    return StringSlice([strval(v)])


@go(STR, STR)
def trim_all(cutset: str, s: str) -> str:
    """``trimAll CUTSET S`` (``strings.Trim``)."""
    return s.strip(cutset) if cutset else s


@go(STR, STR)
def trim_prefix(prefix: str, s: str) -> str:
    return s.removeprefix(prefix)


@go(STR, STR)
def trim_suffix(suffix: str, s: str) -> str:
    return s.removesuffix(suffix)


@go(STR)
def trim(s: str) -> str:
    return _text.trim_space(s)


@go(STR)
def upper(s: str) -> str:
    return _text.upper(s)


@go(STR)
def lower(s: str) -> str:
    return _text.lower(s)
