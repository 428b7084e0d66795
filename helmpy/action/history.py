"""``helmpy history``: the revisions of a release, oldest first (Helm's ``action.History``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from helmpy.action.config import Configuration
from helmpy.action.install import validate_name
from helmpy.errors import ReleaseNotFound
from helmpy.release.model import Release, keep_time

logger = logging.getLogger(__name__)

DEFAULT_MAX = 256


@dataclass
class HistoryEntry:
    """One row of ``history`` (Helm's ``releaseInfo``)."""

    revision: int
    updated: Any
    status: str
    chart: str
    app_version: str
    description: str
    updated_raw: str | None = None  # the stored text of ``updated`` (Helm's nanoseconds)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"revision": self.revision}
        if self.updated is not None:
            out["updated"] = keep_time(self.updated, self.updated_raw)
        out.update({"status": self.status, "chart": self.chart, "app_version": self.app_version,
                    "description": self.description})
        return out


def chart_label(rel: Release) -> str:
    """``<name>-<version>`` or ``MISSING`` when the record carries no chart."""
    return f"{rel.chart.name}-{rel.chart.version}" if rel.chart is not None else "MISSING"


def run(cfg: Configuration, name: str, max_revisions: int = DEFAULT_MAX) -> list[HistoryEntry]:
    """The newest ``max_revisions`` revisions, oldest first; ReleaseNotFound when there are none."""
    validate_name(name)
    try:
        history = sorted(cfg.storage.history(name), key=lambda r: r.version)
    except ReleaseNotFound:
        history = []
    if not history:
        raise ReleaseNotFound("release: not found")
    if max_revisions > 0:
        history = history[-max_revisions:]
    return [HistoryEntry(r.version, r.info.last_deployed, r.info.status.value, chart_label(r),
                         r.chart.app_version if r.chart else "", r.info.description,
                         r.info.raw_times.get("last_deployed")) for r in history]
