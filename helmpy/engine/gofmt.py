"""Go-style formatting of values (``%v``, ``%q``, ``printf``, time layouts) for Helm-compatible output.

Charts written for Helm expect ``true`` not ``True``, ``[a b]`` for a list and ``"2006-01-02"`` style
date layouts; these helpers give Python values Go's spelling.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jinja2.runtime import Undefined

from helmpy.engine.budget import reserve, ticking


def go_float(value: float) -> str:
    """``%v`` of a float64: integers without ``.0``, exponents as Go writes them."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mant, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").rjust(2, "0")
        text = f"{mant}e{sign}{digits}"
    return text


def go_str(value: Any, _memo: dict[int, str] | None = None) -> str:
    """``fmt.Sprint`` of a value (Sprig's ``toString``); missing values and None become ""."""
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (dict, list, tuple)):
        # A list or map held more than once in the value (``[l, l]``) is printed once and reused.
        memo = _memo if _memo is not None else {}
        done = memo.get(id(value))
        if done is None:
            if isinstance(value, dict):
                items = sorted(value.items(), key=lambda kv: str(kv[0]))
                done = _bounded_join("map[", [f"{go_str(k, memo)}:{_go_inner(v, memo)}" for k, v in ticking(items)],
                                     "]")
            else:
                done = _bounded_join("[", [_go_inner(v, memo) for v in ticking(value)], "]")
            memo[id(value)] = done
        return done
    return str(value)


def _bounded_join(left: str, parts: list[str], right: str) -> str:
    """``left + " ".join(parts) + right``, refused before it is built when larger than the output limit
    (a list of a million references to one long string prints as a million copies of it)."""
    reserve(sum(map(len, parts)) + len(parts) + 2, "printing a list or map")
    return left + " ".join(parts) + right


def _go_inner(value: Any, memo: dict[int, str]) -> str:
    return "<nil>" if value is None else go_str(value, memo)


def go_quote(text: str) -> str:
    """``strconv.Quote``: double quotes, Go escapes, printable unicode kept (the Go engine's own)."""
    reserve(len(text) + 2, "quote")
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # nothing to escape (the common case, ~10x faster than the loop)
    from helmpy.engine.gotemplate.strconv import quote  # lazy: the Go engine imports this package

    return quote(text)


# --- printf ---------------------------------------------------------------------------------------
_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def go_sprintf(fmt: str, *args: Any) -> str:
    """The common subset of Go's ``fmt.Sprintf`` (%v %s %d %q %f %e %g %t %x %X %o %b %c %T %%)."""
    out: list[str] = []
    pos = 0
    argi = 0
    size = len(fmt)
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        reserve(size + int(width or 0) + int(prec or 0), "printf")
        text = _pad(_verb(verb, arg, prec), flags, width)
        size += len(text)
        out.append(text)
    out.append(fmt[pos:])
    if argi < len(args):
        extra = ", ".join(f"{type(a).__name__}={go_str(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: str | None) -> str:
    if not width:
        return text
    w = int(width)
    if "-" in flags:
        return text.ljust(w)
    if "0" in flags and text.lstrip("-").replace(".", "").isdigit():
        sign = "-" if text.startswith("-") else ""
        return sign + text.lstrip("-").rjust(w - len(sign), "0")
    return text.rjust(w)


def _verb(verb: str, arg: Any, prec: str | None) -> str:
    if isinstance(arg, Undefined):
        arg = None
    if verb in "vs":
        text = "<nil>" if arg is None else go_str(arg)
        return text[: int(prec)] if prec and verb == "s" else text
    if verb == "q":
        return go_quote(go_str(arg))
    if verb == "t":
        return go_str(arg) if isinstance(arg, bool) else f"%!t({go_str(arg)})"
    if verb == "T":
        return {str: "string", bool: "bool", int: "int", float: "float64", dict: "map[string]interface {}",
                list: "[]interface {}", type(None): "<nil>"}.get(type(arg), type(arg).__name__)
    if verb in "dxXobc":
        if isinstance(arg, bool) or not isinstance(arg, (int, float, str)):
            return f"%!{verb}({go_str(arg)})"
        if isinstance(arg, str):
            if verb in "xX":
                h = arg.encode().hex()
                return h.upper() if verb == "X" else h
            return f"%!{verb}(string={arg})"
        if isinstance(arg, float) and verb != "x":
            return f"%!{verb}(float64={go_float(arg)})"
        n = int(arg)
        return {"d": str(n), "x": format(n, "x"), "X": format(n, "X"), "o": format(n, "o"),
                "b": format(n, "b"), "c": chr(n)}[verb]
    if verb in "feEgG":
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            return f"%!{verb}({go_str(arg)})"
        if verb in "gG" and prec is None:
            return go_float(float(arg))
        return format(float(arg), f".{prec if prec is not None else 6}{verb}")
    return f"%!{verb}({go_str(arg)})"


def go_time_format(dt: datetime | date, layout: str) -> str:
    """Format ``dt`` with a Go reference-time layout such as ``2006-01-02T15:04:05Z07:00`` (Go's ``Format``)."""
    from helmpy.engine.gotime import format_time

    return format_time(dt if isinstance(dt, datetime) else datetime(dt.year, dt.month, dt.day), layout)
