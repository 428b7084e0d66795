"""The embedded cluster is never used by surprise: only when no kubeconfig is configured at all, announced on
stderr by every command that uses it, and named by ``status`` and ``env``. A configured but missing kubeconfig
fails like Helm's ``kubernetes cluster unreachable`` (compared with the real binary)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helmpy import paths
from tests.conftest import EXAMPLE_CHARTS, ROOT

UNREACHABLE = "Error: kubernetes cluster unreachable: "


def _helmpy(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, cwd=cwd,
                          env=full, timeout=120)


@pytest.mark.parametrize("how", ["env", "flag"])
def test_missing_kubeconfig_fails_like_helm(how: str, tmp_path: Path, helm) -> None:
    (tmp_path / "chart").mkdir()
    chart = tmp_path / "chart"
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    env = {"KUBECONFIG": "./missing/kc.yaml"} if how == "env" else {}
    flags = ["--kubeconfig", "./missing.yaml"] if how == "flag" else []
    ours = _helmpy("upgrade", "--install", "ci", "./chart", *flags, cwd=tmp_path, env=env)
    theirs = helm("upgrade", "--install", "ci", "./chart", *flags, check=False, extra_env=env, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 1, ours.stderr
    assert ours.stdout == theirs.stdout == ""
    assert ours.stderr.startswith(UNREACHABLE) and theirs.stderr.startswith(UNREACHABLE)
    assert ours.stderr.count("Error:") == 1 and "Traceback" not in ours.stderr
    if how == "flag":  # Helm stats the file itself: the same words
        assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0] == (
            f"{UNREACHABLE}stat ./missing.yaml: no such file or directory")
    else:  # Helm falls back to localhost:8080; helmpy names the missing file and how to get the embedded cluster
        assert ours.stderr.splitlines() == [
            f"{UNREACHABLE}stat ./missing/kc.yaml: no such file or directory (KUBECONFIG=./missing/kc.yaml)",
            "Hint: unset KUBECONFIG to use helmpy's embedded cluster, or point it at a kubeconfig"]
    assert not paths.embedded_cluster_db().exists()  # nothing was "deployed" locally


@pytest.mark.parametrize("command", [["list"], ["status", "x"], ["uninstall", "x"], ["history", "x"]])
def test_every_cluster_command_refuses_a_missing_kubeconfig(command: list[str], cli, tmp_path: Path) -> None:
    r = cli(*command, env={"KUBECONFIG": str(tmp_path / "gone.yaml")})
    assert r.exit_code == 1 and r.stderr.startswith(UNREACHABLE) and r.stderr.count("Error:") == 1, r
    assert not paths.embedded_cluster_db().exists()


def test_quick_start_on_a_fresh_machine(tmp_path: Path) -> None:
    """README's Quick start: no kubeconfig anywhere, so the embedded cluster - said so on stderr, every time."""
    notice = f"helmpy: using the embedded cluster at {paths.embedded_cluster_db()} (no kubeconfig found)\n"
    installed = _helmpy("upgrade", "--install", "demo", str(EXAMPLE_CHARTS / "web"), cwd=ROOT)
    status = _helmpy("status", "demo", cwd=ROOT)
    listed = _helmpy("list", "-o", "json", cwd=ROOT)
    assert installed.returncode == status.returncode == listed.returncode == 0, installed.stderr + status.stderr
    assert installed.stderr == status.stderr == listed.stderr == notice
    assert f"CLUSTER: embedded ({paths.embedded_cluster_db()})\n" in status.stdout
    assert listed.stdout.startswith("[")  # stdout stays parseable


def test_env_names_the_cluster_in_use(cli, tmp_path: Path) -> None:
    embedded = cli("env")
    assert f'HELMPY_CLUSTER="local:{paths.embedded_cluster_db()}"' in embedded.stdout.splitlines()
    assert embedded.stderr == ""  # env does not use the cluster
    broken = cli("env", env={"KUBECONFIG": str(tmp_path / "gone.yaml")})
    assert broken.exit_code == 0 and 'HELMPY_CLUSTER=""' in broken.stdout.splitlines()
    assert "HELMPY_KUBECONFIG=\"(kubernetes cluster unreachable: stat " in broken.stdout


def test_status_names_a_local_cluster(cli, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    chart = EXAMPLE_CHARTS / "web"
    assert cli("install", "w", str(chart), "--cluster", f"local:{db}").exit_code == 0
    r = cli("status", "w", "--cluster", f"local:{db}")
    assert r.exit_code == 0 and f"CLUSTER: embedded ({db})\n" in r.stdout and r.stderr == ""
