"""``plugin package`` and ``plugin verify``: a plugin directory as ``NAME-VERSION.tgz`` (signed by default, as
Helm 4 does) and the check of a tarball against its ``.prov``.

The archive holds every file under the directory below a top-level ``NAME/`` (Helm's layout), executables
keeping their execute bit; a link or special file in the directory is refused (``plugin install`` would refuse
it in the archive), and the size is held to the limits ``plugin install`` applies (``HELMPY_MAX_FILE_SIZE``,
``HELMPY_MAX_CHART_SIZE``). The signature is the chart provenance format (:mod:`helmpy.repo.provenance`) over
the tarball, with plugin.yaml's fields as its metadata; Helm verifies only the signature and the file hash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.errors import HelmpyError, PluginError
from helmpy.fsutil import atomic_write, shown
from helmpy.plugin.archive import SUFFIXES, SizeBudget
from helmpy.plugin.manifest import Plugin, load_dir

if TYPE_CHECKING:
    from helmpy.repo.provenance import Verification

Out = Callable[[str], None]


def _entries(plugin: Plugin) -> tuple[list[tuple[str, bytes, float]], frozenset[str]]:
    """(archive path, bytes, mtime) of every file, in Helm's walk order, and the executable ones."""
    budget = SizeBudget(str(plugin.directory))
    entries: list[tuple[str, bytes, float]] = []
    executable: set[str] = set()
    for root, dirs, files in os.walk(plugin.directory):
        dirs.sort()
        for name in sorted([*files, *(d for d in dirs if os.path.islink(os.path.join(root, d)))]):
            path = Path(root) / name
            rel = path.relative_to(plugin.directory).as_posix()
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                raise PluginError(f"{plugin.directory}: {shown(rel)} is a link or special file; a plugin archive "
                                  "holds only files and directories")
            budget.add(info.st_size)
            archived = f"{plugin.name}/{rel}"
            entries.append((archived, path.read_bytes(), info.st_mtime))
            if info.st_mode & stat.S_IXUSR:
                executable.add(archived)
    return entries, frozenset(executable)


def package(directory: Path, destination: Path, out: Out, sign: bool = True, key: str = "",
            keyring: str | None = None, passphrase: str | None = None) -> Path:
    """Write ``destination/NAME-VERSION.tgz`` (and its ``.prov`` when signing); return the archive's path."""
    if not directory.is_dir():
        raise PluginError(f"{directory}: plugin package only supports directories, not tarballs"
                          if directory.exists() else f"{directory}: no such directory")
    try:
        plugin = load_dir(directory)
    except PluginError as err:
        raise PluginError(f"invalid plugin directory: {err.message}") from err
    from helmpy.chart.archive import write_archive

    entries, executable = _entries(plugin)
    data = write_archive(entries, executable)
    name = f"{plugin.name}-{plugin.manifest.version}.tgz"
    prov: str | None = None
    if sign:
        from helmpy.repo import provenance

        m = plugin.manifest
        metadata = {"apiVersion": m.api_version, "name": m.name, "type": m.type, "runtime": m.runtime,
                    "version": m.version}
        try:
            prov = provenance.sign(name, data, metadata, key, keyring, passphrase)
        except HelmpyError as err:
            raise PluginError(f"cannot sign the plugin: {err.message}",
                              hint="pass --key and --keyring (a secret keyring), or --sign=false") from err
    else:
        out("WARNING: Skipping plugin signing. This is not recommended for plugins intended for distribution.")
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / name
    atomic_write(archive, data)
    if prov is not None:
        atomic_write(f"{archive}.prov", prov)
        out(f"Successfully signed. Signature written to: {archive}.prov")
    out(f"Successfully packaged plugin and saved it to: {archive}")
    return archive


def verify(archive: Path, keyring: str | None = None) -> list[str]:
    """Check ``archive`` against ``archive.prov`` and ``keyring``; the lines Helm prints for a good one."""
    return lines(check(archive, keyring))


def lines(checked: Verification) -> list[str]:
    """What ``plugin verify`` prints for a good signature (``verify``'s lines, a plugin's hash named so)."""
    return [line.replace("Chart Hash", "Plugin Hash") for line in checked.lines()]


def check(archive: Path, keyring: str | None = None) -> Verification:
    """Check ``archive`` against ``archive.prov`` and ``keyring``: who signed it, with which key (a bad or
    missing signature raises :class:`PluginError`)."""
    from helmpy.repo import provenance

    if archive.is_dir():
        raise PluginError(f"{archive}: directory verification not supported - only plugin tarballs can be "
                          "verified")
    if not archive.name.endswith(SUFFIXES):
        raise PluginError(f"{archive}: plugin file must be a gzipped tarball (.tar.gz or .tgz)")
    if not archive.is_file():
        raise PluginError(f"{archive}: no such file")
    try:
        result = provenance.verify(archive, keyring, prov_path=f"{archive}.prov", suffixes=SUFFIXES)
    except PluginError:
        raise
    except HelmpyError as err:  # ProvenanceError and friends: one line naming the plugin
        raise PluginError(f"plugin verification failed: {err.message}") from err
    return result
