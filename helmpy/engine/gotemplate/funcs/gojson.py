"""Go's encoding/json for template values: ``Marshal``/``MarshalIndent`` output and ``Unmarshal`` errors.

Output matches Go byte for byte: map keys sorted, ``<``/``>``/``&`` escaped as ``\\u003c`` ... unless
``escape_html`` is off (``toRawJson``), U+2028/U+2029 always escaped, invalid UTF-8 as ``\\ufffd``,
floats as Go writes them (``1e+21``, ``1e-7``, ``100000``). Decoding gives float64 numbers and Go's
error texts (``invalid character 'x' looking for beginning of value``).
"""

from __future__ import annotations

import math
from datetime import datetime

from helmpy.engine.gotemplate.funcs._goval import Duration, format_float, type_of

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


class JSONError(ValueError):
    """A value encoding/json cannot marshal, or text it cannot unmarshal; ``str()`` is Go's message."""


def quote_string(s: str, escape_html: bool = True) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif o < 0x20:
            out.append(f"\\u{o:04x}")
        elif escape_html and ch in _HTML:
            out.append(_HTML[ch])
        elif o in (0x2028, 0x2029):
            out.append(f"\\u{o:04x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(v: object, escape_html: bool) -> str | None:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return quote_string(v, escape_html)
    if isinstance(v, Duration) or isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        if not math.isfinite(v):
            raise JSONError(f"json: unsupported value: {format_float(v)}")
        return format_float(v, json=True)
    if isinstance(v, datetime):
        from helmpy.engine.gotemplate.funcs.timefmt import format_time

        return quote_string(format_time(v, "2006-01-02T15:04:05.999999999Z07:00"), escape_html)
    if isinstance(v, (bytes, bytearray)):
        import base64

        return '"' + base64.b64encode(bytes(v)).decode() + '"'
    go_json = getattr(v, "go_json", None)
    if callable(go_json):
        return str(go_json())
    return None


def marshal(v: object, escape_html: bool = True, indent: str = "") -> str:
    """``json.Marshal`` (or ``MarshalIndent(v, "", indent)``); raises :class:`JSONError`."""
    out: list[str] = []
    _encode(v, out, escape_html, indent, 0)
    return "".join(out)


def _encode(v: object, out: list[str], escape_html: bool, indent: str, depth: int) -> None:
    if depth > 1000:
        raise JSONError("json: unsupported value: encountered a cycle or nesting deeper than 1000")
    s = _scalar(v, escape_html)
    if s is not None:
        out.append(s)
        return
    nl = "\n" + indent * (depth + 1) if indent else ""
    end = "\n" + indent * depth if indent else ""
    if isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        out.append("{")
        for i, k in enumerate(sorted(v, key=lambda k: str(k).encode("utf-8", "surrogateescape"))):
            if i:
                out.append(",")
            out.append(nl)
            out.append(quote_string(str(k), escape_html))
            out.append(": " if indent else ":")
            _encode(v[k], out, escape_html, indent, depth + 1)
        out.append(end + "}")
        return
    if isinstance(v, (list, tuple)):
        if not v:
            out.append("[]")
            return
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            out.append(nl)
            _encode(x, out, escape_html, indent, depth + 1)
        out.append(end + "]")
        return
    raise JSONError(f"json: unsupported type: {type_of(v)}")


# --- decoding ----------------------------------------------------------------------------------------
def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    from helmpy.engine.gotemplate.strconv import quote

    return "'" + quote(c)[1:-1] + "'"


class _Decoder:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def err(self, what: str) -> JSONError:
        if self.i >= len(self.s):
            return JSONError("unexpected end of JSON input")
        return JSONError(f"invalid character {_quote_char(self.s[self.i])} {what}")

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1

    def value(self, depth: int = 0) -> object:
        if depth > 10000:
            raise JSONError("exceeded max depth")
        self.ws()
        if self.i >= len(self.s):
            raise JSONError("unexpected end of JSON input")
        c = self.s[self.i]
        if c == "{":
            self.i += 1
            obj: dict[str, object] = {}
            self.ws()
            if self.s[self.i:self.i + 1] == "}":
                self.i += 1
                return obj
            while True:
                self.ws()
                if self.s[self.i:self.i + 1] != '"':
                    raise self.err("looking for beginning of object key string")
                key = self.string()
                self.ws()
                if self.s[self.i:self.i + 1] != ":":
                    raise self.err("after object key")
                self.i += 1
                obj[key] = self.value(depth + 1)
                self.ws()
                c = self.s[self.i:self.i + 1]
                if c == ",":
                    self.i += 1
                    continue
                if c == "}":
                    self.i += 1
                    return obj
                raise self.err("after object key:value pair")
        if c == "[":
            self.i += 1
            arr: list[object] = []
            self.ws()
            if self.s[self.i:self.i + 1] == "]":
                self.i += 1
                return arr
            while True:
                arr.append(self.value(depth + 1))
                self.ws()
                c = self.s[self.i:self.i + 1]
                if c == ",":
                    self.i += 1
                    continue
                if c == "]":
                    self.i += 1
                    return arr
                raise self.err("after array element")
        if c == '"':
            return self.string()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                for j, wc in enumerate(word):
                    if self.i >= len(self.s):
                        raise JSONError("unexpected end of JSON input")
                    if self.s[self.i] != wc:
                        raise self.err(f"in literal {word} (expecting {_quote_char(wc)})")
                    self.i += 1
                return val
        if c == "-" or c.isdigit() and c.isascii():
            return self.number()
        raise self.err("looking for beginning of value")

    def number(self) -> float:
        s, start = self.s, self.i
        if s[self.i] == "-":
            self.i += 1
            if self.i >= len(s) or not ("0" <= s[self.i] <= "9"):
                raise self.err("in numeric literal")
        if s[self.i] == "0":
            self.i += 1
        else:
            while self.i < len(s) and "0" <= s[self.i] <= "9":
                self.i += 1
        if self.i < len(s) and s[self.i] == ".":
            self.i += 1
            if self.i >= len(s) or not ("0" <= s[self.i] <= "9"):
                raise self.err("after decimal point in numeric literal")
            while self.i < len(s) and "0" <= s[self.i] <= "9":
                self.i += 1
        if self.i < len(s) and s[self.i] in "eE":
            self.i += 1
            if self.i < len(s) and s[self.i] in "+-":
                self.i += 1
            if self.i >= len(s) or not ("0" <= s[self.i] <= "9"):
                raise self.err("in exponent of numeric literal")
            while self.i < len(s) and "0" <= s[self.i] <= "9":
                self.i += 1
        return float(s[start:self.i])

    def string(self) -> str:
        s = self.s
        self.i += 1
        out: list[str] = []
        while True:
            if self.i >= len(s):
                raise JSONError("unexpected end of JSON input")
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\":
                self.i += 1
                if self.i >= len(s):
                    raise JSONError("unexpected end of JSON input")
                e = s[self.i]
                simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
                if e in simple:
                    out.append(simple[e])
                    self.i += 1
                elif e == "u":
                    self.i += 1
                    code = self._hex4()
                    if 0xD800 <= code < 0xDC00 and s[self.i:self.i + 2] == "\\u":
                        save = self.i
                        self.i += 2
                        low = self._hex4()
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        else:
                            self.i = save
                            code = 0xFFFD
                    elif 0xD800 <= code < 0xE000:
                        code = 0xFFFD
                    out.append(chr(code))
                else:
                    raise self.err("in string escape code")
                continue
            if ord(c) < 0x20:
                raise self.err("in string literal")
            out.append("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c)
            self.i += 1

    def _hex4(self) -> int:
        digits = ""
        for _ in range(4):
            if self.i >= len(self.s):
                raise JSONError("unexpected end of JSON input")
            if self.s[self.i] not in "0123456789abcdefABCDEF":
                raise self.err("in \\u hexadecimal character escape")
            digits += self.s[self.i]
            self.i += 1
        return int(digits, 16)


def unmarshal(text: str) -> object:
    """``json.Unmarshal`` into ``interface{}``; raises :class:`JSONError` with Go's message."""
    d = _Decoder(text)
    v = d.value()
    d.ws()
    if d.i < len(text):
        raise d.err("after top-level value")
    return v


_KIND_NAMES = {dict: "object", list: "array", str: "string", float: "number", bool: "bool"}


def unmarshal_into(text: str, want: type) -> object:
    """``json.Unmarshal`` into a ``map[string]interface{}`` (``want=dict``) or ``[]interface{}`` (``list``)."""
    v = unmarshal(text)
    if v is None:
        from helmpy.engine.gotemplate.funcs._goval import NilList, NilMap

        return NilMap() if want is dict else NilList()
    if not isinstance(v, want):
        go_type = "map[string]interface {}" if want is dict else "[]interface {}"
        raise JSONError(f"json: cannot unmarshal {_KIND_NAMES[type(v)]} into Go value of type {go_type}")
    return v
