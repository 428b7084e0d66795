"""Go signatures of template functions, attached to the Python callables.

text/template converts and checks arguments by the Go parameter types (``trunc`` takes an ``int``,
so ``trunc .Values.n`` with a float64 from a values file is ``wrong type for value; expected int; got
float64``). :func:`go` records those types on the callable as ``go_params`` (fixed parameters) and
``go_variadic`` (the element type of a final ``...T``), spelled as Go's ``reflect.Type.String()``.
A callable without them takes ``interface {}`` for every parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

ANY = "interface {}"
STR = "string"
INT = "int"
INT64 = "int64"
UINT32 = "uint32"
FLOAT = "float64"
BOOL = "bool"
MAP = "map[string]interface {}"
LIST = "[]interface {}"
TIME = "time.Time"

F = TypeVar("F", bound=Callable[..., object])


def go(*params: str, variadic: str | None = None) -> Callable[[F], F]:
    """Declare the Go parameter types of a template function."""

    def mark(fn: F) -> F:
        fn.go_params = params  # type: ignore[attr-defined]
        fn.go_variadic = variadic  # type: ignore[attr-defined]
        return fn

    return mark


def signature(fn: Callable[..., object]) -> tuple[tuple[str, ...], str | None] | None:
    """The declared ``(params, variadic)`` of ``fn``, or None when it declares none."""
    params = getattr(fn, "go_params", None)
    if params is None:
        return None
    return params, getattr(fn, "go_variadic", None)
