"""The parts of Go's ``strconv`` the template engine needs, with Go's exact acceptance rules.

Go strings are bytes; helmpy's are ``str``. Bytes that are not UTF-8 travel as lone surrogates
(``surrogateescape``), so ``"\\xff"`` unquotes to ``"\\udcff"`` and writes back out as the byte 0xff,
just as Go would write it; ``"\\xc3\\xa9"`` unquotes to ``"é"``.
"""

from __future__ import annotations

_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_QUOTE_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}
_HEX = "0123456789abcdefABCDEF"


class NumError(ValueError):
    """A number or quoted string Go's strconv rejects; ``str()`` is Go's error text."""

    def __init__(self, text: str, *, out_of_range: bool = False) -> None:
        super().__init__("value out of range" if out_of_range else "invalid syntax")
        self.text = text
        self.out_of_range = out_of_range


def is_print(ch: str) -> bool:
    """``strconv.IsPrint``: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF


def quote(text: str, quote_char: str = '"') -> str:
    """``strconv.Quote`` (or ``QuoteRune`` with ``quote_char="'"``): Go escapes, printable runes kept."""
    out = [quote_char]
    for ch in text:
        o = ord(ch)
        if ch == quote_char or ch == "\\":
            out.append("\\" + ch)
        elif 0xDC80 <= o <= 0xDCFF:  # a raw byte that is not UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif is_print(ch):
            out.append(ch)
        elif o in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[o])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append(quote_char)
    return "".join(out)


def format_u(ch: str) -> str:
    """Go's ``%#U`` of a rune: ``U+0023 '#'`` (the quoted rune only when printable)."""
    o = ord(ch)
    if 0xD800 <= o <= 0xDFFF:  # Go decodes a bad byte as utf8.RuneError
        o, ch = 0xFFFD, "\ufffd"
    return f"U+{o:04X} '{ch}'" if is_print(ch) else f"U+{o:04X}"


def _unquote_char(s: str, i: int, quote_char: str, out: bytearray) -> int:
    """Decode one (possibly escaped) character of ``s`` at ``i`` into ``out``; return the next index."""
    c = s[i]
    if c == quote_char and quote_char in "'\"":
        raise NumError(s)
    if c != "\\":
        out += c.encode("utf-8", "surrogateescape")
        return i + 1
    if i + 1 >= len(s):
        raise NumError(s)
    c = s[i + 1]
    i += 2
    if c in _SIMPLE_ESCAPES:
        out.append(_SIMPLE_ESCAPES[c])
        return i
    if c in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i:i + size]
        if len(digits) < size or any(d not in _HEX for d in digits):
            raise NumError(s)
        value = int(digits, 16)
        if c == "x":
            if quote_char == "'":  # a rune constant holds the value, not a byte
                out += chr(value).encode("utf-8")
            else:
                out.append(value)
            return i + size
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise NumError(s)
        out += chr(value).encode("utf-8")
        return i + size
    if c in "01234567":
        digits = s[i - 1:i + 2]
        if len(digits) < 3 or any(d not in "01234567" for d in digits):
            raise NumError(s)
        value = int(digits, 8)
        if value > 255:
            raise NumError(s)
        if quote_char == "'":
            out += chr(value).encode("utf-8")
        else:
            out.append(value)
        return i + 2
    if c in "'\"" and c == quote_char:
        out.append(ord(c))
        return i
    raise NumError(s)


def unquote(literal: str) -> str:
    """``strconv.Unquote`` of a ``"..."`` or ``\\`...\\``` literal (quotes included)."""
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "\"`":
        raise NumError(literal)
    body = literal[1:-1]
    if literal[0] == "`":
        if "`" in body:
            raise NumError(literal)
        return body.replace("\r", "")  # Go drops carriage returns from raw strings
    if "\n" in body:
        raise NumError(literal)
    if "\\" not in body and '"' not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        i = _unquote_char(body, i, '"', out)
    return out.decode("utf-8", "surrogateescape")


