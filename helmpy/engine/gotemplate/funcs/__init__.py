"""Sprig's and Helm's template functions for the Go template engine, as plain Python callables.

Values follow the engine's model: a Go ``map[string]interface{}`` is a ``dict``, ``[]interface{}`` a
``list``, ``string`` a ``str``, ``int``/``int64`` an ``int`` (Sprig's int64 results are
:class:`~._goval.Int64`), ``float64`` a ``float``, ``nil`` ``None``, ``time.Time`` an aware
``datetime``. Each callable carries its Go parameter types (``go_params``/``go_variadic``, see
:mod:`._sig`) so the executor converts and checks arguments as text/template does. Functions that
return a Go error, or panic, raise :class:`FuncError` with Go's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.seams import Seams

if TYPE_CHECKING:
    from helmpy.engine.gotemplate.funcs.table import FUNCS, PLACEHOLDERS, build_funcs, lazy_funcs

__all__ = ["FUNCS", "PLACEHOLDERS", "FuncError", "Seams", "build_funcs", "lazy_funcs"]


def __getattr__(name: str) -> object:
    """The table's names, imported on first use (a function module needs neither the table nor the others)."""
    if name in ("FUNCS", "PLACEHOLDERS", "build_funcs", "lazy_funcs"):
        from helmpy.engine.gotemplate.funcs import table

        return getattr(table, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
