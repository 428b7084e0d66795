"""A release as Helm's ``-o json|yaml`` shows it: the record, a ``list`` row, a ``status`` document.

One shaping for every caller: the CLI prints these (``helmpy/cli/release_output.py``) and the Python API's
results return them from ``to_dict()`` (``helmpy/api/results.py``), so both give the same document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helmpy.release.model import Release


def go_time(ts: datetime | None, raw: str | None = None) -> str:
    """Go's default ``Time.String()``: ``2006-01-02 15:04:05.999999999 +0000 UTC``.

    ``raw`` is the RFC 3339 text the time was read from: a record Helm wrote keeps its nanoseconds (Python's
    datetime holds microseconds)."""
    if ts is None:
        return "-"
    ts = ts.astimezone(UTC)
    frac = f".{ts.microsecond:06d}".rstrip("0") if ts.microsecond else ""
    nanos = _nanos(raw, ts)
    if nanos is not None:
        frac = f".{nanos}".rstrip("0") if nanos.strip("0") else ""
    return f"{ts:%Y-%m-%d %H:%M:%S}{frac} +0000 UTC"


def _nanos(raw: str | None, ts: datetime) -> str | None:
    """The nine fraction digits of a UTC ``raw`` time that is ``ts`` to the microsecond, else None."""
    from helmpy.release.model import parse_time

    if not raw or not raw.endswith("Z") or "." not in raw or parse_time(raw) != ts:
        return None
    digits = raw[raw.rindex(".") + 1:-1]
    return (digits + "0" * 9)[:9] if digits.isdigit() else None


def _sorted(value: Any) -> Any:
    """Go marshals maps with sorted keys."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def release_data(rel: Release, *, drop_chart: bool = False) -> dict[str, Any]:
    """The release as Helm prints it with ``-o json|yaml`` (struct order, maps sorted)."""
    data = rel.to_dict()
    if drop_chart:
        data.pop("chart", None)
    if "config" in data:
        data["config"] = _sorted(data["config"])
    if "chart" in data:
        data["chart"]["values"] = _sorted(data["chart"].get("values") or {})
    return data


def status_data(rel: Release, resources: dict[str, list[dict[str, Any]]] | None = None, lock: Any = None,
                explanation: str = "") -> dict[str, Any]:
    """``status -o json``: the record without its chart, Helm 4's ``info.resources``, and helmpy's ``lock``
    (a :class:`helmpy.action.lock.LockInfo`) and ``lock_note`` when a lock is held or a revision is pending."""
    data = release_data(rel, drop_chart=True)
    if resources:  # Helm 4: the live objects under info.resources
        data["info"]["resources"] = resources
    if lock is not None:
        data["lock"] = lock.to_dict()
    if explanation:
        data["lock_note"] = explanation
    return data


def list_item(rel: Release, time_format: str = "") -> dict[str, Any]:
    """Helm's ``releaseElement`` (revision is a string)."""
    ts = rel.info.last_deployed
    updated = (ts.strftime(time_format) if time_format and ts else go_time(ts, rel.info.raw_times.get("last_deployed")))
    return {"name": rel.name, "namespace": rel.namespace, "revision": str(rel.version), "updated": updated,
            "status": rel.info.status.value,
            "chart": f"{rel.chart.name}-{rel.chart.version}" if rel.chart else "MISSING",
            "app_version": rel.chart.app_version if rel.chart else "MISSING"}
