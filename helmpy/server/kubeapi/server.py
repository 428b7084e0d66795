"""Run the Kubernetes API on the server ``helmpy serve`` uses (:mod:`helmpy.server.runner`: cheroot hardened
by :mod:`helmpy.server.guarded`): request headers and TLS handshakes are read in the selector thread, so idle and
slowloris clients hold no worker; bodies have strict framing and a read deadline.

A watch is a complete request that then streams for up to its ``timeoutSeconds``: no deadline applies to the
stream itself, only each send must finish within the header timeout (a client that stops reading is dropped
once the socket buffers are full), and at most ``kube_api_max_watches(workers)`` watches are open at once, so
the rest of the workers always serve kubectl's and Helm's other requests. HTTPS is the default: clients only
send the bearer token over TLS (kube-api.md §1).
"""

from __future__ import annotations

import errno
import logging
import shutil
import ssl
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from helmpy.errors import KubeError
from helmpy.kube.client import KubeClient
from helmpy.server.kubeapi import kubelet, tls
from helmpy.server.kubeapi.app import KubeApiApp
from helmpy.server.kubeapi.store import Store
from helmpy.server.limits import KUBE_API_LIMITS, KUBE_API_MAX_BODY, ServerLimits, kube_api_max_watches
from helmpy.server.runner import bind_server, tls_adapter

logger = logging.getLogger(__name__)

# errnos of a peer that hung up, reset or timed out (never a server fault)
_CLIENT_GONE_ERRNOS = {errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ESHUTDOWN, errno.ENOTCONN,
                       errno.ETIMEDOUT, errno.EBADF}
# OpenSSL reasons of a client that stopped talking TLS mid-stream or never spoke it
_CLIENT_TLS_REASONS = {"UNEXPECTED_EOF_WHILE_READING", "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST",
                       "NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "VERSION_TOO_LOW", "BAD_RECORD_MAC",
                       "DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "PROTOCOL_IS_SHUTDOWN", "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
                       "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_DECODE_ERROR"}


def client_went_away(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a client closing or breaking its connection (mid-response, mid-watch, mid-handshake):
    kubectl and Helm do that on every timeout and Ctrl-C, so it is no server error."""
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, ssl.SSLError):
        return getattr(exc, "reason", None) in _CLIENT_TLS_REASONS
    return isinstance(exc, OSError) and exc.errno in _CLIENT_GONE_ERRNOS


def _error_log(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
    """cheroot's diagnostics: client disconnects go to the debug log; anything else is one line (the traceback
    with --debug)."""
    exc = sys.exc_info()[1]
    if level < logging.WARNING or client_went_away(exc):
        logger.debug("kube api connection ended: %s (%r)", msg, exc, exc_info=traceback and exc is not None)
        return
    detail = f": {type(exc).__name__}: {exc}" if exc is not None else ""
    logger.error("kube api server error: %s%s", msg, detail)
    if traceback and exc is not None:
        logger.debug("traceback of the kube api server error", exc_info=exc)


@dataclass
class KubeApiServer:
    """One API server over ``cluster``; ``start()`` binds (port 0 picks one) and serves in a thread."""

    cluster: KubeClient
    host: str = "127.0.0.1"
    port: int = 0
    use_tls: bool = True
    token: str | None = None
    limits: ServerLimits = KUBE_API_LIMITS
    credentials: tls.ServerCredentials | None = field(default=None, init=False)
    _server: object | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _tmp: str | None = field(default=None, init=False, repr=False)
    _store: Store | None = field(default=None, init=False, repr=False)
    _kubelet: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        scheme = "https" if self.use_tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    def kubeconfig(self, namespace: str = "default") -> dict:
        """A kubeconfig for clients of this server (token and CA only over HTTPS)."""
        creds = self.credentials
        return tls.kubeconfig(self.url, creds.token if creds else None, creds.ca_pem if creds else None, namespace)

    def start(self) -> None:
        """Bind and start serving in a background thread."""
        if self.use_tls:
            self.credentials = tls.make_credentials([self.host], self.token)
            self.token = self.credentials.token
        store = self._store = Store(self.cluster)
        max_body = self.limits.max_chunked_body or KUBE_API_MAX_BODY
        app = KubeApiApp(store, self.token if self.use_tls else None, max_body=max_body,
                         max_watches=kube_api_max_watches(self.limits.workers))
        adapter = None
        if self.use_tls:
            assert self.credentials is not None
            self._tmp = tempfile.mkdtemp(prefix="helmpy-kubeapi-")  # 0700; removed by stop()
            cert, key = Path(self._tmp, "tls.crt"), Path(self._tmp, "tls.key")
            cert.write_bytes(self.credentials.cert_pem)
            key.write_bytes(self.credentials.key_pem)
            adapter = tls_adapter(str(cert), str(key), tls.ssl_context(self.credentials))
        try:
            server = bind_server(app, self.host, self.port, self.limits, server_name="helmpy-kubeapi",
                                 ssl_adapter=adapter, error_log=_error_log, shutdown_timeout=1)
        except OSError as err:
            raise KubeError(f"cannot listen on {self.host}:{self.port}: {err}") from err
        self.port = int(server.bind_addr[1])  # type: ignore[index]
        app.server_address = f"{self.host}:{self.port}"
        self._server = server
        self._thread = threading.Thread(target=server.serve, name="helmpy-kubeapi", daemon=True)
        self._thread.start()
        self._kubelet = kubelet.start(store)
        logger.debug("kube api serving url=%s", self.url)

    def stop(self) -> None:
        """Stop serving (open watches end) and wait for the server thread."""
        if self._store is not None:
            self._store.closing.set()
        if self._server is not None:
            self._server.stop()  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._kubelet is not None:
            self._kubelet.join(timeout=10)  # closing is set: it ends after the promotion it may be in
        self._server = self._thread = self._kubelet = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def write_kubeconfig(self, path: str | Path, namespace: str = "default") -> None:
        """Merge this server's kubeconfig entries into ``path`` (mode 0600; other entries kept)."""
        tls.write_kubeconfig(path, self.kubeconfig(namespace))
