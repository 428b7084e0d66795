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

from datetime import UTC, datetime, timedelta

from helmpy.engine.gotemplate.strconv import quote as go_quote
from helmpy.engine.gotemplate.values import type_name
from helmpy.values.numbers import Int64  # Sprig's int64 results and ``--set`` integers: one Go type, one class

__all__ = [
    "Duration",
    "Int64",
    "IntSlice",
    "ListSlice",
    "NilList",
    "NilMap",
    "NilStringSlice",
    "StringMap",
    "StringSlice",
    "Uint64",
    "from_bytes",
    "go_quote",
    "kind_of",
    "sprint_v",
    "strval",
    "to_bytes",
    "type_of",
]


class Uint64(int):
    """A ``uint64`` result (``(semver V).Major``)."""

    go_type = "uint64"


class ListSlice(list):  # type: ignore[type-arg]
    """A ``[][]interface {}`` result (``chunk``)."""

    go_type = "[][]interface {}"


class NilMap(dict):  # type: ignore[type-arg]
    """A nil ``map[string]interface {}`` (Helm's ``fromJson "null"``, ``nil`` passed for a map parameter):
    reads as empty, encodes as JSON ``null``, and writing to it panics as in Go."""

    go_type = "map[string]interface {}"

    def go_json(self) -> str:
        return "null"

    def __setitem__(self, key: object, value: object) -> None:
        from helmpy.engine.gotemplate.funcs.errors import FuncError

        raise FuncError("assignment to entry in nil map", panic=True)


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
    from helmpy.engine.gotime import format_time

    return format_time(t, "2006-01-02 15:04:05.999999999 -0700 MST")


# --- %v and %T: the executor's fmt and type names, so functions print and name values as templates do ---
def sprint_v(v: object) -> str:
    """``fmt.Sprintf("%v", v)`` for the engine's values."""
    from helmpy.engine.gotemplate.fmt import sprint

    return sprint(v)


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
    return type_name(v)


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


UTC = UTC
ZERO_DELTA = timedelta(0)
