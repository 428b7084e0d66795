"""Chart archives are untrusted: paths, links, irregular files and sizes are all checked on read."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from helmpy.chart.archive import read_archive, write_archive
from helmpy.chart.loader import load, load_archive
from helmpy.errors import ArchiveError, UsageError

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


@pytest.mark.parametrize("entries, message", [
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
])
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


@pytest.mark.parametrize("data, message", [
    (b"apiVersion: v2\nname: x\n", "seems to be a YAML file"),
    (b"PK\x03\x04zip", "not a gzipped chart archive"),
    (gzip.compress(b"not a tar at all" * 100), "corrupt chart archive"),
    (tgz(), "no files in chart archive"),
])
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
