"""Run a WSGI app on a listening address with cheroot (CherryPy's production HTTP/1.1 server): ``helmpy serve``
through :func:`make_server`, ``helmpy cluster serve`` through :func:`bind_server` and :func:`tls_adapter`.

One server for both plain HTTP and HTTPS: a fixed pool of worker threads, keep-alive, request size
limits, and TLS through the standard library's ``ssl`` module. The server is cheroot hardened against
hostile clients (:mod:`helmpy.server.guarded`): request headers - and the TLS handshake - are read
in the selector thread without blocking, so idle and slow clients never hold a worker, and every
request has read deadlines (``ServerLimits``). A plain-HTTP request on the HTTPS port gets a 400
answer explaining that the port speaks HTTPS.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helmpy.errors import UsageError
from helmpy.server.limits import ServerLimits

if TYPE_CHECKING:
    from helmpy.server.guarded import GuardedServer

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 5.0


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too); port 0 picks a free port."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError(f"--address {address!r} must be HOST:PORT (e.g. 127.0.0.1:8879)")
    host = host.strip("[]") or "127.0.0.1"
    value = int(port)
    if value > 65535:
        raise UsageError(f"--address {address!r}: port must be 0-65535")
    return host, value


@dataclass
class RunningServer:
    """A bound server: ``url`` is known before ``serve_forever`` runs."""

    url: str
    serve_forever: Callable[[], None]
    shutdown: Callable[[], None]


def tls_adapter(tls_cert: str, tls_key: str, context: ssl.SSLContext | None = None) -> Any:
    """A cheroot TLS adapter for the PEM files (``context``, when given, replaces the one built from them)."""
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    class LazyHandshakeAdapter(BuiltinSSLAdapter):  # type: ignore[misc]
        """cheroot's adapter shakes hands in its accept loop, where one silent client blocks every
        other; here the socket is only wrapped, and OpenSSL does the handshake on the first read -
        the selector thread's non-blocking read of the request header."""

        def wrap(self, sock: Any) -> tuple[Any, dict[str, str]]:
            tls = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
            return tls, {"wsgi.url_scheme": "https", "HTTPS": "on"}

    try:  # load once here so a bad file is a usage error now, not a failure on the first request
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(tls_cert, tls_key)
        adapter = LazyHandshakeAdapter(tls_cert, tls_key)
    except (OSError, ssl.SSLError, ValueError) as err:
        raise UsageError(f"cannot load TLS certificate {tls_cert!r} / key {tls_key!r}: {err}") from err
    if context is not None:
        adapter.context = context
    return adapter


def _error_log(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
    """cheroot's diagnostics (dropped connections, failed handshakes) go to the debug log, not stderr."""
    logger.debug("cheroot: %s", msg, exc_info=traceback)


def bind_server(app: Callable[..., Any], host: str, port: int, limits: ServerLimits, *, server_name: str,
                ssl_adapter: Any = None, error_log: Callable[..., None] = _error_log,
                shutdown_timeout: float = SHUTDOWN_TIMEOUT) -> GuardedServer:
    """A :class:`~helmpy.server.guarded.GuardedServer` for ``app`` bound to ``host:port`` (``OSError`` when it
    cannot listen); ``serve()`` runs it, ``stop()`` ends it. ``error_log`` gets cheroot's diagnostics."""
    from helmpy.server.guarded import GuardedServer  # imports cheroot: only when serving

    server = GuardedServer((host, port), app, limits, server_name=server_name,
                           shutdown_timeout=shutdown_timeout, request_queue_size=64)
    server.error_log = error_log  # type: ignore[method-assign]  # cheroot's hook is an attribute
    if ssl_adapter is not None:
        server.ssl_adapter = ssl_adapter
    server.prepare()  # binds the socket (and learns the real port when 0 was asked for)
    return server


def make_server(app: Callable[..., Any], address: str, tls_cert: str | None = None, tls_key: str | None = None,
                limits: ServerLimits | None = None) -> RunningServer:
    """Bind ``address`` and return a server ready to run ``app`` (HTTPS when a certificate is given)."""
    host, port = parse_address(address)
    if bool(tls_cert) != bool(tls_key):
        raise UsageError("--tls-cert and --tls-key must be given together")
    adapter = tls_adapter(tls_cert, tls_key) if tls_cert and tls_key else None
    try:
        server = bind_server(app, host, port, limits or ServerLimits(), server_name="helmpy", ssl_adapter=adapter)
    except OSError as err:
        raise UsageError(f"cannot listen on {address}: {err.strerror or err}") from err
    bound_port = server.bind_addr[1]
    display_host = f"[{host}]" if ":" in host else host
    scheme = "https" if tls_cert else "http"
    return RunningServer(f"{scheme}://{display_host}:{bound_port}/", server.serve, server.stop)
