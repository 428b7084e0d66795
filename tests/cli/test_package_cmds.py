"""`helmpy package` and `helmpy verify` end to end, including the real Helm reading our packages."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import pytest

from tests.repo.gpg_fixture import SigningKey, signing_key  # noqa: F401


def _chart(root: Path, name: str = "web", deps: str = "") -> Path:
    d = root / "src" / name
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: '1.0'\n{deps}")
    (d / "values.yaml").write_text("replicas: 2\n")
    (d / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"
        "data:\n  replicas: {{ .Values.replicas | quote }}\n")
    (d / ".helmignore").write_text("*.tmp\n")
    (d / "scratch.tmp").write_text("ignored")
    return d


def test_package_defaults_and_output_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    src = _chart(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = cli("package", str(src))
    assert r.exit_code == 0, r
    assert r.stdout == f"Successfully packaged chart and saved it to: {tmp_path / 'web-0.1.0.tgz'}\n"
    with tarfile.open(tmp_path / "web-0.1.0.tgz") as tar:
        names = tar.getnames()
    assert names == ["web/Chart.yaml", "web/values.yaml", "web/templates/cm.yaml", "web/.helmignore"]
    first = (tmp_path / "web-0.1.0.tgz").read_bytes()
    assert cli("package", str(src)).exit_code == 0
    assert (tmp_path / "web-0.1.0.tgz").read_bytes() == first  # reproducible


def test_package_flags(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    src = _chart(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = cli("package", str(src), "-d", "out4/../out5", "--version", "2.0.0+meta", "--app-version", "v9")
    assert r.exit_code == 0 and r.stdout.strip().endswith("saved it to: out5/web-2.0.0+meta.tgz"), r
    from helmpy.chart.loader import load

    chart = load(tmp_path / "out5" / "web-2.0.0+meta.tgz")
    assert (chart.metadata.version, chart.metadata.app_version) == ("2.0.0+meta", "v9")
    r = cli("package", str(src), "--version", "not.a.version")
    assert r.exit_code == 1 and "--version 'not.a.version' is not a valid semantic version" in r.stderr
    r = cli("package", str(tmp_path / "nope"))
    assert r.exit_code == 1 and "not found" in r.stderr
    r = cli("package", str(src), "--sign")
    assert r.exit_code == 2 and "--sign requires --key" in r.stderr


def test_package_requires_declared_dependencies(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deps = "dependencies:\n- name: db\n  version: 1.x\n  repository: ''\n- name: cache\n  repository: ''\n"
    src = _chart(tmp_path, deps=deps)
    r = cli("package", str(src), "-d", str(tmp_path))
    assert r.exit_code == 1 and "missing in charts/ directory: " in r.stderr and "db" in r.stderr, r
    (src / "charts").mkdir()
    for sub in ("db", "cache"):
        _chart(tmp_path / "subs", sub).rename(src / "charts" / sub)
    r = cli("package", str(src), "-d", str(tmp_path))
    assert r.exit_code == 0, r
    with tarfile.open(tmp_path / "web-0.1.0.tgz") as tar:
        assert "web/charts/db/Chart.yaml" in tar.getnames()


def test_sign_and_verify(cli, tmp_path: Path, signing_key: SigningKey) -> None:  # type: ignore[no-untyped-def]
    src = _chart(tmp_path)
    out = tmp_path / "out"
    r = cli("package", str(src), "-d", str(out), "--sign", "--key", "Test Signer", "--keyring",
            str(signing_key.secring))
    assert r.exit_code == 0, r
    tgz = out / "web-0.1.0.tgz"
    assert (out / "web-0.1.0.tgz.prov").is_file()
    r = cli("verify", str(tgz), "--keyring", str(signing_key.pubring))
    assert r.exit_code == 0, r
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    assert r.stdout.splitlines() == [f"Signed by: {signing_key.uid}",
                                     f"Using Key With Fingerprint: {signing_key.fingerprint}",
                                     f"Chart Hash Verified: sha256:{digest}"]
    tgz.write_bytes(tgz.read_bytes() + b"tamper")
    r = cli("verify", str(tgz), "--keyring", str(signing_key.pubring))
    assert r.exit_code == 1 and r.stderr.startswith("Error: sha256 sum does not match for web-0.1.0.tgz")
    r = cli("verify", str(src), "--keyring", str(signing_key.pubring))
    assert r.exit_code == 1 and "is a directory" in r.stderr


def test_passphrase_file(cli, tmp_path: Path, signing_key: SigningKey) -> None:  # type: ignore[no-untyped-def]
    src = _chart(tmp_path)
    pw = tmp_path / "pw"
    pw.write_text("ignored-for-unprotected-key\nsecond line\n")
    r = cli("package", str(src), "-d", str(tmp_path / "o"), "--sign", "--key", signing_key.uid, "--keyring",
            str(signing_key.secring), "--passphrase-file", str(pw))
    assert r.exit_code == 0, r
    r = cli("package", str(src), "--sign", "--key", "x", "--keyring", str(signing_key.secring),
            "--passphrase-file", str(tmp_path / "missing"))
    assert r.exit_code == 2 and "cannot read passphrase file" in r.stderr


def test_dependency_update_flag(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    _chart(tmp_path, "db")
    src = _chart(tmp_path, deps="dependencies:\n- name: db\n  version: 0.1.0\n  repository: file://../db\n")
    r = cli("package", str(src), "-u", "-d", str(tmp_path / "o"))
    if importlib.util.find_spec("helmpy.action.dependency") is None:
        assert r.exit_code == 1 and "--dependency-update is not available" in r.stderr
        return
    assert r.exit_code == 0, r
    assert r.stdout.startswith("Successfully packaged chart")  # dependency output is not shown
    with tarfile.open(tmp_path / "o" / "web-0.1.0.tgz") as tar:
        assert "web/charts/db/Chart.yaml" in tar.getnames()


@pytest.mark.helm
def test_helm_reads_our_package(cli, tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    src = _chart(tmp_path)
    assert cli("package", str(src), "-d", str(tmp_path)).exit_code == 0
    tgz = str(tmp_path / "web-0.1.0.tgz")
    shown = helm("show", "chart", tgz).stdout
    assert "name: web" in shown and "version: 0.1.0" in shown
    rendered = helm("template", "rel", tgz).stdout
    assert "name: rel-cm" in rendered and 'replicas: "2"' in rendered
    helm("lint", tgz)


@pytest.mark.helm
def test_we_load_helm_packages(cli, tmp_path: Path, helm) -> None:  # type: ignore[no-untyped-def]
    helm("create", "hc", cwd=tmp_path)
    helm("package", "hc", "-d", "out", cwd=tmp_path)
    from helmpy.chart.loader import load

    chart = load(tmp_path / "out" / "hc-0.1.0.tgz")
    assert chart.metadata.name == "hc" and any(t.name == "templates/deployment.yaml" for t in chart.templates)


def _peak_rss_kib(args: list[str], cwd: Path) -> int:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "helmpy", *args], cwd=cwd, env={**os.environ, "PYTHONPATH": str(root)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read() if proc.stderr else ""
    return usage.ru_maxrss


def test_package_streams_the_archive_instead_of_holding_it(tmp_path: Path) -> None:
    """The chart's files are held once (as Helm holds them); the tar and the compressed archive are streamed to
    disk, not built in memory (which took ~4x the chart's size on top of the interpreter)."""
    import os

    from helmpy.chart import loader
    from helmpy.chart.save import save_archive

    src = _chart(tmp_path)
    (src / "files").mkdir()
    mib = 24
    for i in range(mib):
        (src / "files" / f"blob-{i}.bin").write_bytes(os.urandom(1 << 20))
    baseline = _peak_rss_kib(["version"], tmp_path)
    peak = _peak_rss_kib(["package", str(src), "-d", str(tmp_path / "out")], tmp_path)
    assert peak - baseline < 2.5 * mib * 1024, (peak, baseline)
    packaged = (tmp_path / "out" / "web-0.1.0.tgz").read_bytes()
    assert packaged == save_archive(loader.load_dir(src), lambda rel: (src / rel).stat().st_mtime)  # same bytes
    assert not [p for p in (tmp_path / "out").iterdir() if p.name != "web-0.1.0.tgz"]  # no temporary file left
