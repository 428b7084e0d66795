"""Chart archives are untrusted: paths, links, irregular files and sizes are all checked on read."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.chart.archive import check_archive_stream, read_archive, write_archive
from helmpy.chart.loader import load, load_archive
from helmpy.errors import ArchiveError, ChartValidationError, UsageError

CHART_YAML = b"apiVersion: v2\nname: evil\nversion: 1.0.0\n"


def tgz(*entries: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                name, data = entry
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_a_good_archive_round_trips():
    data = write_archive([("ok/Chart.yaml", CHART_YAML.replace(b"evil", b"ok"), 0),
                          ("ok/templates/cm.yaml", b"kind: ConfigMap\n", 0)])
    chart = load_archive(data, "ok-1.0.0.tgz")
    assert chart.name == "ok" and [t.name for t in chart.templates] == ["templates/cm.yaml"]


HOSTILE = [
    ([("/etc/evil/Chart.yaml", CHART_YAML)], "absolute paths"),
    ([("evil/Chart.yaml", CHART_YAML), ("evil/../../outside.txt", b"x")], "parent directory"),
    ([("evil/Chart.yaml", CHART_YAML), ("evil/templates/../../../x", b"x")], "parent directory"),
    ([("evil/Chart.yaml", CHART_YAML), ("C:/windows/x", b"x")], "illegally named"),
    ([("Chart.yaml", CHART_YAML)], "chart yaml not in base directory"),
    ([("evil/Chart.yaml", CHART_YAML), link("evil/templates/passwd", "/etc/passwd", tarfile.SYMTYPE)],
     "links are not allowed"),
    ([("evil/Chart.yaml", CHART_YAML), link("evil/values.yaml", "../../etc/shadow", tarfile.LNKTYPE)],
     "links are not allowed"),
    ([("evil/Chart.yaml", CHART_YAML), link("evil/fifo", "", tarfile.FIFOTYPE)], "irregular file"),
    ([("evil/Chart.yaml", CHART_YAML), link("evil/dev", "", tarfile.CHRTYPE)], "irregular file"),
    ([("evil/Chart.yaml", CHART_YAML), ("other/x", b"x")], "more than one top-level directory"),
    ([("evil/Chart.yaml", CHART_YAML), ("evil/a", b"x"), ("evil/a", b"y")], "more than once"),
]


@pytest.mark.parametrize("entries, message", HOSTILE)
def test_hostile_entries_are_rejected(entries, message):
    with pytest.raises(ArchiveError, match=message):
        load_archive(tgz(*entries), "evil-1.0.0.tgz")


def test_per_file_and_total_limits_default_to_helms_and_are_configurable(monkeypatch):
    big = tgz(("evil/Chart.yaml", CHART_YAML), ("evil/big.bin", b"\0" * (5 * 1024 * 1024 + 1)))
    with pytest.raises(ArchiveError, match=r"'big.bin' is larger than the maximum file size 5242880"):
        read_archive(big, "evil.tgz")
    monkeypatch.setenv("HELMPY_MAX_FILE_SIZE", str(6 * 1024 * 1024))
    assert len(read_archive(big, "evil.tgz")) == 2
    monkeypatch.setenv("HELMPY_MAX_CHART_SIZE", "4096")
    monkeypatch.setenv("HELMPY_MAX_FILE_SIZE", "4096")
    many = tgz(("evil/Chart.yaml", CHART_YAML), *[(f"evil/f{i}", b"x" * 3000) for i in range(3)])
    with pytest.raises(ArchiveError, match="decompressed chart is larger than the maximum size 4096"):
        read_archive(many, "evil.tgz")
    monkeypatch.setenv("HELMPY_MAX_CHART_SIZE", "lots")
    with pytest.raises(UsageError, match="HELMPY_MAX_CHART_SIZE='lots' is not a positive whole number"):
        read_archive(many, "evil.tgz")


def test_gzip_bomb_stops_at_the_limit_without_inflating_everything():
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    with pytest.raises(ArchiveError, match="larger than the maximum size"):
        read_archive(bomb, "bomb.tgz", max_file=1024, max_total=1024)


def bad_sparse_map() -> bytes:
    """A PAX archive whose member claims a GNU sparse map that is no list of numbers (tarfile raises ValueError
    reading it, not TarError)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data, pax in (("evil/Chart.yaml", CHART_YAML, {}), ("evil/x", b"abc", {"GNU.sparse.map": "x"})):
            info = tarfile.TarInfo(name)
            info.size, info.pax_headers = len(data), pax
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


NOT_ARCHIVES = [
    (b"apiVersion: v2\nname: x\n", "seems to be a YAML file"),
    (b"PK\x03\x04zip", "not a gzipped chart archive"),
    (gzip.compress(b"not a tar at all" * 100), "corrupt chart archive"),
    (tgz(), "no files in chart archive"),
    (bad_sparse_map(), "corrupt chart archive"),
]
NOT_ARCHIVE_IDS = ["yaml", "zip", "gzip-no-tar", "empty-tar", "bad-sparse-map"]


