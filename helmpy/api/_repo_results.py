"""The results of repository, registry and plugin commands (pull, push, repo, search, plugin list): see
:mod:`helmpy.api.results`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy.api.results import _Fields

if TYPE_CHECKING:  # the actions' own types only as annotations
    from helmpy.repo import hub


@dataclass(frozen=True)
class PushResult(_Fields):
    """``push``: where the chart went; ``digest`` is the OCI manifest's (``""`` for a chart repository)."""

    reference: str
    digest: str


@dataclass(frozen=True)
class Repository(_Fields):
    """One configured chart repository (``repo list``)."""

    name: str
    url: str


@dataclass(frozen=True)
class ChartVersion(_Fields):
    """One row of ``search repo``: ``repo/chart`` and a version of it."""

    name: str
    version: str
    app_version: str
    description: str


@dataclass(frozen=True)
class HubChart:
    """One row of ``search hub``: a chart on Artifact Hub (or another Monocular-compatible hub)."""

    url: str  #: the chart's page on the hub
    version: str
    app_version: str
    description: str
    repo_url: str
    repo_name: str
    _found: hub.HubChart = field(repr=False, compare=False)

    @classmethod
    def of(cls, found: hub.HubChart) -> HubChart:
        return cls(found.url, found.version, found.app_version, found.description, found.repo_url, found.repo_name,
                   copy.copy(found))

    def to_dict(self) -> dict[str, Any]:
        """One element of ``search hub -o json`` (Helm's field order, the repository nested)."""
        return self._found.to_dict()


@dataclass(frozen=True)
class IndexResult:
    """``repo index``: the index written and what it lists."""

    path: Path  #: ``DIRECTORY/index.yaml``
    charts: dict[str, tuple[str, ...]]  #: chart name -> its versions, as the index orders them
    skipped: tuple[str, ...]  #: why each unreadable archive was left out (also a progress line each)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "charts": {k: list(v) for k, v in self.charts.items()},
                "skipped": list(self.skipped)}


@dataclass(frozen=True)
class Plugin(_Fields):
    """One row of ``plugin list``: an installed Helm plugin."""

    name: str
    version: str
    type: str  #: ``cli/v1``, ``getter/v1``, ``postrenderer/v1``
    api_version: str  #: ``v1`` (Helm 4's plugin.yaml) or ``legacy`` (Helm 3's)
    provenance: str  #: ``signed``, ``unsigned``, ``local dev``, ...
    source: str  #: where it was installed from, ``unknown`` when not recorded
