"""Retry transient API failures with capped exponential backoff and jitter (client-go's behaviour).

Kept free of any client library so the policy is testable on its own; ``remote.py`` decides what is
transient (5xx, 429, connection reset) and may pass the server's ``Retry-After``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Transient(Exception):
    """Raised by an attempt that may succeed when repeated; ``final`` is raised when attempts run out."""

    def __init__(self, final: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(final))
        self.final = final
        self.retry_after = retry_after


@dataclass(frozen=True)
class Backoff:
    """``attempts`` tries in all; the n-th wait is ``base * 2**n`` capped at ``cap`` seconds, +-25% jitter."""

    attempts: int = 5
    base: float = 0.2
    cap: float = 5.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        wait = min(self.base * (2 ** attempt), self.cap)
        return wait * random.uniform(0.75, 1.25)


def with_backoff(attempt: Callable[[], T], policy: Backoff = Backoff(), what: str = "request",
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``attempt`` until it returns; a ``Transient`` is retried, its ``final`` raised at the end."""
    for n in range(max(policy.attempts, 1)):
        try:
            return attempt()
        except Transient as err:
            if n + 1 >= policy.attempts:
                raise err.final from None
            wait = policy.delay(n, err.retry_after)
            logger.debug("%s failed transiently (%s); retry %d/%d in %.2fs", what, err.final, n + 1,
                         policy.attempts - 1, wait)
            sleep(wait)
    raise AssertionError("unreachable")
