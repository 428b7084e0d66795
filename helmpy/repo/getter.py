"""HTTP(S) transfers for repositories: the only module that imports ``requests``.

It owns what every download must get right: the User-Agent, timeouts, TLS options, the credential
rule (basic auth only goes to the repository's own scheme+host unless ``pass_credentials``), a
progress bar on stderr for chart downloads, and one-line errors for every way a request can fail.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

import requests
import urllib3

from helmpy import __version__
from helmpy.errors import DownloadError
from helmpy.redact import redact_headers, redact_url

logger = logging.getLogger(__name__)

USER_AGENT = f"helmpy/{__version__}"
CHART_ACCEPT = "application/gzip,application/octet-stream"
DEFAULT_TIMEOUT = 120.0
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
    def from_entry(cls, entry: Any, timeout: float = DEFAULT_TIMEOUT) -> "GetterOptions":
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


def _request_kwargs(url: str, options: GetterOptions) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"timeout": options.timeout, "allow_redirects": True}
    if may_send_credentials(url, options):
        kwargs["auth"] = (options.username, options.password)
    if urlsplit(url).scheme == "https":
        if options.insecure_skip_tls_verify:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            kwargs["verify"] = False
        elif options.ca_file:
            _check_file(options.ca_file, "--ca-file")
            kwargs["verify"] = options.ca_file
        if options.cert_file:
            _check_file(options.cert_file, "--cert-file")
            if options.key_file:
                _check_file(options.key_file, "--key-file")
            kwargs["cert"] = (options.cert_file, options.key_file) if options.key_file else options.cert_file
    return kwargs


def _check_file(path: str, flag: str) -> None:
    if not os.path.isfile(path):
        raise DownloadError(f"can't read {flag} file {path!r}: no such file")


def _describe(err: requests.RequestException) -> str:
    """The root cause of a transport error, in a few words."""
    text = str(err)
    if isinstance(err, requests.exceptions.SSLError):
        reason = text.rsplit("(", 1)[-1].rstrip(")'\" ") if "(" in text else text
        return f"TLS error: {reason}"
    if isinstance(err, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(err, requests.exceptions.ConnectionError):
        lowered = text.lower()
        if "refused" in lowered:
            return "connection refused"
        if "name or service not known" in lowered or "nodename nor servname" in lowered or \
                "failed to resolve" in lowered or "temporary failure in name resolution" in lowered:
            return "host not found"
        if "reset" in lowered:
            return "connection reset by peer"
        return "connection failed"
    if isinstance(err, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "invalid URL"
    return type(err).__name__


def _status_error(url: str, resp: requests.Response) -> DownloadError:
    status = f"{resp.status_code} {resp.reason or ''}".strip()
    hint = _STATUS_HINTS.get(resp.status_code)
    if hint is None and resp.status_code >= 500:
        hint = "the server failed; try again later"
    return DownloadError(f"failed to fetch {url} : {status}" + (f" ({hint})" if hint and hint != "not found" else ""))


class Getter:
    """A keep-alive HTTP client for one command run."""

    def __init__(self) -> None:
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> "Getter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, options: GetterOptions | None = None, *, accept: str | None = None,
            progress: str | None = None) -> bytes:
        """GET ``url`` and return the body; any status but 200 is an error.

        ``progress`` is a label: when set and stderr is a terminal (or --debug is on), a progress bar
        is drawn on stderr while the body arrives.
        """
        options = options or GetterOptions()
        headers = dict(options.headers)
        if accept:
            headers["Accept"] = accept
        logger.debug("GET %s", redact_url(url))
        try:
            with self._session.get(url, headers=headers, stream=True, **_request_kwargs(url, options)) as resp:
                if resp.status_code != 200:
                    raise _status_error(url, resp)
                total = int(resp.headers.get("Content-Length") or 0)
                bar = _ProgressBar(progress, total) if progress and _progress_enabled() else None
                chunks: list[bytes] = []
                for chunk in resp.iter_content(_CHUNK):
                    chunks.append(chunk)
                    if bar:
                        bar.advance(len(chunk))
                if bar:
                    bar.finish()
                return b"".join(chunks)
        except requests.RequestException as err:
            raise DownloadError(f"failed to fetch {url} : {_describe(err)}") from err
        except OSError as err:  # e.g. an unreadable certificate file
            raise DownloadError(f"failed to fetch {url} : {err.strerror or err}") from err

    def post(self, url: str, data: bytes, options: GetterOptions | None = None, *,
             headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
             files: Mapping[str, Any] | None = None) -> Response:
        """POST and return the response whatever its status; transport failures raise."""
        options = options or GetterOptions()
        merged = {**options.headers, **(headers or {})}
        logger.debug("POST %s", redact_url(url))
        try:
            resp = self._session.post(url, data=None if files else data, files=files, headers=merged,
                                      params=params, **_request_kwargs(url, options))
        except requests.RequestException as err:
            raise DownloadError(f"failed to upload to {url} : {_describe(err)}") from err
        return Response(resp.status_code, resp.reason or "", resp.content)

    def request(self, method: str, url: str, options: GetterOptions | None = None, *,
                headers: Mapping[str, str] | None = None, data: bytes | None = None, max_bytes: int,
                progress: str | None = None) -> HttpResponse:
        """Any method; the response whatever its status, its body read up to ``max_bytes`` (more raises
        :class:`ResponseTooLarge`). Redirects are followed (credentials are not sent to another host).
        Transport failures raise :class:`DownloadError`. ``progress`` draws a bar (as :meth:`get` does)
        for the request body when there is one, else for the response body."""
        options = options or GetterOptions()
        merged = {**options.headers, **(headers or {})}
        logger.debug("%s %s headers=%s", method, url, redact_headers(merged))
        sending = bool(data) and bool(progress) and _progress_enabled()  # the bar follows the upload
        body: bytes | _ProgressReader | None = (_ProgressReader(data, _ProgressBar(progress or "", len(data)))
                                                if sending and data else data)
        try:
            with self._session.request(method, url, headers=merged, data=body, stream=True,
                                       **_request_kwargs(url, options)) as resp:
                if isinstance(body, _ProgressReader):
                    body.bar.finish()
                total = 0 if method == "HEAD" else int(resp.headers.get("Content-Length") or 0)
                if total > max_bytes:
                    raise ResponseTooLarge(f"{url}: the response is {total} bytes, more than the limit of "
                                           f"{max_bytes} bytes")
                bar = _ProgressBar(progress, total) if progress and not sending and _progress_enabled() else None
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ResponseTooLarge(f"{url}: the response is more than the limit of {max_bytes} bytes")
                    chunks.append(chunk)
                    if bar:
                        bar.advance(len(chunk))
                if bar:
                    bar.finish()
                logger.debug("%s %s status=%d bytes=%d", method, url, resp.status_code, size)
                return HttpResponse(resp.status_code, resp.reason or "",
                                    {k.lower(): v for k, v in resp.headers.items()}, b"".join(chunks), resp.url)
        except requests.RequestException as err:
            raise DownloadError(f"{method} {url} : {_describe(err)}") from err
        except OSError as err:  # e.g. an unreadable certificate file
            raise DownloadError(f"{method} {url} : {err.strerror or err}") from err


def get(url: str, options: GetterOptions | None = None, *, accept: str | None = None,
        progress: str | None = None) -> bytes:
    """One-shot GET (see :meth:`Getter.get`)."""
    with Getter() as getter:
        return getter.get(url, options, accept=accept, progress=progress)


def _progress_enabled() -> bool:
    if os.environ.get("HELMPY_DEBUG", "").lower() in ("1", "true", "yes"):
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

    ``__len__`` lets requests send a ``Content-Length`` (no chunked encoding); each retry builds a new one."""

    def __init__(self, data: bytes, bar: "_ProgressBar") -> None:
        self._view = memoryview(data)
        self._pos = 0
        self.bar = bar

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
