"""Run a WSGI app on a listening address: waitress for HTTP, a threaded TLS server for HTTPS.

waitress has no TLS and its non-blocking channels cannot drive an ``ssl`` socket, so with a
certificate the app runs on the standard library's WSGI server instead (one thread per connection,
the TLS handshake done in that thread so a slow client cannot stall ``accept``).
"""

from __future__ import annotations

import logging
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from helmpy.errors import UsageError

logger = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 30.0


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


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("tls-server " + format, *args)


class _TLSWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    ssl_context: ssl.SSLContext

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse-DNS lookup of the host
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as err:
            logger.debug("TLS handshake failed client=%s error=%s", client_address, err)
            return
        try:
            tls.settimeout(None)
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection error client=%s", client_address, exc_info=True)


@dataclass
class RunningServer:
    """A bound server: ``url`` is known before ``serve_forever`` runs."""

    url: str
    serve_forever: Callable[[], None]
    shutdown: Callable[[], None]


def make_server(app: Callable[..., Any], address: str, tls_cert: str | None = None, tls_key: str | None = None,
                max_body: int | None = None, threads: int = 8) -> RunningServer:
    """Bind ``address`` and return a server ready to run ``app``."""
    host, port = parse_address(address)
    display_host = f"[{host}]" if ":" in host else host
    if tls_cert or tls_key:
        if not (tls_cert and tls_key):
            raise UsageError("--tls-cert and --tls-key must be given together")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as err:
            raise UsageError(f"cannot load TLS certificate {tls_cert!r} / key {tls_key!r}: {err}") from err

        class Server(_TLSWSGIServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        try:
            server = Server((host, port), _QuietHandler)
        except OSError as err:
            raise UsageError(f"cannot listen on {address}: {err.strerror or err}") from err
        server.ssl_context = context
        server.set_app(app)
        url = f"https://{display_host}:{server.server_address[1]}/"
        return RunningServer(url, server.serve_forever, server.shutdown)

    from waitress.server import create_server  # imported only when serving

    kwargs: dict[str, Any] = {"host": host, "port": port, "threads": threads, "ident": "helmpy"}
    if max_body is not None:
        kwargs["max_request_body_size"] = max_body
    try:
        wserver = create_server(app, **kwargs)
    except OSError as err:
        raise UsageError(f"cannot listen on {address}: {err.strerror or err}") from err
    url = f"http://{display_host}:{wserver.effective_port}/"  # type: ignore[union-attr]

    def stop() -> None:
        wserver.close()  # type: ignore[union-attr]
        wserver.task_dispatcher.shutdown()  # type: ignore[union-attr]

    return RunningServer(url, wserver.run, stop)  # type: ignore[union-attr]


def run_in_thread(server: RunningServer) -> threading.Thread:
    """Serve in a daemon thread (embedding and tests)."""
    thread = threading.Thread(target=server.serve_forever, name="helmpy-serve", daemon=True)
    thread.start()
    return thread
