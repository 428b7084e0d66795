"""`package`: a chart directory -> ``NAME-VERSION.tgz`` (and optionally a signed ``.prov``).

Follows ``helm package``: load with .helmignore, apply --version/--app-version, require declared
dependencies to be present in ``charts/``, validate, write a reproducible archive, then sign.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.chart import loader
from helmpy.chart.dependencies import check_dependencies
from helmpy.chart.model import is_semver
from helmpy.chart.save import archive_filename, stream_chart
from helmpy.errors import ChartError, ChartValidationError

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions
from helmpy.fsutil import atomic_stream, atomic_write

logger = logging.getLogger(__name__)


@dataclass
class PackageOptions:
    """Flags of ``helmpy package`` (one set for every chart given)."""

    destination: str = "."
    version: str | None = None
    app_version: str | None = None
    dependency_update: bool = False
    sign: bool = False
    key: str = ""
    keyring: str | None = None
    passphrase: str | None = None
    remote: RemoteOptions | None = None  # -u: TLS/credential/--plain-http flags for oci:// dependencies


@dataclass
class PackageResult:
    """Where the archive (and its provenance file) went; ``display_path`` is what Helm prints."""

    path: Path
    display_path: str
    prov_path: Path | None = None


def _update_dependencies(chart_dir: Path, remote: RemoteOptions | None = None) -> None:
    from helmpy.action.dependency import update

    update(chart_dir, out=lambda _line: None, remote=remote)  # Helm discards dependency-update output while packaging


def _mtime_hint(chart_dir: Path):  # type: ignore[no-untyped-def]
    def hint(rel: str) -> float | None:
        try:
            return (chart_dir / rel).stat().st_mtime
        except OSError:
            return None
    return hint


def _display_path(destination: str, filename: str) -> str:
    if destination in (".", ""):
        return os.path.join(os.getcwd(), filename)
    return os.path.join(os.path.normpath(destination), filename)


def run(chart_path: str | os.PathLike[str], opts: PackageOptions) -> PackageResult:
    """Package one chart directory; returns where it was written."""
    chart_dir = Path(chart_path)
    if not chart_dir.exists():
        raise ChartError(f"path {str(chart_path)!r} not found")
    if not chart_dir.is_dir():
        raise ChartError(f"{chart_path}: not a chart directory (helmpy package takes a directory)")
    if opts.dependency_update:
        _update_dependencies(chart_dir, opts.remote)
    chart = loader.load_dir(chart_dir)
    if opts.version is not None:
        if not is_semver(opts.version):
            raise ChartValidationError(f"--version {opts.version!r} is not a valid semantic version")
        chart.metadata.version = opts.version
    if opts.app_version is not None:
        chart.metadata.app_version = opts.app_version
    check_dependencies(chart)  # every declared dependency must be among the loaded sub-charts
    chart.metadata.validate(f"{chart_dir}/Chart.yaml")
    filename = archive_filename(chart)
    dest = Path(opts.destination or ".")
    target = dest / filename
    atomic_stream(target, lambda fh: stream_chart(chart, fh, _mtime_hint(chart_dir)))
    logger.debug("packaged chart=%s path=%s", chart.name, target)
    result = PackageResult(path=target, display_path=_display_path(opts.destination, filename))
    if opts.sign:
        from helmpy.repo import provenance

        data = target.read_bytes()
        prov = provenance.sign(filename, data, chart.metadata.to_dict(), opts.key, opts.keyring, opts.passphrase)
        result.prov_path = target.with_name(filename + ".prov")
        atomic_write(result.prov_path, prov)
    return result
