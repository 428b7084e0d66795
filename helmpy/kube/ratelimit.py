"""Client-side throttling of API requests, as Helm 4 sets client-go up: ``--burst-limit``/``HELM_BURST_LIMIT`` and
``--qps``/``HELM_QPS``.

client-go gives every REST client a token bucket: ``burst`` requests may go at once, then ``qps`` per second.
Helm 4 passes burst 100 and qps 0, and client-go reads qps 0 as its default, 5 per second (a burst of 0 as its
default 10); a negative qps means no limiter at all. Discovery (``/api``, ``/apis``, one document per
group-version) has its own bucket, as kubectl's and Helm's cached discovery client does: 50 per second with a
burst of 300, or of ``--burst-limit`` when that is set to something other than Helm's default. Helm reaches each
manifest object through a REST client of its own, so ``kube/remote.py`` gives each object's requests a bucket of
their own too. A request waits for its token before it is sent (each retry too); waits are logged at debug
level, never refused.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from helmpy import settings
from helmpy.errors import UsageError

logger = logging.getLogger(__name__)

#: Helm 4's defaults (``pkg/cli/environment.go``): burst 100, qps 0 (client-go's default).
DEFAULT_BURST = 100
DEFAULT_QPS = 0.0
#: client-go's ``rest.DefaultQPS`` and ``rest.DefaultBurst``: what a qps or burst of 0 stands for.
CLIENT_GO_QPS = 5.0
CLIENT_GO_BURST = 10
#: cli-runtime's discovery client: 50 per second, a burst of 300.
DISCOVERY_QPS = 50.0
DISCOVERY_BURST = 300
#: Waits longer than this are logged (client-go logs "Waited for ... due to client-side throttling").
LOG_WAIT_S = 0.05


class TokenBucket:
    """``burst`` tokens, refilled at ``qps`` per second; :meth:`take` waits for one (thread-safe).

    Starts full, as golang.org/x/time/rate does. A taker reserves its token under the lock and sleeps
    outside it, so concurrent takers are spaced ``1/qps`` apart rather than woken together.
    """

    def __init__(self, qps: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if qps <= 0 or burst <= 0:
            raise ValueError("a token bucket needs qps > 0 and burst > 0")
        self.qps, self.burst = qps, burst
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._stamp = clock()

    def take(self) -> float:
        """Wait until a token is free and use it; the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.qps)
            self._stamp = now
            self._tokens -= 1.0
            wait = -self._tokens / self.qps if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


@dataclass(frozen=True)
class Throttle:
    """The settings as client-go would use them: (qps, burst) per bucket; qps None is no limit."""

    qps: float | None
    burst: int
    discovery_burst: int

    def buckets(self) -> tuple[TokenBucket | None, TokenBucket]:
        """(the API bucket, or None when unlimited; the discovery bucket)."""
        api = TokenBucket(self.qps, self.burst) if self.qps is not None else None
        return api, TokenBucket(DISCOVERY_QPS, self.discovery_burst)


def burst_limit() -> int:
    """``HELMPY_BURST_LIMIT``/``HELM_BURST_LIMIT`` (default 100); not a non-negative integer is a usage error."""
    value = settings.integer("BURST_LIMIT", DEFAULT_BURST)
    if value < 0:
        raise UsageError(f"{settings.source('BURST_LIMIT')}={value}: expected a non-negative integer")
    return value


def qps() -> float:
    """``HELMPY_QPS``/``HELM_QPS`` (default 0: client-go's 5 per second; negative: no limit)."""
    raw = settings.get("QPS")
    if raw is None:
        return DEFAULT_QPS
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise UsageError(f"{settings.source('QPS')}={raw!r}: expected a number") from None
    return value


def from_settings() -> Throttle:
    """The throttle the settings ask for (client-go's reading of Helm's values)."""
    burst, rate = burst_limit(), qps()
    effective = None if rate < 0 or math.isinf(rate) else (rate or CLIENT_GO_QPS)
    return Throttle(effective, burst or CLIENT_GO_BURST,
                    DISCOVERY_BURST if burst == DEFAULT_BURST else burst or CLIENT_GO_BURST)


def take(bucket: TokenBucket | None, what: str) -> None:
    """Wait for ``bucket``'s token (no bucket: no wait), logging a noticeable wait."""
    if bucket is None:
        return
    waited = bucket.take()
    if waited > LOG_WAIT_S:
        logger.debug("waited %.3fs due to client-side throttling (qps=%s burst=%d) before %s", waited, bucket.qps,
                     bucket.burst, what)
