"""Reading untrusted chart archives safely, and writing reproducible ones.

Reading: every entry is path-checked (no absolute paths, no ``..``, no drive letters; no NUL, control
characters or over-long names), an archive holds one top-level directory and each file once, links
and devices are refused, and both a per-file and a total decompressed size limit apply (Helm's 5 MiB /
100 MiB by default; ``HELMPY_MAX_FILE_SIZE`` / ``HELMPY_MAX_CHART_SIZE`` override).

Writing: entries in Helm's order, mode 0644, uid/gid 0, source mtimes rounded to the second and a
fixed gzip header, so packaging the same chart twice gives byte-identical archives.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Literal

from helmpy.errors import ArchiveError
from helmpy.fsutil import MAX_PATH_BYTES, shown
from helmpy.fsutil import name_problem as component_problem
from helmpy.gunzip import gunzip_limited

if TYPE_CHECKING:
    import tarfile


def limits() -> tuple[int, int]:
    """(per-file, total) decompressed limits, configurable through the environment (helmpy/limits.py)."""
    from helmpy import limits as caps

    return caps.chart_file_size(), caps.chart_size()


@dataclass
class ArchiveMember:
    """One file taken from an archive, path relative to the chart root."""

    name: str
    data: bytes
    mtime: float


def _clean(name: str, source: str) -> str:
    name = name.replace("\\", "/")
    if name.startswith("/"):
        raise ArchiveError(f"{source}: chart illegally contains absolute paths ({name!r})")
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        raise ArchiveError(f"{source}: chart contains illegally named files ({name!r})")
    parts = name.split("/", 1)
    rest = parts[1] if len(parts) == 2 else ""
    cleaned = posixpath.normpath(rest) if rest else "."
    if cleaned == ".":
        if parts[0] == "Chart.yaml":
            raise ArchiveError(f"{source}: chart yaml not in base directory")
        raise ArchiveError(f"{source}: chart illegally contains content outside the base directory ({name!r})")
    if cleaned.startswith("..") or "/../" in f"/{cleaned}/" or posixpath.normpath(name).startswith(".."):
        raise ArchiveError(f"{source}: chart illegally references parent directory ({name!r})")
    return cleaned


def path_problem(path: str) -> str | None:
    """Why a chart file path (archive member or file in a chart directory) is refused, or None.

    Every component must be a name a file system and a ``# Source:`` comment can hold: no NUL or
    other control character (a newline would start a new YAML document in rendered output), valid
    UTF-8, at most 255 bytes; the whole path at most 4096 bytes. ``.``/``..`` and separators are the
    business of :func:`_clean`.
    """
    for part in path.replace("\\", "/").split("/"):
        if part in ("", ".", ".."):
            continue
        problem = component_problem(part)
        if problem is not None:
            return problem
    size = len(path.encode("utf-8", "surrogateescape"))
    if size > MAX_PATH_BYTES:
        return f"the path is {size} bytes long, more than the limit of {MAX_PATH_BYTES} bytes"
    return None


class _Layout:
    """One chart per archive: a single top-level directory, every file name once, no file that is
    also a directory. (Helm merges such archives silently; which copy wins is an accident of order.)"""

    def __init__(self, source: str) -> None:
        self.source = source
        self.top: str | None = None
        self.files: set[str] = set()
        self.dirs: set[str] = set()

    def add(self, raw: str, cleaned: str) -> None:
        top = raw.replace("\\", "/").split("/", 1)[0]
        if self.top is None:
            self.top = top
        elif top != self.top:
            raise ArchiveError(f"{self.source}: chart archive holds more than one top-level directory "
                               f"({shown(self.top)} and {shown(top)}); an archive must hold exactly one chart")
        if cleaned in self.files:
            raise ArchiveError(f"{self.source}: chart archive holds the file {shown(raw)} more than once")
        parents = {cleaned.rsplit("/", i)[0] for i in range(1, cleaned.count("/") + 1)}
        if cleaned in self.dirs or parents & self.files:
            raise ArchiveError(f"{self.source}: chart archive holds {shown(raw)} both as a file and as a directory")
        self.files.add(cleaned)
        self.dirs |= parents


def read_archive(data: bytes, source: str = "archive", max_file: int | None = None,
                 max_total: int | None = None) -> list[ArchiveMember]:
    """Untar a gzipped chart archive into memory, enforcing name, path, layout and size rules."""
    import tarfile  # not on the path of commands that read chart directories only

    lim_file, lim_total = limits()
    max_file = lim_file if max_file is None else max_file
    max_total = lim_total if max_total is None else max_total
    _refuse_non_gzip(data, source)
    members: list[ArchiveMember] = []
    admit = _Admission(source, max_file, max_total)
    try:
        raw = gunzip_limited(data, max_total + 1024 * 1024, admit.too_large)
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:", encoding="utf-8", errors="surrogateescape") as tar:
            for info in tar:
                name = admit(info)
                if name is None:
                    continue
                fh = tar.extractfile(info)
                content = fh.read() if fh else b""
                members.append(ArchiveMember(name, content, float(info.mtime)))
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as err:
        raise ArchiveError(f"{source}: corrupt chart archive: {err}") from err
    if not members:
        raise ArchiveError(f"{source}: no files in chart archive")
    return members


def _refuse_non_gzip(head: bytes, source: str) -> None:
    """``head``: the archive's first bytes (at least 512 of them when it has that many)."""
    if head[:2] != b"\x1f\x8b":
        text = head[:512].lstrip()
        if text.startswith((b"apiVersion", b"name:", b"---", b"#")):
            raise ArchiveError(f"file '{source}' seems to be a YAML file, but expected a gzipped archive")
        raise ArchiveError(f"{source}: not a gzipped chart archive")


