"""Chart directories get the archive limits: a file over the per-file cap (a 6 GB sparse file, from
``truncate``) or a chart over the whole-chart cap fails at once in every command, naming the file and the cap,
without reading it - the commands run in subprocesses under a 1 GiB address-space limit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.test_hostile_yaml import SECONDS, assert_one_error, helmpy

SPARSE = "6G"
FILE_CAP = "5242880 bytes (limit HELMPY_MAX_FILE_SIZE)"


def _chart(root: Path) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "values.yaml").write_text("a: 1\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    return chart


def _sparse(path: Path, size: str = SPARSE) -> Path:
    subprocess.run(["truncate", "-s", size, str(path)], check=True)
    return path


COMMANDS = [("template", "r", "{chart}"), ("package", "{chart}", "-d", "{out}"), ("show", "chart", "{chart}"),
            ("show", "values", "{chart}"), ("show", "all", "{chart}"), ("install", "r", "{chart}", "--dry-run")]


@pytest.mark.parametrize("where", ["templates/big.yaml", "files/big.bin", "values.yaml", "Chart.yaml", ".helmignore"])
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_sparse_6g_file_in_a_chart_dir_fails_at_once(tmp_path: Path, where: str, args: tuple[str, ...]) -> None:
    chart = _chart(tmp_path)
    (chart / where).parent.mkdir(parents=True, exist_ok=True)
    big = _sparse(chart / where)
    out = tmp_path / "out"
    out.mkdir()
    proc = helmpy(*(a.format(chart=chart, out=out) for a in args), "--cluster", f"local:{tmp_path / 'c.db'}") \
        if args[0] == "install" else helmpy(*(a.format(chart=chart, out=out) for a in args))
    assert_one_error(proc, f"chart file '{big}' is larger than the maximum file size {FILE_CAP}")
    assert proc.elapsed < SECONDS / 2  # type: ignore[attr-defined]
    assert list(out.iterdir()) == []  # package wrote nothing


@pytest.mark.parametrize("where", ["values.yaml", "Chart.yaml", "templates/big.yaml", "values.schema.json"])
def test_lint_reports_a_sparse_6g_file_without_reading_it(tmp_path: Path, where: str) -> None:
    chart = _chart(tmp_path)
    big = _sparse(chart / where)
    proc = helmpy("lint", str(chart))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert f"chart file '{big}' is larger than the maximum file size {FILE_CAP}" in proc.stdout, proc.stdout
    assert proc.stderr.strip() == "Error: 1 chart(s) linted, 1 chart(s) failed"


def test_the_whole_chart_cap_applies_to_directories(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    (chart / "files").mkdir()
    for i in range(3):
        (chart / "files" / f"part{i}.bin").write_bytes(b"x" * 400_000)
    env = {"HELMPY_MAX_CHART_SIZE": "1000000"}
    for args in (("template", "r", str(chart)), ("package", str(chart), "-d", str(tmp_path)), ("lint", str(chart))):
        proc = helmpy(*args, env=env)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert (f"{chart}: chart is larger than the maximum size 1000000 bytes (limit HELMPY_MAX_CHART_SIZE; "
                f"reached at 'files/part2.bin')") in proc.stdout + proc.stderr, (proc.stdout, proc.stderr)
    assert not list(tmp_path.glob("*.tgz"))
    assert helmpy("template", "r", str(chart)).returncode == 0  # within the default 100 MiB cap


def test_a_sparse_chart_archive_fails_at_once(tmp_path: Path) -> None:
    archive = _sparse(tmp_path / "c-0.1.0.tgz")
    for args in (("template", "r", str(archive)), ("show", "chart", str(archive))):
        assert_one_error(helmpy(*args), f"chart archive '{archive}' is larger than the maximum chart size "
                                        f"104857600 bytes (limit HELMPY_MAX_CHART_SIZE)")
    proc = helmpy("lint", str(archive))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "larger than the maximum chart size" in proc.stdout


def test_files_at_the_cap_still_load(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    (chart / "files").mkdir()
    (chart / "files" / "exact.bin").write_bytes(b"x" * 5242880)
    proc = helmpy("template", "r", str(chart))
    assert proc.returncode == 0, proc.stderr
