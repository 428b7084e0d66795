"""A render's limits and the budget that enforces them, shared by both template engines.

:class:`Limits` are the per-render limits (wall time, output size, nesting depth; environment variables
override the defaults, see :mod:`helmpy.limits`); a :class:`Guard` is the mutable budget one render spends
against them. The Jinja2 sandbox (:mod:`helmpy.engine.sandbox`) and the Go engine
(:mod:`helmpy.engine.gotemplate`) both check it, and :mod:`helmpy.engine.budget` publishes it to the
built-in functions while the render runs. Nothing here imports either engine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from helmpy import limits
from helmpy.engine import budget
from helmpy.errors import RenderLimitError

__all__ = ["Guard", "GuardedRange", "Limits"]


@dataclass
class Limits:
    """Per-render limits; environment variables override the defaults (for CI and servers)."""

    timeout_seconds: float = field(default_factory=limits.render_timeout)
    max_output_bytes: int = field(default_factory=limits.render_max_output)
    max_recursion: int = field(default_factory=limits.render_max_depth)

    @classmethod
    def offline(cls) -> Limits:
        """The limits of ``template`` and ``lint``: the shorter offline deadline unless the environment sets one."""
        return cls(timeout_seconds=limits.render_timeout(offline=True))


class Guard:
    """Mutable budget shared by everything one ``render`` call executes (also published to the built-in
    functions through :mod:`helmpy.engine.budget` while the render runs)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.timeout_seconds
        self.output = 0
        self.depth = 0
        self._ticks = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def expired(self) -> RenderLimitError:
        return RenderLimitError(f"rendering took longer than {self.limits.timeout_seconds:g}s "
                                "(limit HELMPY_RENDER_TIMEOUT)")

    def tick(self) -> None:
        """A unit of template work; the clock is read every 16th (it was ~10% of a large render)."""
        self._ticks += 1
        if self._ticks & 15 == 0 and time.monotonic() > self.deadline:
            raise self.expired()

    def add_output(self, size: int) -> None:
        """Count ``size`` bytes of output, and one unit of work (:meth:`tick`, inlined: both engines call
        this for every piece of output)."""
        self.output += size
        if self.output > self.limits.max_output_bytes:
            raise RenderLimitError(f"rendered output is larger than {self.limits.max_output_bytes} bytes "
                                   "(limit HELMPY_RENDER_MAX_OUTPUT)")
        self._ticks += 1
        if self._ticks & 15 == 0 and time.monotonic() > self.deadline:
            raise self.expired()

    def check_size(self, size: int, what: str = "") -> None:
        """Refuse a value of ``size`` bytes (estimated before it is built) larger than the output limit."""
        if size > self.limits.max_output_bytes:
            prefix = f"{what}: " if what else ""
            raise RenderLimitError(f"{prefix}a value of {size} bytes would be larger than the output limit of "
                                   f"{self.limits.max_output_bytes} bytes (limit HELMPY_RENDER_MAX_OUTPUT)")
        self.tick()

    def enter(self, what: str) -> None:
        """One level deeper; the deadline is checked first, so a refused ``enter`` leaves the depth as it was."""
        self.tick()
        if self.depth >= self.limits.max_recursion:
            raise RenderLimitError(f"{what} nested deeper than {self.limits.max_recursion} levels "
                                   "(recursion? limit HELMPY_RENDER_MAX_DEPTH)")
        self.depth += 1

    def leave(self) -> None:
        self.depth -= 1

    def range(self, *args: int) -> GuardedRange:
        """``range()`` for templates: lazy, every iteration checks the deadline, and no longer than the
        largest list a template may build (so ``range(10**9) | list`` fails at once)."""
        rng = range(*args)
        try:
            count = len(rng)
        except OverflowError:
            count = sys.maxsize
        self.check_size(count * budget.ITEM_BYTES, f"range of {count} items")
        return GuardedRange(self, rng)

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """What every ``{% for %}`` loops over: the original items, with a deadline check each."""
        tick = self.tick
        for item in iterable:
            tick()
            yield item


class GuardedRange(Sequence[int]):
    """A ``range`` whose iteration is checked against the render deadline."""

    def __init__(self, guard: Guard, rng: range) -> None:
        self._guard = guard
        self._range = rng

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        item = self._range[index]
        return GuardedRange(self._guard, item) if isinstance(item, range) else item

    def __contains__(self, item: object) -> bool:
        return item in self._range

    def __iter__(self) -> Iterator[int]:
        return self._guard.iterate(self._range)

    def __reversed__(self) -> Iterator[int]:
        return self._guard.iterate(reversed(self._range))

    def __repr__(self) -> str:
        return repr(self._range)
