"""text/template's built-in functions (``funcs.go``) with Go's semantics and error texts.

``and``/``or`` short-circuit inside the executor; the rest are plain functions here. Each raises
:class:`~helmpy.errors.TemplateFuncError` with Go's message, which the executor reports as
``error calling NAME: MESSAGE``. Parameters typed ``reflect.Value`` receive the raw value, so
Go's difference between a nil inside an interface (``None``) and the invalid value
(:data:`NO_VALUE`) survives (``len of nil pointer`` versus ``call of reflect.Value.Type on zero Value``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

from helmpy.engine.gotemplate.fmt import format_value, sprint, sprintf, sprintln
from helmpy.engine.gotemplate.values import NO_VALUE, GoObject, type_name
from helmpy.errors import TemplateFuncError

RV = "reflect.Value"
ANY = "interface {}"


@dataclass(frozen=True, slots=True)
class FuncSpec:
    """A template function and its Go signature: fixed parameter types, then an optional variadic type.

    ``takes_state`` functions (Helm's ``include`` and ``tpl``) get the executing state as their first
    argument, so a template they run shares the caller's templates, budget and nesting depth.
    """

    fn: Callable[..., object]
    params: tuple[str, ...]
    variadic: str | None = None
    builtin: bool = False
    takes_state: bool = False


def truth(value: object) -> bool:
    """Go's ``isTrue``: false, 0, nil and empty strings, maps and slices are false."""
    if value is None or value is NO_VALUE:
        return False
    if isinstance(value, (bool, int, float, complex)):
        return value != 0
    if isinstance(value, (str, list, tuple, dict, bytes, bytearray)):
        return len(value) > 0
    return bool(value)


def _is_nil(v: object) -> bool:
    return v is None or v is NO_VALUE


_BOOL, _INT, _FLOAT, _COMPLEX, _STRING, _INVALID = range(6)


def _kind(v: object) -> int:
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, complex):
        return _COMPLEX
    if isinstance(v, str):
        return _STRING
    return _INVALID


def _incompatible(a: object, b: object) -> TemplateFuncError:
    return TemplateFuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")


def eq(arg1: object, *arg2: object) -> bool:
    """``eq a b c...``: a == b || a == c || ...; basic kinds only, ints and floats never mix."""
    if not arg2:
        raise TemplateFuncError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in arg2:
        k2 = _kind(arg)
        if k1 != k2:
            if not _is_nil(arg1) and not _is_nil(arg):
                raise _incompatible(arg1, arg)
            continue
        if k1 != _INVALID:
            if arg1 == arg:
                return True
            continue
        kinds_match = type(arg1) is type(arg) or _is_nil(arg1) or _is_nil(arg) or (
            isinstance(arg1, (list, tuple)) and isinstance(arg, (list, tuple)))
        if not kinds_match:
            raise TemplateFuncError(f"non-comparable types {sprintf('%s', arg1)}: {type_name(arg1)}, "
                                    f"{type_name(arg)}: {sprintf('%v', arg)}")
        if _is_nil(arg1) or _is_nil(arg):
            if _is_nil(arg1) == _is_nil(arg):
                return True
            continue
        if isinstance(arg, (dict, list, tuple)):
            raise TemplateFuncError(f"non-comparable type {sprintf('%s', arg)}: {type_name(arg)}")
        if arg1 == arg:
            return True
    return False


def ne(arg1: object, arg2: object) -> bool:
    return not eq(arg1, arg2)


def lt(arg1: object, arg2: object) -> bool:
    k1 = _kind(arg1)
    if k1 == _INVALID:
        raise TemplateFuncError("invalid type for comparison")
    k2 = _kind(arg2)
    if k2 == _INVALID:
        raise TemplateFuncError("invalid type for comparison")
    if k1 != k2:
        raise _incompatible(arg1, arg2)
    if k1 in (_BOOL, _COMPLEX):
        raise TemplateFuncError("invalid type for comparison")
    if k1 == _STRING:
        return str(arg1).encode("utf-8", "surrogateescape") < str(arg2).encode("utf-8", "surrogateescape")
    return bool(arg1 < arg2)  # type: ignore[operator]


def le(arg1: object, arg2: object) -> bool:
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: object, arg2: object) -> bool:
    return not le(arg1, arg2)


def ge(arg1: object, arg2: object) -> bool:
    return not lt(arg1, arg2)


def not_(arg: object) -> bool:
    return not truth(arg)


def length(item: object) -> int:
    if item is None:
        raise TemplateFuncError("len of nil pointer")
    if item is NO_VALUE:
        raise TemplateFuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogateescape"))
    if isinstance(item, (list, tuple, dict, bytes, bytearray)):
        return len(item)
    if isinstance(item, GoObject) and hasattr(item, "__len__"):
        return len(item)  # type: ignore[arg-type]
    raise TemplateFuncError(f"len of type {type_name(item)}")


