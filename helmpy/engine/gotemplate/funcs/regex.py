"""Sprig's regex functions on Go's RE2 syntax (the ``google-re2`` engine), with Go's match-walking rules.

``FindAll``/``ReplaceAll``/``Split`` follow Go's ``regexp`` loops (an empty match right after a match
is skipped; ``$1``/``${name}`` expand as ``Regexp.Expand`` does). Bad patterns: ``regexMatch`` is
false, ``mustX`` returns Go's ``error parsing regexp: ...`` and the others panic with
``regexp: Compile(`P`): ...`` as ``regexp.MustCompile`` does.
"""

from __future__ import annotations

import functools
import re as _pyre
from typing import Any

from helmpy.engine.gotemplate.funcs import _text
from helmpy.engine.gotemplate.funcs._goval import NilStringSlice, StringSlice
from helmpy.engine.gotemplate.funcs._sig import INT, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.limits import check_size


@functools.lru_cache(maxsize=1)
def _re2() -> tuple[Any, Any]:
    """The RE2 module and its options, imported on the first pattern (most renders compile none)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    return re2, options


# RE2's C++ messages -> Go's regexp/syntax messages.
_MESSAGES = (("missing ): ", "missing closing )"), ("missing ]: ", "missing closing ]"),
             ("unexpected ): ", "unexpected )"), ("bad repetition operator: ", "invalid nested repetition operator"),
             ("no argument for repetition operator: ", "missing argument to repetition operator"),
             ("invalid escape sequence: ", "invalid escape sequence"),
             ("invalid character class range: ", "invalid character class range"),
             ("invalid character class: ", "invalid character class"),
             ("invalid named capture group: ", "invalid named capture group"),
             ("duplicate capture group name: ", "duplicate capture group name"),
             ("bad repetition size: ", "invalid repeat count"), ("invalid repetition size: ", "invalid repeat count"),
             ("invalid perl operator: ", "invalid or unsupported Perl syntax"),
             ("bad UTF-8", "invalid UTF-8"), ("trailing \\", "trailing backslash at end of expression"))


class RegexError(ValueError):
    """A pattern Go's regexp rejects; ``str()`` is Go's ``error parsing regexp: ...`` text."""


def _go_message(raw: str) -> str:
    for prefix, go_text in _MESSAGES:
        if raw.startswith(prefix):
            arg = raw[len(prefix):]
            return f"error parsing regexp: {go_text}: `{arg}`" if arg else f"error parsing regexp: {go_text}"
    return f"error parsing regexp: {raw}"


@functools.lru_cache(maxsize=512)
def compile_go(pattern: str) -> Any:
    """Compile a Go regexp; raises :class:`RegexError`."""
    if "\\Z" in pattern:
        raise RegexError("error parsing regexp: invalid escape sequence: `\\Z`")
    re2, options = _re2()
    try:
        return re2.compile(pattern, options=options)
    except re2.error as err:
        raw = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else str(err)
        raise RegexError(_go_message(raw)) from None


def _compile(pattern: str, how: str) -> Any:
    try:
        return compile_go(pattern)
    except RegexError as err:
        if how == "must":
            raise FuncError(str(err)) from None
        raise FuncError(f"regexp: Compile({_backquote(pattern)}): {err}", panic=True) from None


def _backquote(s: str) -> str:
    from helmpy.engine.gotemplate.strconv import quote

    return f"`{s}`" if "`" not in s and all(c.isprintable() or c == "\t" for c in s) else quote(s)


def _all_matches(rx: Any, s: str, n: int) -> list[Any]:
    """Go's ``allMatches`` walk: non-overlapping, an empty match abutting the previous one skipped."""
    out: list[Any] = []
    pos, prev_end = 0, -1
    limit = len(s)
    while (n < 0 or len(out) < n) and pos <= limit:
        m = rx.search(s, pos)
        if m is None:
            break
        start, end = m.span()
        accept = True
        if end == pos:
            if start == prev_end:
                accept = False
            pos += 1
        else:
            pos = end
        prev_end = end
        if accept:
            out.append(m)
            check_size(len(out))
    return out


