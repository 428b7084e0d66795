"""Small file-system helpers shared by every writer: atomic writes above all."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | os.PathLike[str], data: bytes | str, mode: int = 0o644, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file, never half.

    ``durable=False`` skips the ``fsync`` (milliseconds each on a busy disk) for caches whose readers verify
    what they read (a content-addressed blob checked against its digest, a hint): after a power loss such a
    file may be empty or short, never another file's content."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    atomic_stream(path, lambda fh: fh.write(payload), mode, durable)


def atomic_stream(path: str | os.PathLike[str], write: Callable[[BinaryIO], object], mode: int = 0o644,
                  durable: bool = True) -> None:
    """:func:`atomic_write` of what ``write`` writes to the file it is given (output too large to hold in memory
    is streamed into the temporary file, which replaces ``path`` only once ``write`` returned)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_copy(source: str | os.PathLike[str], path: str | os.PathLike[str], mode: int = 0o644,
                durable: bool = True) -> None:
    """:func:`atomic_write` of ``source``'s bytes, copied by the kernel (``copy_file_range``: no pass through
    Python, and a reflink where the file system shares blocks); a plain read/write loop where it cannot."""
    def write(fh: BinaryIO) -> None:
        with open(source, "rb") as src:
            left = os.fstat(src.fileno()).st_size
            try:
                while left > 0:
                    done = os.copy_file_range(src.fileno(), fh.fileno(), left)
                    if done == 0:  # the source ended early, or this file system copies nothing: start over
                        raise OSError("copy_file_range copied nothing")
                    left -= done
            except (AttributeError, OSError):  # no copy_file_range here, or not between these file systems
                src.seek(0)
                os.ftruncate(fh.fileno(), 0)
                os.lseek(fh.fileno(), 0, os.SEEK_SET)
                while block := src.read(1 << 20):
                    fh.write(block)

    atomic_stream(path, write, mode, durable)


def _create_temp(target: Path) -> tuple[int, str]:
    """A new, exclusively created ``.<name>.<random>.tmp`` beside ``target`` (what ``tempfile.mkstemp`` does,
    without importing ``tempfile``, ``random`` and ``shutil`` on every command's start-up path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(target.parent, f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


# --- names that come from elsewhere -------------------------------------------------------------------
MAX_NAME_BYTES = 255  # one path component, as on every common file system (NAME_MAX)
MAX_PATH_BYTES = 4096  # a whole relative path (PATH_MAX)


def shown(name: str, limit: int = 120) -> str:
    """``repr(name)`` for an error message (control characters escaped), cut when very long."""
    text = repr(name)
    if len(text) <= limit:
        return text
    return f"{text[:limit - 1]}...' ({len(name)} characters)"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a single file name on disk, or None when it can.

    Refused: empty, ``.``/``..``, a separator (``/`` or ``\\``), NUL or any other control character
    (C0, DEL, C1) or Unicode line/paragraph separator (YAML and ``str.splitlines`` break lines at
    NEL, U+2028 and U+2029 too), text that is not valid UTF-8, and more than :data:`MAX_NAME_BYTES`
    bytes.
    """
    if not name:
        return "it is empty"
    if name in (".", ".."):
        return "it names a directory, not a file"
    if "/" in name or "\\" in name:
        return "it contains a path separator"
    if not (name.isascii() and name.isprintable()):  # the common name passes both tests (in C)
        bad = next((ch for ch in name if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029"), None)
        if bad is not None:
            return f"it contains the control character {bad!r}"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid UTF-8"
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes long, more than the limit of {MAX_NAME_BYTES} bytes per name"
    return None


def safe_base_name(path: str, what: str, error: type[Exception] = ValueError) -> str:
    """The last component of a path someone else chose (``/`` and ``\\`` both separate), checked.

    Trailing separators are dropped first, as Go's ``filepath.Base`` does. What remains must pass
    :func:`name_problem`, else ``error`` is raised, prefixed by ``what`` (which names the source).
    """
    base = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    problem = name_problem(base)
    if problem is not None:
        raise error(f"{what}: cannot use {shown(base)} as a file name: {problem}")
    return base
