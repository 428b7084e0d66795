"""The size check every allocating function (``repeat``, ``indent``, ``until`` ...) runs before allocating.

Helm has no such limit (a chart can ask ``repeat`` for gigabytes and Helm allocates them); helmpy checks
the size a result *would* have against the active render's output limit before building it. The
wiring slice binds :func:`check_size` to the render's guard with :func:`bind`; unbound, the cap is
``HELMPY_RENDER_MAX_OUTPUT`` (the same default as :class:`helmpy.engine.sandbox.Limits`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from helmpy.errors import RenderLimitError

SizeCheck = Callable[[int], None]

_active: contextvars.ContextVar[SizeCheck | None] = contextvars.ContextVar("helmpy_func_size_check", default=None)


def _default_check(size: int) -> None:
    from helmpy.engine.sandbox import Limits

    cap = Limits().max_output_bytes
    if size > cap:
        raise RenderLimitError(f"a value of {size} bytes is larger than the output limit of {cap} bytes "
                               "(limit HELMPY_RENDER_MAX_OUTPUT)")


def check_size(size: int) -> None:
    """Raise :class:`~helmpy.errors.RenderLimitError` when a result of ``size`` bytes/items is too big."""
    check = _active.get()
    (check or _default_check)(size)


@contextmanager
def bind(check: SizeCheck) -> Iterator[None]:
    """Route :func:`check_size` to ``check`` (a render guard's ``check_size``) for the enclosed code."""
    token = _active.set(check)
    try:
        yield
    finally:
        _active.reset(token)
