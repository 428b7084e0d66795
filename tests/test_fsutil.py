"""Atomic writes and copies: the target is the old file or the new one, never half of either."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmpy.fsutil import atomic_copy, atomic_stream


def copy_sources(tmp_path: Path) -> list[Path]:
    """A source on the target's file system (the kernel copies) and one on another (/dev/shm, a tmpfs: the
    kernel refuses a copy across file systems, and the read/write loop copies)."""
    same = tmp_path / "same.bin"
    sources = [same]
    shm = Path("/dev/shm")
    if shm.is_dir() and shm.stat().st_dev != tmp_path.stat().st_dev:
        sources.append(shm / f"helmpy-test-{os.getpid()}.bin")
    return sources


@pytest.mark.parametrize("size", [0, 1, 3 << 20])
def test_atomic_copy_copies_every_byte_with_the_mode(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    for source in copy_sources(tmp_path):
        source.write_bytes(data)
        try:
            target = tmp_path / "out" / "copy.tgz"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(b"old")
            atomic_copy(source, target, mode=0o640, durable=False)
            assert target.read_bytes() == data
            assert target.stat().st_mode & 0o777 == 0o640
            assert sorted(p.name for p in target.parent.iterdir()) == ["copy.tgz"]  # no temporary file left
        finally:
            source.unlink()


def test_a_failed_copy_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "copy.tgz"
    target.write_bytes(b"old")
    with pytest.raises(FileNotFoundError):
        atomic_copy(tmp_path / "missing", target)
    with pytest.raises(RuntimeError):
        atomic_stream(target, lambda fh: (fh.write(b"half"), (_ for _ in ()).throw(RuntimeError("stop"))))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.tgz"]


def test_a_kernel_copy_that_stops_early_is_finished_by_the_read_write_loop(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """copy_file_range may copy part of a file and then report 0 (a file system that copies nothing more, a
    source that changed): the copy is redone by the loop, never kept short."""
    data = os.urandom(1 << 20)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    real = os.copy_file_range
    calls: list[int] = []

    def stops_halfway(src: int, dst: int, count: int, *rest: int) -> int:
        calls.append(count)
        return real(src, dst, min(count, len(data) // 2)) if len(calls) == 1 else 0

    monkeypatch.setattr(os, "copy_file_range", stops_halfway)
    target = tmp_path / "copy.bin"
    atomic_copy(source, target, durable=False)
    assert len(calls) == 2
    assert target.read_bytes() == data
