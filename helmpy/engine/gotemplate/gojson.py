"""Go's ``encoding/json`` output for plain values, as Helm's ``toJson`` and Sprig's JSON functions print it.

Go's encoder sorts map keys, writes no spaces, escapes ``<``, ``>`` and ``&`` (HTML safety) and U+2028/U+2029
(JavaScript safety), writes each byte that is not UTF-8 as ``\\ufffd``, and spells floats its own way
(``1e+21``, ``1e-7``, ``100000000000000000000``). NaN and infinities are an error, as in Go.

Values are what a template holds: ``dict`` (string keys), ``list``/``tuple``, ``str``, ``int``, ``float``,
``bool`` and ``None``. A Python ``int`` outside int64/uint64 cannot be a Go integer; it is written as the
float64 Go would hold for it.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from helmpy.engine.gotemplate.ftoa import format_float
from helmpy.engine.gotemplate.values import type_name
from helmpy.errors import RenderError

logger = logging.getLogger(__name__)

INT64_MIN = -(1 << 63)
UINT64_END = 1 << 64

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
            "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\u2028\u2029\ud800-\udfff]')
_NEEDS_ESCAPE_HTML = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    known = _ESCAPES.get(ch) or _HTML_ESCAPES.get(ch)
    if known:
        return known
    if "\ud800" <= ch <= "\udfff":  # a byte that is not UTF-8 (surrogateescape)
        return "\\ufffd"
    return f"\\u{ord(ch):04x}"


def quote(text: str, *, escape_html: bool = True) -> str:
    """A JSON string literal exactly as Go's encoder writes it."""
    pattern = _NEEDS_ESCAPE_HTML if escape_html else _NEEDS_ESCAPE
    return '"' + pattern.sub(_escape, text) + '"'


def float_text(value: float) -> str:
    """How Go's encoder spells a float64: positional from 1e-6 to 1e21, else an exponent without a zero pad."""
    if math.isnan(value) or math.isinf(value):
        raise RenderError(f"json: unsupported value: {format_float(value)}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float(value, "e")
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float(value, "f")


def number_text(value: int | float) -> str:
    """A Go number's JSON text; an int beyond 64 bits becomes the float64 Go would hold."""
    if isinstance(value, int):
        if INT64_MIN <= value < UINT64_END:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            raise RenderError("json: unsupported value: +Inf" if value > 0 else
                              "json: unsupported value: -Inf") from None
    return float_text(value)


_MAX_NESTING = 1000  # encoding/json's startDetectingCyclesAfter: deeper maps and slices are refused


def to_json(value: Any, *, indent: str = "", escape_html: bool = True) -> str:
    """``json.Marshal`` (or ``json.MarshalIndent(v, "", indent)``) of a template value; RenderError if Go would fail.

    Beside plain values: ``time.Time`` (an aware datetime) is its RFC 3339 string, ``[]byte`` base64, and a
    value with ``go_json()`` (a nil map or slice, ``*semver.Version``, Sprig's certificate) writes itself.
    """
    out: list[str] = []
    _encode(value, out, indent, "\n" if indent else "", escape_html, 0)
    return "".join(out)


def _scalar(value: Any, escape_html: bool) -> str | None:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quote(value, escape_html=escape_html)
    go_json = getattr(value, "go_json", None)
    if callable(go_json):
        return str(go_json())
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, datetime):
        from helmpy.engine.gotime import format_time

        return quote(format_time(value, "2006-01-02T15:04:05.999999999Z07:00"), escape_html=escape_html)
    if isinstance(value, (bytes, bytearray)):
        return '"' + base64.b64encode(bytes(value)).decode() + '"'
    return None


def _encode(value: Any, out: list[str], indent: str, newline: str, escape_html: bool, depth: int) -> None:
    text = _scalar(value, escape_html)
    if text is not None:
        out.append(text)
        return
    if depth >= _MAX_NESTING and isinstance(value, (Mapping, list, tuple)):
        raise RenderError(f"json: unsupported value: encountered a cycle via {type_name(value)}")
    if isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        inner = newline + indent if indent else ""
        out.append("{")
        for n, key in enumerate(sorted(value, key=_key_order)):
            if not isinstance(key, str):
                raise RenderError(f"json: unsupported type: map with {type(key).__name__} keys")
            if n:
                out.append(",")
            out.append(inner)
            out.append(quote(key, escape_html=escape_html))
            out.append(": " if indent else ":")
            _encode(value[key], out, indent, inner, escape_html, depth + 1)
        out.append(newline + "}" if indent else "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + indent if indent else ""
        out.append("[")
        for n, item in enumerate(value):
            if n:
                out.append(",")
            out.append(inner)
            _encode(item, out, indent, inner, escape_html, depth + 1)
        out.append(newline + "]" if indent else "]")
    else:
        raise RenderError(f"json: unsupported type: {type_name(value)}")


def _key_order(key: Any) -> bytes:
    """Go sorts map keys by their bytes (UTF-8, raw bytes kept)."""
    if not isinstance(key, str):
        return b""
    try:
        return key.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return key.encode("utf-8", "surrogatepass")
