"""Go's ``fmt`` for template values: ``Sprint``, ``Sprintln``, ``Sprintf`` and ``%v`` printing.

This follows ``fmt/print.go`` and ``fmt/format.go``: verbs ``%v %+v %#v %T %t %d %b %o %O %x %X %c
%q %U %e %E %f %F %g %G %s %%``, flags ``+ - # space 0``, widths and precisions (also ``*`` and
explicit ``%[n]`` argument indexes), and Go's error forms (``%!d(string=x)``, ``%!s(MISSING)``,
``%!(EXTRA int=1)``, ``%!(NOVERB)``, ``%!(BADWIDTH)``, ``%!(BADPREC)``, ``%!(BADINDEX)``).
Containers are printed element by element with the same verb (``map[a:1 b:2]``, ``[1 2]``) and
maps in sorted key order. Floats use Go's shortest formatting, so ``%v`` of 1e6 is ``1e+06``.
"""

from __future__ import annotations

from datetime import datetime

from helmpy.engine.gotemplate.ftoa import format_float
from helmpy.engine.gotemplate.strconv import format_u, is_print, quote
from helmpy.engine.gotemplate.values import NO_VALUE, GoObject, type_name

_NIL = "<nil>"


# --- the printer ----------------------------------------------------------------------------------
class _Flags:
    __slots__ = ("minus", "plus", "plus_v", "prec", "sharp", "sharp_v", "space", "wid", "zero")

    def __init__(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None


class _Printer:
    def __init__(self) -> None:
        self.buf: list[str] = []
        self.f = _Flags()

    # padding ------------------------------------------------------------------------------------
    def pad(self, s: str) -> None:
        f = self.f
        if f.wid is None or f.wid <= len(s):
            self.buf.append(s)
            return
        fill = f.wid - len(s)
        if f.minus:
            self.buf.append(s + " " * fill)
        elif f.zero:
            self.buf.append("0" * fill + s)
        else:
            self.buf.append(" " * fill + s)

    # verbs ----------------------------------------------------------------------------------------
    def bad_verb(self, verb: str, arg: object) -> None:
        self.buf.append("%!" + verb + "(")
        if arg is None or arg is NO_VALUE:
            self.buf.append(_NIL)
        else:
            self.buf.append(type_name(arg) + "=")
            saved = self.f
            self.f = _Flags()
            self.print_arg(arg, "v")
            self.f = saved
        self.buf.append(")")

    def fmt_integer(self, v: int, verb: str) -> None:
        f = self.f
        base = {"d": 10, "v": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}[verb]
        neg = v < 0
        digits = format(abs(v), {2: "b", 8: "o", 10: "d", 16: "x"}[base])
        if verb == "X":
            digits = digits.upper()
        prec = f.prec
        if prec is not None:
            if prec == 0 and v == 0:
                digits = ""
            digits = digits.rjust(prec, "0")
        elif f.zero and f.wid is not None and not f.minus:
            width = f.wid
            if neg or f.plus or f.space:
                width -= 1
            if f.sharp and base in (2, 16):
                width -= 2
            if verb == "O":
                width -= 2
            digits = digits.rjust(width, "0")
        prefix = ""
        if f.sharp:
            if base == 2:
                prefix = "0b"
            elif base == 8 and not digits.startswith("0"):
                prefix = "0"
            elif base == 16:
                prefix = "0x" if verb == "x" else "0X"
        if verb == "O":
            prefix = "0o"
        sign = "-" if neg else "+" if f.plus else " " if f.space else ""
        zero = f.zero
        f.zero = False
        self.pad(sign + prefix + digits)
        f.zero = zero

    def fmt_int(self, v: int, verb: str) -> None:
        if verb in "vdboOxX":
            if verb == "v" and self.f.sharp_v:
                self.buf.append(str(v))
                return
            self.fmt_integer(v, verb)
        elif verb == "c":
            self.pad(_rune(v))
        elif verb == "q":
            self.pad(quote(_rune(v), "'"))
        elif verb == "U":
            ch = _rune(v)
            text = format_u(ch) if self.f.sharp else f"U+{v:04X}"
            self.pad(text)
        else:
            self.bad_verb(verb, v)

    def fmt_float(self, v: float, verb: str) -> None:
        f = self.f
        if verb == "v":
            text = format_float(v, "g", -1 if f.prec is None else f.prec)
        elif verb in "eEfFgG":
            prec = f.prec if f.prec is not None else (-1 if verb in "gG" else 6)
            text = format_float(v, verb, prec)
        elif verb in "xX":
            text = _hex_float(v, f.prec)
            if verb == "X":
                text = text.upper()
        else:
            self.bad_verb(verb, v)
            return
        if f.plus and not text.startswith(("-", "+")):
            text = "+" + text
        elif f.space and not text.startswith(("-", "+")):
            text = " " + text
        elif not f.plus and text.startswith("+") and text != "+Inf":
            text = text[1:]
        if text in ("+Inf", "-Inf", "NaN", " NaN", "+NaN"):  # Go writes +Inf's sign even without a flag
            zero = f.zero
            f.zero = False
            self.pad(text)
            f.zero = zero
            return
        if f.zero and f.wid is not None and not f.minus and f.wid > len(text):
            sign = text[0] if text[0] in "+- " else ""
            body = text[len(sign):]
            self.buf.append(sign + body.rjust(f.wid - len(sign), "0"))
            return
        self.pad(text)

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in "veEfFgG":
            self.bad_verb(verb, v)
            return
        saved_plus = self.f.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        self.f.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.f.plus = saved_plus

    def fmt_string(self, s: str, verb: str) -> None:
        f = self.f
        if verb == "v" and f.sharp_v:
            self.pad(quote(s))
            return
        if verb in "vs":
            self.pad(s if f.prec is None else s[:f.prec])
        elif verb == "q":
            text = s if f.prec is None else s[:f.prec]
            if f.sharp and "`" not in text and all(is_print(c) or c == "\t" for c in text):
                self.pad("`" + text + "`")
            elif f.plus:
                self.pad(quote(text).encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00"))
            else:
                self.pad(quote(text))
        elif verb in "xX":
            data = s.encode("utf-8", "surrogateescape")
            if f.prec is not None:
                data = data[:f.prec]
            self.pad(_hex_bytes(data, verb, f))
        else:
            self.bad_verb(verb, s)

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    # values ---------------------------------------------------------------------------------------
    def print_arg(self, arg: object, verb: str, depth: int = 0) -> None:
        if arg is None or arg is NO_VALUE:
            if depth > 0:
                self.buf.append(_NIL if not self.f.sharp_v else "interface {}(nil)")
            elif verb in "vT":
                self.pad(_NIL)
            else:
                self.bad_verb(verb, None)
            return
        if verb == "T":
            self.fmt_string(type_name(arg), "s")
            return
        if verb in "vsxXq" and not self.f.sharp_v:  # Go's handleMethods: a Stringer prints its String()
            text = _stringer(arg)
            if text is not None:
                self.fmt_string(text, verb)
                return
        if isinstance(arg, bool):
            self.fmt_bool(arg, verb)
        elif isinstance(arg, int):
            self.fmt_int(arg, verb)
        elif isinstance(arg, float):
            self.fmt_float(arg, verb)
        elif isinstance(arg, str):
            self.fmt_string(arg, verb)
        elif isinstance(arg, complex):
            self.fmt_complex(arg, verb)
        elif isinstance(arg, dict):
            self.print_map(arg, verb, depth)
        elif isinstance(arg, (bytes, bytearray)):
            if verb in "sqxX":
                self.fmt_string(bytes(arg).decode("utf-8", "surrogateescape"), verb)
            else:
                self.print_list(list(arg), verb, depth, "[]uint8")
        elif isinstance(arg, (list, tuple)):
            self.print_list(arg, verb, depth, type_name(arg))  # []interface {}, or a typed slice ([]string)
        elif isinstance(arg, GoObject):
            text = arg.go_fmt_string() if hasattr(arg, "go_fmt_string") else arg.go_string()
            self.fmt_string(text, "s" if verb in "vs" else verb)
        else:
            self.fmt_string(str(arg), "s" if verb in "vs" else verb)

    def print_list(self, items: list[object] | tuple[object, ...], verb: str, depth: int, typ: str) -> None:
        if self.f.sharp_v and _is_nil(items):
            self.buf.append(type_name(items) + "(nil)")
            return
        if self.f.sharp_v:
            self.buf.append(typ + "{")
            for i, item in enumerate(items):
                if i:
                    self.buf.append(", ")
                self.print_arg(item, verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, item in enumerate(items):
            if i:
                self.buf.append(" ")
            self.print_arg(item, verb, depth + 1)
        self.buf.append("]")

    def print_map(self, m: dict[object, object], verb: str, depth: int) -> None:
        if self.f.sharp_v and _is_nil(m):
            self.buf.append(type_name(m) + "(nil)")
            return
        keys = sort_keys(m)
        if self.f.sharp_v:
            self.buf.append(type_name(m) + "{")
            for i, k in enumerate(keys):
                if i:
                    self.buf.append(", ")
                self.print_arg(k, verb, depth + 1)
                self.buf.append(":")
                self.print_arg(m[k], verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("map[")
        for i, k in enumerate(keys):
            if i:
                self.buf.append(" ")
            self.print_arg(k, verb, depth + 1)
            self.buf.append(":")
            self.print_arg(m[k], verb, depth + 1)
        self.buf.append("]")

    # Printf ---------------------------------------------------------------------------------------
    def do_printf(self, fmt: str, args: tuple[object, ...]) -> None:
        end = len(fmt)
        argnum = 0
        after_index = False
        reordered = False
        i = 0
        while i < end:
            j = fmt.find("%", i)
            if j < 0:
                self.buf.append(fmt[i:])
                break
            if j > i:
                self.buf.append(fmt[i:j])
            i = j + 1
            f = self.f = _Flags()
            while i < end:  # flags
                c = fmt[i]
                if c == "#":
                    f.sharp = True
                elif c == "0":
                    f.zero = True
                elif c == "+":
                    f.plus = True
                elif c == "-":
                    f.minus = True
                elif c == " ":
                    f.space = True
                else:
                    break
                i += 1
            argnum, i, after_index, ok = _arg_number(argnum, fmt, i, len(args))
            reordered = reordered or after_index
            bad_index = not ok
            # width
            if i < end and fmt[i] == "*":
                i += 1
                wid, is_int, argnum = _int_from_arg(args, argnum)
                if not is_int:
                    self.buf.append("%!(BADWIDTH)")
                elif wid is not None and wid < 0:
                    f.minus = True
                    f.zero = False
                    wid = -wid
                f.wid = wid if is_int else None
                if f.wid is not None and f.wid > 1_000_000:
                    self.buf.append("%!(BADWIDTH)")
                    f.wid = None
                after_index = False
            else:
                num, i = _parse_num(fmt, i)
                if num is not None:
                    f.wid = num
                    if after_index:
                        bad_index = True
            # precision
            if i + 1 <= end and i < end and fmt[i] == ".":
                i += 1
                if after_index:
                    bad_index = True
                argnum, i, after_index, ok = _arg_number(argnum, fmt, i, len(args))
                bad_index = bad_index or not ok
                if i < end and fmt[i] == "*":
                    i += 1
                    prec, is_int, argnum = _int_from_arg(args, argnum)
                    if prec is not None and prec < 0:
                        prec, is_int = None, False
                    if not is_int:
                        self.buf.append("%!(BADPREC)")
                    f.prec = prec if is_int else None
                    after_index = False
                else:
                    num, i = _parse_num(fmt, i)
                    f.prec = num if num is not None else 0
            if not after_index:
                argnum, i, after_index, ok = _arg_number(argnum, fmt, i, len(args))
                bad_index = bad_index or not ok
            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                self.buf.append("%")
                continue
            if bad_index:
                self.buf.append("%!" + verb + "(BADINDEX)")
                continue
            if argnum >= len(args):
                self.buf.append("%!" + verb + "(MISSING)")
                continue
            if verb == "w":
                verb = "v"
            if verb == "v":
                if f.sharp:
                    f.sharp, f.sharp_v = False, True
                if f.plus:
                    f.plus, f.plus_v = False, True
            if f.minus:
                f.zero = False
            self.print_arg(args[argnum], verb)
            argnum += 1
        if not reordered and argnum < len(args):
            self.f = _Flags()
            self.buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[argnum:]):
                if k:
                    self.buf.append(", ")
                if arg is None or arg is NO_VALUE:
                    self.buf.append(_NIL)
                else:
                    self.buf.append(type_name(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")


def _rune(v: int) -> str:
    if 0 <= v <= 0x10FFFF and not 0xD800 <= v <= 0xDFFF:
        return chr(v)
    return "\ufffd"


def _hex_bytes(data: bytes, verb: str, f: _Flags) -> str:
    digits = "0123456789abcdef" if verb == "x" else "0123456789ABCDEF"
    prefix = ("0x" if verb == "x" else "0X") if f.sharp else ""
    parts = []
    for k, b in enumerate(data):
        if f.space and k:
            parts.append(" ")
        if f.space or k == 0:
            parts.append(prefix)
        parts.append(digits[b >> 4] + digits[b & 15])
    return "".join(parts)


def _hex_float(v: float, prec: int | None) -> str:
    """Go's ``%x`` of a float: ``0x1.8p+00``."""
    if v != v or v in (float("inf"), float("-inf")):
        return format_float(v, "g", -1)
    text = v.hex()  # -0x1.8000000000000p+0
    neg = text.startswith("-")
    mant, exp = text.lstrip("-")[2:].split("p")
    head, _, frac = mant.partition(".")
    frac = frac.rstrip("0")
    if v == 0:
        head, frac, exp = "0", "", "+0"
    if prec is not None:
        frac = (frac + "0" * prec)[:prec] if prec <= len(frac) else frac + "0" * (prec - len(frac))
    e = int(exp)
    out = "0x" + head + ("." + frac if frac else "") + "p" + ("+" if e >= 0 else "-") + f"{abs(e):02d}"
    return ("-" if neg else "") + out


def _parse_num(s: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(s) and s[i].isdigit() and s[i] in "0123456789":
        i += 1
        if i - start > 6:  # Go's tooLarge guard
            return None, i
    if i == start:
        return None, i
    return int(s[start:i]), i


def _arg_number(argnum: int, fmt: str, i: int, nargs: int) -> tuple[int, int, bool, bool]:
    """An explicit ``[n]`` index at ``fmt[i]``: (argnum, new i, found, ok)."""
    if i >= len(fmt) or fmt[i] != "[":
        return argnum, i, False, True
    close = fmt.find("]", i + 1)
    if close < 0:
        return argnum, i + 1, False, False
    text = fmt[i + 1:close]
    if not text.isdigit() or not text.isascii():
        return argnum, close + 1, False, False
    index = int(text) - 1
    if 0 <= index < nargs:
        return index, close + 1, True, True
    return argnum, close + 1, True, False


def _int_from_arg(args: tuple[object, ...], argnum: int) -> tuple[int | None, bool, int]:
    if argnum >= len(args):
        return None, False, argnum
    arg = args[argnum]
    if isinstance(arg, int) and not isinstance(arg, bool):
        return arg, True, argnum + 1
    return None, False, argnum + 1


# --- public ---------------------------------------------------------------------------------------
def sort_keys(m: dict[object, object]) -> list[object]:
    """Map keys in Go's ``fmtsort`` order (strings by bytes, numbers by value)."""
    keys = list(m)
    try:
        if all(isinstance(k, str) for k in keys):
            return sorted(keys, key=lambda k: str(k).encode("utf-8", "surrogateescape"))
        return sorted(keys)  # type: ignore[type-var]
    except TypeError:
        return sorted(keys, key=repr)


def sprintf(fmt: str, *args: object) -> str:
    """Go's ``fmt.Sprintf``."""
    p = _Printer()
    p.do_printf(fmt, args)
    return "".join(p.buf)


def sprint(*args: object) -> str:
    """Go's ``fmt.Sprint``: a space between operands when neither side is a string."""
    p = _Printer()
    prev_string = False
    for k, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if k > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.f = _Flags()
        p.print_arg(arg, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(*args: object) -> str:
    """Go's ``fmt.Sprintln``: operands always separated by spaces, then a newline."""
    p = _Printer()
    for k, arg in enumerate(args):
        if k > 0:
            p.buf.append(" ")
        p.f = _Flags()
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return "".join(p.buf)


_PLAIN = frozenset({int, bool, float, str, list, dict, tuple})


def _stringer(arg: object) -> str | None:
    """``String()`` of a Go value that has one among the plain-valued types (``time.Time``, ``time.Duration``)."""
    if isinstance(arg, datetime):
        from helmpy.engine.gotemplate.funcs._goval import time_string

        return time_string(arg)
    if type(arg) in _PLAIN:  # the common case, without the slow structural isinstance of GoObject
        return None
    if isinstance(arg, (int, list, dict)) and not isinstance(arg, GoObject):
        go_string = getattr(type(arg), "go_string", None)
        if go_string is not None:
            return str(go_string(arg))
    return None


def format_value(value: object) -> str:
    """``%v`` of one value (what ``{{ pipeline }}`` prints; Go's invalid value is ``<no value>``)."""
    if value is NO_VALUE:
        return "<no value>"
    if isinstance(value, str):
        return value
    return sprint(value)


def _is_nil(value: object) -> bool:
    """A nil map or slice (an empty one prints ``T{}`` with ``%#v``, a nil one ``T(nil)``)."""
    from helmpy.engine.gotemplate.funcs._goval import NilList, NilMap, NilStringSlice

    return isinstance(value, (NilMap, NilList, NilStringSlice))
