"""The directory ``helmpy serve`` serves: chart archives, their .prov files and index.yaml.

Every change (upload, delete) is one locked read-modify-write of the index: an in-process lock for
threads plus an ``flock`` on a lock file for other processes serving the same directory. The index
is re-read when another writer replaced it, and written atomically, so concurrent uploads never
lose an entry and readers never see half a file.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from helmpy.chart.loader import load_archive
from helmpy.errors import (
    ChartAlreadyExists,
    ChartError,
    ChartNotInRepository,
    ProvenanceError,
    RepoError,
    ServerRequestError,
)
from helmpy.fsutil import atomic_write
from helmpy.repo.index import ChartVersion, IndexFile, find_archives, index_directory, rfc3339nano

logger = logging.getLogger(__name__)

CHARTS_URL_PREFIX = "charts"
LOCK_NAME = ".helmpy-serve.lock"


def safe_filename(name: str) -> str:
    """Refuse anything that is not a plain file name inside the served directory."""
    if (not name or "/" in name or "\\" in name or "\0" in name or name.startswith(".")
            or len(name) > 255 or os.path.isabs(name)):
        raise ServerRequestError(f"invalid file name {name!r}")
    return name


@dataclass
class IndexSnapshot:
    """index.yaml bytes with the validators HTTP caching needs."""

    data: bytes
    etag: str
    mtime: float


class ChartStorage:
    """Charts on disk plus their index; all mutations go through :meth:`_writing`."""

    def __init__(self, root: str | os.PathLike[str], allow_overwrite: bool = False) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.allow_overwrite = allow_overwrite
        self._lock = threading.Lock()
        self._index: IndexFile | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._snapshot: tuple[tuple[int, int, int], IndexSnapshot] | None = None

    @property
    def index_path(self) -> Path:
        return self.root / "index.yaml"

    # --- locking and the cached index --------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the thread lock and the cross-process ``flock``."""
        with self._lock, open(self.root / LOCK_NAME, "a+b") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def _writing(self) -> Iterator[IndexFile]:
        """Hold both locks, yield the current index, then write it back atomically."""
        with self._locked():
            try:
                index = self._current()
                yield index
                self._save(index)
            except BaseException:
                self._index = None  # the cached copy may be half-changed: re-read it next time
                raise

    def _save(self, index: IndexFile) -> None:
        """Write the index (callers hold the locks) and remember which file version we hold."""
        index.sort()
        index.generated = rfc3339nano()
        index.write(self.index_path)
        self._index, self._stamp = index, self._file_stamp()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.index_path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _current(self) -> IndexFile:
        stamp = self._file_stamp()
        if self._index is None or stamp != self._stamp:
            if stamp is None:
                self._index = IndexFile()
            else:
                self._index = IndexFile.load_file(self.index_path)
            self._stamp = stamp
        return self._index

    def index(self) -> IndexFile:
        """The index as last written (re-read if another process replaced it)."""
        with self._lock:
            return self._current()

    def current(self) -> tuple[IndexFile, tuple[int, int, int] | None]:
        """The index and the stamp (mtime, size, inode) of the file it was read from, taken together, so the
        web pages can cache what they derive from one index version by its stamp."""
        with self._lock:
            index = self._current()
            return index, self._stamp

    def rebuild(self) -> IndexFile:
        """Index every archive in the directory (startup), skipping unreadable ones.

        An index.yaml that already lists exactly the archives present (same names, versions and
        digests) with URLs this server answers (relative ones) is left as it is - ``created`` and
        ``generated`` included - so serving a directory kept in version control does not modify it. An
        index whose URLs point elsewhere (``repo index --url`` for another host) is rewritten, so clients
        download from this server.
        """
        def report(path: Path, reason: str) -> None:
            logger.warning("skipping archive %s", reason)

        with self._locked():
            try:
                current = self._current()
            except RepoError as err:  # an unreadable old index is replaced, not fatal
                logger.warning("ignoring unreadable %s: %s", self.index_path, err)
                current = self._index = IndexFile()
            top_level = [p for p in find_archives(self.root) if p.parent == self.root]  # what the server serves
            fresh = index_directory(self.root, CHARTS_URL_PREFIX, report, archives=top_level)
            if self._file_stamp() is not None and _identities(current) == _identities(fresh) \
                    and _urls_are_served(current):
                logger.debug("index up to date path=%s", self.index_path)
                return current
            known = {(cv.name, cv.version, cv.digest): cv.created for vs in current.entries.values() for cv in vs}
            for versions in fresh.entries.values():
                for cv in versions:  # unchanged archives keep their original ``created``
                    cv.created = known.get((cv.name, cv.version, cv.digest), cv.created)
            current.entries = fresh.entries
            try:
                self._save(current)
            except BaseException:
                self._index = None
                raise
        return current

    def snapshot(self) -> IndexSnapshot:
        """index.yaml bytes, ETag and mtime (cached until the file changes)."""
        stamp = self._file_stamp()
        if stamp is None:
            self.rebuild()
            stamp = self._file_stamp()
        cached = self._snapshot
        if cached is not None and cached[0] == stamp:
            return cached[1]
        data = self.index_path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        snap = IndexSnapshot(data, etag, self.index_path.stat().st_mtime)
        self._snapshot = (stamp, snap) if stamp else None
        return snap

    # --- files ---------------------------------------------------------------------------------------
    def file_path(self, name: str) -> Path:
        """A chart or provenance file of this repository (404 when absent)."""
        name = safe_filename(name)
        if not name.endswith((".tgz", ".tgz.prov")):
            raise ChartNotInRepository(f"{name}: not a chart or provenance file")
        path = self.root / name
        if not path.is_file():
            raise ChartNotInRepository("file not found")
        return path

    def _check_overwrite(self, path: Path, force: bool) -> None:
        if path.exists() and not (self.allow_overwrite or force):
            raise ChartAlreadyExists("file already exists")

    def save_chart(self, data: bytes, prov: bytes | None = None, force: bool = False) -> ChartVersion:
        """Validate an uploaded archive (fully), store it (and its .prov) and index it."""
        try:
            chart = load_archive(data, "uploaded chart")
        except ChartError as err:
            raise ServerRequestError(str(err)) from err
        meta = chart.metadata
        filename = safe_filename(f"{meta.name}-{meta.version}.tgz")
        if prov is not None:
            self._parse_prov(prov)
        with self._writing() as index:
            target = self.root / filename
            self._check_overwrite(target, force)
            if prov is not None:
                self._check_overwrite(self.root / (filename + ".prov"), force)
            atomic_write(target, data)
            if prov is not None:
                atomic_write(self.root / (filename + ".prov"), prov)
            index.remove(meta.name, meta.version)
            entry = index.add(meta, filename, CHARTS_URL_PREFIX, hashlib.sha256(data).hexdigest(), validate=False)
        logger.debug("stored chart name=%s version=%s", meta.name, meta.version)
        return entry

    @staticmethod
    def _parse_prov(prov: bytes) -> tuple[str, str]:
        from helmpy.repo.provenance import parse_unverified

        try:
            info = parse_unverified(prov, "uploaded provenance file")
        except ProvenanceError as err:
            raise ServerRequestError(str(err)) from err
        name, version = str(info.metadata.get("name") or ""), str(info.metadata.get("version") or "")
        if not name or not version:
            raise ServerRequestError("uploaded provenance file: chart name or version missing")
        return name, version

    def save_prov(self, prov: bytes, force: bool = False) -> str:
        """Store a provenance file next to the chart it names (the chart need not exist yet)."""
        name, version = self._parse_prov(prov)
        filename = safe_filename(f"{name}-{version}.tgz.prov")
        with self._lock:
            target = self.root / filename
            self._check_overwrite(target, force)
            atomic_write(target, prov)
        return filename

    def delete(self, name: str, version: str) -> None:
        """Remove one chart version, its .prov and its index entry."""
        with self._writing() as index:
            entry = index.remove(name, version)
            if entry is None:
                raise ChartNotInRepository("chart version not found")
            for url in entry.urls:
                filename = safe_filename(url.rsplit("/", 1)[-1])
                for path in (self.root / filename, self.root / (filename + ".prov")):
                    try:
                        path.unlink()
                    except FileNotFoundError:
                        pass


def _urls_are_served(index: IndexFile) -> bool:
    """True when every URL is relative (``x.tgz`` or ``charts/x.tgz``), so it resolves against this server."""
    for versions in index.entries.values():
        for cv in versions:
            for url in cv.urls:
                if "://" in url or url.startswith("/") or url.removeprefix(CHARTS_URL_PREFIX + "/").count("/"):
                    return False
    return True


def _identities(index: IndexFile) -> set[tuple[str, str, str]]:
    """What an index says is in the repository: (name, version, digest) of every version."""
    return {(cv.name, cv.version, cv.digest) for versions in index.entries.values() for cv in versions}
