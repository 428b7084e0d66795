"""Sprig's arithmetic: int64 math through cast (``add "2" 3`` is 5), float math through decimals.

``div``/``mod`` by zero panic in Helm (``runtime error: integer divide by zero``); so they do here.
Integer results are :class:`Int64` (Go's ``int64``), wrapping around like Go's on overflow.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation

from helmpy.engine.gotemplate.funcs._goval import Int64, IntSlice
from helmpy.engine.gotemplate.funcs._sig import ANY, INT, go
from helmpy.engine.gotemplate.funcs.conversion import cast_float64, cast_int64
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.limits import check_size


def wrap64(n: int) -> Int64:
    """Two's-complement int64 overflow."""
    n &= (1 << 64) - 1
    return Int64(n - (1 << 64) if n >= 1 << 63 else n)


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero", panic=True)
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


@go(variadic=ANY)
def add(*values: object) -> int:
    return wrap64(sum(cast_int64(v) for v in values))


@go(ANY)
def add1(v: object) -> int:
    return wrap64(cast_int64(v) + 1)


@go(ANY, ANY)
def sub(a: object, b: object) -> int:
    return wrap64(cast_int64(a) - cast_int64(b))


@go(ANY, ANY)
def div(a: object, b: object) -> int:
    return wrap64(_go_div(cast_int64(a), cast_int64(b)))


@go(ANY, ANY)
def mod(a: object, b: object) -> int:
    x, y = cast_int64(a), cast_int64(b)
    return wrap64(x - _go_div(x, y) * y)


@go(ANY, variadic=ANY)
def mul(a: object, *rest: object) -> int:
    val = cast_int64(a)
    for b in rest:
        val = wrap64(val * cast_int64(b))
    return wrap64(val)


@go(ANY, variadic=ANY)
def max_(a: object, *rest: object) -> int:
    return Int64(max([cast_int64(a), *(cast_int64(b) for b in rest)]))


@go(ANY, variadic=ANY)
def min_(a: object, *rest: object) -> int:
    return Int64(min([cast_int64(a), *(cast_int64(b) for b in rest)]))


def _go_fmax(a: float, b: float) -> float:
    if (math.isinf(a) and a > 0) or (math.isinf(b) and b > 0):
        return math.inf
    if a != a or b != b:
        return math.nan
    if a == 0 and b == 0:
        return b if math.copysign(1, a) < 0 else a
    return a if a > b else b


def _go_fmin(a: float, b: float) -> float:
    if (math.isinf(a) and a < 0) or (math.isinf(b) and b < 0):
        return -math.inf
    if a != a or b != b:
        return math.nan
    if a == 0 and b == 0:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


@go(ANY, variadic=ANY)
def maxf(a: object, *rest: object) -> float:
    out = cast_float64(a)
    for b in rest:
        out = _go_fmax(out, cast_float64(b))
    return out


@go(ANY, variadic=ANY)
def minf(a: object, *rest: object) -> float:
    out = cast_float64(a)
    for b in rest:
        out = _go_fmin(out, cast_float64(b))
    return out


@go(ANY)
def floor(a: object) -> float:
    f = cast_float64(a)
    return float(math.floor(f)) if math.isfinite(f) else f


@go(ANY)
def ceil(a: object) -> float:
    f = cast_float64(a)
    return float(math.ceil(f)) if math.isfinite(f) else f


@go(ANY, INT, variadic="float64")
def round_(a: object, places: int, *round_on: float) -> float:
    """``round X PLACES [HALF]``: Sprig's rounding (up when the dropped fraction is >= HALF, default .5)."""
    on = round_on[0] if round_on else 0.5
    val = cast_float64(a)
    pow10 = math.pow(10, float(places))
    digit = pow10 * val
    if not math.isfinite(digit):
        return digit / pow10 if math.isfinite(pow10) else math.nan
    frac = math.modf(digit)[0]
    r = math.ceil(digit) if frac >= on else math.floor(digit)
    return r / pow10


# --- float arithmetic through shopspring/decimal ---------------------------------------------------------
_CTX = Context(prec=200)


def _dec(v: object) -> Decimal:
    f = cast_float64(v)
    if not math.isfinite(f):
        raise FuncError(f"Cannot create a Decimal from {'NaN' if f != f else ('+Inf' if f > 0 else '-Inf')}",
                        panic=True)
    return Decimal(repr(f)) if f != 0 else Decimal(0)


def _dec_div(a: Decimal, b: Decimal) -> Decimal:
    """shopspring ``Div``: 16 decimal places, rounded half away from zero."""
    if b == 0:
        raise FuncError("decimal division by 0", panic=True)
    q = _CTX.divide(a, b)
    return q.quantize(Decimal("1e-16"), rounding=ROUND_HALF_UP, context=_CTX)


def _dec_op(a: object, rest: tuple[object, ...], op: str) -> float:
    acc = _dec(a)
    for x in rest:
        d = _dec(x)
        try:
            if op == "+":
                acc = _CTX.add(acc, d)
            elif op == "-":
                acc = _CTX.subtract(acc, d)
            elif op == "*":
                acc = _CTX.multiply(acc, d)
            else:
                acc = _dec_div(acc, d)
        except (DivisionByZero, InvalidOperation) as err:
            raise FuncError("decimal division by 0", panic=True) from err
    return float(acc)


add1f = go(ANY)(lambda a: _dec_op(a, (1,), "+"))
addf = go(variadic=ANY)(lambda *v: _dec_op(0.0, v, "+"))
subf = go(ANY, variadic=ANY)(lambda a, *v: _dec_op(a, v, "-"))
mulf = go(ANY, variadic=ANY)(lambda a, *v: _dec_op(a, v, "*"))
divf = go(ANY, variadic=ANY)(lambda a, *v: _dec_op(a, v, "/"))


# --- sequences -------------------------------------------------------------------------------------
def _until_step(start: int, stop: int, step: int) -> list[int]:
    if stop < start:
        if step >= 0:
            return IntSlice()
        check_size((start - stop) // -step)
        return IntSlice(range(start, stop, step))
    if step <= 0:
        return IntSlice()
    check_size((stop - start) // step)
    return IntSlice(range(start, stop, step))


@go(INT)
def until(count: int) -> list[int]:
    """``until N``: 0 .. N-1 (or 0 down to N+1 for N < 0)."""
    return _until_step(0, count, -1 if count < 0 else 1)


@go(INT, INT, INT)
def until_step(start: int, stop: int, step: int) -> list[int]:
    return _until_step(start, stop, step)


@go(variadic=INT)
def seq(*params: int) -> str:
    """``seq END`` / ``seq START END`` / ``seq START STEP END``: numbers like GNU seq, space separated."""
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        nums = _until_step(start, end + inc, inc)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        nums = _until_step(start, end + step, step)
    elif len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        nums = _until_step(start, end + inc, step)
    else:
        return ""
    return " ".join(map(str, nums))

