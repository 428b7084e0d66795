"""The running render's limits as seen from inside the built-in functions.

Template functions are plain functions (``repeat(3, "x")``) with no handle on the render, so the
render's :class:`~helmpy.engine.guard.Guard` is published here, in a context variable, for as long
as the render runs. A function that may build a large value calls :func:`reserve` with an estimate of
the result's size *before* allocating it, and a function that loops over many items calls
:func:`tick` (or iterates through :func:`ticking`) so the render deadline is checked inside it. Outside
a render (unit tests calling a function directly) both are no-ops.

On the main thread the deadline is also armed as a real-time alarm (:func:`deadline_alarm`), so Python
code that does not tick (a YAML dump, a deep copy) is interrupted at the deadline as well.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType
from typing import Protocol, TypeVar

T = TypeVar("T")

# What one item of a list or map a function builds counts for against the size limit: a pointer
# and a small object (a list of 2 million items is a 64 MiB value).
ITEM_BYTES = 32


class Budget(Protocol):
    """What a :class:`~helmpy.engine.guard.Guard` offers the functions."""

    def tick(self) -> None: ...

    def check_size(self, size: int, what: str = "") -> None: ...

    def remaining(self) -> float: ...

    def expired(self) -> BaseException: ...


_active: ContextVar[Budget | None] = ContextVar("helmpy_render_budget", default=None)


@contextmanager
def active(budget: Budget) -> Iterator[None]:
    """Publish ``budget`` to the functions for the duration of a render."""
    token = _active.set(budget)
    try:
        yield
    finally:
        _active.reset(token)


def current() -> Budget | None:
    return _active.get()


def reserve(size: int, what: str) -> None:
    """Refuse (RenderLimitError) to build a value of about ``size`` bytes larger than the output limit."""
    budget = _active.get()
    if budget is not None:
        budget.check_size(size, what)


def reserve_items(count: int, what: str) -> None:
    """:func:`reserve` for a list or map of ``count`` items."""
    reserve(count * ITEM_BYTES, what)


def tick() -> None:
    """A unit of work inside a function: checks the render deadline every few calls."""
    budget = _active.get()
    if budget is not None:
        budget.tick()


def ticking(items: Iterable[T]) -> Iterator[T]:
    """``items``, with a deadline check for each."""
    budget = _active.get()
    if budget is None:
        yield from items
        return
    check = budget.tick
    for item in items:
        check()
        yield item


@contextmanager
def deadline_alarm(budget: Budget) -> Iterator[None]:
    """Interrupt the render at its deadline even inside a long Python call (main thread only).

    A ``SIGALRM`` timer raises the deadline error wherever the interpreter is; C code (a single
    ``str.replace``) runs to its end first, which is why sizes are also checked before allocating.
    Any timer and handler already set (a test runner's timeout) are restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    armed = [True]

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        if armed[0]:
            armed[0] = False
            raise budget.expired()

    old_handler: Callable[[int, FrameType | None], object] | int | None = signal.signal(signal.SIGALRM, on_alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, max(budget.remaining(), 0.001))
    started = time.monotonic()
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler if old_handler is not None else signal.SIG_DFL)
        if old_delay:
            left = old_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), old_interval)


# Integers in charts are small (Helm's are 64-bit); a product or power past this many bits is refused
# before Python spends minutes computing it.
MAX_INT_BITS = 1_000_000


def check_product(left: object, right: object, what: str) -> None:
    """Refuse ``left * right`` of two integers whose result would have more than MAX_INT_BITS bits."""
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        from helmpy.errors import RenderLimitError

        raise RenderLimitError(f"{what}: the product would have more than {MAX_INT_BITS} bits")


def size_of(value: object) -> int:
    """A quick (shallow) estimate of a value's size: strings by length, lists and maps by item count plus
    the lengths of the strings they hold directly."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        return len(value) * ITEM_BYTES + sum(len(v) for v in value.values() if isinstance(v, str))
    if isinstance(value, (list, tuple)):
        return len(value) * ITEM_BYTES + sum(len(v) for v in value if isinstance(v, str))
    return ITEM_BYTES


_NUMBER = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*\}")


def format_size(fmt: str, args: tuple[object, ...], braces: bool = False) -> int:
    """An upper estimate of ``fmt % args`` (or ``fmt.format(*args)`` with ``braces``): the format, its
    arguments and every width or precision in its conversion specs; with ``*`` or nested ``{}`` widths
    every integer argument may be a width too."""
    specs = _BRACE_SPEC.findall(fmt) if braces else _PERCENT_SPEC.findall(fmt)
    size = len(fmt) + sum(int(n) if len(n) < 20 else 1 << 64 for spec in specs for n in _NUMBER.findall(spec))
    size += sum(size_of(a) for a in args if not isinstance(a, (int, float)))
    if (not braces and "*" in fmt) or (braces and re.search(r"\{[^{}]*\{", fmt)):
        size += sum(abs(a) for a in args if isinstance(a, int))
    return size


def str_method_size(text: str, method: str, args: tuple[object, ...]) -> int:
    """The size the str methods that can grow a string would produce (0: not one of them)."""
    first = args[0]
    if method in ("center", "ljust", "rjust", "zfill") and isinstance(first, int):
        return max(first, len(text))
    if method == "expandtabs" and isinstance(first, int):
        return len(text) + text.count("\t") * max(first, 0)
    if method == "replace" and len(args) > 1 and isinstance(first, str) and isinstance(args[1], str):
        hits = text.count(first) if first else len(text) + 1
        return len(text) + hits * max(len(args[1]) - len(first), 0)
    if method == "join" and isinstance(first, (list, tuple)):
        return sum(size_of(v) for v in first) + len(text) * len(first)
    return 0
