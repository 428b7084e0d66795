"""``pull``'s result in a module of its own: ``helmpy pull`` builds this one dataclass, not its family's; see
:mod:`helmpy.api.results`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PullResult:
    """``pull``: the saved archive, or with ``untar`` the chart directory."""

    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path)}
