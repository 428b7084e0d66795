"""A real OCI registry for tests: Debian's ``docker-registry`` (the CNCF distribution registry v2).

:class:`Registry` writes a config file into a temporary directory (filesystem storage there, no
redis, no notifications, no health checks, upload purging off), starts ``docker-registry serve`` on
a free 127.0.0.1 port, waits until ``/v2/`` answers, and stops it (SIGTERM, then SIGKILL) when the
fixture ends. Three flavours: plain HTTP and anonymous; TLS with a throwaway CA (``ca_file``) plus
htpasswd basic auth (bcrypt entries written by ``htpasswd -B``); and, with ``token=True``, Bearer
token auth, for which :mod:`tests.support.oci_token` runs a token service signing JWTs with a key
whose certificate the registry trusts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.oci_token import TokenService

REGISTRY_BIN = "/usr/bin/docker-registry"
USERNAME = "helmpy"
PASSWORD = "s3cret-pässword"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary() -> str:
    found = shutil.which("docker-registry") or (REGISTRY_BIN if os.path.exists(REGISTRY_BIN) else None)
    if not found:
        pytest.fail("docker-registry is not installed: apt-get install docker-registry apache2-utils (see .ci/run)")
    return found


def make_ca(work: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for 127.0.0.1/localhost: (ca.pem, server.pem, server.key)."""
    ca_key, ca_pem = work / "ca.key", work / "ca.pem"
    key, csr, pem, ext = work / "server.key", work / "server.csr", work / "server.pem", work / "san.ext"

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca_pem),
            "-days", "2", "-subj", "/CN=helmpy test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_pem), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(pem), "-days", "2", "-extfile", str(ext))
    return ca_pem, pem, key


def write_htpasswd(path: Path, username: str, password: str) -> None:
    """A bcrypt htpasswd entry (the only hash the registry accepts)."""
    proc = subprocess.run(["htpasswd", "-Bbn", username, password], check=True, capture_output=True, text=True,
                          timeout=60)
    path.write_text(proc.stdout.strip() + "\n")


