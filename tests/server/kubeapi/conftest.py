"""A real `helmpy cluster serve` subprocess on 127.0.0.1 port 0, and runners for real kubectl and Helm."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import kubeapi_server
from tests.support.kubeapi_server import KubeApiServer

# one helper starts ``helmpy cluster serve`` for every test suite: tests/support/kubeapi_server.py
ServedCluster = KubeApiServer
start_server = kubeapi_server.start


def stop_server(served: ServedCluster) -> None:
    served.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCluster]:
    """One server (with the built-in controller) per test module."""
    s = start_server(tmp_path_factory.mktemp("served"))
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def kubectl(served: ServedCluster, helm_bin_dir: Path):
    """Run the real kubectl against the served cluster."""

    def run(*args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(helm_bin_dir / "kubectl"), *args], capture_output=True, text=True,
                              env=served.env(), timeout=120, input=input, cwd=served.home)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run


def helm_runner(served: ServedCluster, helm_bin_dir: Path):
    """A runner for the real Helm against ``served``."""

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(helm_bin_dir / "helm"), *args], capture_output=True, text=True,
                              env=served.env(), timeout=300, cwd=served.home)
        if check and proc.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="module")
def khelm(served: ServedCluster, helm_bin_dir: Path):
    """Run the real Helm against the served cluster."""
    return helm_runner(served, helm_bin_dir)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)
