"""Go's ``strconv.FormatFloat(f, fmt, -1, 64)``: the shortest digits that read back as ``f``, laid out as Go does.

Python's ``repr`` finds the same shortest digits as Go; only the layout differs (Go's ``%g`` writes ``1e+06``
where Python writes ``1000000.0``, and ``1.5e+20`` where Python writes ``1.5e+20`` but ``123456.7`` alike).
"""

from __future__ import annotations

import math


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest decimal digits of ``abs(value)`` and the decimal point's position: ``0.DIGITS x 10**dp``.

    Zero gives ``("0", 1)``.
    """
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exp = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return "0", 1
    dp = len(whole) + exp - (len(whole + frac) - len((whole + frac).lstrip("0")))
    return digits.rstrip("0") or "0", dp


def _exponent(exp: int) -> str:
    return ("e-" if exp < 0 else "e+") + str(abs(exp)).rjust(2, "0")


def format_float(value: float, fmt: str = "g") -> str:
    """``strconv.FormatFloat(value, fmt, -1, 64)`` for ``fmt`` in ``g``, ``e`` and ``f``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, dp = shortest_digits(value)
    if value == 0:
        digits, dp = "0", 1
    exp = dp - 1
    if fmt == "g":  # shortest %g switches to an exponent below 1e-4 and from 1e+06 ("1e+06", not "1000000")
        fmt = "e" if exp < -4 or exp >= 6 else "f"
    if fmt == "e":
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return sign + mantissa + _exponent(exp)
    if dp <= 0:
        return sign + "0." + "0" * -dp + digits
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return sign + digits[:dp] + "." + digits[dp:]