class _Admission:
    """The rules every member of an archive passes (names, paths, links, layout, sizes), member by member."""

    def __init__(self, source: str, max_file: int, max_total: int) -> None:
        self.source = source
        self.max_file = max_file
        self.max_total = max_total
        self.layout = _Layout(source)
        self.total = 0
        self.files = 0

    def too_large(self, limit: int) -> ArchiveError:
        return ArchiveError(f"{self.source}: decompressed chart is larger than the maximum size {limit}")

    def __call__(self, info: tarfile.TarInfo) -> str | None:
        """The chart-relative name of a regular file to take; None for what is skipped (directories, PAX and
        GNU long-name headers); an :class:`ArchiveError` for what is refused."""
        import tarfile

        source = self.source
        if info.type in (tarfile.XGLTYPE, tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME):
            return None
        problem = path_problem(info.name)
        if problem is not None:
            raise ArchiveError(f"{source}: chart contains an illegally named file {shown(info.name)}: {problem}")
        if info.isdir():
            return None
        if info.issym() or info.islnk():
            raise ArchiveError(f"{source}: chart contains a link {info.name!r} -> {info.linkname!r}; links are not "
                               "allowed")
        if not info.isreg():
            raise ArchiveError(f"{source}: chart contains an irregular file {info.name!r}")
        name = _clean(info.name, source)
        self.layout.add(info.name, name)
        if info.size > self.max_file:
            raise ArchiveError(
                f"{source}: decompressed chart file {name!r} is larger than the maximum file size {self.max_file}")
        self.total += info.size
        if self.total > self.max_total:
            raise ArchiveError(f"{source}: decompressed chart is larger than the maximum size {self.max_total}")
        self.files += 1
        return name


#: Bytes tarfile asks for per read in stream mode: what a skipped file's content is read in.
_STREAM_READ = 64 * 1024


def check_archive_stream(blocks: Iterable[bytes], source: str) -> None:
    """Check, as :func:`read_archive` would, the chart archive that arrives in ``blocks``, keeping none of it:
    every member passes the same rules, the archive holds a ``Chart.yaml``, and the whole stream inflates
    within the limits. Reads ``blocks`` to its end unless the archive is refused (then the caller may read
    on, to hash the rest)."""
    import tarfile

    from helmpy.gunzip import GunzipReader

    lim_file, lim_total = limits()
    admit = _Admission(source, lim_file, lim_total)
    feed = iter(blocks)
    first = next(feed, b"")
    while len(first) < 512:  # what the gzip check looks at
        more = next(feed, None)
        if more is None:
            break
        first += more
    _refuse_non_gzip(first, source)
    reader = GunzipReader(itertools.chain((first,), feed), lim_total + 1024 * 1024, admit.too_large)
    has_chart_yaml = False
    try:
        with tarfile.open(fileobj=reader, mode="r|", bufsize=_STREAM_READ, encoding="utf-8",  # type: ignore[call-overload]
                          errors="surrogateescape") as tar:
            for info in tar:
                has_chart_yaml = admit(info) == "Chart.yaml" or has_chart_yaml
        reader.drain()
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as err:
        raise ArchiveError(f"{source}: corrupt chart archive: {err}") from err
    if not admit.files:
        raise ArchiveError(f"{source}: no files in chart archive")
    if not has_chart_yaml:
        from helmpy.errors import ChartValidationError

        raise ChartValidationError(f"{source}: Chart.yaml file is missing")


# --- writing ----------------------------------------------------------------------------------------
def _tar_header(name: str, size: int, mtime: int, mode: int = 0o644) -> tarfile.TarInfo:
    import tarfile

    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = mode
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def write_archive(entries: list[tuple[str, bytes, float]], executable: frozenset[str] = frozenset()) -> bytes:
    """Build a reproducible .tgz from (path, data, mtime) in the given order; the paths in ``executable`` get
    mode 0755 (a plugin's scripts), the rest 0644."""
    out = io.BytesIO()
    stream_archive(entries, out, executable)
    return out.getvalue()


def stream_archive(entries: list[tuple[str, bytes, float]], fileobj: BinaryIO,
                   executable: frozenset[str] = frozenset()) -> None:
    """Write the reproducible .tgz of (path, data, mtime) entries to ``fileobj`` as it is built: each header and
    file goes straight into the compressor, so no copy of the whole tar or archive is ever held.

    Go's layout: 512-byte headers (USTAR, PAX when a name needs it), data padded to 512 bytes, two zero blocks
    and no padding to tarfile's 10240-byte record; gzip with mtime 0, no file name, level 6.
    """
    import gzip
    import tarfile

    simple = all(len(n.encode()) < 100 and n.isascii() for n, _, _ in entries)
    fmt: Literal[0, 1, 2] = tarfile.USTAR_FORMAT if simple else tarfile.PAX_FORMAT
    with gzip.GzipFile(filename="", mode="wb", fileobj=fileobj, mtime=0, compresslevel=6) as gz:
        for name, data, mtime in entries:
            mode = 0o755 if name in executable else 0o644
            header = _tar_header(name, len(data), int(mtime + 0.5), mode)
            gz.write(header.tobuf(fmt, tarfile.ENCODING, "surrogateescape"))
            gz.write(data)
            pad = -len(data) % tarfile.BLOCKSIZE
            if pad:
                gz.write(b"\0" * pad)
        gz.write(b"\0" * (2 * tarfile.BLOCKSIZE))
