"""``helmpy create --engine go``: the chart ``helm create`` writes, byte for byte, and it renders as Helm renders it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.helm


def _tree(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """``{relative path: (content or None for a directory, permission bits)}`` of everything under root."""
    out: dict[str, tuple[bytes | None, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = (None if path.is_dir() else path.read_bytes(), path.stat().st_mode & 0o777)
    return out


@pytest.mark.parametrize("name", ["web", "my-app.v2"])
def test_create_engine_go_writes_what_helm_create_writes(name: str, cli, helm, tmp_path: Path) -> None:
    (tmp_path / "helm").mkdir()
    (tmp_path / "ours").mkdir()
    theirs = helm("create", name, cwd=tmp_path / "helm")
    cwd = os.getcwd()
    os.chdir(tmp_path / "ours")
    try:
        ours = cli("create", name, "--engine", "go")
    finally:
        os.chdir(cwd)
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert _tree(tmp_path / "ours" / name) == _tree(tmp_path / "helm" / name)


@pytest.mark.parametrize("sets", [[], ["ingress.enabled=true", "autoscaling.enabled=true", "httpRoute.enabled=true",
                                       "serviceAccount.create=false"]], ids=["defaults", "optional-parts"])
def test_go_scaffold_renders_and_lints_as_helm_does(sets: list[str], cli, helm, tmp_path: Path) -> None:
    chart = tmp_path / "web"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert cli("create", "web", "--engine", "go").exit_code == 0
    finally:
        os.chdir(cwd)
    args = ["template", "rel", str(chart)] + [a for s in sets for a in ("--set", s)]
    ours = cli(*args)
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == helm(*args).stdout
    lint = cli("lint", str(chart))
    assert lint.exit_code == 0, lint.stdout + lint.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in lint.stdout


def test_create_engine_rejects_an_unknown_engine(cli, tmp_path: Path) -> None:
    result = cli("create", str(tmp_path / "x"), "--engine", "mustache")
    assert result.exit_code == 2
    assert "mustache" in result.stderr and not (tmp_path / "x").exists()
