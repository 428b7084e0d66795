"""HTTP(S) to a Kubernetes API server on the standard library's ``http.client``, with kept-alive connections.

What client-go's transport gives kubectl and Helm, and what this module gives :mod:`helmpy.kube.remote`:
TLS verified against the kubeconfig's CA (file or data; the system's roots when neither is given), an
optional ``tls-server-name``, the user's client certificate (held in memory: on Linux it reaches OpenSSL
through an anonymous ``memfd``, elsewhere through a private temporary file removed at once), a proxy
(``proxy-url``, else ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``; ``http://`` proxies, tunnelled with
``CONNECT`` for HTTPS), timeouts, gzip, and a cap on the bytes one response may hold. Failures are raised as
the standard library's exceptions; ``remote.py`` names them. No header is logged.
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from helmpy.kube.credentials import ClientCert

logger = logging.getLogger(__name__)


class ResponseTooLarge(Exception):
    """The server's answer exceeded the response cap (``HELMPY_MAX_KUBE_RESPONSE_SIZE``)."""


class ProxyError(ValueError):
    """A proxy that cannot be used (not ``http://``)."""


@dataclass(frozen=True)
class Reply:
    """One answer: status, reason, headers (lower-case names) and the whole body."""

    status: int
    reason: str
    headers: Mapping[str, str]
    data: bytes


@dataclass(frozen=True)
class TLSConfig:
    """How to check the server and who the client is."""

    verify: bool = True
    ca_file: str | None = None
    ca_data: bytes | None = None
    server_name: str | None = None


def tls_context(tls: TLSConfig, cert: ClientCert | None) -> ssl.SSLContext:
    """A client context: the CA (or the system's roots), or no verification; the client certificate loaded."""
    if tls.verify:
        ctx = ssl.create_default_context(cafile=tls.ca_file or None,
                                         cadata=tls.ca_data.decode("ascii", "replace") if tls.ca_data else None)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    if cert is not None:
        load_client_cert(ctx, cert)
    return ctx


