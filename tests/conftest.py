"""Shared fixtures: an isolated helmpy home per test, the CLI harness, and the real Helm binary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.cli import Result, run_cli
from tests.support.helm_binary import ensure_helm

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_CHARTS = ROOT / "charts"


@pytest.fixture(autouse=True)
def helmpy_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/cache/data dirs and HOME, and no kubeconfig is configured at all.

    ``KUBECONFIG`` is unset and ``HOME`` (hence ``~/.kube/config``) is an empty directory: a configured but
    missing kubeconfig is an error now, so only this - nothing configured - selects the embedded cluster.
    """
    home = tmp_path_factory.mktemp("helmpy-home")
    for var, sub in (("HELMPY_CONFIG_HOME", "config"), ("HELMPY_CACHE_HOME", "cache"),
                     ("HELMPY_DATA_HOME", "data")):
        monkeypatch.setenv(var, str(home / sub))
    (home / "home").mkdir()
    monkeypatch.setenv("HOME", str(home / "home"))
    # a console process a test starts runs its command itself: no fork server outlives the test (tests/forkserver/
    # start theirs in a directory of their own and stop them)
    monkeypatch.setenv("HELMPY_FORKSERVER", "0")
    for var in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "HELMPY_QUIET"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HELMPY_DRIVER", "HELMPY_NAMESPACE", "HELMPY_CLUSTER", "HELMPY_DEBUG", "HELMPY_REPOSITORY_CONFIG",
                "HELMPY_REPOSITORY_CACHE", "HELMPY_CONTENT_CACHE", "HELMPY_KUBECONTEXT", "HELMPY_KUBECONFIG", "HELMPY_KUBEAPISERVER",
                "HELMPY_KUBETOKEN", "HELMPY_KUBECAFILE", "HELMPY_KUBEINSECURE_SKIP_TLS_VERIFY",
                "HELMPY_EMBEDDED_CONTROLLER", "HELMPY_EMBEDDED_POD_READY_DELAY"):
        monkeypatch.delenv(var, raising=False)
    # Helm's own variables set the same settings (helmpy.settings): the developer's Helm environment stays out
    from helmpy.settings import HELM_KEYS, HELM_PREFIX, PREFIX

    for key in HELM_KEYS:
        for prefix in (PREFIX, HELM_PREFIX):
            if prefix + key not in ("HELMPY_CONFIG_HOME", "HELMPY_CACHE_HOME", "HELMPY_DATA_HOME"):
                monkeypatch.delenv(prefix + key, raising=False)
    return home


@pytest.fixture
def cli():
    """``cli("template", "rel", path)`` runs helmpy in-process and returns a Result."""
    return run_cli


@pytest.fixture(scope="session")
def helm_bin_dir() -> Path:
    """Directory with the real ``helm`` and ``kubectl`` binaries (fetched once, cached)."""
    return ensure_helm()


@pytest.fixture
def helm(helm_bin_dir: Path, tmp_path: Path):
    """Run the real Helm binary with an isolated home; returns a CompletedProcess."""
    import subprocess

    home = tmp_path / "helm-home"
    env = dict(os.environ)
    env.update({"HELM_CONFIG_HOME": str(home / "config"), "HELM_CACHE_HOME": str(home / "cache"),
                "HELM_DATA_HOME": str(home / "data"), "HOME": str(home)})

    def run(*args: str, check: bool = True, extra_env: dict[str, str] | None = None,
            cwd: str | Path | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(helm_bin_dir / "helm"), *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, cwd=cwd, timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run


@pytest.fixture
def chart_copy(tmp_path: Path):
    """Copy a chart (from tests/data or charts/) into tmp and return its path."""

    def copy(name: str) -> Path:
        src = DATA / name if (DATA / name).exists() else EXAMPLE_CHARTS / name
        dst = tmp_path / "charts" / name
        shutil.copytree(src, dst)
        return dst

    return copy


__all__ = ["Result"]