@pytest.mark.parametrize("data, message", NOT_ARCHIVES, ids=NOT_ARCHIVE_IDS)
def test_not_an_archive(data, message):
    with pytest.raises(ArchiveError, match=message):
        read_archive(data, "x.tgz")


def test_hostile_archive_through_the_cli(cli, tmp_path):
    path = tmp_path / "evil-1.0.0.tgz"
    path.write_bytes(tgz(("evil/Chart.yaml", CHART_YAML), ("evil/../../x", b"x")))
    for args in (("template", "x", str(path)), ("show", "chart", str(path)), ("lint", str(path))):
        result = cli(*args)
        assert result.exit_code != 0
        assert "parent directory" in result.stderr + result.stdout
        assert "Traceback" not in result.stderr


def test_symlinks_in_a_chart_directory(tmp_path):
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_bytes(CHART_YAML.replace(b"evil", b"c"))
    (chart / "real").mkdir()
    (chart / "real" / "a.txt").write_text("a")
    (chart / "alias").symlink_to("real")                     # inside the chart: followed
    assert sorted(f.name for f in load(chart).files) == ["alias/a.txt", "real/a.txt"]
    (chart / "templates" / "loop").symlink_to("..")          # a cycle: one clear error
    with pytest.raises(ArchiveError, match="symlink loop"):
        load(chart)
    (chart / "templates" / "loop").unlink()
    (chart / "passwd").symlink_to("/etc/passwd")             # outside the chart
    with pytest.raises(ArchiveError, match="symlink points outside the chart"):
        load(chart)


# --- the same rules on an archive that arrives in blocks (a registry's chart layer) ------------------------------
def blocks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("entries, message", HOSTILE)
@pytest.mark.parametrize("size", [1, 7, 512, 1 << 20])
def test_the_stream_check_refuses_what_the_reader_refuses_with_its_message(entries, message, size):
    data = tgz(*entries)
    with pytest.raises(ArchiveError) as whole:
        read_archive(data, "evil.tgz")
    with pytest.raises(ArchiveError, match=message) as streamed:
        check_archive_stream(blocks(data, size), "evil.tgz")
    assert str(streamed.value) == str(whole.value)


@pytest.mark.parametrize("data, message", NOT_ARCHIVES, ids=NOT_ARCHIVE_IDS)
def test_the_stream_check_refuses_what_is_no_archive(data, message):
    with pytest.raises(ArchiveError, match=message):
        check_archive_stream(blocks(data, 3), "x.tgz")


def test_the_stream_check_wants_a_chart_yaml_and_keeps_the_limits(monkeypatch):
    with pytest.raises(ChartValidationError, match="x.tgz: Chart.yaml file is missing"):
        check_archive_stream([tgz(("web/values.yaml", b"a: 1\n"))], "x.tgz")
    check_archive_stream([tgz(("web/Chart.yaml", CHART_YAML), ("web/values.yaml", b"a: 1\n"))], "x.tgz")
    monkeypatch.setenv("HELMPY_MAX_FILE_SIZE", "1000")
    with pytest.raises(ArchiveError, match="'big.bin' is larger than the maximum file size 1000"):
        check_archive_stream([tgz(("web/Chart.yaml", CHART_YAML), ("web/big.bin", b"x" * 1001))], "x.tgz")
    monkeypatch.setenv("HELMPY_MAX_CHART_SIZE", "4096")
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    with pytest.raises(ArchiveError, match="larger than the maximum size"):
        check_archive_stream(blocks(bomb, 4096), "bomb.tgz")


def test_the_stream_check_reads_the_whole_stream_even_after_the_tar_ends():
    """What follows the tar's end (padding, another gzip member) is read too: a caller hashing the blocks sees
    all of them, and a corrupt tail is refused as read_archive refuses it."""
    good = tgz(("web/Chart.yaml", CHART_YAML))
    seen = []

    def tracked(data: bytes):
        for block in blocks(data, 100):
            seen.append(block)
            yield block

    check_archive_stream(tracked(good + gzip.compress(b"\0" * 5000)), "x.tgz")
    assert b"".join(seen) == good + gzip.compress(b"\0" * 5000)
    tail = good + b"\x1f\x8b" + b"\xff" * 40
    with pytest.raises(ArchiveError, match="corrupt chart archive"):
        read_archive(tail, "x.tgz")
    with pytest.raises(ArchiveError, match="corrupt chart archive"):
        check_archive_stream(blocks(tail, 100), "x.tgz")


names = st.lists(st.text(alphabet="abcxyz-_.0123456789", min_size=1, max_size=12).filter(lambda n: n not in (".", "..")),
                 min_size=0, max_size=6, unique=True)


@settings(max_examples=60, deadline=None)
@given(names, st.lists(st.binary(max_size=3000), min_size=6, max_size=6), st.integers(1, 5000))
def test_the_stream_check_accepts_every_archive_the_reader_accepts(files, contents, size):
    data = write_archive([("web/Chart.yaml", CHART_YAML, 0),
                          *((f"web/files/{n}", c, 0) for n, c in zip(files, contents, strict=False))])
    assert len(read_archive(data, "x.tgz")) == len(files) + 1
    check_archive_stream(blocks(data, size), "x.tgz")
