"""A real `helmpy cluster serve` subprocess on 127.0.0.1 port 0, and runners for real kubectl and Helm."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from helmpy import yamlutil

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class ServedCluster:
    """A running server: its URL, kubeconfig, token, SQLite file and process."""

    url: str
    kubeconfig: Path
    db: Path
    proc: subprocess.Popen[str]
    home: Path

    @property
    def token(self) -> str:
        return yamlutil.load(self.kubeconfig.read_text())["users"][0]["user"]["token"]

    @property
    def ca_file(self) -> Path:
        import base64

        ca = self.home / "ca.crt"
        if not ca.exists():
            data = yamlutil.load(self.kubeconfig.read_text())["clusters"][0]["cluster"]["certificate-authority-data"]
            ca.write_bytes(base64.b64decode(data))
        return ca

    def env(self) -> dict[str, str]:
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig), "HOME": str(self.home),
                "HELM_CONFIG_HOME": str(self.home / "helm-config"), "HELM_CACHE_HOME": str(self.home / "helm-cache"),
                "HELM_DATA_HOME": str(self.home / "helm-data")}


def start_server(tmp: Path, *extra: str) -> ServedCluster:
    """Start ``helmpy cluster serve`` and wait until it prints its URL."""
    tmp.mkdir(parents=True, exist_ok=True)
    db, kc = tmp / "cluster.db", tmp / "kubeconfig.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "helmpy", "cluster", "serve", "--address", "127.0.0.1:0",
                             "--cluster", f"local:{db}", "--write-kubeconfig", str(kc), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if " at " not in line:
        proc.kill()
        raise AssertionError(f"server did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
    url = line.split(" at ")[1].split()[0]
    return ServedCluster(url, kc, db, proc, tmp)


def stop_server(served: ServedCluster) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()


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
