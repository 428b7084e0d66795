"""Real Helm and helmpy on the same docker-registry: each pulls what the other pushed, and both push the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.registry.test_oci_cli import manifest, package
from tests.support.oci_registry import Registry

pytestmark = pytest.mark.helm


def test_same_archive_same_manifest(cli: Any, helm: Any, oci_registry: Registry, tmp_path: Path) -> None:
    tgz = package(cli, tmp_path, "1.2.3+meta")
    prov = tgz.with_name(tgz.name + ".prov")
    prov.write_text("-----BEGIN PGP SIGNED MESSAGE-----\nnot checked on push\n")
    h = helm("push", str(tgz), f"oci://{oci_registry.host}/helm", "--plain-http")
    p = cli("push", str(tgz), f"oci://{oci_registry.host}/helmpy", "--plain-http")
    assert p.exit_code == 0, p
    ours, theirs = manifest(oci_registry, "helmpy/web", "1.2.3_meta"), manifest(oci_registry, "helm/web", "1.2.3_meta")
    assert ours.content == theirs.content  # byte for byte: config, layers (with .prov), annotations
    assert len(ours.json()["layers"]) == 2
    assert p.stderr.splitlines()[:2] == [line.replace("/helm/", "/helmpy/") for line in h.stderr.splitlines()[:2]]


def test_helm_push_helmpy_pull_and_install(cli: Any, helm: Any, oci_registry: Registry, tmp_path: Path) -> None:
    tgz = package(cli, tmp_path, "0.4.0")
    helm("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http")
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{oci_registry.host}/charts/web", "--plain-http", "-d", str(dest))
    assert r.exit_code == 0 and (dest / "web-0.4.0.tgz").read_bytes() == tgz.read_bytes(), r
    r = cli("install", "web", f"oci://{oci_registry.host}/charts/web", "--plain-http",
            "--cluster", f"local:{tmp_path / 'c.db'}")
    assert r.exit_code == 0 and "STATUS: deployed" in r.stdout, r


def test_helmpy_push_helm_pull_and_show(cli: Any, helm: Any, oci_registry: Registry, tmp_path: Path) -> None:
    tgz = package(cli, tmp_path, "0.5.0")
    assert cli("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http").exit_code == 0
    out = tmp_path / "helm-out"
    out.mkdir()
    h = helm("pull", f"oci://{oci_registry.host}/charts/web", "--version", "^0.5", "--plain-http", "-d", str(out))
    assert h.stderr.startswith(f"Pulled: {oci_registry.host}/charts/web:0.5.0\n")
    assert (out / "web-0.5.0.tgz").read_bytes() == tgz.read_bytes()
    h = helm("show", "chart", f"oci://{oci_registry.host}/charts/web", "--plain-http")
    assert "name: web" in h.stdout and "version: 0.5.0" in h.stdout
