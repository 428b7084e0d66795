"""Sprig's casts (spf13/cast v1.7) and defaults: ``int``/``int64``/``float64``/``atoi``/``toDecimal``,
``toString``/``toStrings``, ``default``/``empty``/``coalesce``/``all``/``any``/``ternary``.

The casts never fail: what cast cannot convert becomes 0 (``int64 "abc"`` is 0, ``int "12.0"`` is 12,
``int "0x1F"`` is 31, ``int "010"`` is 8 — base-0 parsing — and ``int 3.9`` is 3).
"""

from __future__ import annotations

from datetime import datetime

from helmpy.engine.gotemplate.funcs._goval import Duration, Int64, StringSlice, sprint_v, strval
from helmpy.engine.gotemplate.funcs._sig import ANY, BOOL, STR, go
from helmpy.engine.gotemplate.strconv import NumError, parse_float, parse_int

_MIN_INT64 = -(1 << 63)
_MAX_INT64 = (1 << 63) - 1


def _float_to_int64(f: float) -> int:
    """Go's ``int64(f)`` on amd64: truncation; NaN and out-of-range give the minimum int64."""
    if f != f or not (-9.223372036854775808e18 <= f < 9.223372036854775808e18):
        return _MIN_INT64
    return int(f)


def _trim_zero_decimal(s: str) -> str:
    """cast's ``trimZeroDecimal``: ``"12.00"`` -> ``"12"`` (only zeros after the point)."""
    found_zero = False
    for i in range(len(s), 0, -1):
        c = s[i - 1]
        if c == ".":
            if found_zero:
                return s[:i - 1]
        elif c == "0":
            found_zero = True
        else:
            return s
    return s


def cast_int64(v: object) -> int:
    """``cast.ToInt64``."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _float_to_int64(v)
    if isinstance(v, str):
        try:
            return parse_int(_trim_zero_decimal(v))
        except NumError:
            return 0
    return 0


def cast_float64(v: object) -> float:
    """``cast.ToFloat64``."""
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        return float(v)
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return parse_go_float(v) or 0.0
    return 0.0


def parse_go_float(s: str) -> float | None:
    """``strconv.ParseFloat(s, 64)``, None on error (also for out-of-range values, as cast treats them)."""
    low = s.lower().lstrip("+-")
    if low in ("inf", "infinity", "nan"):
        if low == "nan":
            return float("nan")
        return float("-inf") if s.startswith("-") else float("inf")
    try:
        return parse_float(s)
    except NumError:
        return None


@go(ANY)
def to_int64(v: object) -> int:
    """``int64``."""
    return Int64(cast_int64(v))


@go(ANY)
def to_int(v: object) -> int:
    """``int``."""
    return cast_int64(v)


@go(ANY)
def to_float64(v: object) -> float:
    """``float64``."""
    return cast_float64(v)


@go(STR)
def atoi(s: str) -> int:
    """``strconv.Atoi`` with the error dropped: 0 for bad syntax, the clamped value when out of range."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit():
        return 0
    n = int(s)
    return max(_MIN_INT64, min(_MAX_INT64, n))


@go(ANY)
def to_decimal(v: object) -> int:
    """``toDecimal``: ``fmt.Sprint(v)`` read as an octal number (``"0777"`` is 511), 0 when it is not."""
    s = sprint_v(v)
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(c not in "01234567" for c in body):
        return Int64(0)
    n = int(s, 8)
    return Int64(n) if _MIN_INT64 <= n <= _MAX_INT64 else Int64(0)


@go(ANY)
def to_string(v: object) -> str:
    """``toString`` (Sprig's ``strval``)."""
    return strval(v)


def strslice(v: object) -> list[str]:
    """Sprig's ``strslice``: a list's non-nil items as strings, nil as ``[]``, a scalar as ``[scalar]``."""
    if isinstance(v, StringSlice):
        return v
    if isinstance(v, (list, tuple)):
        return StringSlice(strval(x) for x in v if x is not None)
    if v is None:
        return StringSlice()
    return StringSlice([strval(v)])


@go(ANY)
def to_strings(v: object) -> list[str]:
    """``toStrings``."""
    return strslice(v)


# --- defaults --------------------------------------------------------------------------------------
def empty(v: object) -> bool:
    """Sprig's ``empty``: Go's zero value test (nil, "", 0, 0.0, false, empty list/map); structs never."""
    if v is None:
        return True
    if isinstance(v, (str, list, tuple, dict, bytes)):
        return len(v) == 0
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float, complex, Duration)):
        return v == 0
    if isinstance(v, datetime):
        return False
    return False


@go(ANY, variadic=ANY)
def default(d: object, *given: object) -> object:
    """``default D X``: X unless it is empty (or missing), then D."""
    if not given or empty(given[0]):
        return d
    return given[0]


@go(ANY)
def is_empty(v: object) -> bool:
    """``empty``."""
    return empty(v)


@go(variadic=ANY)
def coalesce(*values: object) -> object:
    """The first non-empty argument, nil when none is."""
    for v in values:
        if not empty(v):
            return v
    return None


@go(variadic=ANY)
def all_of(*values: object) -> bool:
    """``all``: no argument is empty."""
    return not any(empty(v) for v in values)


@go(variadic=ANY)
def any_of(*values: object) -> bool:
    """``any``: some argument is not empty."""
    return any(not empty(v) for v in values)


@go(ANY, ANY, BOOL)
def ternary(vt: object, vf: object, cond: bool) -> object:
    """``ternary T F COND`` (``COND | ternary T F``)."""
    return vt if cond else vf
