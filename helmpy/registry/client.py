"""The OCI distribution API v2, for one registry, over the repository getter's HTTP session.

Requests go through :class:`helmpy.repo.getter.Getter` (its User-Agent, TLS options, timeouts and
one-line transport errors); this module adds what a registry needs: ``https://`` unless
``--plain-http``, the auth challenge flow (:mod:`helmpy.registry.auth`), retries with back-off on 5xx
answers and dropped connections, byte caps on everything read, digests checked on every manifest and
blob, and one ``Error:`` line per failure that says what to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from helmpy import limits
from helmpy.errors import DigestMismatch, DownloadError, RegistryAuthError, RegistryError
from helmpy.registry import blobs, credentials
from helmpy.registry.auth import Authenticator, login_hint, repository_scope
from helmpy.registry.blobs import Inspect
from helmpy.registry.chartformat import MANIFEST_MEDIA_TYPE, parse_json, sha256_digest
from helmpy.registry.credentials import Credential
from helmpy.repo.getter import Getter, GetterOptions, HttpResponse, ResponseTooLarge

logger = logging.getLogger(__name__)

#: Attempts per request when the registry answers 5xx or the connection drops (back-off doubles from 0.25 s).
ATTEMPTS = 3
_BACKOFF = 0.25
_RETRY_STATUS = frozenset({500, 502, 503, 504})


@dataclass
class RegistryOptions:
    """How to reach registries: TLS flags, ``--plain-http`` and explicit credentials (else the stored ones)."""

    plain_http: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    timeout: float = 120.0
    username: str = ""
    password: str = ""
    registry_config: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def getter_options(self) -> GetterOptions:
        return GetterOptions(ca_file=self.ca_file, cert_file=self.cert_file, key_file=self.key_file,
                             insecure_skip_tls_verify=self.insecure_skip_tls_verify, timeout=self.timeout)

    def credential(self, registry: str) -> Credential:
        if self.username or self.password:
            return Credential(self.username, self.password)
        return credentials.get(registry, self.registry_config)


def _registry_message(resp: HttpResponse) -> str:
    """The first ``errors[]`` entry of a registry's JSON error body, printable and short."""
    import json

    try:
        doc: Any = json.loads(resp.body[:65536]) if resp.body.startswith(b"{") else None
    except ValueError:
        return ""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    code, message = str(errors[0].get("code", "")), str(errors[0].get("message", ""))
    text = ": ".join(p for p in (code, message) if p)
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]