def _index_arg(index: object, cap: int) -> int:
    if isinstance(index, int) and not isinstance(index, bool):
        x = index
    elif _is_nil(index):
        raise TemplateFuncError("cannot index slice/array with nil")
    else:
        raise TemplateFuncError(f"cannot index slice/array with type {type_name(index)}")
    if x < 0 or x > cap:
        raise TemplateFuncError(f"index out of range: {x}")
    return x


def index(item: object, *indexes: object) -> object:
    """``index x 1 2``: x[1][2] on maps, slices and strings (a string's element is a byte)."""
    if _is_nil(item):
        raise TemplateFuncError("index of untyped nil")
    for idx in indexes:
        if item is None:
            raise TemplateFuncError("index of nil pointer")
        if isinstance(item, (list, tuple, str, bytes, bytearray)):
            data = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
            x = _index_arg(idx, len(data))
            if x == len(data):
                what = "string" if isinstance(item, str) else "slice"
                raise TemplateFuncError(f"reflect: {what} index out of range")
            item = data[x]
        elif isinstance(item, dict):
            if _is_nil(idx):
                raise TemplateFuncError("value is nil; should be of type string")
            if not isinstance(idx, str):
                raise TemplateFuncError(f"value has type {type_name(idx)}; should be string")
            item = item.get(idx)
        else:
            raise TemplateFuncError(f"can't index item of type {type_name(item)}")
    return item


def slice_(item: object, *indexes: object) -> object:
    """``slice x 1 2``: x[1:2]; three indexes only for slices."""
    if _is_nil(item):
        raise TemplateFuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise TemplateFuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise TemplateFuncError("cannot 3-index slice a string")
        data: object = item.encode("utf-8", "surrogateescape")
    elif isinstance(item, (list, tuple, bytes, bytearray)):
        data = item
    else:
        raise TemplateFuncError(f"can't slice item of type {type_name(item)}")
    size = len(data)  # type: ignore[arg-type]
    idx = [0, size, size]
    for i, x in enumerate(indexes):
        idx[i] = _index_arg(x, size)
    if idx[0] > idx[1]:
        raise TemplateFuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise TemplateFuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = data[idx[0]:idx[1]]  # type: ignore[index]
    if isinstance(item, str):
        return bytes(out).decode("utf-8", "surrogateescape")
    return list(out) if isinstance(out, tuple) else out


def _eval_args(args: tuple[object, ...]) -> str:
    """``fmt.Sprint`` of the arguments, nil printed as ``<no value>`` (text/template's evalArgs)."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*("<no value>" if _is_nil(a) else a for a in args))


_HTML = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def html_escaper(*args: object) -> str:
    return "".join(_HTML.get(c, c) for c in _eval_args(args))


def js_escaper(*args: object) -> str:
    out = []
    for c in _eval_args(args):
        o = ord(c)
        if c in _JS:
            out.append(_JS[c])
        elif o < 0x20:
            out.append(f"\\u00{o:02X}")
        elif o < 0x80 or (c.isprintable() and not 0xD800 <= o <= 0xDFFF):
            out.append(c)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\uFFFD")
        else:
            out.append(f"\\u{o:04X}")
    return "".join(out)


def urlquery_escaper(*args: object) -> str:
    return quote_plus(_eval_args(args).encode("utf-8", "surrogateescape"), safe="-_.~")


def _and_or(*args: object) -> object:  # evaluated by the executor (short-circuit)
    raise AssertionError("and/or are evaluated by the executor")


def call(name: str, fn: object, *args: object) -> object:
    """``call .F a b``: call a function value with the arguments."""
    if _is_nil(fn):
        raise TemplateFuncError("call of nil")
    if not callable(fn) or isinstance(fn, GoObject):
        raise TemplateFuncError(f"non-function {name} of type {type_name(fn)}")
    return fn(*args)


BUILTINS: dict[str, FuncSpec] = {
    "and": FuncSpec(_and_or, (RV,), RV, True),
    "or": FuncSpec(_and_or, (RV,), RV, True),
    "not": FuncSpec(not_, (RV,), None, True),
    "len": FuncSpec(length, (RV,), None, True),
    "index": FuncSpec(index, (RV,), RV, True),
    "slice": FuncSpec(slice_, (RV,), RV, True),
    "print": FuncSpec(sprint, (), ANY, True),
    "printf": FuncSpec(sprintf, ("string",), ANY, True),
    "println": FuncSpec(sprintln, (), ANY, True),
    "eq": FuncSpec(eq, (RV,), RV, True),
    "ne": FuncSpec(ne, (RV, RV), None, True),
    "lt": FuncSpec(lt, (RV, RV), None, True),
    "le": FuncSpec(le, (RV, RV), None, True),
    "gt": FuncSpec(gt, (RV, RV), None, True),
    "ge": FuncSpec(ge, (RV, RV), None, True),
    "html": FuncSpec(html_escaper, (), ANY, True),
    "js": FuncSpec(js_escaper, (), ANY, True),
    "urlquery": FuncSpec(urlquery_escaper, (), ANY, True),
    "call": FuncSpec(call, (RV,), RV, True),
}
"""The functions every template has, by name (a caller's function map may replace them, as in Go)."""

__all__ = ["BUILTINS", "FuncSpec", "format_value", "truth"]
