"""The cyclic garbage collector held off while a render builds its large, long-lived object graphs.

A render builds template trees, compiled closures and rendered text and keeps them to its end. CPython's
collector re-scans those live objects again and again as the heap grows (full passes at 25% growth), and
once more when the interpreter exits: more than half of a ``helmpy template`` of a large Go chart
(kube-prometheus-stack: 6.5 s of CPU with the collector, 3.1 s without). Nothing in a render depends on
cycles being reclaimed early (its garbage is freed by reference counting), so :func:`paused_collection`
turns the automatic collector off for the render and, at its end, moves what survived into the permanent
generation (``gc.freeze``), where later passes - the one at exit included - never look again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collection() -> Iterator[None]:
    """Run the body without automatic cyclic collection; then freeze the survivors and restore the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
