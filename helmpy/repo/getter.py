"""HTTP(S) transfers for repositories and registries, on the standard library's ``http.client``.

It owns what every download must get right: the User-Agent, timeouts, TLS options, the credential
rule (basic auth only goes to the repository's own scheme+host unless ``pass_credentials``), redirects
(an ``Authorization`` header never follows one to another host), the ``HTTP(S)_PROXY``/``NO_PROXY``
environment as Helm reads it, a progress bar on stderr for chart downloads, and one-line errors for every
way a request can fail. ``http.client`` (not ``requests``) keeps ``pull`` and ``repo update`` start-up
small: one GET does not need ~100 ms of imports.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit

from helmpy import __version__, settings
from helmpy.errors import DownloadError
from helmpy.redact import redact_headers, redact_url

if TYPE_CHECKING:
    import http.client
    import socket
    import ssl

logger = logging.getLogger(__name__)

USER_AGENT = f"helmpy/{__version__}"
CHART_ACCEPT = "application/gzip,application/octet-stream"
DEFAULT_TIMEOUT = 120.0
MAX_REDIRECTS = 10  # Go's http.Client stops after 10 redirects too
_CHUNK = 64 * 1024

_STATUS_HINTS = {
    401: "the repository requires authentication (check --username/--password)",
    403: "access denied (the credentials are not allowed to read this)",
    404: "not found",
}


@dataclass
class GetterOptions:
    """How to reach one repository (or one ad-hoc URL)."""

    username: str = ""
    password: str = ""
    pass_credentials: bool = False
    credentials_url: str = ""  # the repo URL whose scheme+host may receive the credentials
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    timeout: float = DEFAULT_TIMEOUT
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry: Any, timeout: float = DEFAULT_TIMEOUT) -> GetterOptions:
        """Options for a configured repository (a ``repofile.Entry``)."""
        return cls(username=entry.username, password=entry.password,
                   pass_credentials=entry.pass_credentials_all, credentials_url=entry.url,
                   ca_file=entry.ca_file, cert_file=entry.cert_file, key_file=entry.key_file,
                   insecure_skip_tls_verify=entry.insecure_skip_tls_verify, timeout=timeout)


@dataclass
class Response:
    """What a non-GET request answered (the caller interprets the status)."""

    status: int
    reason: str
    body: bytes

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.body.decode("utf-8", "replace"))
        except ValueError:
            return None


@dataclass
class HttpResponse:
    """A complete answer to :meth:`Getter.request`: status, headers (lower-cased names) and the body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str


class ResponseTooLarge(DownloadError):
    """The body went past the caller's byte cap (the rest was not read)."""


class _InvalidURL(ValueError):
    """A URL that is not http(s)://host/..."""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.rpartition("@")[2].lower()


def may_send_credentials(url: str, options: GetterOptions) -> bool:
    """Helm's rule: both username and password set, and same scheme+host (with port) or pass_credentials."""
    if not (options.username and options.password):
        return False
    if options.pass_credentials:
        return True
    if not options.credentials_url:
        return False
    return _origin(url) == _origin(options.credentials_url)


def _check_file(path: str, flag: str) -> None:
    if not os.path.isfile(path):
        raise DownloadError(f"can't read {flag} file {path!r}: no such file")


def _tls_context(options: GetterOptions) -> ssl.SSLContext:
    import ssl

    if options.insecure_skip_tls_verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif options.ca_file:
        _check_file(options.ca_file, "--ca-file")
        ctx = ssl.create_default_context(cafile=options.ca_file)
    else:
        ctx = ssl.create_default_context()  # the system's roots, as Helm uses
        if not ctx.get_ca_certs() and not ctx.cert_store_stats()["x509_ca"]:
            _load_certifi(ctx)
    if options.cert_file:
        _check_file(options.cert_file, "--cert-file")
        if options.key_file:
            _check_file(options.key_file, "--key-file")
        ctx.load_cert_chain(options.cert_file, options.key_file or None)
    return ctx


def _load_certifi(ctx: ssl.SSLContext) -> None:
    """Systems without a CA directory OpenSSL knows (some macOS builds) fall back to certifi's bundle."""
    try:
        import certifi
    except ImportError:
        return
    ctx.load_verify_locations(certifi.where())


