"""Go's view of Python values for the function library: typed results, ``%v`` and ``%T``.

The engine's value model maps Go values onto plain Python ones (see the package docstring). A few
Sprig results have a Go type the plain value cannot show (``add`` returns an ``int64`` where a
literal is an ``int``; ``splitList`` a ``[]string``; ``split`` a ``map[string]string``); those are
thin subclasses here carrying ``go_type`` so ``typeOf``/``kindOf``/``deepEqual`` answer as Go does
while every other function treats them as the int/list/dict they are.

Go strings are bytes; a Python str stands for them with bytes that are not UTF-8 kept as lone
surrogates (``surrogateescape``), as the lexer does. :func:`to_bytes`/:func:`from_bytes` convert.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from helmpy.engine.gotemplate.strconv import quote as go_quote
from helmpy.values.numbers import Int64  # Sprig's int64 results and ``--set`` integers: one Go type, one class

__all__ = ["Duration", "Int64", "ListSlice", "NilMap", "Uint64", "IntSlice", "NilList", "NilStringSlice", "StringMap", "StringSlice", "format_float", "from_bytes",
           "go_quote", "kind_of", "sprint_v", "strval", "to_bytes", "type_of"]


class Uint64(int):
    """A ``uint64`` result (``(semver V).Major``)."""

    go_type = "uint64"


class ListSlice(list):  # type: ignore[type-arg]
    """A ``[][]interface {}`` result (``chunk``)."""

    go_type = "[][]interface {}"


class NilMap(dict):  # type: ignore[type-arg]
    """A nil ``map[string]interface {}`` (Helm's ``fromJson "null"``): encodes as JSON ``null``."""

    go_type = "map[string]interface {}"

    def go_json(self) -> str:
        return "null"


class Duration(int):
    """A ``time.Duration``: nanoseconds, printed as Go's ``Duration.String()``."""

    go_type = "time.Duration"

    def go_string(self) -> str:
        return duration_string(int(self))


class StringSlice(list):  # type: ignore[type-arg]
    """A ``[]string`` result (``splitList``, ``sortAlpha``, ``keys``, ``regexFindAll`` ...)."""

    go_type = "[]string"


class NilList(list):  # type: ignore[type-arg]
    """A nil ``[]interface {}`` (``rest`` of an empty list): prints ``[]``, encodes as JSON ``null``."""

    go_type = "[]interface {}"

    def go_json(self) -> str:
        return "null"


class NilStringSlice(StringSlice):
    """A nil ``[]string`` (``regexFindAll`` without matches)."""

    def go_json(self) -> str:
        return "null"


class IntSlice(list):  # type: ignore[type-arg]
    """A ``[]int`` result (``until``, ``untilStep``)."""

    go_type = "[]int"


class StringMap(dict):  # type: ignore[type-arg]
    """A ``map[string]string`` result (``split``, ``splitn``)."""

    go_type = "map[string]string"


def to_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def from_bytes(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


# --- floats ------------------------------------------------------------------------------------------
def _digits(v: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``abs(v)`` and the decimal point position (Go's ``decimal.dp``)."""
    sign, digits, exp = Decimal(repr(abs(v))).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    dp = len(digits) + int(exp)
    return ds, dp


def _exp_form(neg: bool, ds: str, dp: int, min_exp_digits: int) -> str:
    x = dp - 1 if ds != "0" else 0
    mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    sign = "-" if x < 0 else "+"
    return f"{'-' if neg else ''}{mant}e{sign}{abs(x):0{min_exp_digits}d}"


def _fixed_form(neg: bool, ds: str, dp: int) -> str:
    if ds == "0":
        body = "0"
    elif dp <= 0:
        body = "0." + "0" * -dp + ds
    elif dp >= len(ds):
        body = ds + "0" * (dp - len(ds))
    else:
        body = ds[:dp] + "." + ds[dp:]
    return ("-" if neg else "") + body


def format_float(v: float, json: bool = False) -> str:
    """``strconv.FormatFloat(v, 'g', -1, 64)`` (what ``%v`` prints), or encoding/json's float form."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    neg = v < 0 or (v == 0 and str(v).startswith("-"))
    ds, dp = _digits(v)
    if json:
        a = abs(v)
        if a != 0 and (a < 1e-6 or a >= 1e21):
            return _exp_form(neg, ds, dp, 1)
        return _fixed_form(neg, ds, dp)
    x = dp - 1
    if ds != "0" and (x < -4 or x >= 6):  # shortest %g: exponent form from 1e+06 on
        return _exp_form(neg, ds, dp, 2)
    return _fixed_form(neg, ds, dp)


# --- time ------------------------------------------------------------------------------------------
def duration_string(ns: int) -> str:
    """Go's ``time.Duration.String()``: ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < 1_000_000_000:
        if u < 1_000:
            out = f"{u}ns"
        elif u < 1_000_000:
            out = _frac(u, 3) + "µs"
        else:
            out = _frac(u, 6) + "ms"
    else:
        secs_part = _frac(u % 60_000_000_000, 9) + "s"
        mins = u // 60_000_000_000
        out = secs_part
        if mins:
            out = f"{mins % 60}m" + out
            hours = mins // 60
            if hours:
                out = f"{hours}h" + out
    return ("-" if neg else "") + out


def _frac(v: int, prec: int) -> str:
    whole, frac = divmod(v, 10 ** prec)
    digits = f"{frac:0{prec}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def time_string(t: datetime) -> str:
    """Go's ``time.Time.String()`` (``2006-01-02 15:04:05.999999999 -0700 MST``)."""
    from helmpy.engine.gotemplate.funcs.timefmt import format_time

    return format_time(t, "2006-01-02 15:04:05.999999999 -0700 MST")


# --- %v and %T ---------------------------------------------------------------------------------------
def sprint_v(v: object) -> str:
    """``fmt.Sprintf("%v", v)`` for the engine's values."""
    if v is None:
        return "<nil>"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Duration):
        return v.go_string()
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return format_float(v)
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: _key_order(kv[0]))
        return "map[" + " ".join(f"{sprint_v(k)}:{sprint_v(x)}" for k, x in items) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(sprint_v(x) for x in v) + "]"
    if isinstance(v, (bytes, bytearray)):
        return "[" + " ".join(str(b) for b in v) + "]"
    if isinstance(v, datetime):
        return time_string(v)
    go_string = getattr(v, "go_string", None)
    if callable(go_string):
        return str(go_string())
    return str(v)


def _key_order(k: object) -> tuple[int, object]:
    if isinstance(k, (int, float)) and not isinstance(k, bool):
        return (0, k)
    return (1, to_bytes(k) if isinstance(k, str) else str(k))


def strval(v: object) -> str:
    """Sprig's ``strval``: strings as they are, bytes decoded, Stringers by ``String()``, else ``%v``."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return from_bytes(bytes(v))
    if isinstance(v, Exception):
        return str(v)
    return sprint_v(v)


def type_of(v: object) -> str:
    """``fmt.Sprintf("%T", v)``."""
    if v is None:
        return "<nil>"
    go_type = getattr(v, "go_type", None)
    if isinstance(go_type, str):
        return go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(v, datetime):
        return "time.Time"
    return type(v).__name__


_KINDS = {"bool": "bool", "int": "int", "int64": "int64", "float64": "float64", "string": "string",
          "time.Time": "struct", "time.Duration": "int64", "<nil>": "invalid", "uint32": "uint32"}


def kind_of(v: object) -> str:
    """``reflect.ValueOf(v).Kind().String()``."""
    t = type_of(v)
    if t in _KINDS:
        return _KINDS[t]
    if t.startswith("map["):
        return "map"
    if t.startswith("[]"):
        return "slice"
    if t.startswith("*"):
        return "ptr"
    return "struct"


UTC = timezone.utc
ZERO_DELTA = timedelta(0)