def _expand(template: str, m: Any, rx: Any) -> str:
    """``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    while template:
        before, sep, after = template.partition("$")
        if not sep:
            break
        out.append(before)
        template = after
        if template.startswith("$"):
            out.append("$")
            template = template[1:]
            continue
        brace = template.startswith("{")
        body = template[1:] if brace else template
        i = 0
        while i < len(body) and (_text.is_letter(body[i]) or _text.is_digit(body[i]) or body[i] == "_"):
            i += 1
        if i == 0 or (brace and body[i:i + 1] != "}"):
            out.append("$")
            continue
        name = body[:i]
        template = body[i + 1:] if brace else body[i:]
        num = -1
        if name.isascii() and name.isdigit() and len(name) < 9 and not (name[0] == "0" and len(name) > 1):
            num = int(name)
        if num < 0:
            num = rx.groupindex.get(name, -1)
        if 0 <= num <= rx.groups:
            g = m.group(num)
            if g is not None:
                out.append(g)
    out.append(template)
    return "".join(out)


def _replace_all(rx: Any, s: str, repl: str, literal: bool) -> str:
    out: list[str] = []
    last_end = 0
    search = 0
    while search <= len(s):
        m = rx.search(s, search)
        if m is None:
            break
        start, end = m.span()
        out.append(s[last_end:start])
        if end > last_end or start == 0:
            out.append(repl if literal else _expand(repl, m, rx))
            check_size(sum(map(len, out)))
        last_end = end
        search = search + 1 if search + 1 > end else end
    out.append(s[last_end:])
    return "".join(out)


def _split(rx: Any, s: str, n: int) -> list[str]:
    if n == 0:
        return NilStringSlice()
    if rx.pattern and s == "":
        return StringSlice([""])
    parts: list[str] = StringSlice()
    beg = end = 0
    for m in _all_matches(rx, s, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        parts.append(s[beg:])
    return parts


def _funcs(how: str) -> dict[str, Any]:
    @go(STR, STR)
    def match(pattern: str, s: str) -> bool:
        try:
            rx = compile_go(pattern)
        except RegexError as err:
            if how == "must":
                raise FuncError(str(err)) from None
            return False
        return rx.search(s) is not None

    @go(STR, STR, INT)
    def find_all(pattern: str, s: str, n: int) -> list[str]:
        rx = _compile(pattern, how)
        return StringSlice(m.group(0) for m in _all_matches(rx, s, n)) or NilStringSlice()

    @go(STR, STR)
    def find(pattern: str, s: str) -> str:
        m = _compile(pattern, how).search(s)
        return m.group(0) if m else ""

    @go(STR, STR, STR)
    def replace_all(pattern: str, s: str, repl: str) -> str:
        return _replace_all(_compile(pattern, how), s, repl, False)

    @go(STR, STR, STR)
    def replace_all_literal(pattern: str, s: str, repl: str) -> str:
        return _replace_all(_compile(pattern, how), s, repl, True)

    @go(STR, STR, INT)
    def split(pattern: str, s: str, n: int) -> list[str]:
        return _split(_compile(pattern, how), s, n)

    return {"Match": match, "FindAll": find_all, "Find": find, "ReplaceAll": replace_all,
            "ReplaceAllLiteral": replace_all_literal, "Split": split}


_PLAIN = _funcs("panic")
_MUST = _funcs("must")

REGEX_FUNCS: dict[str, Any] = {f"regex{k}": v for k, v in _PLAIN.items()}
REGEX_FUNCS.update({f"mustRegex{k}": v for k, v in _MUST.items()})

_META = _pyre.compile(r"[\\.+*?()|\[\]{}^$]")


@go(STR)
def regex_quote_meta(s: str) -> str:
    """``regexQuoteMeta`` (``regexp.QuoteMeta``)."""
    return _META.sub(lambda m: "\\" + m.group(0), s)


REGEX_FUNCS["regexQuoteMeta"] = regex_quote_meta
