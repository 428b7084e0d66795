"""The clock, local zone and randomness the time, random and crypto functions use: one injectable place.

Rendering is pure (style rule 4): :func:`helmpy.engine.gotemplate.funcs.table.build_funcs` takes a
:class:`Seams` so tests and byte-comparisons with Helm can freeze ``now`` and seed every random
function (``randAlphaNum``, ``uuidv4``, ``shuffle``, ``genCA``'s serial ...). The default is the real
clock, the process's local zone and the OS's CSPRNG, as in Helm.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random


def local_zone() -> tzinfo:
    """Go's ``time.Local``: ``$TZ`` when set (``""`` is UTC), else the system zone."""
    tz = os.environ.get("TZ")
    if tz is not None:
        if tz in ("", "UTC"):
            return UTC
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(tz.removeprefix(":"))
        except (ZoneInfoNotFoundError, ValueError):
            return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("localtime") if os.path.exists("/usr/share/zoneinfo/localtime") else _system_zone()
    except Exception:  # noqa: BLE001 - any failure means "no zone database": UTC, as Go falls back
        return UTC


def _system_zone() -> tzinfo:
    if not os.path.exists("/etc/localtime"):
        return UTC
    from zoneinfo import ZoneInfo

    with open("/etc/localtime", "rb") as fh:
        return ZoneInfo.from_file(fh, key="Local")


def _system_random() -> random.Random:
    import random  # here: a render imports it only when it makes a Seams (a time/random/crypto function)

    return random.SystemRandom()


@dataclass
class Seams:
    """What the impure functions read: ``now()`` (an aware datetime), the ``Local`` zone and a RNG."""

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    local: tzinfo = field(default_factory=local_zone)
    rng: random.Random = field(default_factory=_system_random)
