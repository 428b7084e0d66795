"""``pull``: download a chart archive (optionally its .prov, verified, or untarred) into a directory."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from helmpy.action.chartref import RemoteOptions, fetch, locate
from helmpy.errors import ChartError, HelmpyError
from helmpy.fsutil import atomic_write

logger = logging.getLogger(__name__)


@dataclass
class PullOptions:
    """``pull`` flags."""

    version: str | None = None
    devel: bool = False
    destination: str = "."
    untar: bool = False
    untardir: str = "."
    verify: bool = False
    prov: bool = False
    keyring: str | None = None
    repo_url: str | None = None
    remote: RemoteOptions = field(default_factory=RemoteOptions)


def pull(ref: str, opts: PullOptions, out: Callable[[str], None] = print) -> Path:
    """Download ``ref``; returns the saved archive, or the untarred chart directory."""
    from helmpy.repo.downloader import ChartDownloader

    dest = Path(opts.destination)
    if not dest.is_dir():
        raise HelmpyError(f'destination "{dest}" does not exist or is not a directory')
    chart = locate(ref, opts.version, opts.devel, opts.repo_url, opts.remote)
    dl = ChartDownloader()
    try:
        got = fetch(chart, dl)
        data = got.path.read_bytes()
        prov_data: bytes | None = None
        if opts.verify or opts.prov:
            prov_data = dl.download_provenance(got.url, chart.options, got.digest).read_bytes()
    finally:
        dl.close()
    _check_archive(data, got.url)

    if not opts.untar:
        saved = dest / got.filename
        atomic_write(saved, data)
        if prov_data is not None:
            atomic_write(dest / f"{got.filename}.prov", prov_data)
        if opts.verify:
            _verify(saved, opts.keyring, out)
        return saved

    # verify the archive before expanding it: a tampered chart never reaches the disk unpacked
    if opts.verify:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            tmp_chart = Path(tmp) / got.filename
            tmp_chart.write_bytes(data)
            (Path(tmp) / f"{got.filename}.prov").write_bytes(prov_data or b"")
            _verify(tmp_chart, opts.keyring, out)
    untar_root = Path(opts.untardir)
    if not untar_root.is_absolute():
        untar_root = dest / untar_root
    target = expand(data, untar_root, source=got.url)
    if prov_data is not None:
        atomic_write(untar_root / f"{got.filename}.prov", prov_data)
    return target


def _check_archive(data: bytes, source: str) -> None:
    """Refuse to save what is not a loadable chart archive (Helm saves it and fails later, on use)."""
    from helmpy.chart.loader import load_archive

    load_archive(data, source)


def expand(data: bytes, root: Path, source: str) -> Path:
    """Unpack a chart archive into ``root/<chart name>`` with the safe reader (never extractall)."""
    from helmpy.chart.archive import read_archive
    from helmpy.chart.loader import load_files

    members = read_archive(data, source)
    name = load_files(members, source).metadata.name
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ChartError(f"{source}: invalid chart name {name!r}")
    target = root / name
    if target.exists():
        raise HelmpyError(f"failed to untar: a file or directory with the name {target} already exists")
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{name}.untar-{os.getpid()}"
    try:
        base = staging.resolve()
        for m in members:
            out_path = (staging / m.name).resolve()
            if base not in out_path.parents:
                raise ChartError(f"{source}: chart illegally references a path outside its directory ({m.name!r})")
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_bytes(m.data)
            os.chmod(out_path, 0o644)
            if m.mtime:
                os.utime(out_path, (m.mtime, m.mtime))
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _verify(archive: Path, keyring: str | None, out: Callable[[str], None]) -> None:
    from helmpy.repo import provenance

    result = provenance.verify(archive, keyring)
    for line in result.lines():
        out(line)