def _proxy_for(scheme: str, host: str) -> str:
    """The proxy URL for ``scheme://host`` from ``HTTP(S)_PROXY``/``NO_PROXY`` (either case), or ""."""
    proxy = os.environ.get(f"{scheme}_proxy") or os.environ.get(f"{scheme.upper()}_PROXY") or ""
    if not proxy:
        return ""
    no_proxy = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    name = host.rsplit(":", 1)[0].strip("[]").lower() if not host.endswith("]") else host.strip("[]").lower()
    for item in (part.strip().lower() for part in no_proxy.split(",")):
        if item == "*":
            return ""
        bare = item.lstrip(".").rsplit(":", 1)[0] if item.count(":") == 1 else item.lstrip(".")
        if bare and (name == bare or name.endswith("." + bare) or host.lower() == item):
            return ""
    return proxy if "://" in proxy else f"http://{proxy}"


def _open_socket(address: tuple[str, int], timeout: float | None,
                 source_address: tuple[str, int] | None = None) -> socket.socket:
    """``socket.create_connection`` with an ASCII host name passed as bytes: the resolver call then skips the
    ``idna`` codec, which a ``str`` host always goes through (importing ``encodings.idna`` and ``stringprep``,
    a few milliseconds of every download's start-up). A non-ASCII name still goes through IDNA."""
    import socket

    host, port = address
    name: str | bytes = host.encode("ascii") if host.isascii() else host
    return socket.create_connection((name, port), timeout, source_address)  # type: ignore[arg-type]


