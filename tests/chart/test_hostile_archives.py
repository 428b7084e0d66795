"""Hostile file names in chart archives and chart directories, against the real commands.

Archives are built byte by byte (``raw_archive`` writes PAX ``path`` records verbatim, so NUL, newlines,
invalid UTF-8 and 300-byte components survive). Every command that loads a chart - ``show``,
``template``, ``lint``, ``install``, ``package``, ``pull --untar`` - must refuse them at load time with one
error naming the archive and the member (repr-escaped), and write nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.http_repo import raw_archive, serve

CHART_YAML = ("app/Chart.yaml", b"apiVersion: v2\nname: app\nversion: 1.0.0\n"
                              b"annotations: {helmpy.io/template-engine: jinja2}\n")
CM = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
INJECTED = "a.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: injected\n#"

# (member name as written into the archive, the name helmpy shows, what the error says)
BAD_NAMES: list[tuple[str | bytes, str, str]] = [
    ("app/templates/a\0b.yaml", "app/templates/a\0b.yaml", "control character '\\x00'"),
    (f"app/templates/{INJECTED}", f"app/templates/{INJECTED}", "control character '\\n'"),
    ("app/templates/a\rb.yaml", "app/templates/a\rb.yaml", "control character '\\r'"),
    ("app/templates/a\tb.yaml", "app/templates/a\tb.yaml", "control character '\\t'"),
    ("app/templates/\x1b[2Ja.yaml", "app/templates/\x1b[2Ja.yaml", "control character '\\x1b'"),
    ("app/templates/a\x7f.yaml", "app/templates/a\x7f.yaml", "control character '\\x7f'"),
    ("app/templates/a\x85b.yaml", "app/templates/a\x85b.yaml", "control character '\\x85'"),
    ("app/templates/a\u2028b.yaml", "app/templates/a\u2028b.yaml", "control character '\\u2028'"),
    ("app/sub\nname/x.yaml", "app/sub\nname/x.yaml", "control character '\\n'"),  # in a directory part
    (b"app/templates/\xff\xfe.yaml", "app/templates/\udcff\udcfe.yaml", "not valid UTF-8"),
    ("app/templates/" + "a" * 256, "app/templates/" + "a" * 256, "more than the limit of 255 bytes per name"),
    ("app/" + "/".join(["d" * 250] * 17), "app/" + "/".join(["d" * 250] * 17), "more than the limit of 4096 bytes"),
]


def _archive(tmp_path: Path, member: str | bytes, name: str = "evil.tgz") -> Path:
    path = tmp_path / name
    path.write_bytes(raw_archive([CHART_YAML, ("app/templates/ok.yaml", CM), (member, CM)]))
    return path


def _one_error(r: Any) -> str:
    assert r.exit_code != 0, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r
    return lines[0]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


COMMANDS = [["show", "chart"], ["show", "all"], ["show", "values"], ["template", "r"], ["install", "r"]]


@pytest.mark.parametrize("member,shown,problem", BAD_NAMES, ids=[repr(s)[:30] for _, s, _ in BAD_NAMES])
def test_every_command_refuses_a_hostile_member_name(cli: Any, tmp_path: Path, member: str | bytes, shown: str,
                                                     problem: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    archive = _archive(work, member)
    before = _files(work)
    cluster = ["--cluster", f"local:{tmp_path / 'c.db'}"]
    for command in COMMANDS:
        line = _one_error(cli(*command, str(archive), *(cluster if command[0] == "install" else [])))
        assert str(archive) in line and problem in line, line
        assert repr(shown)[:100] in line, line  # (a very long name is cut)
    r = cli("lint", str(archive))
    assert r.exit_code != 0 and "Traceback" not in r.stdout + r.stderr, r
    assert problem in r.stdout + r.stderr and repr(shown)[:100] in r.stdout + r.stderr, r
    r = cli("list", *cluster, "-o", "json")
    assert r.exit_code == 0 and r.json == [], r  # install recorded nothing
    assert _files(work) == before


def test_a_newline_cannot_inject_a_document_through_the_source_comment(cli: Any, helm: Any,
                                                                       tmp_path: Path) -> None:
    archive = _archive(tmp_path, f"app/templates/{INJECTED}")
    r = cli("template", "r", str(archive))
    assert r.exit_code != 0 and "kind: Secret" not in r.stdout and r.stdout == "", r
    out = tmp_path / "out"
    r = cli("template", "r", str(archive), "--output-dir", str(out))
    assert r.exit_code != 0 and not out.exists(), r
    # what this closes: Helm renders the injected Secret as a document of its own
    theirs = helm("template", "r", str(archive)).stdout
    assert "# Source: app/templates/a.yaml\napiVersion: v1\nkind: Secret\n" in theirs


def test_a_hostile_name_inside_a_subchart_archive_is_refused(cli: Any, tmp_path: Path) -> None:
    sub = raw_archive([("sub/Chart.yaml", b"apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
                       ("sub/templates/x\ny.yaml", CM)])
    archive = tmp_path / "parent.tgz"
    archive.write_bytes(raw_archive([CHART_YAML, ("app/charts/sub-0.1.0.tgz", sub)]))
    line = _one_error(cli("template", "r", str(archive)))
    assert "charts/sub-0.1.0.tgz" in line and repr("sub/templates/x\ny.yaml") in line, line


LAYOUTS = {
    "two charts": ([CHART_YAML, ("app/templates/a.yaml", CM), ("other/templates/evil.yaml", CM)],
                   "more than one top-level directory ('app' and 'other')"),
    "second Chart.yaml": ([CHART_YAML, ("other/Chart.yaml", CHART_YAML[1])], "more than one top-level directory"),
    "duplicate member": ([CHART_YAML, ("app/templates/a.yaml", CM), ("app/templates/a.yaml", CM + b"#2\n")],
                         "holds the file 'app/templates/a.yaml' more than once"),
    "duplicate after cleaning": ([CHART_YAML, ("app/templates/a.yaml", CM), ("app/templates/./a.yaml", CM)],
                                 "more than once"),
    "backslash duplicate": ([CHART_YAML, ("app/templates/a.yaml", CM), ("app\\templates\\a.yaml", CM)],
                            "more than once"),
    "file and directory": ([CHART_YAML, ("app/templates", CM), ("app/templates/a.yaml", CM)],
                           "both as a file and as a directory"),
    "directory then file": ([CHART_YAML, ("app/templates/a.yaml", CM), ("app/templates", CM)],
                            "both as a file and as a directory"),
}


@pytest.mark.parametrize("case", list(LAYOUTS))
def test_one_chart_per_archive_and_each_file_once(cli: Any, tmp_path: Path, case: str) -> None:
    members, message = LAYOUTS[case]
    archive = tmp_path / "layout.tgz"
    archive.write_bytes(raw_archive(members))  # type: ignore[arg-type]
    for command in (["show", "chart"], ["template", "r"]):
        line = _one_error(cli(*command, str(archive)))
        assert str(archive) in line and message in line, line
    untar = tmp_path / "untar"
    untar.mkdir()
    srv = serve(tmp_path / "served", fallback=archive.read_bytes())
    try:
        (tmp_path / "served").mkdir()
        (tmp_path / "served" / "index.yaml").write_text(
            "apiVersion: v1\nentries:\n  app:\n  - {name: app, version: 1.0.0, urls: [app-1.0.0.tgz]}\n")
        line = _one_error(cli("pull", "app", "--repo", srv.url, "-d", str(untar), "--untar"))
        assert message in line, line
    finally:
        srv.stop()
    assert os.listdir(untar) == []


def test_helm_merges_what_helmpy_refuses(helm: Any, tmp_path: Path) -> None:
    """Why helmpy is stricter: Helm silently renders a second chart's files as the first one's, and the
    last of two same-named members wins, so what is reviewed is not what is installed."""
    two = tmp_path / "two.tgz"
    two.write_bytes(raw_archive([CHART_YAML, ("app/templates/a.yaml", CM),
                                 ("other/templates/evil.yaml", CM.replace(b"name: a", b"name: evil"))]))
    assert "# Source: app/templates/evil.yaml" in helm("template", "r", str(two)).stdout
    dup = tmp_path / "dup.tgz"
    dup.write_bytes(raw_archive([CHART_YAML, ("app/templates/a.yaml", CM),
                                 ("app/templates/a.yaml", CM.replace(b"name: a", b"name: second"))]))
    assert "name: second" in helm("template", "r", str(dup)).stdout


def test_a_clean_archive_still_loads_everywhere(cli: Any, tmp_path: Path) -> None:
    archive = tmp_path / "app-1.0.0.tgz"
    archive.write_bytes(raw_archive([CHART_YAML, ("app/templates/ok.yaml", CM), ("app/values.yaml", b"a: 1\n")]))
    for command in (["show", "chart"], ["template", "r"], ["lint"]):
        assert cli(*command, str(archive)).exit_code == 0


# --- chart directories -------------------------------------------------------------------------------
DIR_NAMES: list[tuple[bytes, str]] = [
    (b"a\nb.yaml", "control character '\\n'"),
    (b"x\x1b[31m.yaml", "control character '\\x1b'"),
    (b"tab\there.yaml", "control character '\\t'"),
    (b"\xff.yaml", "not valid UTF-8"),
    (INJECTED.encode(), "control character '\\n'"),
]


def _chart_dir(tmp_path: Path) -> Path:
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_bytes(CHART_YAML[1])
    (chart / "templates" / "ok.yaml").write_bytes(CM)
    return chart


@pytest.mark.parametrize("raw,problem", DIR_NAMES, ids=[repr(n)[:20] for n, _ in DIR_NAMES])
def test_chart_directory_file_names_are_checked_too(cli: Any, tmp_path: Path, raw: bytes, problem: str) -> None:
    chart = _chart_dir(tmp_path)
    evil = os.path.join(os.fsencode(chart / "templates"), raw)
    with open(evil, "wb") as fh:
        fh.write(CM)
    shown = repr("templates/" + os.fsdecode(raw))
    out = tmp_path / "pkg"
    out.mkdir()
    for command in (["show", "chart", str(chart)], ["template", "r", str(chart)],
                    ["package", str(chart), "-d", str(out)],
                    ["install", "r", str(chart), "--cluster", f"local:{tmp_path / 'c.db'}"]):
        line = _one_error(cli(*command))
        assert str(chart) in line and shown in line and problem in line, line
    r = cli("lint", str(chart))
    assert r.exit_code != 0 and shown in r.stdout + r.stderr and "Traceback" not in r.stderr, r
    assert os.listdir(out) == []


def test_an_ignored_oddly_named_file_does_not_matter(cli: Any, tmp_path: Path) -> None:
    chart = _chart_dir(tmp_path)
    (chart / ".helmignore").write_text("*.bak\n")
    (chart / "templates" / "old\n.bak").write_bytes(b"whatever")
    r = cli("template", "r", str(chart))
    assert r.exit_code == 0 and "# Source: app/templates/ok.yaml" in r.stdout, r
