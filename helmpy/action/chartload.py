"""Taking a chart from the command line: resolve the reference, load it, refuse what cannot be installed.

Shared by ``template``, ``show``, ``install`` and ``upgrade`` so they accept the same references and refuse
the same charts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.chart import loader
from helmpy.chart.model import Chart
from helmpy.errors import ChartError, DependencyError

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions

logger = logging.getLogger(__name__)


def load_chart(ref: str, version: str | None = None, devel: bool = False, repo_url: str | None = None,
               remote: "RemoteOptions | None" = None, *, dependency_update: bool = False) -> Chart:
    """Resolve a chart reference (local path, ``repo/name``, URL, ``file://``, ``oci://``) and load it.

    ``dependency_update`` (``--dependency-update``): a chart directory whose Chart.yaml dependencies are missing
    from ``charts/`` gets them first, as ``helmpy dependency update`` would, and is loaded again (Helm's order).
    """
    path = Path(ref)
    if repo_url or ref.startswith("file://") or not path.exists():
        # local paths win (Helm's order), so the repository machinery is only imported for the rest
        from helmpy.action.chartref import resolve_chart

        path = resolve_chart(ref, version=version, devel=devel, repo_url=repo_url, remote=remote)
    chart = loader.load(path)
    if dependency_update and path.is_dir() and _missing_dependencies(chart):
        from helmpy.action.dependency import update

        update(path, logger.info, remote=remote)
        chart = loader.load(path)
    return chart


def _missing_dependencies(chart: Chart) -> bool:
    from helmpy.chart.dependencies import check_dependencies

    try:
        check_dependencies(chart)
    except DependencyError:
        return True
    return False


def check_installable(chart: Chart) -> None:
    """Refuse what Helm refuses to render or install: library charts and missing dependencies."""
    kind = chart.metadata.type
    if kind not in ("", "application"):
        raise ChartError("library charts are not installable" if kind == "library"
                         else f"chart {chart.name}: {kind} charts are not installable")
    if chart.metadata.deprecated:
        logger.warning("this chart is deprecated")
    if chart.metadata.dependencies:
        from helmpy.chart.dependencies import check_dependencies

        check_dependencies(chart)
