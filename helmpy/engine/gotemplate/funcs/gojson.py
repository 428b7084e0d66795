"""Go's encoding/json for the Sprig functions: ``Unmarshal`` with Go's results and error texts, and
``Marshal`` as the engine's one encoder (:mod:`helmpy.engine.gotemplate.gojson`) with this module's error.

Decoding gives float64 numbers and Go's error texts (``invalid character 'x' looking for beginning of value``).
"""

from __future__ import annotations

from helmpy.engine.gotemplate.gojson import to_json
from helmpy.errors import RenderError


class JSONError(ValueError):
    """A value encoding/json cannot marshal, or text it cannot unmarshal; ``str()`` is Go's message."""


def marshal(v: object, escape_html: bool = True, indent: str = "") -> str:
    """``json.Marshal`` (or ``MarshalIndent(v, "", indent)``) by the engine's one encoder
    (:func:`helmpy.engine.gotemplate.gojson.to_json`); raises :class:`JSONError`."""
    try:
        return to_json(v, indent=indent, escape_html=escape_html)
    except RenderError as err:
        raise JSONError(str(err)) from err


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
                for wc in word:
                    if self.i >= len(self.s):
                        raise JSONError("unexpected end of JSON input")
                    if self.s[self.i] != wc:
                        raise self.err(f"in literal {word} (expecting {_quote_char(wc)})")
                    self.i += 1
                return val
        if c == "-" or (c.isdigit() and c.isascii()):
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
