"""Start ``helmpy cluster serve`` in a subprocess on 127.0.0.1 port 0 with a kubeconfig, for remote-cluster tests."""

from __future__ import annotations

import base64
import os
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helmpy import yamlutil

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class KubeApiServer:
    """A running server: URL, kubeconfig path, SQLite file, process and a scratch home."""

    url: str
    kubeconfig: Path
    db: Path
    proc: subprocess.Popen[str]
    home: Path

    def config(self) -> dict[str, Any]:
        return yamlutil.load(self.kubeconfig.read_text())  # type: ignore[no-any-return]

    @property
    def token(self) -> str:
        return str(self.config()["users"][0]["user"]["token"])

    @property
    def ca_file(self) -> Path:
        """The server's CA certificate as a PEM file."""
        path = self.home / "ca.crt"
        if not path.exists():
            data = self.config()["clusters"][0]["cluster"]["certificate-authority-data"]
            path.write_bytes(base64.b64decode(data))
        return path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def tls_connect(self) -> ssl.SSLSocket:
        """A raw TLS connection to the server (handshake done, nothing sent)."""
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        return ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.port), timeout=10),
                               server_hostname="127.0.0.1")

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for real kubectl/helm (isolated HOME and Helm dirs) pointed at this server."""
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig), "HOME": str(self.home),
                "HELM_CONFIG_HOME": str(self.home / "helm-config"), "HELM_CACHE_HOME": str(self.home / "helm-cache"),
                "HELM_DATA_HOME": str(self.home / "helm-data"), **extra}

    def log_text(self) -> str:
        """What the server wrote to stderr (its log file)."""
        path = self.home / "cluster-serve.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def start(tmp: Path, *extra: str) -> KubeApiServer:
    """``helmpy cluster serve --address 127.0.0.1:0 --write-kubeconfig`` and wait for its URL line."""
    tmp.mkdir(parents=True, exist_ok=True)
    db, kc = tmp / "cluster.db", tmp / "kubeconfig.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("KUBECONFIG", "HELMPY_DEBUG"):  # a --debug of an earlier in-process command must not leak in
        env.pop(var, None)
    # The server's log goes to a file: a pipe nobody drains fills up and blocks every request thread.
    log = open(tmp / "cluster-serve.log", "ab")  # noqa: SIM115 - closed in KubeApiServer.stop
    proc = subprocess.Popen([sys.executable, "-m", "helmpy", "cluster", "serve", "--address", "127.0.0.1:0",
                             "--cluster", f"local:{db}", "--write-kubeconfig", str(kc), *extra],
                            stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=ROOT)
    log.close()  # the child holds its own descriptor
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if " at " not in line:
        proc.kill()
        proc.wait()
        raise AssertionError(f"cluster serve did not start: {line}{(tmp / 'cluster-serve.log').read_text()}")
    url = line.split(" at ")[1].split()[0]
    proc.stdout.readline()  # "Kubeconfig written to ..."
    return KubeApiServer(url, kc, db, proc, tmp)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_kubeconfig(path: Path, server: str, *, token: str | None = None, ca_data: str | None = None,
                     insecure: bool = False, namespace: str = "default", context: str = "test",
                     user: dict[str, Any] | None = None) -> Path:
    """A one-context kubeconfig (for servers other than ``cluster serve``'s own)."""
    cluster: dict[str, Any] = {"server": server}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    if insecure:
        cluster["insecure-skip-tls-verify"] = True
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": context,
           "clusters": [{"name": context, "cluster": cluster}],
           "users": [{"name": context, "user": user if user is not None else ({"token": token} if token else {})}],
           "contexts": [{"name": context, "context": {"cluster": context, "user": context, "namespace": namespace}}]}
    path.write_text(yamlutil.dump(doc))
    return path
