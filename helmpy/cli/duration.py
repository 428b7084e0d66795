"""Go-style durations on the command line (``--timeout 5m0s``), as Helm users type them."""

from __future__ import annotations

import re

from helmpy.errors import UsageError

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_SCALE = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """Seconds from ``5m0s``, ``90s``, ``1h``, ``300ms`` or a plain number of seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UsageError(f'invalid duration "{text}": use e.g. 5m0s, 90s or 300')
    return sum(float(n) * _SCALE[u] for n, u in parts)