class RegistryClient:
    """Requests to one registry host for one command run (one HTTP session, tokens kept per scope)."""

    def __init__(self, registry: str, options: RegistryOptions | None = None, getter: Getter | None = None) -> None:
        self.registry = registry
        self.options = options or RegistryOptions()
        self._own = getter is None
        self.getter = getter or Getter()
        self._gopts = self.options.getter_options()
        self.base = f"{'http' if self.options.plain_http else 'https'}://{registry}"
        self.auth = Authenticator(registry, self.options.credential(registry), self.getter, self._gopts,
                                  secure=not self.options.plain_http)

    def close(self) -> None:
        if self._own:
            self.getter.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport --------------------------------------------------------------------------------
    def _send(self, method: str, url: str, scope: str, *, headers: dict[str, str] | None = None,
              data: bytes | None = None, max_bytes: int | None = None, progress: str | None = None,
              receive: Callable[[Iterator[bytes]], object] | None = None) -> HttpResponse:
        if not url.startswith(("http://", "https://")):
            url = self.base + url
        cap = max_bytes if max_bytes is not None else limits.oci_metadata_size()
        answered = False
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self.getter.request(method, url, self._gopts, data=data, max_bytes=cap, progress=progress,
                                           headers={**(headers or {}), **self.auth.header(scope)}, receive=receive)
            except ResponseTooLarge as err:
                raise RegistryError(f"{err} (limit {limits.MAX_OCI_METADATA_SIZE_ENV} or HELMPY_MAX_CHART_SIZE)"
                                    ) from err
            except DownloadError as err:
                if attempt < ATTEMPTS and "refused" not in str(err) and "TLS" not in str(err):
                    self._pause(attempt, f"{method} {url}: {err}")
                    continue
                raise RegistryError(self._transport_hint(str(err))) from err
            if resp.status == 401 and not answered:
                answered = True
                challenge = resp.headers.get("www-authenticate", "")
                if challenge and self.auth.answer(challenge, scope):
                    continue
            if resp.status in _RETRY_STATUS and attempt < ATTEMPTS:
                self._pause(attempt, f"{method} {url}: {resp.status}")
                continue
            return resp

    @staticmethod
    def _pause(attempt: int, what: str) -> None:
        delay = _BACKOFF * 2 ** (attempt - 1)
        logger.debug("retrying in %.2fs after %s", delay, what)
        time.sleep(delay)

    def _transport_hint(self, message: str) -> str:
        if "TLS" in message and not self.options.plain_http:
            return f"{message} (if {self.registry} serves plain HTTP, pass --plain-http; for a private CA, --ca-file)"
        return message

    def _fail(self, resp: HttpResponse, what: str, action: str = "pull") -> RegistryError:
        detail = _registry_message(resp)
        suffix = f" ({detail})" if detail else ""
        if resp.status in (401, 403):
            status = resp.status
            if self.auth.credential and "insufficient_scope" in resp.headers.get("www-authenticate", ""):
                status = 403  # signed in, but the token service granted less than this needs
            return RegistryAuthError(login_hint(self.registry, self.auth.credential, status) + suffix)
        if resp.status == 404:
            return RegistryError(f"{what}: not found{suffix}")
        if resp.status == 429:
            return RegistryError(f"{what}: {self.registry} is rate-limiting requests (429 Too Many Requests); "
                                 "wait a while and try again")
        if resp.status >= 500:
            return RegistryError(f"{what}: {self.registry} failed ({resp.status} {resp.reason}){suffix}; try again "
                                 "later")
        return RegistryError(f"{what}: {self.registry} refused the {action} ({resp.status} {resp.reason}){suffix}")

    # --- API --------------------------------------------------------------------------------------
    def ping(self) -> None:
        """``GET /v2/`` with the credentials: what ``registry login`` checks."""
        resp = self._send("GET", "/v2/", "")
        if resp.status == 401 and not self.auth.credential:
            raise RegistryAuthError(login_hint(self.registry, self.auth.credential, 401))
        if resp.status != 200:
            raise self._fail(resp, f"{self.registry}/v2/", "login")

    def tags(self, repository: str) -> list[str]:
        """Every tag of ``repository`` (following ``Link`` pages, each page size-capped)."""
        scope = repository_scope(repository, "pull")
        url = f"/v2/{repository}/tags/list"
        found: list[str] = []
        for _ in range(1000):
            resp = self._send("GET", url, scope)
            if resp.status != 200:
                raise self._fail(resp, f"{self.registry}/{repository}")
            doc = parse_json(resp.body, f"tag list of {self.registry}/{repository}")
            tags = doc.get("tags") or []
            if not isinstance(tags, list):
                raise RegistryError(f"tag list of {self.registry}/{repository}: 'tags' is not a list")
            found.extend(t for t in tags if isinstance(t, str))
            link = resp.headers.get("link", "")
            if not link.startswith("<") or ">" not in link:
                return found
            url = urljoin(self.base + url, link[1:link.index(">")])
        raise RegistryError(f"tag list of {self.registry}/{repository}: more than 1000 pages")

    def get_manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        """The manifest's bytes and digest; a digest reference (or the registry's digest header) is checked."""
        scope = repository_scope(repository, "pull")
        what = f"{self.registry}/{repository}{'@' if reference.startswith('sha256:') else ':'}{reference}"
        resp = self._send("GET", f"/v2/{repository}/manifests/{reference}", scope,
                          headers={"Accept": MANIFEST_MEDIA_TYPE})
        if resp.status != 200:
            raise self._fail(resp, what)
        digest = sha256_digest(resp.body)
        claimed = reference if reference.startswith("sha256:") else resp.headers.get("docker-content-digest", "")
        if claimed and claimed != digest:
            raise DigestMismatch(f"{what}: the manifest is {digest}, not {claimed}; refusing it")
        return resp.body, digest

    def get_blob(self, repository: str, digest: str, size: int, max_bytes: int, progress: str | None = None) -> bytes:
        """A blob, refused unless it has exactly the size and sha256 the manifest gave."""
        self._refuse_larger(repository, digest, size, max_bytes)
        resp = self._send("GET", f"/v2/{repository}/blobs/{digest}", repository_scope(repository, "pull"),
                          max_bytes=max_bytes, progress=progress)
        if resp.status != 200:
            raise self._fail(resp, f"{self.registry}/{repository}@{digest}")
        blobs.take((resp.body,), digest, size, f"{self.registry}/{repository}")
        return resp.body

    def save_blob(self, repository: str, digest: str, size: int, max_bytes: int, target: Path,
                  progress: str | None = None, inspect: Inspect | None = None) -> None:
        """Stream a blob into ``target`` as it arrives (an atomic write, not synced: the content cache's readers
        check what they read), refused unless it has exactly the size and sha256 the manifest gave and, with
        ``inspect``, that accepts it; a refused or cut download leaves nothing."""
        from helmpy.fsutil import atomic_stream

        self._refuse_larger(repository, digest, size, max_bytes)
        what = f"{self.registry}/{repository}"

        def receive(blocks: Iterator[bytes]) -> None:
            try:
                atomic_stream(target, lambda fh: blobs.take(blocks, digest, size, what, fh, inspect), durable=False)
            except OSError as err:  # the transport's failures arrive as DownloadError: this one is the disk's
                raise RegistryError(f"{what}@{digest}: cannot store the blob in the content cache "
                                    f"{str(target.parent)!r}: {err.strerror or err}") from err

        resp = self._send("GET", f"/v2/{repository}/blobs/{digest}", repository_scope(repository, "pull"),
                          max_bytes=max_bytes, progress=progress, receive=receive)
        if resp.status != 200:
            raise self._fail(resp, f"{self.registry}/{repository}@{digest}")

    def _refuse_larger(self, repository: str, digest: str, size: int, max_bytes: int) -> None:
        if size > max_bytes:
            raise RegistryError(f"{self.registry}/{repository}@{digest}: the blob is {size} bytes, more than the "
                                f"limit of {max_bytes} bytes")

    def has_blob(self, repository: str, digest: str) -> bool:
        resp = self._send("HEAD", f"/v2/{repository}/blobs/{digest}", repository_scope(repository, "pull", "push"),
                          max_bytes=0)
        if resp.status == 200:
            return True
        if resp.status == 404:
            return False
        raise self._fail(resp, f"{self.registry}/{repository}@{digest}", "push")

    def mount_blob(self, repository: str, digest: str, source: str) -> HttpResponse | None:
        """Ask for ``digest`` to be mounted from ``source``, another repository of this registry (the spec's
        cross-repository mount). None when it was (``201``); else the registry's answer, which the caller
        hands to :meth:`upload_blob`: a ``202`` (what a registry answers a mount it will not do) already
        opened the upload session, anything else is ignored there."""
        from urllib.parse import quote

        scope = f"{repository_scope(repository, 'pull', 'push')} {repository_scope(source, 'pull')}"
        resp = self._send("POST", f"/v2/{repository}/blobs/uploads/?mount={digest}&from={quote(source, safe='')}",
                          scope, max_bytes=65536)
        claimed = resp.headers.get("docker-content-digest", "")
        if resp.status == 201 and (not claimed or claimed == digest):
            logger.debug("mounted %s into %s from %s", digest, repository, source)
            return None
        logger.debug("mount of %s from %s not done (%d): uploading", digest, source, resp.status)
        return resp

    def upload_blob(self, repository: str, data: bytes, digest: str, progress: str | None = None,
                    session: HttpResponse | None = None) -> None:
        """Monolithic upload: ``POST`` opens a session, ``PUT <location>?digest=`` sends the bytes (with a
        progress bar labelled ``progress`` on a terminal or under --debug). ``session``: a ``202`` answer
        already opening one (a refused mount)."""
        scope = repository_scope(repository, "pull", "push")
        what = f"{self.registry}/{repository}"
        for attempt in range(1, ATTEMPTS + 1):
            if session is not None and session.status == 202 and session.headers.get("location"):
                resp, session = session, None
            else:
                resp = self._send("POST", f"/v2/{repository}/blobs/uploads/", scope, max_bytes=65536)
            if resp.status != 202 or not resp.headers.get("location"):
                raise self._fail(resp, what, "push")
            location = urljoin(self.base + "/", resp.headers["location"])
            sep = "&" if "?" in location else "?"
            resp = self._send("PUT", f"{location}{sep}digest={digest}", scope, data=data, max_bytes=65536,
                              headers={"Content-Type": "application/octet-stream"}, progress=progress)
            if resp.status in (201, 204):
                return
            if resp.status == 404 and attempt < ATTEMPTS:  # the upload session expired: open another
                continue
            raise self._fail(resp, f"{what}: upload of {digest}", "push")

    def put_manifest(self, repository: str, tag: str, data: bytes) -> str:
        """Tag the manifest (last, so a pull sees the chart only once every blob is there); returns its digest."""
        resp = self._send("PUT", f"/v2/{repository}/manifests/{tag}", repository_scope(repository, "pull", "push"),
                          data=data, max_bytes=65536, headers={"Content-Type": MANIFEST_MEDIA_TYPE})
        if resp.status not in (200, 201):
            raise self._fail(resp, f"{self.registry}/{repository}:{tag}", "push")
        digest = sha256_digest(data)
        claimed = resp.headers.get("docker-content-digest", "")
        if claimed and claimed != digest:
            raise DigestMismatch(f"{self.registry}/{repository}:{tag}: the registry stored the manifest as "
                                 f"{claimed}, not {digest}")
        return digest