def _describe(err: Exception) -> str:
    """The root cause of a transport error, in a few words."""
    import socket
    import ssl

    if isinstance(err, ssl.SSLError):
        reason = getattr(err, "verify_message", None) or err.reason or str(err)
        return f"TLS error: {reason}"
    if isinstance(err, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(err, socket.gaierror):
        return "host not found"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(err, _InvalidURL):
        return "invalid URL"
    if isinstance(err, _CutShort):
        return str(err)
    return "connection failed"


def _status_error(url: str, status_code: int, reason: str) -> DownloadError:
    status = f"{status_code} {reason or ''}".strip()
    hint = _STATUS_HINTS.get(status_code)
    if hint is None and status_code >= 500:
        hint = "the server failed; try again later"
    return DownloadError(f"failed to fetch {url} : {status}" + (f" ({hint})" if hint and hint != "not found" else ""))


def _multipart(files: Mapping[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``{field: (file name, content, content type)}`` and its Content-Type."""
    import uuid

    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, (filename, content, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode())
        parts.append(content)
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _CutShort(OSError):
    """The connection closed before the body had the length its ``Content-Length`` gave (a transport failure:
    retried where requests are)."""


class _Answer:
    """One final (non-redirect) response, its body still to read in blocks."""

    def __init__(self, resp: http.client.HTTPResponse, url: str, release: Any) -> None:
        self.status = resp.status
        self.reason = resp.reason or ""
        self.headers: dict[str, str] = {}
        for name, value in resp.getheaders():  # a repeated header is one comma-separated value
            name = name.lower()
            self.headers[name] = f"{self.headers[name]}, {value}" if name in self.headers else value
        self.url = url
        self._resp = resp
        self._release = release

    def blocks(self) -> Iterator[bytes]:
        """The body (a gzip Content-Encoding undone), in blocks; the connection is kept once it is all read."""
        decoder = None
        if self.headers.get("content-encoding", "").lower() == "gzip":
            import zlib

            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while True:
            block = self._resp.read(_CHUNK)
            if not block:
                if self._resp.length:  # http.client ends a body cut short without a word
                    raise _CutShort(f"the connection closed {self._resp.length} bytes before the end of the answer")
                break
            if decoder is None:
                yield block
                continue
            yield decoder.decompress(block, _CHUNK)  # bounded blocks: a gzip bomb is cut by the caller's cap
            while decoder.unconsumed_tail:
                yield decoder.decompress(decoder.unconsumed_tail, _CHUNK)
        self._release()


class Getter:
    """A keep-alive HTTP client for one command run (one connection per scheme, host, proxy and TLS options)."""

    def __init__(self) -> None:
        self._idle: dict[tuple[object, ...], http.client.HTTPConnection] = {}
        self._busy: set[http.client.HTTPConnection] = set()  # a body not read to its end (an error, a cap)

    def close(self) -> None:
        for conn in [*self._idle.values(), *self._busy]:
            conn.close()
        self._idle.clear()
        self._busy.clear()

    def __enter__(self) -> Getter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self, url: str, options: GetterOptions) -> tuple[http.client.HTTPConnection, tuple[object, ...], str,
                                                                   bool, dict[str, str]]:
        """A connection for ``url`` (an idle one when there is one): it, its pool key, the request target,
        whether it was reused, and the headers a plain-HTTP proxy needs."""
        import http.client

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise _InvalidURL(url)
        host = parts.netloc.rpartition("@")[2]
        proxy = _proxy_for(scheme, host)
        tls = (options.insecure_skip_tls_verify, options.ca_file, options.cert_file, options.key_file)
        key = (scheme, host.lower(), proxy, tls if scheme == "https" else None, options.timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pparts = urlsplit(proxy) if proxy else None
        extra: dict[str, str] = {}
        if pparts is not None and scheme == "http":
            target = f"http://{host}{target}"  # a plain-HTTP proxy is sent the absolute URL
            extra = _proxy_auth(pparts)
        conn = self._idle.pop(key, None)
        if conn is not None:
            self._busy.add(conn)
            return conn, key, target, True, extra
        if pparts is not None and scheme == "https":  # a CONNECT tunnel through the proxy
            conn = http.client.HTTPSConnection(pparts.hostname or "", pparts.port or 80, timeout=options.timeout,
                                               context=_tls_context(options))
            conn.set_tunnel(parts.hostname or "", parts.port or 443, headers=_proxy_auth(pparts))
        elif pparts is not None:
            conn = http.client.HTTPConnection(pparts.hostname or "", pparts.port or 80, timeout=options.timeout)
        elif scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=options.timeout,
                                               context=_tls_context(options))
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=options.timeout)
        conn._create_connection = _open_socket  # type: ignore[attr-defined]  # http.client's own hook for this
        self._busy.add(conn)
        return conn, key, target, False, extra

    def _exchange(self, method: str, url: str, options: GetterOptions, headers: Mapping[str, str],
                  body: bytes | _ProgressReader | None) -> _Answer:
        """Send one request, following redirects; returns the final answer with its body unread."""
        import http.client

        first = url
        for _hop in range(MAX_REDIRECTS + 1):
            sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **headers}
            if _origin(url) != _origin(first):  # an Authorization header never follows a redirect to another host
                sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
            elif may_send_credentials(first, options):
                import base64

                token = base64.b64encode(f"{options.username}:{options.password}".encode()).decode()
                sent["Authorization"] = f"Basic {token}"
            if body is not None and not any(k.lower() == "content-length" for k in sent):
                sent["Content-Length"] = str(len(body))
            for attempt in (0, 1):
                conn, key, target, reused, extra = self._connect(url, options)
                try:
                    if isinstance(body, _ProgressReader):
                        body.rewind()
                    conn.request(method, target, body=body, headers={**sent, **extra})
                    resp = conn.getresponse()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    conn.close()
                    self._busy.discard(conn)
                    if not reused or attempt:  # a kept-alive connection the server had closed: retry once
                        raise
                except BaseException:
                    conn.close()
                    self._busy.discard(conn)
                    raise
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                resp.read()
                self._keep(key, conn, resp)
                url = urljoin(url, resp.getheader("Location") or "")
                if resp.status in (301, 302, 303) and method != "HEAD":
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                continue
            return _Answer(resp, url, lambda key=key, conn=conn, resp=resp: self._keep(key, conn, resp))
        raise DownloadError(f"{redact_url(first)}: more than {MAX_REDIRECTS} redirects")

    def _keep(self, key: tuple[object, ...], conn: http.client.HTTPConnection,
              resp: http.client.HTTPResponse) -> None:
        self._busy.discard(conn)
        if resp.will_close or key in self._idle:
            conn.close()
        else:
            self._idle[key] = conn

    def get(self, url: str, options: GetterOptions | None = None, *, accept: str | None = None,
            progress: str | None = None) -> bytes:
        """GET ``url`` and return the body; any status but 200 is an error.

        ``progress`` is a label: when set and stderr is a terminal (or --debug is on), a progress bar
        is drawn on stderr while the body arrives.
        """
        options = options or GetterOptions()
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            from helmpy.plugin import getter as plugin_getter

            if plugin_getter.handles(url):  # a downloader plugin's scheme (helm-git's git+https://, ...)
                return plugin_getter.fetch(url, options)
        headers = dict(options.headers)
        if accept:
            headers["Accept"] = accept
        logger.debug("GET %s", redact_url(url))
        try:
            answer = self._exchange("GET", url, options, headers, None)
            if answer.status != 200:
                raise _status_error(url, answer.status, answer.reason)
            total = int(answer.headers.get("content-length") or 0)
            bar = _ProgressBar(progress, total) if progress and _progress_enabled() else None
            chunks: list[bytes] = []
            for chunk in answer.blocks():
                chunks.append(chunk)
                if bar:
                    bar.advance(len(chunk))
            if bar:
                bar.finish()
            return b"".join(chunks)
        except DownloadError:
            raise
        except (OSError, ValueError, _http_errors()) as err:
            raise DownloadError(f"failed to fetch {url} : {_transport_failure(err)}") from err

    def post(self, url: str, data: bytes, options: GetterOptions | None = None, *,
             headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
             files: Mapping[str, Any] | None = None) -> Response:
        """POST and return the response whatever its status; transport failures raise."""
        options = options or GetterOptions()
        merged = {**options.headers, **(headers or {})}
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(dict(params))
        if files:
            data, merged["Content-Type"] = _multipart(files)
        logger.debug("POST %s", redact_url(url))
        try:
            answer = self._exchange("POST", url, options, merged, data)
            return Response(answer.status, answer.reason, b"".join(answer.blocks()))
        except DownloadError:
            raise
        except (OSError, ValueError, _http_errors()) as err:
            raise DownloadError(f"failed to upload to {url} : {_transport_failure(err)}") from err

    def request(self, method: str, url: str, options: GetterOptions | None = None, *,
                headers: Mapping[str, str] | None = None, data: bytes | None = None, max_bytes: int,
                progress: str | None = None, receive: Callable[[Iterator[bytes]], object] | None = None
                ) -> HttpResponse:
        """Any method; the response whatever its status, its body read up to ``max_bytes`` (more raises
        :class:`ResponseTooLarge`). Redirects are followed (credentials are not sent to another host).
        Transport failures raise :class:`DownloadError`. ``progress`` draws a bar (as :meth:`get` does)
        for the request body when there is one, else for the response body.

        ``receive``: a ``200`` answer's body is not kept but handed to it as it arrives, in blocks (capped
        and counted as above); it must read them to the end or raise. The response's body is then empty."""
        options = options or GetterOptions()
        merged = {**options.headers, **(headers or {})}
        if logger.isEnabledFor(logging.DEBUG):  # redacting costs a regex compile: only when it is shown
            logger.debug("%s %s headers=%s", method, url, redact_headers(merged))
        local: Exception | None = None
        sending = bool(data) and bool(progress) and _progress_enabled()  # the bar follows the upload
        body: bytes | _ProgressReader | None = (_ProgressReader(data, _ProgressBar(progress or "", len(data)))
                                                if sending and data else data)
        try:
            answer = self._exchange(method, url, options, merged, body)
            if isinstance(body, _ProgressReader):
                body.bar.finish()
            total = 0 if method == "HEAD" else int(answer.headers.get("content-length") or 0)
            if total > max_bytes:
                raise ResponseTooLarge(f"{url}: the response is {total} bytes, more than the limit of "
                                       f"{max_bytes} bytes")
            bar = _ProgressBar(progress, total) if progress and not sending and _progress_enabled() else None
            counted = [0]
            blocks = _capped(answer.blocks(), method, url, max_bytes, bar, counted)
            if receive is not None and answer.status == 200:
                try:
                    receive(blocks)
                except DownloadError:
                    raise
                except Exception as err:  # the receiver's own failure (a full disk, a refused archive)
                    local = err
                    raise
                body = b""
            else:
                body = b"".join(blocks)  # a HEAD answer has no body: the connection is kept at once
            if bar:
                bar.finish()
            logger.debug("%s %s status=%d bytes=%d", method, url, answer.status, counted[0])
            return HttpResponse(answer.status, answer.reason, answer.headers, body, answer.url)
        except DownloadError:
            raise
        except (OSError, ValueError, _http_errors()) as err:
            if err is local:  # not the transport's: raised as it was
                raise
            raise DownloadError(f"{method} {url} : {_transport_failure(err)}") from err


def _capped(blocks: Iterator[bytes], method: str, url: str, max_bytes: int, bar: _ProgressBar | None,
            counted: list[int]) -> Iterator[bytes]:
    """``blocks``, refused (:class:`ResponseTooLarge`) past ``max_bytes``, advancing ``bar``; ``counted[0]``:
    the bytes so far. A failure while reading them is a :class:`DownloadError`, so a receiver tells it from
    its own."""
    while True:
        try:
            chunk = next(blocks, None)
        except Exception as err:  # a reset, a body cut short, a corrupt gzip Content-Encoding
            raise DownloadError(f"{method} {url} : {_transport_failure(err)}") from err
        if chunk is None:
            return
        counted[0] += len(chunk)
        if counted[0] > max_bytes:
            raise ResponseTooLarge(f"{url}: the response is more than the limit of {max_bytes} bytes")
        if bar:
            bar.advance(len(chunk))
        yield chunk


def _http_errors() -> type[Exception]:
    import http.client

    return http.client.HTTPException


def _transport_failure(err: Exception) -> str:
    """A transport error in a few words; an unreadable certificate file names its error."""
    if isinstance(err, OSError) and err.filename and err.strerror:
        return str(err.strerror)
    return _describe(err)


def _proxy_auth(proxy: Any) -> dict[str, str]:
    """A ``Proxy-Authorization`` header for a proxy URL carrying ``user:password@``."""
    if not proxy.username:
        return {}
    import base64
    from urllib.parse import unquote

    token = base64.b64encode(f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()).decode()
    return {"Proxy-Authorization": f"Basic {token}"}


def get(url: str, options: GetterOptions | None = None, *, accept: str | None = None,
        progress: str | None = None) -> bytes:
    """One-shot GET (see :meth:`Getter.get`)."""
    with Getter() as getter:
        return getter.get(url, options, accept=accept, progress=progress)


def _progress_enabled() -> bool:
    if not settings.interactive():  # a library call (helmpy.Client) draws nothing on the caller's terminal
        return False
    if settings.flag("DEBUG"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}GiB"  # pragma: no cover


class _ProgressReader:
    """A request body read in blocks by the HTTP client, advancing a progress bar as it goes.

    ``__len__`` gives the ``Content-Length`` (no chunked encoding); :meth:`rewind` restarts it for a retry."""

    def __init__(self, data: bytes, bar: _ProgressBar) -> None:
        self._view = memoryview(data)
        self._pos = 0
        self.bar = bar

    def rewind(self) -> None:
        self._pos = 0

    def __len__(self) -> int:
        return len(self._view)

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        block = self._view[self._pos:end].tobytes()
        self._pos = end
        self.bar.advance(len(block))
        return block


class _ProgressBar:
    """A one-line bar redrawn with ``\\r`` at most ten times a second."""

    WIDTH = 30

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._last = 0.0
        self._draw()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            frac = min(1.0, self.done / self.total)
            filled = int(frac * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"\r{self.label} [{bar}] {frac * 100:5.1f}% {_human(self.done)}/{_human(self.total)}"
        else:
            text = f"\r{self.label} {_human(self.done)}"
        sys.stderr.write(text)
        sys.stderr.flush()

    def finish(self) -> None:
        self._draw()
        sys.stderr.write("\n")
        sys.stderr.flush()


# shared with the Kubernetes API transport (helmpy/kube/transport.py): one reading of the proxy environment
proxy_for_host = _proxy_for
proxy_auth_header = _proxy_auth
