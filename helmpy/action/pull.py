"""``pull``: download a chart archive (optionally its .prov, verified, or untarred) into a directory."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.action.chartref import RemoteOptions, fetch, locate
from helmpy.errors import ChartError, DownloadError, HelmpyError
from helmpy.fsutil import atomic_copy, atomic_write, shown

if TYPE_CHECKING:
    from helmpy.diskcache import ValueCache

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


def pull(ref: str, opts: PullOptions, out: Callable[[str], None] = print,
         notice: Callable[[str], None] | None = None) -> Path:
    """Download ``ref``; returns the saved archive, or the untarred chart directory.

    ``notice`` gets a registry's ``Pulled:``/``Digest:`` lines (Helm writes them to stderr)."""
    from helmpy.repo.downloader import ChartDownloader

    dest = Path(opts.destination)
    if not opts.untar and not dest.is_dir():  # --untar creates the directory (-d and --untardir), as Helm does
        raise HelmpyError(f'destination "{dest}" does not exist or is not a directory')
    chart = locate(ref, opts.version, opts.devel, opts.repo_url, opts.remote)
    # a registry's layer saved as it is: checked as it arrives (or as its cached copy is verified), then copied
    as_layer = chart.oci is not None and not opts.untar
    dl = ChartDownloader()
    try:
        got = fetch(chart, dl, out=notice, check_archive=as_layer)
        data = None if as_layer else got.path.read_bytes()
        prov_data: bytes | None = None
        if (opts.verify or opts.prov) and chart.oci is not None:
            if got.prov is None:
                raise DownloadError(f"{ref}: manifest does not contain a layer with mediatype "
                                    "application/vnd.cncf.helm.chart.provenance.v1.prov")
            prov_data = got.prov.read_bytes()
        elif opts.verify or opts.prov:
            prov_data = dl.download_provenance(got.url, chart.options, got.digest).read_bytes()
    finally:
        dl.close()
    own_name = got.filename if data is None else _check_archive(data, got.url)

    if not opts.untar:
        saved = dest / got.filename
        _refuse_clobber(saved, own_name, got.url)
        if prov_data is not None:
            _refuse_clobber(dest / f"{got.filename}.prov", f"{own_name}.prov", got.url)
        # written as Helm writes them: atomically, without fsync (a pull is repeated, see docs/repositories.md)
        if data is None:
            atomic_copy(got.path, saved, durable=False)
        else:
            atomic_write(saved, data, durable=False)
        if prov_data is not None:
            atomic_write(dest / f"{got.filename}.prov", prov_data, durable=False)
        if opts.verify:
            _verify(saved, opts.keyring, out)
        return saved

    assert data is not None  # as_layer is never set with --untar
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
    if prov_data is not None:
        _refuse_clobber(untar_root / f"{got.filename}.prov", f"{own_name}.prov", got.url)
    target = expand(data, untar_root, source=got.url)
    if prov_data is not None:
        atomic_write(untar_root / f"{got.filename}.prov", prov_data)
    return target


#: What decides whether an archive loads as a chart, and its name and version: the loader and the parsers under it.
_LOADER_MODULES = ("helmpy.action.pull", "helmpy.chart.loader", "helmpy.chart.archive", "helmpy.chart.model",
                   "helmpy.gunzip", "helmpy.jsondepth", "helmpy.semverutil", "helmpy.limits", "helmpy.fsutil",
                   "helmpy.lazyre", "helmpy.yamlcache", "helmpy.yamlutil", "helmpy._yamlguard",
                   "helmpy.values.coalesce", "yaml")


def _loader_settings() -> str:
    """The limits a chart archive's load enforces: an archive accepted under some limits may be refused under
    others."""
    from helmpy import limits

    return (f"{limits.nesting_depth()}:{limits.chart_file_size()}:{limits.chart_size()}:"
            f"{limits.values_size()}")


@functools.lru_cache(maxsize=1)
def _verdicts() -> ValueCache:
    from helmpy.diskcache import ValueCache  # here: an oci:// pull without --untar keeps no verdict

    return ValueCache("pull-verdict", 1, depends_on=_LOADER_MODULES, settings=_loader_settings)


def _check_archive(data: bytes, source: str) -> str:
    """Refuse to save what is not a loadable chart archive (Helm saves it and fails later, on use); the name
    ``pull`` gives the chart, ``<name>-<version>.tgz``.

    The whole chart is loaded (its Chart.yaml, values, lock, schema and sub-charts), once per content: the name
    of an archive that loaded is kept in the parsed-inputs cache (:mod:`helmpy.diskcache`) under the hash of its
    bytes, the loader's source files and the limits it enforces, so pulling the same archive again imports
    neither the loader nor the chart model. A refusal is never kept: every pull of a broken archive loads it
    and gets the loader's own error."""
    def load() -> str:
        from helmpy.chart.loader import load_archive

        meta = load_archive(data, source).metadata
        return f"{meta.name}-{meta.version}.tgz"

    return _verdicts().cached(data, load)


def _refuse_clobber(target: Path, own_name: str, url: str) -> None:
    """The repository chooses the saved name (the URL's base name); it may replace only a file of the
    name ``pull`` itself would give the chart (``<name>-<version>.tgz``), never some other file."""
    if target.name != own_name and (target.exists() or target.is_symlink()):
        raise DownloadError(f"refusing to overwrite {target}: the name {shown(target.name)} comes from the chart URL "
                            f"{shown(url)}, not from the chart ({own_name}); move the file away or pull into another "
                            "directory")


def expand(data: bytes, root: Path, source: str) -> Path:
    """Unpack a chart archive into ``root/<chart name>`` with the safe reader (never extractall)."""
    import shutil  # with bz2 and lzma: only --untar needs it
    import tempfile

    from helmpy.chart.archive import read_archive
    from helmpy.chart.loader import load_files
    from helmpy.fsutil import name_problem

    members = read_archive(data, source)
    name = load_files(members, source).metadata.name
    problem = name_problem(name)
    if problem is not None:
        raise ChartError(f"{source}: invalid chart name {shown(name)}: {problem}")
    target = root / name
    if target.exists() or target.is_symlink():
        raise HelmpyError(f"failed to untar: a file or directory with the name {target} already exists")
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".untar-", dir=root))
    except OSError as err:
        raise HelmpyError(f"failed to untar into {root}: {err.strerror or err}") from err
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
        os.chmod(staging, 0o755)
        staging.rename(target)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise HelmpyError(f"failed to untar {source} into {target}: {err.strerror or err}") from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _verify(archive: Path, keyring: str | None, out: Callable[[str], None]) -> None:
    from helmpy.repo import provenance

    result = provenance.verify(archive, keyring)
    for line in result.lines():
        out(line)
