"""How Python values stand for Go values inside the template engine.

Helm hands templates ``map[string]interface{}`` data decoded from YAML/JSON, so the engine maps
``dict`` to ``map[string]interface {}``, ``list``/``tuple`` to ``[]interface {}``, ``str`` to
``string``, ``bool`` to ``bool``, ``int`` to ``int`` (Go's int64 from ``--set`` prints the same),
``float`` to ``float64`` (every number of a values *file* is a float64 in Helm, which is why
``1000000`` prints as ``1e+06``: see :func:`json_numbers`), ``complex`` to ``complex128``,
``bytes`` to ``[]uint8`` and ``None`` to a nil interface.

Go's reflection also has an *invalid* value, distinct from a nil inside an interface: it is what a
pipeline yields for nil, and it prints ``<no value>``. :data:`NO_VALUE` stands for it; functions
never see it (it reaches them as ``None``).

Objects that are Go structs or named types in Helm (``.Capabilities``, ``.Files``, ``.Chart``)
implement :class:`GoObject` so that templates reach their fields and methods by Go name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from helmpy.values.numbers import Int64


class _NoValue:
    """Go's invalid ``reflect.Value`` (the result of a pipeline that produced nil)."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()
"""The invalid value: printed as ``<no value>``, passed to functions as ``None``."""


class GoMethod:
    """A method of a :class:`GoObject`; ``params`` are Go type names (see :mod:`funcs`) or None for any."""

    __slots__ = ("fn", "name", "params", "variadic")

    def __init__(self, fn: Callable[..., object], name: str, params: tuple[str, ...] | None = None,
                 variadic: str | None = None) -> None:
        self.fn = fn
        self.name = name
        self.params = params
        self.variadic = variadic


@runtime_checkable
class GoObject(Protocol):
    """A value templates see as a Go struct or named type.

    ``go_type`` is its Go type name for messages and ``%T`` (``*common.Capabilities``). ``go_member`` returns
    a field's value or a :class:`GoMethod`, and raises ``KeyError`` when the name is neither (the
    engine then reports Go's ``can't evaluate field X in type T``). ``go_string`` is what ``fmt``
    prints for ``%v``/``%s`` (its Go ``String()`` method, or the struct's ``{...}`` form).

    An object may also have ``go_fmt_string()``: what ``fmt`` (``print``, ``printf``) prints when that
    differs from what an action prints, because text/template dereferences a pointer and finds a
    ``String`` method of the pointer type before printing, while a function gets a copy of the value
    (``{{ .Capabilities.KubeVersion }}`` is ``v1.35.0``, ``{{ print .Capabilities.KubeVersion }}`` the struct).
    """

    go_type: str

    def go_member(self, name: str) -> object: ...

    def go_string(self) -> str: ...


def type_name(value: object) -> str:
    """Go's ``%T`` of a value (``reflect.Type.String()``)."""
    if value is None or value is NO_VALUE:
        return "<nil>"
    go_type = getattr(type(value), "go_type", None)
    if isinstance(go_type, str):  # a GoObject, also one that is a map or a slice; an Int64
        return go_type
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(value, GoObject):
        return value.go_type
    if isinstance(value, datetime):
        return "time.Time"
    if callable(value):
        return "func(...interface {}) (interface {}, error)"
    return type(value).__name__


def json_numbers(value: object) -> object:
    """Values as Helm decodes a values file (YAML through JSON): every integer becomes a float64.

    Helm reads ``values.yaml`` with ``sigs.k8s.io/yaml``, which goes through ``encoding/json``, so
    ``replicas: 3`` is ``float64(3)`` in templates (``eq .Values.replicas 3`` fails with
    ``incompatible types for comparison``); ``--set replicas=3`` gives an int64 instead, which
    helmpy's ``--set`` parser marks as :class:`~helmpy.values.numbers.Int64`, left as it is here.
    """
    if isinstance(value, (bool, Int64)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_numbers(v) for v in value]
    return value