@dataclass
class Registry:
    """One registry process; ``host`` is ``127.0.0.1:PORT``, what ``oci://`` references name."""

    work: Path
    tls: bool = False
    basic_auth: bool = False
    token_realm: str = ""  # set: Bearer token auth against this realm
    token_cert: Path | None = None
    port: int = 0
    ca_file: str = ""
    proc: subprocess.Popen[bytes] | None = None
    log: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def storage(self) -> Path:
        return self.work / "storage"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def tls_flags(self) -> list[str]:
        """The flags helmpy and helm need to reach this registry."""
        return ["--ca-file", self.ca_file] if self.tls else ["--plain-http"]

    def _config(self) -> str:
        lines = [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: false",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {self.storage}",
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            "  secret: helmpy-test-secret",
        ]
        if self.tls:
            lines += ["  tls:", f"    certificate: {self.work / 'server.pem'}", f"    key: {self.work / 'server.key'}"]
        if self.basic_auth:
            lines += ["auth:", "  htpasswd:", "    realm: helmpy-test", f"    path: {self.work / 'htpasswd'}"]
        elif self.token_realm:
            from tests.support.oci_token import ISSUER, SERVICE

            lines += ["auth:", "  token:", f"    realm: {self.token_realm}", f"    service: {SERVICE}",
                      f"    issuer: {ISSUER}", f"    rootcertbundle: {self.token_cert}"]
        return "\n".join(lines) + "\n"

    def start(self) -> Registry:
        """Start (or restart, on the same port and storage) and wait until ``/v2/`` answers."""
        binary = _binary()
        if not self.port:
            self.port = _free_port()
        if self.tls and not self.ca_file:
            self.ca_file = str(make_ca(self.work)[0])
        if self.basic_auth and not (self.work / "htpasswd").exists():
            write_htpasswd(self.work / "htpasswd", USERNAME, PASSWORD)
        config = self.work / "config.yml"
        config.write_text(self._config())
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with open(self.work / "registry.log", "ab") as log:
            self.proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=log, env=env,
                                         start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import ssl
        import urllib.error
        import urllib.request

        ctx = ssl.create_default_context(cafile=self.ca_file) if self.tls else None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {(self.work / 'registry.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.base_url}/v2/", timeout=2, context=ctx).close()
                return
            except urllib.error.HTTPError as err:
                if err.code == 401:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"docker-registry did not answer on {self.base_url}")

    def kill(self) -> None:
        """SIGKILL, as a crash would (storage stays as it was)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def log_mark(self) -> int:
        """Where the access log ends now: :meth:`requests` after this mark are the ones made since."""
        log = self.work / "registry.log"
        return log.stat().st_size if log.exists() else 0

    def requests(self, since: int = 0) -> list[tuple[str, str]]:
        """``(method, path?query)`` of every request the registry's access log records after ``since``."""
        import re

        time.sleep(0.2)  # the access log is written once the answer is sent
        with open(self.work / "registry.log", "rb") as fh:
            fh.seek(since)
            text = fh.read().decode("utf-8", "replace")
        return re.findall(r'"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP/[0-9.]+"', text)

    def blob_path(self, digest: str) -> Path:
        """Where the filesystem driver keeps a blob (for tests that alter one on disk)."""
        hexd = digest.removeprefix("sha256:")
        return self.storage / "docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data"


def _registry(**kwargs: object) -> Iterator[Registry]:
    work = Path(tempfile.mkdtemp(prefix="helmpy-registry-"))
    reg = Registry(work, **kwargs)  # type: ignore[arg-type]
    try:
        yield reg.start()
    finally:
        reg.stop()
        shutil.rmtree(work, ignore_errors=True)


@dataclass
class TokenRegistry:
    """A TLS registry in ``auth: token`` mode and the HTTPS token service it sends clients to."""

    registry: Registry
    tokens: TokenService


def token_registry() -> Iterator[TokenRegistry]:
    """Start the token service (HTTPS, same throwaway CA as the registry) first: its URL is the registry's realm."""
    from tests.support.oci_token import TokenService

    work = Path(tempfile.mkdtemp(prefix="helmpy-registry-"))
    ca, pem, key = make_ca(work)
    tokens = TokenService(work, USERNAME, PASSWORD, tls=(pem, key)).start()
    reg = Registry(work, tls=True, ca_file=str(ca), token_realm=tokens.url, token_cert=tokens.cert_path)
    try:
        reg.start()
        yield TokenRegistry(reg, tokens)
    finally:
        reg.stop()
        tokens.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def oci_registry() -> Iterator[Registry]:
    """A plain-HTTP, anonymous registry (a fresh one per test: storage is mutated by tests)."""
    yield from _registry()


@pytest.fixture
def oci_registry_tls() -> Iterator[Registry]:
    """A TLS registry (self-signed CA in ``ca_file``) with htpasswd basic auth (USERNAME/PASSWORD)."""
    yield from _registry(tls=True, basic_auth=True)


@pytest.fixture
def oci_registry_token() -> Iterator[TokenRegistry]:
    """A TLS registry with Bearer token auth; the token service accepts USERNAME/PASSWORD."""
    yield from token_registry()


# --- Helm 4's plugin artifact, pushed with plain HTTP requests -----------------------------------------------
PLUGIN_ARTIFACT_TYPE = "application/vnd.helm.plugin.v1+json"  # Helm 4's registry.PluginArtifactType
_TITLE = "org.opencontainers.image.title"


def push_artifact(reg: Registry, repository: str, tag: str, blobs: list[tuple[str, bytes, dict[str, str]]],
                  config: tuple[str, bytes], artifact_type: str = "") -> str:
    """Push ``config`` and ``blobs`` (media type, bytes, annotations) and tag an OCI image manifest naming them
    (with ``artifactType`` when given); returns the manifest digest. Basic auth and TLS as ``reg`` needs."""
    import base64
    import hashlib
    import json
    import ssl
    import urllib.request

    ctx = ssl.create_default_context(cafile=reg.ca_file) if reg.tls else None
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    auth = {"Authorization": f"Basic {token}"} if reg.basic_auth else {}

    def call(method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> object:
        req = urllib.request.Request(url if "://" in url else reg.base_url + url, data=data, method=method,
                                     headers={**auth, **(headers or {})})
        return urllib.request.urlopen(req, timeout=30, context=ctx)

    def upload(data: bytes) -> dict[str, object]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        with call("POST", f"/v2/{repository}/blobs/uploads/", b"") as resp:  # type: ignore[attr-defined]
            location = resp.headers["Location"]
        sep = "&" if "?" in location else "?"
        call("PUT", f"{location}{sep}digest={digest}", data, {"Content-Type": "application/octet-stream"}).close()  # type: ignore[attr-defined]
        return {"digest": digest, "size": len(data)}

    layers = [{"mediaType": media, **upload(data), **({"annotations": notes} if notes else {})}
              for media, data, notes in blobs]
    manifest: dict[str, object] = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"}
    if artifact_type:
        manifest["artifactType"] = artifact_type
    manifest.update({"config": {"mediaType": config[0], **upload(config[1])}, "layers": layers})
    body = json.dumps(manifest).encode()
    call("PUT", f"/v2/{repository}/manifests/{tag}", body,
         {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}).close()  # type: ignore[attr-defined]
    return "sha256:" + hashlib.sha256(body).hexdigest()


def push_plugin(reg: Registry, repository: str, tag: str, tgz: Path, *, legacy: bool = False) -> str:
    """Push a packaged plugin (``NAME-VERSION.tgz``, and its ``.prov`` when one lies beside it) as Helm 4's plugin
    artifact: artifactType ``application/vnd.helm.plugin.v1+json`` and an empty config, or (``legacy``) no
    artifactType and a config of that media type; layers titled with the file names."""
    blobs = [("application/vnd.oci.image.layer.v1.tar+gzip", tgz.read_bytes(), {_TITLE: tgz.name})]
    prov = Path(f"{tgz}.prov")
    if prov.is_file():
        blobs.append(("application/vnd.oci.image.layer.v1.tar", prov.read_bytes(), {_TITLE: prov.name}))
    if legacy:
        return push_artifact(reg, repository, tag, blobs, (PLUGIN_ARTIFACT_TYPE, b"{}"))
    return push_artifact(reg, repository, tag, blobs, ("application/vnd.oci.empty.v1+json", b"{}"),
                         PLUGIN_ARTIFACT_TYPE)
