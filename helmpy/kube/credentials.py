"""Where the credentials of a kubeconfig user come from, as client-go and kubernetes-python read them.

One :class:`Credentials` object per connection answers "what goes in the ``Authorization`` header now" and
"which client certificate does TLS present". The sources, in kubernetes-python's order of precedence: an
``auth-provider`` (``oidc``, ``gcp``), ``token``/``tokenFile``, an ``exec`` credential plugin
(``client.authentication.k8s.io/v1`` and ``v1beta1``), ``username``/``password``; a client certificate
(``client-certificate(-data)``/``client-key(-data)``) is presented whatever the header is. Expiring
credentials (exec plugins, OIDC, a token file) are renewed when they are about to expire, and a 401 from
the server makes the next request ask the source again (client-go's rule). Nothing here logs a credential
or puts one in an error message.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helmpy.errors import KubeConfigError

logger = logging.getLogger(__name__)

#: Credentials that expire sooner than this are renewed before use (kubernetes-python's skew).
EXPIRY_SKEW_S = 300.0
#: A token file is read again after this long (client-go re-reads ``tokenFile`` and the service account token).
TOKEN_FILE_REFRESH_S = 60.0
#: Bytes an exec plugin may write to stdout / stderr before it is stopped (the answer is one small JSON object).
MAX_EXEC_OUTPUT = 1024 * 1024
#: Seconds an exec plugin may take (client-go has no limit; a plugin waiting for a browser login takes minutes).
EXEC_TIMEOUT_S = 300.0
EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")


@dataclass(frozen=True)
class ClientCert:
    """PEM bytes of a client certificate and its key (from the kubeconfig or an exec plugin)."""

    cert: bytes
    key: bytes


def parse_rfc3339(text: str, where: str) -> float:
    """Seconds since the epoch of an RFC 3339 time (``2026-01-02T03:04:05Z``, fractions and offsets too)."""
    from datetime import datetime

    value = text.strip().replace("z", "Z")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # Python 3.11 takes at most 6 fraction digits
        head, _, rest = value.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        value = f"{head}.{digits[:6]}{rest[len(digits):]}"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError as err:
        raise KubeConfigError(f"{where}: {text[:40]!r} is not an RFC 3339 time") from err


def read_file_or_data(item: Mapping[str, Any], file_key: str, data_key: str, base: Path, where: str) -> bytes | None:
    """``item[data_key]`` (base64) or the bytes of the file ``item[file_key]`` (relative to ``base``), or None.

    The data wins when both are set (client-go and kubernetes-python agree).
    """
    data = item.get(data_key)
    if data:
        try:
            return base64.b64decode(str(data), validate=False)
        except ValueError as err:
            raise KubeConfigError(f"{where}: {data_key} is not base64") from err
    name = item.get(file_key)
    if not name:
        return None
    path = resolve(str(name), base)
    try:
        return path.read_bytes()
    except OSError as err:
        raise KubeConfigError(f"{where}: {file_key} {path}: {os.strerror(err.errno or 0).lower() or err}") from err


def resolve(name: str, base: Path) -> Path:
    """A kubeconfig path: ``~`` expanded, relative paths taken from the kubeconfig file's directory (client-go)."""
    path = Path(name).expanduser()
    return path if path.is_absolute() else base / path


class Credentials:
    """The credentials of one kubeconfig user; :meth:`authorization` is asked before each request."""

    def __init__(self, cert: ClientCert | None = None) -> None:
        self._cert = cert

    def authorization(self) -> str | None:
        """The ``Authorization`` header's value, or None."""
        return None

    def client_cert(self) -> ClientCert | None:
        """The client certificate TLS presents, or None."""
        return self._cert

    def current(self) -> tuple[str | None, ClientCert | None]:
        """:meth:`authorization` and :meth:`client_cert` of one asking (a renewal runs once for both)."""
        return self.authorization(), self.client_cert()

    def invalidate(self) -> None:
        """The server answered 401: ask the source again next time."""

    def describe(self) -> str:
        """What kind of credential this is, for debug logs (never the credential)."""
        return "client certificate" if self._cert else "none"