def unquote_rune(literal: str) -> int:
    """The value of a rune constant like ``'a'``, ``'\\n'`` or ``'\\u00e9'``.

    Raises:
        NumError: for Go's ``strconv.UnquoteChar`` failures (``invalid syntax``).
        ValueError: ``malformed character constant: 'ab'`` when more than one character is quoted.
    """
    body = literal[1:]
    if not body:
        raise NumError(literal)
    out = bytearray()
    end = _unquote_char(body, 0, "'", out)
    if body[end:] != "'":
        raise ValueError(f"malformed character constant: {literal}")
    return ord(out.decode("utf-8", "surrogateescape"))


def underscore_ok(s: str) -> bool:
    """Go's rule for ``_`` in number literals: only between digits (or after a base prefix)."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i, saw, hexa = 2, "0", s[1] in "xX"
    for ch in s[i:]:
        if "0" <= ch <= "9" or (hexa and ch in "abcdefABCDEF"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_uint(s: str) -> int:
    """``strconv.ParseUint(s, 0, 64)``: base prefixes 0b/0o/0x, a bare leading 0 means octal."""
    if not s:
        raise NumError(s)
    base, digits = 10, s
    if s[0] == "0":
        if len(s) >= 3 and s[1] in "bBoOxX":
            base, digits = {"b": 2, "o": 8, "x": 16}[s[1].lower()], s[2:]
        else:
            base, digits = 8, s[1:]
    value = 0
    underscores = False
    for ch in digits:
        if ch == "_":
            underscores = True
            continue
        d = int(ch, 16) if ch in _HEX else 99
        if d >= base:
            raise NumError(s)
        value = value * base + d
    if underscores and not underscore_ok(s):
        raise NumError(s)
    if value >= 1 << 64:
        raise NumError(s, out_of_range=True)
    return value


def parse_int(s: str) -> int:
    """``strconv.ParseInt(s, 0, 64)``: an optional sign, then :func:`parse_uint`'s syntax."""
    if not s:
        raise NumError(s)
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    value = parse_uint(body)
    if (not neg and value >= 1 << 63) or (neg and value > 1 << 63):
        raise NumError(s, out_of_range=True)
    return -value if neg else value


def _float_syntax_ok(s: str) -> bool:
    i = 1 if s[:1] in ("+", "-") else 0
    hexa = s[i:i + 2] in ("0x", "0X") and len(s) > i + 2
    if hexa:
        i += 2
    digits = _HEX if hexa else "0123456789"
    saw_dot = saw_digits = False
    while i < len(s):
        ch = s[i]
        if ch == "_" or ch in digits:
            saw_digits = saw_digits or ch != "_"
        elif ch == "." and not saw_dot:
            saw_dot = True
        else:
            break
        i += 1
    if not saw_digits:
        return False
    exp_chars = "pP" if hexa else "eE"
    if i < len(s) and s[i] in exp_chars:
        i += 1
        if i < len(s) and s[i] in "+-":
            i += 1
        if i >= len(s) or not "0" <= s[i] <= "9":
            return False
        while i < len(s) and ("0" <= s[i] <= "9" or s[i] == "_"):
            i += 1
    elif hexa:
        return False  # a hex float must have a p exponent
    return i == len(s) and ("_" not in s or underscore_ok(s))


def parse_float(s: str) -> float:
    """``strconv.ParseFloat(s, 64)`` for the forms a template can spell (no inf/nan words)."""
    if not _float_syntax_ok(s):
        raise NumError(s)
    clean = s.replace("_", "")
    try:
        value = float.fromhex(clean) if "x" in clean or "X" in clean else float(clean)
    except OverflowError:
        raise NumError(s, out_of_range=True) from None
    if value in (float("inf"), float("-inf")):
        raise NumError(s, out_of_range=True)
    return value
