"""Unpacking a plugin tarball (``.tgz``/``.tar.gz``) from a stranger into a directory, safely.

Every member name is checked as chart archive members are (no absolute path, no ``..``, no control
characters, no over-long names), links and devices are refused, and the decompressed size is capped by the
chart limits (``HELMPY_MAX_FILE_SIZE`` per file, ``HELMPY_MAX_CHART_SIZE`` in all). Only the owner's execute
bit survives from a member's mode (scripts stay runnable; no set-uid, no world-writable files). plugin.yaml
may sit at the top or in one top-level directory, as Helm accepts.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zlib
from pathlib import Path

from helmpy.chart.archive import limits, path_problem
from helmpy.errors import PluginError
from helmpy.fsutil import shown
from helmpy.gunzip import gunzip_limited
from helmpy.plugin.manifest import PLUGIN_FILE

SUFFIXES = (".tgz", ".tar.gz")


def is_archive(name: str) -> bool:
    return name.endswith(SUFFIXES)


class SizeBudget:
    """The install limits on a plugin's files: ``HELMPY_MAX_FILE_SIZE`` each, ``HELMPY_MAX_CHART_SIZE`` in all
    (checked when unpacking an archive and when ``plugin package`` makes one)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.max_file, self.max_total = limits()
        self.total = 0

    def add(self, size: int) -> None:
        self.total += size
        if size > self.max_file or self.total > self.max_total:
            raise PluginError(f"{self.source}: plugin archive is larger than the maximum size ({self.max_file} "
                              f"bytes per file, {self.max_total} in all; HELMPY_MAX_FILE_SIZE, HELMPY_MAX_CHART_SIZE)")


def _member_path(name: str, source: str) -> str:
    problem = path_problem(name)
    if problem is not None:
        raise PluginError(f"{source}: plugin archive contains an illegally named file {shown(name)}: {problem}")
    clean = posixpath.normpath(name.replace("\\", "/"))
    if clean.startswith("/") or clean == ".." or clean.startswith("../") or (len(clean) > 1 and clean[1] == ":"):
        raise PluginError(f"{source}: plugin archive contains a path outside its directory: {shown(name)}")
    return clean


def extract(data: bytes, target: Path, source: str) -> Path:
    """Unpack ``data`` under ``target`` (an empty directory); return the directory holding plugin.yaml."""
    budget = SizeBudget(source)
    if data[:2] != b"\x1f\x8b":
        raise PluginError(f"{source}: not a gzipped plugin archive")
    try:
        raw = gunzip_limited(data, budget.max_total + 1024 * 1024, lambda limit: PluginError(
            f"{source}: decompressed plugin archive is larger than the maximum size {limit}"))
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:", encoding="utf-8", errors="surrogateescape") as tar:
            for info in tar:
                if info.type in (tarfile.XGLTYPE, tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME):
                    continue
                rel = _member_path(info.name, source)
                if rel == ".":
                    continue
                dest = target / rel
                if info.isdir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                if not info.isreg():
                    raise PluginError(f"{source}: plugin archive contains a link or special file {shown(info.name)}; "
                                      "only files and directories are allowed")
                budget.add(info.size)
                if dest.exists():
                    raise PluginError(f"{source}: plugin archive holds {shown(info.name)} more than once")
                dest.parent.mkdir(parents=True, exist_ok=True)
                fh = tar.extractfile(info)
                dest.write_bytes(fh.read() if fh else b"")
                dest.chmod(0o755 if info.mode & 0o100 else 0o644)
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise PluginError(f"{source}: corrupt plugin archive: {err}") from err
    except OSError as err:  # e.g. a file where an earlier member made a directory
        raise PluginError(f"{source}: cannot unpack the plugin archive: {err.strerror or err}") from err
    return plugin_root(target, source)


def plugin_root(directory: Path, source: str) -> Path:
    """``directory`` when it holds plugin.yaml, else its one sub-directory that does."""
    if (directory / PLUGIN_FILE).is_file():
        return directory
    for sub in sorted(directory.iterdir()):
        if sub.is_dir() and not sub.is_symlink() and (sub / PLUGIN_FILE).is_file():
            return sub
    raise PluginError(f"{source}: plugin.yaml not found at the top of the archive or in its top-level directory")