def load_client_cert(ctx: ssl.SSLContext, cert: ClientCert) -> None:
    """Hand PEM bytes to OpenSSL, which reads only paths: an anonymous memory file where there is one."""
    pem = cert.cert.rstrip(b"\n") + b"\n" + cert.key
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("helmpy-client-cert", getattr(os, "MFD_CLOEXEC", 0))
        try:
            os.write(fd, pem)
            ctx.load_cert_chain(f"/proc/self/fd/{fd}")
            return
        except FileNotFoundError:  # no /proc: fall through to a private file
            pass
        finally:
            os.close(fd)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="helmpy-tls-") as tmp:  # mode 0700; removed on leaving
        path = os.path.join(tmp, "client.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        ctx.load_cert_chain(path)


def proxy_for(url: str, proxy_url: str | None) -> str:
    """The proxy for ``url``: the kubeconfig's ``proxy-url``, else the environment's (as Helm reads it), or ""."""
    if proxy_url:
        return proxy_url
    from helmpy.repo.getter import proxy_for_host

    parts = urlsplit(url)
    return proxy_for_host(parts.scheme.lower(), parts.netloc.rpartition("@")[2])


class _HeaderLines:
    """Headers for ``http.client``'s ``request()`` in which a name may repeat: it iterates over names (to see which
    it must not add itself) and sends each of :meth:`items` as one line (Go's ``Header.Add``)."""

    def __init__(self, headers: Mapping[str, str], extra: Sequence[tuple[str, str]]) -> None:
        self._lines = [*headers.items(), *extra]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._lines)

    def items(self) -> list[tuple[str, str]]:
        return list(self._lines)


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection whose certificate check may use another name than the host (``tls-server-name``)."""

    def __init__(self, host: str, port: int | None, *, timeout: float, context: ssl.SSLContext,
                 server_name: str | None) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._server_name = server_name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # TCP, and the CONNECT tunnel when there is a proxy
        name = self._server_name or self._tunnel_host or self.host  # type: ignore[attr-defined]  # http.client's
        self.sock = self._context.wrap_socket(self.sock, server_hostname=name)  # type: ignore[attr-defined]


class Transport:
    """Requests to one API server; idle connections are kept and reused (thread-safe)."""

    def __init__(self, base_url: str, tls: TLSConfig, *, timeout: float, max_response: int,
                 proxy_url: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.scheme = parts.scheme.lower()
        self.host, self.port = parts.hostname or "", parts.port
        self.prefix = parts.path.rstrip("/")  # a server URL may carry a path (a proxy in front of the API)
        self.tls = tls
        self.timeout = timeout
        self.max_response = max_response
        self.proxy = proxy_for(base_url, proxy_url)
        if self.proxy and urlsplit(self.proxy).scheme.lower() != "http":
            raise ProxyError(f"proxy {urlsplit(self.proxy).scheme}:// is not supported (only http:// proxies)")
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._ctx: ssl.SSLContext | None = None
        self._ctx_cert: ClientCert | None = None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _context(self, cert: ClientCert | None) -> ssl.SSLContext:
        if self._ctx is None or cert != self._ctx_cert:
            if self._ctx is not None:
                self.close()  # a renewed client certificate: connections with the old one are not reused
            self._ctx, self._ctx_cert = tls_context(self.tls, cert), cert
        return self._ctx

    def _new(self, cert: ClientCert | None) -> http.client.HTTPConnection:
        proxy = urlsplit(self.proxy) if self.proxy else None
        host, port = (proxy.hostname or "", proxy.port or 80) if proxy else (self.host, self.port)
        conn: http.client.HTTPConnection
        if self.scheme == "https":
            conn = _Connection(host, port, timeout=self.timeout, context=self._context(cert),
                               server_name=self.tls.server_name)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        if proxy is not None:
            from helmpy.repo.getter import proxy_auth_header

            conn.set_tunnel(self.host, self.port or (443 if self.scheme == "https" else 80),
                            headers=proxy_auth_header(proxy))
        return conn

    def request(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None,
                cert: ClientCert | None = None, extra: Sequence[tuple[str, str]] = ()) -> Reply:
        """Send ``method target``; a kept-alive connection the server had closed is retried once on a new one.

        ``extra`` are more header lines, whose names may repeat (``Impersonate-Group`` once per group).
        """
        if self.scheme == "https":
            self._context(cert)
        for attempt in (0, 1):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = self._new(cert)
            try:
                lines: Mapping[str, str] = _HeaderLines(headers, extra) if extra else dict(headers)  # type: ignore[assignment]
                conn.request(method, self.prefix + target, body=body, headers=lines)
                resp = conn.getresponse()
                data = self._read(resp)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                if not reused or attempt:
                    raise
                continue
            except BaseException:
                conn.close()
                raise
            if resp.will_close:
                conn.close()
            else:
                with self._lock:
                    self._idle.append(conn)
            return Reply(resp.status, resp.reason or "", {k.lower(): v for k, v in resp.getheaders()}, data)
        raise AssertionError("unreachable")

    def _read(self, resp: http.client.HTTPResponse) -> bytes:
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > self.max_response:
            raise ResponseTooLarge(f"the response holds {length} bytes")
        data = resp.read(self.max_response + 1)
        if len(data) > self.max_response:
            raise ResponseTooLarge(f"the response holds more than {self.max_response} bytes")
        if (resp.getheader("Content-Encoding") or "").lower() == "gzip":
            from helmpy.gunzip import gunzip_limited

            def too_big(limit: int) -> Exception:
                return ResponseTooLarge(f"the response decompresses to more than {limit} bytes")

            data = gunzip_limited(data, self.max_response, too_big)
        return data


def is_transport_failure(err: BaseException) -> bool:
    """Whether ``err`` is a way a request fails on the wire (not a bug in helmpy)."""
    return isinstance(err, (OSError, http.client.HTTPException, ssl.SSLError, socket.timeout, ResponseTooLarge,
                            ProxyError))
