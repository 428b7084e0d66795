"""Sprig's list functions. Results are new lists (``append`` never mutates its argument).

Functions on a value that is not a list panic in Helm (``Cannot push on type map``); the ``must``
variants return the same text as an error. Both raise :class:`FuncError` here.
"""

from __future__ import annotations

from collections.abc import Callable

from helmpy.engine.gotemplate.funcs._goval import ListSlice, NilList, kind_of
from helmpy.engine.gotemplate.funcs._sig import ANY, INT, go
from helmpy.engine.gotemplate.funcs.conversion import cast_int64, empty
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.limits import check_size
from helmpy.engine.gotemplate.funcs.reflection import deep_equal

NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


def _items(v: object, what: str, panic: bool) -> list[object]:
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None:
        raise FuncError(NIL_DEREF, panic=True)
    raise FuncError(what.format(kind=kind_of(v)), panic=panic)


def _pair(fn: Callable[[object, bool], object]) -> tuple[Callable[..., object], Callable[..., object]]:
    """The panicking Sprig function and its ``must`` twin from one body."""
    return (lambda *a: fn(*a, True)), (lambda *a: fn(*a, False))  # type: ignore[call-arg]


@go(variadic=ANY)
def make_list(*values: object) -> list[object]:
    """``list``."""
    return list(values)


def _push(lst: object, v: object, panic: bool = True) -> list[object]:
    items = _items(lst, "Cannot push on type {kind}", panic)
    check_size(len(items) + 1)
    return items + [v]


def _prepend(lst: object, v: object, panic: bool = True) -> list[object]:
    return [v] + _items(lst, "Cannot prepend on type {kind}", panic)


def _first(lst: object, panic: bool = True) -> object:
    items = _items(lst, "Cannot find first on type {kind}", panic)
    return items[0] if items else None


def _last(lst: object, panic: bool = True) -> object:
    items = _items(lst, "Cannot find last on type {kind}", panic)
    return items[-1] if items else None


def _rest(lst: object, panic: bool = True) -> object:
    items = _items(lst, "Cannot find rest on type {kind}", panic)
    return items[1:] if items else NilList()


def _initial(lst: object, panic: bool = True) -> object:
    items = _items(lst, "Cannot find initial on type {kind}", panic)
    return items[:-1] if items else NilList()


def _reverse(lst: object, panic: bool = True) -> list[object]:
    return _items(lst, "Cannot find reverse on type {kind}", panic)[::-1]


def _compact(lst: object, panic: bool = True) -> list[object]:
    return [x for x in _items(lst, "Cannot compact on type {kind}", panic) if not empty(x)]


def _in(haystack: list[object], needle: object) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


def _uniq(lst: object, panic: bool = True) -> list[object]:
    out: list[object] = []
    for x in _items(lst, "Cannot find uniq on type {kind}", panic):
        if not _in(out, x):
            out.append(x)
    return out


def _without(lst: object, *omit: object, panic: bool = True) -> list[object]:
    drop = list(omit)
    return [x for x in _items(lst, "Cannot find without on type {kind}", panic) if not _in(drop, x)]


def _has(needle: object, haystack: object, panic: bool = True) -> bool:
    if haystack is None:
        return False
    return _in(_items(haystack, "Cannot find has on type {kind}", panic), needle)


def _chunk(size: int, lst: object, panic: bool = True) -> list[list[object]]:
    items = _items(lst, "Cannot chunk type {kind}", panic)
    if not items:
        return ListSlice()
    if size <= 0:
        raise FuncError("runtime error: makeslice: len out of range", panic=True)
    return ListSlice(items[i:i + size] for i in range(0, len(items), size))


def _slice(lst: object, *indices: object, panic: bool = True) -> object:
    items = _items(lst, "list should be type of slice or array but {kind}", panic)
    if not items:
        return None
    start = cast_int64(indices[0]) if indices else 0
    end = cast_int64(indices[1]) if len(indices) > 1 else len(items)
    if not (0 <= start <= end <= len(items)):
        raise FuncError("reflect.Value.Slice: slice index out of bounds", panic=True)
    out = lst[start:end]  # type: ignore[index]
    return type(lst)(out) if type(lst) not in (list, tuple) else list(out)  # type: ignore[call-arg]


push, must_push = go(ANY, ANY)(lambda lst, v: _push(lst, v)), go(ANY, ANY)(lambda lst, v: _push(lst, v, False))
prepend, must_prepend = (go(ANY, ANY)(lambda lst, v: _prepend(lst, v)),
                         go(ANY, ANY)(lambda lst, v: _prepend(lst, v, False)))
first, must_first = go(ANY)(lambda lst: _first(lst)), go(ANY)(lambda lst: _first(lst, False))
last, must_last = go(ANY)(lambda lst: _last(lst)), go(ANY)(lambda lst: _last(lst, False))
rest, must_rest = go(ANY)(lambda lst: _rest(lst)), go(ANY)(lambda lst: _rest(lst, False))
initial, must_initial = go(ANY)(lambda lst: _initial(lst)), go(ANY)(lambda lst: _initial(lst, False))
reverse, must_reverse = go(ANY)(lambda lst: _reverse(lst)), go(ANY)(lambda lst: _reverse(lst, False))
compact, must_compact = go(ANY)(lambda lst: _compact(lst)), go(ANY)(lambda lst: _compact(lst, False))
uniq, must_uniq = go(ANY)(lambda lst: _uniq(lst)), go(ANY)(lambda lst: _uniq(lst, False))
without = go(ANY, variadic=ANY)(lambda lst, *o: _without(lst, *o))
must_without = go(ANY, variadic=ANY)(lambda lst, *o: _without(lst, *o, panic=False))
has, must_has = go(ANY, ANY)(lambda n, h: _has(n, h)), go(ANY, ANY)(lambda n, h: _has(n, h, False))
chunk, must_chunk = go(INT, ANY)(lambda n, lst: _chunk(n, lst)), go(INT, ANY)(lambda n, lst: _chunk(n, lst, False))
slice_, must_slice = (go(ANY, variadic=ANY)(lambda lst, *i: _slice(lst, *i)),
                      go(ANY, variadic=ANY)(lambda lst, *i: _slice(lst, *i, panic=False)))


@go(variadic=ANY)
def concat(*lists: object) -> object:
    """``concat``: the lists' items in order (nil when there are none, which prints as ``[]``)."""
    out: list[object] | None = None
    for lst in lists:
        if isinstance(lst, (list, tuple)):
            out = (out or []) + list(lst)
        elif lst is None:
            raise FuncError(NIL_DEREF, panic=True)
        else:
            raise FuncError(f"Cannot concat type {kind_of(lst)} as list", panic=True)
    if out is None:
        return NilList()
    check_size(len(out))
    return out
