"""Sprig's reflection functions: ``typeOf``/``typeIs``/``typeIsLike``/``kindOf``/``kindIs``/``deepEqual``."""

from __future__ import annotations

from helmpy.engine.gotemplate.funcs._goval import kind_of as _kind_of
from helmpy.engine.gotemplate.funcs._goval import type_of as _type_of
from helmpy.engine.gotemplate.funcs._sig import ANY, STR, go


@go(ANY)
def type_of(v: object) -> str:
    """``typeOf`` (Go's ``%T``)."""
    return _type_of(v)


@go(STR, ANY)
def type_is(target: str, v: object) -> bool:
    return target == _type_of(v)


@go(STR, ANY)
def type_is_like(target: str, v: object) -> bool:
    t = _type_of(v)
    return target == t or "*" + target == t


@go(ANY)
def kind_of(v: object) -> str:
    """``kindOf`` (``reflect.Kind``: ``map``, ``slice``, ``string``, ``float64`` ...; ``invalid`` for nil)."""
    return _kind_of(v)


@go(STR, ANY)
def kind_is(target: str, v: object) -> bool:
    return target == _kind_of(v)


def deep_equal(a: object, b: object) -> bool:
    """``reflect.DeepEqual``: same Go type and equal contents (``1`` and ``1.0`` differ, as do int and int64)."""
    if _type_of(a) != _type_of(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b  # NaN != NaN, as in Go
    return a == b


@go(ANY, ANY)
def deep_equal_fn(a: object, b: object) -> bool:
    """``deepEqual``."""
    return deep_equal(a, b)
