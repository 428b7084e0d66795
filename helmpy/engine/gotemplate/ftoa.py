"""Go's ``strconv.FormatFloat(f, fmt, prec, 64)``: the one float formatter of the Go engine (``%v``/``printf``,
``toJson``, ``toYaml``, Sprig's ``toString``). With ``prec`` -1, the shortest digits that read back as ``f``.

Python's ``repr`` finds the same shortest digits as Go; only the layout differs (Go's ``%g`` writes ``1e+06``
where Python writes ``1000000.0``, and ``1.5e+20`` where Python writes ``1.5e+20`` but ``123456.7`` alike).
"""

from __future__ import annotations


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


def _rounded_digits(v: float, n: int) -> tuple[str, int]:
    """``abs(v)`` rounded to ``n`` significant digits (n >= 1), correctly rounded like Go."""
    text = f"{abs(v):.{n - 1}e}"
    mant, exp = text.split("e")
    ds = mant.replace(".", "")
    if ds.strip("0") == "":
        return "0" * n, 1
    return ds, int(exp) + 1


def _fmt_e(neg: bool, ds: str, dp: int, prec: int, e: str) -> str:
    first = ds[0] if ds else "0"
    rest = ds[1:]
    out = first
    if prec > 0:
        out += "." + (rest + "0" * prec)[:prec]
    exp = dp - 1 if ds and ds[0] != "0" else 0
    sign = "+" if exp >= 0 else "-"
    exp = abs(exp)
    return ("-" if neg else "") + out + e + sign + (f"{exp:02d}")


def _fmt_f(neg: bool, ds: str, dp: int, prec: int) -> str:
    if dp > 0:
        intpart = (ds[:dp] + "0" * max(0, dp - len(ds)))
    else:
        intpart = "0"
    out = intpart.lstrip("0") or "0"
    if prec > 0:
        frac = ""
        for i in range(prec):
            j = dp + i
            frac += ds[j] if 0 <= j < len(ds) else "0"
        out += "." + frac
    return ("-" if neg else "") + out


def format_float(v: float, verb: str = "g", prec: int = -1) -> str:
    """``strconv.FormatFloat(v, verb, prec, 64)`` for verbs e, E, f, F, g, G (prec -1 = shortest)."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    neg = v < 0 or (v == 0 and str(v).startswith("-"))
    shortest = prec < 0
    if verb in "fF":
        if shortest:
            ds, dp = shortest_digits(v)
            prec = max(len(ds) - dp, 0)
            return _fmt_f(neg, ds, dp, prec)
        return ("-" if neg else "") + f"{abs(v):.{prec}f}"
    if shortest:
        ds, dp = shortest_digits(v)
    else:
        n = prec + 1 if verb in "eE" else max(prec, 1)
        ds, dp = _rounded_digits(v, n)
    if verb in "eE":
        return _fmt_e(neg, ds, dp, len(ds) - 1 if shortest else prec, verb)
    # g / G
    if shortest:
        eprec = 6
        prec = len(ds)
    else:
        if prec == 0:
            prec = 1
        ds = ds.rstrip("0") or "0"
        eprec = prec
        if eprec > len(ds) and len(ds) >= dp:
            eprec = len(ds)
    exp = dp - 1 if ds != "0" else 0
    if exp < -4 or exp >= eprec:
        p = min(prec, len(ds))
        return _fmt_e(neg, ds, dp, p - 1, "e" if verb == "g" else "E")
    if prec > dp:
        prec = len(ds)
    return _fmt_f(neg, ds, dp if ds != "0" else 1, max(prec - dp, 0))
