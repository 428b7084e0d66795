"""huandu/xstrings' case conversions as Sprig uses them: ``snakecase``, ``kebabcase``, ``camelcase`` (PascalCase)."""

from __future__ import annotations

from helmpy.engine.gotemplate.funcs import _text
from helmpy.engine.gotemplate.funcs._sig import STR, go

_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)
_CJK = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def _is_connector(ch: str) -> bool:
    return ch in "-_" or _text.is_space(ch)


def _is_alphabet(ch: str) -> bool:
    if not _text.is_letter(ch):
        return False
    o = ord(ch)
    return not any(lo <= o <= hi for lo, hi in _CJK)


def _next_word(s: str) -> tuple[int, str, str]:
    """xstrings ``nextWord``: the kind of the next word, the word and the rest."""
    if not s:
        return _INVALID, "", ""
    r = s[0]
    i = 1

    def run(pred: object) -> int:
        j = i
        while j < len(s) and pred(s[j]):  # type: ignore[operator]
            j += 1
        return j

    if _is_connector(r):
        kind, i = _CONNECTOR, run(_is_connector)
    elif _text.is_punct(r):
        kind, i = _PUNCT, run(_text.is_punct)
    elif _text.is_upper(r):
        kind = _UPPER
        if i < len(s):
            if _text.is_upper(s[i]):
                j = run(_text.is_upper)
                if j < len(s) and _is_alphabet(s[j]):
                    j -= 1  # the last capital starts the next word ("HTTPServer" -> HTTP, Server)
                i = j
            elif _is_alphabet(s[i]):
                i = run(lambda c: _is_alphabet(c) and not _text.is_upper(c))
    elif _is_alphabet(r):
        kind, i = _ALPHA, run(lambda c: _is_alphabet(c) and not _text.is_upper(c))
    elif _text.is_number(r):
        kind, i = _NUMBER, run(_text.is_number)
    else:
        kind = _OTHER
        i = run(lambda c: not (_is_connector(c) or _is_alphabet(c) or _text.is_number(c) or _text.is_punct(c)))
    return kind, s[:i], s[i:]


def _to_lower(out: list[str], kind: int, word: str, connector: str) -> None:
    if kind not in (_UPPER, _CONNECTOR):
        out.append(word)
        return
    for ch in word:
        if _is_connector(ch):
            out.append(connector)
        elif _text.is_upper(ch):
            out.append(_text.to_lower(ch))
        else:
            out.append(ch)


def _camel_to_lower(s: str, connector: str) -> str:
    if not s:
        return ""
    out: list[str] = []
    wt, word, rest = _next_word(s)
    while rest:
        if wt != _CONNECTOR:
            _to_lower(out, wt, word, connector)
        prev, last = wt, word
        wt, word, rest = _next_word(rest)
        if prev == _NUMBER:
            while wt in (_ALPHA, _NUMBER):
                _to_lower(out, wt, word, connector)
                wt, word, rest = _next_word(rest)
            if wt not in (_INVALID, _PUNCT, _CONNECTOR):
                out.append(connector)
        elif prev == _CONNECTOR:
            _to_lower(out, prev, last, connector)
        elif prev == _PUNCT:
            pass
        else:
            if wt != _NUMBER:
                if wt not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            if not rest:
                continue
            last = word
            wt, word, rest = _next_word(rest)
            if wt != _ALPHA:
                _to_lower(out, _NUMBER, last, connector)
                if wt not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            out.append(connector)
            _to_lower(out, _NUMBER, last, connector)
            while wt in (_ALPHA, _NUMBER):
                _to_lower(out, wt, word, connector)
                wt, word, rest = _next_word(rest)
            if wt not in (_INVALID, _CONNECTOR, _PUNCT):
                out.append(connector)
    _to_lower(out, wt, word, connector)
    return "".join(out)


@go(STR)
def snakecase(s: str) -> str:
    """``snakecase "FirstName"`` is ``first_name``."""
    return _camel_to_lower(s, "_")


@go(STR)
def kebabcase(s: str) -> str:
    """``kebabcase "FirstName"`` is ``first-name``."""
    return _camel_to_lower(s, "-")


@go(STR)
def camelcase(s: str) -> str:
    """``camelcase "http_server"`` is ``HttpServer`` (xstrings ``ToPascalCase``: connectors dropped, next letter
    upper)."""
    if not s:
        return ""
    out: list[str] = []
    i = 0
    while i < len(s) and _is_connector(s[i]):
        out.append(s[i])  # leading connectors stay
        i += 1
    if i == len(s):
        return s + s[-1]  # xstrings writes the last connector twice when there is nothing else
    r0 = _text.to_upper(s[i])
    i += 1
    while i < len(s):
        r1, r0 = r0, s[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            out.append(r1)
            continue
        if _is_connector(r1):
            r0 = _text.to_upper(r0)
        else:
            out.append(r1)
    out.append(r0)
    return "".join(out)
