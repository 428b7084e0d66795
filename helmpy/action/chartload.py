"""Taking a chart from the command line: resolve the reference, load it, refuse what cannot be installed.

Shared by ``template``, ``show``, ``install`` and ``upgrade`` so they accept the same references and refuse
the same charts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.chart import loader
from helmpy.chart.model import Chart
from helmpy.errors import ChartError, DependencyError, ProvenanceError

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions

logger = logging.getLogger(__name__)


def load_chart(ref: str, version: str | None = None, devel: bool = False, repo_url: str | None = None,
               remote: RemoteOptions | None = None, *, dependency_update: bool = False,
               verify: Verify | None = None) -> Chart:
    """Resolve a chart reference (local path, ``repo/name``, URL, ``file://``, ``oci://``) and load it.

    ``dependency_update`` (``--dependency-update``): a chart directory whose Chart.yaml dependencies are missing
    from ``charts/`` gets them first, as ``helmpy dependency update`` would, and is loaded again (Helm's order).
    ``verify`` (``--verify``): the archive must match its provenance file, signed by a key of the keyring (a
    remote chart's .prov is downloaded beside it, as ``pull --verify`` does); a directory cannot be verified.
    """
    if verify is not None:
        return _load_verified(ref, version, devel, repo_url, remote, verify)
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


@dataclass(frozen=True)
class Verify:
    """``--verify`` and its ``--keyring`` (None: ~/.gnupg/pubring.gpg, as Helm)."""

    keyring: str | None = None


def _load_verified(ref: str, version: str | None, devel: bool, repo_url: str | None,
                   remote: RemoteOptions | None, verify: Verify) -> Chart:
    from helmpy.repo import provenance

    path = Path(ref)
    if not repo_url and path.is_dir():
        raise ProvenanceError(f"{ref}: cannot verify a directory (package it, or leave out --verify)")
    if not repo_url and path.is_file():
        provenance.verify(path, verify.keyring)
        return loader.load(path)
    import tempfile

    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.pull import PullOptions, pull

    with tempfile.TemporaryDirectory(prefix="helmpy-verify-") as tmp:
        saved = pull(ref, PullOptions(version=version, devel=devel, destination=tmp, verify=True,
                                      keyring=verify.keyring, repo_url=repo_url, remote=remote or RemoteOptions()),
                     out=logger.info)
        return loader.load(saved)


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
