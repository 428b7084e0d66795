"""The cyclic garbage collector held off while a render builds its large, long-lived object graphs.

A render builds template trees, compiled closures and rendered text and keeps them to its end. CPython's
collector re-scans those live objects again and again as the heap grows (full passes at 25% growth), and
once more when the interpreter exits: more than half of a ``helmpy template`` of a large Go chart
(kube-prometheus-stack: 6.5 s of CPU with the collector, 3.1 s without). Nothing in a render depends on
cycles being reclaimed early (its garbage is freed by reference counting), so :func:`paused_collection`
turns the automatic collector off for the render.

In a process that runs one command and exits (the console script: :func:`one_shot_process`), what the
render leaves is then moved to the permanent generation (``gc.freeze``), which later passes - the one at
exit included - never scan. A process that renders again and again (a test session, a library user) keeps
the default: its next collection scans the render's objects once and frees any cycles among them.

A one-shot process also collects its youngest generation every :data:`ONE_SHOT_THRESHOLDS` ``[0]``
allocations instead of CPython's 700: importing its ~250 modules (functions, classes, their dicts - all kept
to the end) otherwise runs some 40 young and a few middle collections that free almost nothing, 3% of a
small command's instructions. Cycles are still collected, in larger batches, so a long-running command
(``serve``, ``cluster serve``) keeps its memory bounded. At exit everything is frozen, so the interpreter's
final collection (another 2% of a ``pull``) has nothing to scan.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_one_shot = False
ONE_SHOT_THRESHOLDS = (50_000, 10, 10)  # gc.set_threshold of a one-shot process (CPython's: 700, 10, 10)


def one_shot_process() -> None:
    """Declare that this process exits after its command (set by the console script's entry point)."""
    global _one_shot
    if _one_shot:
        return
    _one_shot = True
    import atexit

    gc.set_threshold(*ONE_SHOT_THRESHOLDS)
    atexit.register(gc.freeze)  # runs before the interpreter's last collection: it then scans nothing


def is_one_shot() -> bool:
    """Whether :func:`one_shot_process` declared this process (it then also may fork a parse helper:
    :mod:`helmpy.engine.gotemplate.prefetch`)."""
    return _one_shot


@contextmanager
def paused_collection() -> Iterator[None]:
    """Run the body without automatic cyclic collection, then restore the collector (see the module)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _one_shot:
            gc.freeze()
        if enabled:
            gc.enable()
