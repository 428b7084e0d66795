"""The results of ``pull`` and ``push`` (re-exported by :mod:`helmpy.api.results`, where every result type is
listed), in a module of their own: building the two dozen result dataclasses of :mod:`helmpy.api.results` is a
sizeable part of a one-chart transfer's start-up, and these two commands need only these two."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class _Fields:
    """``to_dict()`` of a result whose fields are its JSON document, in field order (``repo list -o json``'s
    ``{"name", "url"}``, ``search repo``'s ``{"name", "version", "app_version", "description"}``)."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class PullResult:
    """``pull``: the saved archive, or with ``untar`` the chart directory."""

    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path)}


@dataclass(frozen=True)
class PushResult(_Fields):
    """``push``: where the chart went; ``digest`` is the OCI manifest's (``""`` for a chart repository)."""

    reference: str
    digest: str
