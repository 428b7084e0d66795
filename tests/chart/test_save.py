"""Saving charts: Helm's entry order and serialisation, tar/gzip format, reproducibility, Helm interop."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
import yaml

from helmpy.chart import loader
from helmpy.chart.save import archive_entries, archive_filename, chart_yaml_bytes, save_archive

T0 = 1_600_000_000


def _write(path: Path, text: str, mtime: float = T0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def make_chart(root: Path) -> Path:
    d = root / "srcdir"
    _write(d / "Chart.yaml", "# comment\nversion: 1.2.3+build\nname: demo\napiVersion: v2\nappVersion: '1.0'\n"
                             "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: ''\n", T0 + 0.6)
    _write(d / "values.yaml", "# raw values kept\nreplicas: 1\n", T0 + 10)
    _write(d / "values.schema.json", '{"type": "object"}', T0 + 20)
    _write(d / "Chart.lock", "dependencies:\n- name: sub\n  repository: ''\n  version: 0.1.0\n"
                             "digest: sha256:abc\ngenerated: \"2021-01-02T03:04:05Z\"\n")
    _write(d / "templates" / "b.yaml", "b: 1\n")
    _write(d / "templates" / "a" / "x.yaml", "x: 1\n")
    _write(d / ".helmignore", "*.skip\n")
    _write(d / "README.md", "readme\n")
    _write(d / "ignored.skip", "nope\n")
    _write(d / "charts" / "sub" / "Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n")
    _write(d / "charts" / "sub" / "values.yaml", "s: 1\n", T0 + 30)
    _write(d / "charts" / "sub" / "templates" / "s.yaml", "s: 1\n")
    return d


def test_entry_order_and_content(tmp_path: Path) -> None:
    chart = loader.load_dir(make_chart(tmp_path))
    src = tmp_path / "srcdir"
    entries = archive_entries(chart, lambda rel: (src / rel).stat().st_mtime if (src / rel).exists() else None)
    assert [e[0] for e in entries] == [
        "demo/Chart.yaml", "demo/Chart.lock", "demo/values.yaml", "demo/values.schema.json",
        "demo/templates/a/x.yaml", "demo/templates/b.yaml", "demo/.helmignore", "demo/README.md",
        "demo/charts/sub/Chart.yaml", "demo/charts/sub/values.yaml", "demo/charts/sub/templates/s.yaml"]
    by_name = {n: (d, m) for n, d, m in entries}
    chart_yaml = by_name["demo/Chart.yaml"][0].decode()
    assert "#" not in chart_yaml  # re-serialised: comments dropped, keys sorted
    assert [line.split(":")[0] for line in chart_yaml.splitlines() if not line.startswith((" ", "-"))] == [
        "apiVersion", "appVersion", "dependencies", "name", "version"]
    assert yaml.safe_load(chart_yaml) == {"apiVersion": "v2", "appVersion": "1.0", "name": "demo",
                                          "version": "1.2.3+build",
                                          "dependencies": [{"name": "sub", "repository": "", "version": "0.1.0"}]}
    assert by_name["demo/values.yaml"] == (b"# raw values kept\nreplicas: 1\n", T0 + 10)
    assert by_name["demo/charts/sub/values.yaml"][1] == T0 + 30
    assert by_name["demo/Chart.lock"][1] == 1609556645.0  # the lock's generated time
    assert yaml.safe_load(by_name["demo/Chart.lock"][0])["generated"] == "2021-01-02T03:04:05Z"
    assert archive_filename(chart) == "demo-1.2.3+build.tgz"


def test_archive_format_and_reproducibility(tmp_path: Path) -> None:
    src = make_chart(tmp_path)
    one = save_archive(loader.load_dir(src))
    two = save_archive(loader.load_dir(src))
    assert one == two
    assert one[:10] == gzip.compress(b"", mtime=0)[:4] + b"\0\0\0\0" + one[8:10]  # MTIME 0
    raw = gzip.decompress(one)
    assert raw.endswith(b"\0" * 1024) and len(raw) % 512 == 0 and len(raw) % 10240 != 0
    with tarfile.open(fileobj=io.BytesIO(one)) as tar:
        members = tar.getmembers()
    assert all(m.isreg() and m.mode == 0o644 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)
    chart_yaml = next(m for m in members if m.name == "demo/Chart.yaml")
    assert chart_yaml.mtime == T0 + 1  # rounded to the nearest second, not truncated
    back = loader.load_archive(one)
    assert back.metadata.name == "demo" and [s.name for s in back.subcharts] == ["sub"]
    assert back.raw_values == b"# raw values kept\nreplicas: 1\n"


def test_subchart_archive_is_expanded(tmp_path: Path) -> None:
    src = make_chart(tmp_path)
    sub = loader.load_dir(src / "charts" / "sub")
    import shutil

    shutil.rmtree(src / "charts" / "sub")
    (src / "charts" / "sub-0.1.0.tgz").write_bytes(save_archive(sub))
    names = [n for n, _, _ in archive_entries(loader.load_dir(src))]
    assert "demo/charts/sub/Chart.yaml" in names and not any(n.endswith(".tgz") for n in names)


def test_v1_chart_drops_dependencies_from_chart_yaml(tmp_path: Path) -> None:
    d = tmp_path / "old"
    _write(d / "Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n")
    _write(d / "requirements.yaml", "dependencies:\n- name: x\n  version: 1.0.0\n  repository: ''\n")
    chart = loader.load_dir(d)
    assert b"dependencies" not in chart_yaml_bytes(chart)
    assert "old/requirements.yaml" in [n for n, _, _ in archive_entries(chart)]


@pytest.mark.helm
def test_same_members_as_helm_for_helm_create(tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    helm("create", "mychart", cwd=tmp_path)
    helm("package", "mychart", "-d", "helm-out", cwd=tmp_path)
    ours = save_archive(loader.load_dir(tmp_path / "mychart"),
                        lambda rel: os.stat(tmp_path / "mychart" / rel).st_mtime
                        if (tmp_path / "mychart" / rel).exists() else None)
    with tarfile.open(tmp_path / "helm-out" / "mychart-0.1.0.tgz") as theirs_tar, \
            tarfile.open(fileobj=io.BytesIO(ours)) as ours_tar:
        theirs = [(m.name, m.size, m.mtime, m.mode, m.type) for m in theirs_tar.getmembers()]
        mine = [(m.name, m.size, m.mtime, m.mode, m.type) for m in ours_tar.getmembers()]
        assert mine == theirs
        for m in theirs_tar.getmembers():
            assert ours_tar.extractfile(m.name).read() == theirs_tar.extractfile(m).read(), m.name  # type: ignore[union-attr]


@pytest.mark.helm
def test_chart_yaml_and_missing_values_file_like_helm_package(tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    """Chart.yaml goes through Helm's toYaml emitter (an 80-column fold of a long description, quoted
    look-alike strings), Chart.lock too, and a sub-chart without values.yaml gets none, as in ``helm package``."""
    d = tmp_path / "long"
    _write(d / "Chart.yaml", "apiVersion: v2\nname: long\nversion: 0.1.0\nappVersion: '1234e56'\n"
                             "description: " + "A chart whose description runs well past eighty columns " * 3
                             + "\nkeywords: ['yes', 'on', '1.10', 'plain']\n"
                             "annotations:\n  sha: '0o17'\n  note: \"multi\\nline\\n\"\n"
                             "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: ''\n")
    _write(d / "Chart.lock", "dependencies:\n- name: sub\n  repository: ''\n  version: 0.1.0\n"
                             "digest: sha256:abc\ngenerated: \"2021-01-02T03:04:05.123Z\"\n")
    _write(d / "templates" / "a.yaml", "a: 1\n")
    _write(d / "charts" / "sub" / "Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n")
    _write(d / "charts" / "sub" / "templates" / "s.yaml", "s: 1\n")
    helm("package", "long", "-d", "helm-out", cwd=tmp_path)
    ours = save_archive(loader.load_dir(d), lambda rel: os.stat(d / rel).st_mtime if (d / rel).exists() else None)
    with tarfile.open(tmp_path / "helm-out" / "long-0.1.0.tgz") as theirs_tar, \
            tarfile.open(fileobj=io.BytesIO(ours)) as ours_tar:
        assert ours_tar.getnames() == theirs_tar.getnames()
        assert "long/charts/sub/values.yaml" not in ours_tar.getnames()
        for m in theirs_tar.getmembers():
            assert ours_tar.extractfile(m.name).read() == theirs_tar.extractfile(m).read(), m.name  # type: ignore[union-attr]
