"""``dependency update/build`` with ``repository: oci://...`` against a real docker-registry, and against real Helm.

Same chart, same registry: helmpy and Helm write the same Chart.lock (but ``generated``) and the same
archive bytes in charts/; each builds from the other's lock.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from helmpy import paths
from tests.registry.test_oci_cli import ROOT, manifest, package
from tests.support.oci_registry import PASSWORD, USERNAME, Registry


def parent_chart(tmp_path: Path, name: str, deps: list[tuple[str, str, str]]) -> Path:
    """A copy of charts/web whose Chart.yaml declares ``deps`` as (name or alias=name, version, repository)."""
    dst = tmp_path / name
    shutil.copytree(ROOT / "charts" / "web", dst)
    (dst / "values.schema.json").unlink()  # web's schema allows no keys beyond its own, and subcharts add theirs
    lines = ["dependencies:"]
    for dep_name, version, repository in deps:
        alias, _, real = dep_name.rpartition("=")
        lines += [f"- name: {real}", f'  version: "{version}"', f"  repository: {repository}"]
        if alias:
            lines.append(f"  alias: {alias}")
    with open(dst / "Chart.yaml", "a") as f:
        f.write("\n".join(lines) + "\n")
    return dst


def push_versions(cli: Any, reg: Registry, tmp_path: Path, versions: tuple[str, ...], *flags: str) -> dict[str, Path]:
    out = {}
    for v in versions:
        tgz = package(cli, tmp_path, v, name="dep")
        r = cli("push", str(tgz), f"oci://{reg.host}/charts", *(flags or ("--plain-http",)))
        assert r.exit_code == 0, r
        out[v] = tgz
    return out


def lock_without_generated(chart: Path) -> str:
    return "".join(line for line in (chart / "Chart.lock").read_text().splitlines(True)
                   if not line.startswith("generated:"))


def charts_dir(chart: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((chart / "charts").iterdir())}


def test_update_then_build_from_the_lock(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    reg = oci_registry
    pushed = push_versions(cli, reg, tmp_path, ("0.1.0", "0.1.5", "0.2.0", "0.3.0-rc.1", "1.0.0+build.7"))
    repo = f"oci://{reg.host}/charts"
    chart = parent_chart(tmp_path, "parent", [("dep", "~0.1.0", repo), ("exact=dep", "0.2.0", repo),
                                              ("build=dep", ">=1.0.0", repo)])
    r = cli("dependency", "update", str(chart), "--plain-http")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == ["Saving 3 charts", f"Downloading dep from repo {repo}",
                                     f"Downloading dep from repo {repo}", f"Downloading dep from repo {repo}",
                                     "Deleting outdated charts"]
    digest = manifest(reg, "charts/dep", "0.1.5").headers["Docker-Content-Digest"]
    assert r.stderr.splitlines()[:2] == [f"Pulled: {reg.host}/charts/dep:0.1.5", f"Digest: {digest}"]
    assert charts_dir(chart) == {"dep-0.1.5.tgz": pushed["0.1.5"].read_bytes(),
                                 "dep-0.2.0.tgz": pushed["0.2.0"].read_bytes(),
                                 "dep-1.0.0+build.7.tgz": pushed["1.0.0+build.7"].read_bytes()}
    lock = (chart / "Chart.lock").read_text()
    assert lock.startswith(f"dependencies:\n- name: dep\n  repository: {repo}\n  version: 0.1.5\n"), lock
    assert "version: 1.0.0+build.7" in lock

    # build installs exactly the locked versions, even after a newer matching one is pushed
    push_versions(cli, reg, tmp_path, ("0.1.9",))
    shutil.rmtree(chart / "charts")
    r = cli("dependency", "build", str(chart), "--plain-http")
    assert r.exit_code == 0, r
    assert sorted(charts_dir(chart)) == ["dep-0.1.5.tgz", "dep-0.2.0.tgz", "dep-1.0.0+build.7.tgz"]
    assert (chart / "Chart.lock").read_text() == lock

    # update moves to the newer version and drops the outdated archive
    r = cli("dependency", "update", str(chart), "--plain-http")
    assert r.exit_code == 0, r
    assert sorted(charts_dir(chart)) == ["dep-0.1.9.tgz", "dep-0.2.0.tgz", "dep-1.0.0+build.7.tgz"]
    r = cli("template", "rel", str(chart))
    assert r.exit_code == 0, r


def test_oci_dependency_failures_leave_charts_untouched(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    reg = oci_registry
    kept = push_versions(cli, reg, tmp_path, ("0.1.0",))["0.1.0"].read_bytes()
    repo = f"oci://{reg.host}/charts"
    chart = parent_chart(tmp_path, "parent", [("dep", "^0.1.0", repo)])
    assert cli("dependency", "update", str(chart), "--plain-http").exit_code == 0
    before = charts_dir(chart), (chart / "Chart.lock").read_text()

    def fails(deps: list[tuple[str, str, str]], *flags: str) -> str:
        bad = parent_chart(tmp_path, f"bad{len(list(tmp_path.iterdir()))}", deps)
        (bad / "charts").mkdir()
        (bad / "charts" / "keep.tgz").write_bytes(kept)
        res = cli("dependency", "update", str(bad), *flags)
        assert res.exit_code == 1 and "Traceback" not in res.stderr, res
        assert [p.name for p in (bad / "charts").iterdir()] == ["keep.tgz"] and not (bad / "Chart.lock").exists()
        errors = [line for line in res.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, res
        return errors[0]

    assert "can't get a valid version for 1 subchart(s): \"dep\"" in fails([("dep", "^5.0.0", repo)], "--plain-http")
    assert "could not retrieve list of tags for repository" in fails([("nothing", "^1", repo)], "--plain-http")
    assert f"{reg.host}/charts/nothing:1.0.0: not found" in fails([("nothing", "1.0.0", repo)], "--plain-http")
    assert "pass --plain-http" in fails([("dep", "^0.1.0", repo)])  # https to a plain-HTTP registry
    assert "must be lowercase" in fails([("Dep", "^0.1.0", repo)], "--plain-http")

    # a blob altered in the registry's storage: refused, nothing saved (the content cache emptied first: the
    # copy it verified on the first pull would be used instead of downloading the blob again)
    shutil.rmtree(paths.content_cache())
    layer = manifest(reg, "charts/dep", "0.1.0").json()["layers"][0]
    blob = reg.blob_path(layer["digest"])
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    assert "refusing it" in fails([("dep", "^0.1.0", repo)], "--plain-http")
    shutil.rmtree(chart / "charts")
    (chart / "charts").mkdir()
    r = cli("dependency", "build", str(chart), "--plain-http")
    assert r.exit_code == 1 and "refusing it" in r.stderr and list((chart / "charts").iterdir()) == [], r
    assert (chart / "Chart.lock").read_text() == before[1]


def test_oci_dependency_over_tls_with_login(cli: Any, oci_registry_tls: Registry, tmp_path: Path) -> None:
    reg = oci_registry_tls
    tls = ["--ca-file", reg.ca_file]
    creds = ["--username", USERNAME, "--password", PASSWORD]
    pushed = push_versions(cli, reg, tmp_path, ("0.1.0",), *tls, *creds)
    chart = parent_chart(tmp_path, "parent", [("dep", "*", f"oci://{reg.host}/charts")])
    r = cli("dependency", "update", str(chart), *tls)
    assert r.exit_code == 1 and "registry login" in r.stderr, r
    assert cli("registry", "login", reg.host, "-u", USERNAME, "-p", PASSWORD, *tls).exit_code == 0
    r = cli("dependency", "update", str(chart), *tls)
    assert r.exit_code == 0, r
    assert charts_dir(chart) == {"dep-0.1.0.tgz": pushed["0.1.0"].read_bytes()}


@pytest.mark.helm
def test_same_lock_and_archives_as_helm(cli: Any, helm: Any, oci_registry: Registry, tmp_path: Path) -> None:
    reg = oci_registry
    push_versions(cli, reg, tmp_path, ("0.1.0", "0.1.5", "0.2.0", "0.2.1-rc.1", "1.0.0+build.7"))
    repo = f"oci://{reg.host}/charts"
    deps = [("dep", "~0.1.0", repo), ("exact=dep", "0.2.0", repo), ("pre=dep", "~0.2.1-0", repo),
            ("b=dep", "^1.0.0", repo)]
    ours, theirs = parent_chart(tmp_path, "ours", deps), parent_chart(tmp_path, "theirs", deps)
    r = cli("dependency", "update", str(ours), "--plain-http")
    assert r.exit_code == 0, r
    h = helm("dependency", "update", str(theirs), "--plain-http")
    assert r.stdout == h.stdout
    assert r.stderr == h.stderr
    assert lock_without_generated(ours) == lock_without_generated(theirs)
    assert charts_dir(ours) == charts_dir(theirs)

    # each builds from the other's lock
    shutil.rmtree(ours / "charts")
    shutil.rmtree(theirs / "charts")
    ours_lock = (ours / "Chart.lock").read_bytes()
    (ours / "Chart.lock").write_bytes((theirs / "Chart.lock").read_bytes())
    (theirs / "Chart.lock").write_bytes(ours_lock)
    r = cli("dependency", "build", str(ours), "--plain-http")
    assert r.exit_code == 0, r
    helm("dependency", "build", str(theirs), "--plain-http")
    assert charts_dir(ours) == charts_dir(theirs)