class StaticToken(Credentials):
    """``token`` of the kubeconfig, or ``--kube-token``."""

    def __init__(self, token: str, cert: ClientCert | None = None) -> None:
        super().__init__(cert)
        self._header = f"Bearer {token.strip()}"

    def authorization(self) -> str | None:
        return self._header

    def describe(self) -> str:
        return "bearer token"


class BasicAuth(Credentials):
    """``username``/``password`` of the kubeconfig (basic authentication, still accepted by some servers)."""

    def __init__(self, username: str, password: str, cert: ClientCert | None = None) -> None:
        super().__init__(cert)
        self._header = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")

    def authorization(self) -> str | None:
        return self._header

    def describe(self) -> str:
        return "basic auth"


class TokenFile(Credentials):
    """``tokenFile`` (or a Pod's service account token): read again every TOKEN_FILE_REFRESH_S, and after a 401."""

    def __init__(self, path: Path, where: str, cert: ClientCert | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(cert)
        self.path, self._where, self._clock = path, where, clock
        self._header = ""
        self._until = 0.0
        self.authorization()  # a missing or empty file is an error now, not at the first request

    def authorization(self) -> str | None:
        now = self._clock()
        if now >= self._until:
            try:
                token = self.path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as err:
                raise KubeConfigError(f"{self._where}: cannot read the token file {self.path}: "
                                      f"{getattr(err, 'strerror', None) or err}") from err
            if not token:
                raise KubeConfigError(f"{self._where}: the token file {self.path} is empty")
            self._header, self._until = f"Bearer {token}", now + TOKEN_FILE_REFRESH_S
        return self._header

    def invalidate(self) -> None:
        self._until = 0.0

    def describe(self) -> str:
        return f"token file {self.path}"


class ExpiringToken(Credentials):
    """A token a source renews: kept until ``EXPIRY_SKEW_S`` before it expires (forever when it does not say),
    fetched again after a 401. Subclasses implement :meth:`fetch`."""

    def __init__(self, cert: ClientCert | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(cert)
        self._clock = clock
        self._header: str | None = None
        self._fetched_cert: ClientCert | None = None
        self._expires: float | None = None

    def fetch(self) -> tuple[str | None, ClientCert | None, float | None]:
        """A new (token, client certificate, expiry as epoch seconds)."""
        raise NotImplementedError

    def _fresh(self) -> None:
        stale = self._expires is not None and self._expires - EXPIRY_SKEW_S <= self._clock()
        if (self._header is None and self._fetched_cert is None) or stale:
            token, cert, self._expires = self.fetch()
            self._header = f"Bearer {token}" if token else None
            self._fetched_cert = cert

    def authorization(self) -> str | None:
        self._fresh()
        return self._header

    def client_cert(self) -> ClientCert | None:
        self._fresh()
        return self._fetched_cert or self._cert

    def current(self) -> tuple[str | None, ClientCert | None]:
        self._fresh()
        return self._header, self._fetched_cert or self._cert

    def invalidate(self) -> None:
        self._header, self._fetched_cert, self._expires = None, None, None


class ExecPlugin(ExpiringToken):
    """An ``exec`` credential plugin (``aws eks get-token``, ``gke-gcloud-auth-plugin``, ``kubelogin``, ...).

    It is run with ``KUBERNETES_EXEC_INFO`` describing the request (and the cluster when
    ``provideClusterInfo`` is set); its stdout must be an ``ExecCredential`` of the same apiVersion with a
    token or a client certificate and key. A relative command with a ``/`` is taken from the kubeconfig's
    directory (client-go); a bare name is looked up on ``PATH``.
    """

    def __init__(self, spec: Mapping[str, Any], base: Path, where: str, cluster: Mapping[str, Any] | None,
                 cert: ClientCert | None = None, environ: Mapping[str, str] = os.environ,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(cert, clock)
        self._where = f"{where}: exec plugin"
        command = spec.get("command")
        self.api_version = str(spec.get("apiVersion") or "")
        if not command:
            raise KubeConfigError(f"{self._where}: command is required")
        if self.api_version not in EXEC_API_VERSIONS:
            raise KubeConfigError(f"{self._where}: apiVersion {self.api_version!r} is not supported",
                                  hint=f"use {' or '.join(EXEC_API_VERSIONS)}")
        self.mode = str(spec.get("interactiveMode") or "")
        if self.api_version.endswith("/v1") and not self.mode:
            raise KubeConfigError(f"{self._where}: interactiveMode must be specified for {self.api_version}",
                                  hint="Never, IfAvailable or Always")
        if self.mode not in ("", "Never", "IfAvailable", "Always"):
            raise KubeConfigError(f"{self._where}: invalid interactiveMode {self.mode!r}",
                                  hint="Never, IfAvailable or Always")
        name = str(command)
        self.command = str(resolve(name, base)) if os.sep in name and not name.startswith("~") else \
            str(Path(name).expanduser()) if name.startswith("~") else name
        args = spec.get("args") or []
        if not isinstance(args, list):
            raise KubeConfigError(f"{self._where}: args must be a list")
        self.args = [str(a) for a in args]
        self.env = dict(environ)
        for item in spec.get("env") or []:
            if not isinstance(item, dict) or "name" not in item:
                raise KubeConfigError(f"{self._where}: env entries need a name and a value")
            self.env[str(item["name"])] = str(item.get("value", ""))
        self.cluster = dict(cluster) if spec.get("provideClusterInfo") and cluster is not None else None
        self.install_hint = str(spec.get("installHint") or "")

    def _interactive(self) -> bool:
        if self.mode == "Never":
            return False
        tty = sys.stdin.isatty() if hasattr(sys.stdin, "isatty") else False
        if self.mode == "Always" and not tty:
            raise KubeConfigError(f"{self._where}: interactiveMode is Always but stdin is not a terminal")
        return tty

    def fetch(self) -> tuple[str | None, ClientCert | None, float | None]:
        interactive = self._interactive()
        info: dict[str, Any] = {"apiVersion": self.api_version, "kind": "ExecCredential",
                                "spec": {"interactive": interactive}}
        if self.cluster is not None:
            info["spec"]["cluster"] = _exec_cluster(self.cluster)
        env = {**self.env, "KUBERNETES_EXEC_INFO": json.dumps(info)}
        logger.debug("running exec credential plugin command=%s", self.command)
        code, out, err = _run_bounded([self.command, *self.args], env, interactive, self._where, self.install_hint)
        if code != 0:
            from helmpy.redact import redact_text

            lines = err.decode("utf-8", "replace").strip().splitlines()
            tail = f": {redact_text(lines[-1])[:300]}" if lines else ""
            raise KubeConfigError(f"{self._where}: {self.command} exited with status {code}{tail}")
        return self._parse(out)

    def _parse(self, out: bytes) -> tuple[str | None, ClientCert | None, float | None]:
        if len(out) > MAX_EXEC_OUTPUT:
            raise KubeConfigError(f"{self._where}: the plugin wrote more than {MAX_EXEC_OUTPUT} bytes")
        try:
            doc = json.loads(out)
        except (ValueError, RecursionError) as err:
            raise KubeConfigError(f"{self._where}: the plugin's output is not an ExecCredential JSON object") from err
        if not isinstance(doc, dict) or doc.get("kind") != "ExecCredential":
            raise KubeConfigError(f"{self._where}: the plugin's output is not an ExecCredential JSON object")
        if doc.get("apiVersion") != self.api_version:
            raise KubeConfigError(f"{self._where}: the plugin answered apiVersion {str(doc.get('apiVersion'))[:60]!r}, "
                                  f"expected {self.api_version!r}")
        status = doc.get("status")
        if not isinstance(status, dict):
            raise KubeConfigError(f"{self._where}: the plugin's ExecCredential has no status")
        token = status.get("token")
        cert_pem, key_pem = status.get("clientCertificateData"), status.get("clientKeyData")
        if bool(cert_pem) != bool(key_pem):
            raise KubeConfigError(f"{self._where}: the plugin returned a client certificate without its key "
                                  "(clientCertificateData and clientKeyData go together)")
        if not token and not cert_pem:
            raise KubeConfigError(f"{self._where}: the plugin returned neither a token nor a client certificate")
        expiry = status.get("expirationTimestamp")
        expires = parse_rfc3339(str(expiry), f"{self._where}: expirationTimestamp") if expiry else None
        cert = ClientCert(str(cert_pem).encode(), str(key_pem).encode()) if cert_pem else None
        return (str(token) if token else None), cert, expires

    def describe(self) -> str:
        return f"exec plugin {self.command}"


def _exec_cluster(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """The ``spec.cluster`` of ``KUBERNETES_EXEC_INFO`` (client-go's Cluster type, from the kubeconfig's cluster)."""
    out: dict[str, Any] = {"server": cluster.get("server", "")}
    for key, name in (("tls-server-name", "tls-server-name"), ("insecure-skip-tls-verify", "insecure-skip-tls-verify"),
                      ("certificate-authority-data", "certificate-authority-data"), ("proxy-url", "proxy-url")):
        if cluster.get(key) is not None:
            out[name] = cluster[key]
    for ext in cluster.get("extensions") or []:
        if isinstance(ext, dict) and ext.get("name") == "client.authentication.k8s.io/exec":
            out["config"] = ext.get("extension")
    return out


def _run_bounded(argv: list[str], env: dict[str, str], interactive: bool, where: str,
                 install_hint: str) -> tuple[int, bytes, bytes]:
    """Run a plugin; its stdout (and, when not interactive, stderr) read up to MAX_EXEC_OUTPUT bytes each,
    within EXEC_TIMEOUT_S. Interactive plugins get the terminal's stdin and stderr (to ask for a login)."""
    import selectors
    import subprocess

    try:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                stderr=None if interactive else subprocess.PIPE,
                                stdin=None if interactive else subprocess.DEVNULL)
    except FileNotFoundError as err:
        raise KubeConfigError(f"{where}: executable {argv[0]} not found", hint=install_hint or None) from err
    except OSError as err:
        raise KubeConfigError(f"{where}: cannot run {argv[0]}: {err.strerror or err}") from err
    out_fd = proc.stdout.fileno() if proc.stdout is not None else -1
    err_fd = proc.stderr.fileno() if proc.stderr is not None else -1
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    sizes: dict[int, int] = {out_fd: 0, err_fd: 0}
    deadline = time.monotonic() + EXEC_TIMEOUT_S
    with selectors.DefaultSelector() as sel:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                sel.register(stream, selectors.EVENT_READ)
        try:
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise KubeConfigError(f"{where}: {argv[0]} did not answer within {EXEC_TIMEOUT_S:.0f}s")
                for key, _ in sel.select(left):
                    data = os.read(key.fd, 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                        continue
                    sizes[key.fd] += len(data)
                    if sizes[key.fd] > MAX_EXEC_OUTPUT:
                        raise KubeConfigError(f"{where}: the plugin wrote more than {MAX_EXEC_OUTPUT} bytes")
                    chunks[key.fd].append(data)
            code = proc.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired as err:
            raise KubeConfigError(f"{where}: {argv[0]} did not exit within {EXEC_TIMEOUT_S:.0f}s") from err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    return code, b"".join(chunks[out_fd]), b"".join(chunks[err_fd])
