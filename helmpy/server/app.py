"""The WSGI application behind ``helmpy serve``: a classic chart repository with ChartMuseum's API.

Routes: ``GET|HEAD /index.yaml`` (ETag/Last-Modified, 304s), ``GET /charts/<file>.tgz[.prov]`` (also
``GET /<file>.tgz[.prov]``, where a static repository made by ``repo index`` keeps them),
``POST /api/charts`` (raw or multipart ``chart``/``prov``), ``POST /api/prov``, ``GET|HEAD
/api/charts[/NAME[/VERSION]]``, ``GET /api/charts/NAME/VERSION/templates|values``, ``DELETE
/api/charts/NAME/VERSION``, ``GET /health``, ``GET /info``; the web pages (:mod:`helmpy.server.pages`)
answer ``/``, ``/chart/NAME[/VERSION]``, ``/upload`` and ``/static/``. API errors are always
``{"error": "..."}``, page errors are pages. Every answer carries the security headers of
:mod:`helmpy.server.response`, and a write a browser sends from another site is refused (403).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from base64 import b64encode
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from helmpy import __version__
from helmpy.errors import (
    ChartError,
    ChartNotInRepository,
    CrossOriginRequest,
    HelmpyError,
    LengthRequired,
    RequestBodyTimeout,
    RequestBodyTooLarge,
    ServerRequestError,
)
from helmpy.repo.index import ChartVersion
from helmpy.server.limits import DEFAULT_MAX_UPLOAD, PageLimits
from helmpy.server.pages import WebPages, is_page
from helmpy.server.pages.catalog import latest_version
from helmpy.server.pages.details import archive_name
from helmpy.server.response import SECURITY_HEADERS, Response
from helmpy.server.storage import ChartStorage

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_CHART_ROUTE = re.compile(r"^/api/charts(?:/([^/]+))?(?:/([^/]+))?(?:/(templates|values))?/?$")


class _Unauthorized(Exception):
    pass


@dataclass
class BasicAuth:
    """HTTP basic credentials: plain passwords or htpasswd ``{SHA}`` hashes."""

    users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: str | Path) -> BasicAuth:
        """Lines ``user:password`` (or ``user:{SHA}base64``); blank lines and ``#`` comments ignored."""
        users: dict[str, str] = {}
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if ":" not in line:
                raise ServerRequestError(f"{path}: line {lineno}: expected user:password")
            user, secret = line.split(":", 1)
            users[user] = secret
        if not users:
            raise ServerRequestError(f"{path}: no users defined")
        return cls(users)

    def check(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        secret = self.users.get(user)
        if secret is None:
            hmac.compare_digest(password, password)  # keep timing similar for unknown users
            return False
        if secret.startswith("{SHA}"):
            digest = base64.b64encode(hashlib.sha1(password.encode("utf-8")).digest()).decode()
            return hmac.compare_digest(digest, secret[5:])
        return hmac.compare_digest(password.encode("utf-8"), secret.encode("utf-8"))


class ChartRepoApp:
    """WSGI callable: ``app(environ, start_response)``."""

    def __init__(self, storage: ChartStorage, auth: BasicAuth | None = None, auth_reads: bool = False,
                 max_upload: int = DEFAULT_MAX_UPLOAD, api_enabled: bool = True,
                 page_limits: PageLimits | None = None) -> None:
        self.storage = storage
        self.auth = auth
        self.auth_reads = auth_reads
        self.max_upload = max_upload
        self.api_enabled = api_enabled  # False: no /api/ routes and no upload form (ChartMuseum's --disable-api)
        self.pages = WebPages(storage, page_limits, upload_enabled=api_enabled)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        error: Callable[[int, str, dict[str, Any]], Response] = self.pages.error if is_page(path) else _api_error
        try:
            response = self._dispatch(method, path, environ)
        except _Unauthorized:
            response = error(401, "unauthorized", environ)
            response.headers.append(("WWW-Authenticate", 'Basic realm="helmpy"'))
        except ServerRequestError as err:
            response = error(err.status, err.message, environ)
        except HelmpyError as err:
            response = error(500, err.message, environ)
        except Exception:  # a bug: log it, answer without leaking a traceback
            logger.exception("internal error method=%s path=%s", method, path)
            response = error(500, "internal server error", environ)
        logger.debug("request method=%s path=%s status=%d", method, path, response.status)
        body = b"" if method == "HEAD" or response.status == 304 else response.body
        headers = response.headers + SECURITY_HEADERS + [
            ("Content-Length", str(len(response.body) if method == "HEAD" and response.status != 304 else len(body)))]
        start_response(response.status_line(), headers)
        return [body]

    # --- routing -------------------------------------------------------------------------------------
    def _authorize(self, environ: dict[str, Any], write: bool) -> None:
        if self.auth is None or not (write or self.auth_reads):
            return
        if not self.auth.check(environ.get("HTTP_AUTHORIZATION")):
            raise _Unauthorized()

    def _dispatch(self, method: str, path: str, environ: dict[str, Any]) -> Response:
        if ".." in path.split("/") or "\\" in path or "\0" in path:
            raise ServerRequestError(f"invalid path {path!r}")
        read = method in ("GET", "HEAD")
        if path == "/health" and read:
            return Response.json(200, {"healthy": True})
        if not read:
            _same_origin(environ)
        if path == "/upload" and self.api_enabled:  # the form is an upload: it needs the upload credentials
            self._authorize(environ, write=True)
            if read:
                return self.pages.upload_form(environ)
            if method == "POST":
                return self._upload_form(environ)
            return Response.error(405, f"method {method} not allowed on {path}")
        self._authorize(environ, write=not read)
        if read and (path == "/" or path.startswith(("/chart/", "/static/"))):
            return self.pages.handle(path, environ)
        if path.startswith("/api/") and not self.api_enabled:
            return Response.error(404, "not found")
        if path == "/index.yaml" and read:
            return self._index(environ)
        if path.startswith("/charts/") and read:
            return self._file(path[len("/charts/"):])
        if read and path.count("/") == 1 and path.endswith((".tgz", ".tgz.prov")):
            return self._file(path[1:])  # an index made by `repo index DIR` points at DIR/x.tgz
        if path == "/info" and read:
            return Response.json(200, {"version": __version__})
        if path == "/api/prov" and method == "POST":
            return self._upload_prov(environ)
        m = _CHART_ROUTE.match(path)
        if m:
            return self._chart_route(method, path, m, environ)
        return Response.error(404, "not found")

    def _chart_route(self, method: str, path: str, m: re.Match[str], environ: dict[str, Any]) -> Response:
        """``/api/charts[/NAME[/VERSION[/PART]]]``: list, query, upload, delete, and an archive's parts."""
        read = method in ("GET", "HEAD")
        name, version, part = m.group(1), m.group(2), m.group(3)
        if part is not None:
            if read and name and version:
                return self._archive_part(name, version, part)
            return Response.error(405, f"method {method} not allowed on {path}")
        if method == "POST" and name is None:
            return self._upload_chart(environ)
        if read:
            return self._query(name, version, environ)
        if method == "DELETE" and name and version:
            self.storage.delete(name, version)
            return Response.json(200, {"deleted": True})
        return Response.error(405, f"method {method} not allowed on {path}")

    # --- reads ---------------------------------------------------------------------------------------
    def _index(self, environ: dict[str, Any]) -> Response:
        snap = self.storage.snapshot()
        headers = [("ETag", snap.etag), ("Last-Modified", formatdate(snap.mtime, usegmt=True)),
                   ("Cache-Control", "no-cache")]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            if "*" in tags or snap.etag in tags:
                return Response(304, content_type="", headers=headers)
        elif environ.get("HTTP_IF_MODIFIED_SINCE"):
            try:
                since = parsedate_to_datetime(environ["HTTP_IF_MODIFIED_SINCE"]).timestamp()
            except (TypeError, ValueError):
                since = None
            if since is not None and int(snap.mtime) <= since:
                return Response(304, content_type="", headers=headers)
        return Response(200, snap.data, "application/x-yaml", headers)

    def _file(self, name: str) -> Response:
        path = self.storage.file_path(name)
        kind = "application/pgp-signature" if name.endswith(".prov") else "application/gzip"
        return Response(200, path.read_bytes(), kind)

    def _query(self, name: str | None, version: str | None, environ: dict[str, Any]) -> Response:
        index = self.storage.index()
        if name is None:
            names = sorted(index.entries)
            qs = parse_qs(environ.get("QUERY_STRING", ""))
            offset = _int_param(qs, "offset", 0)
            limit = _int_param(qs, "limit", len(names), positive=True)
            picked = names[offset:offset + limit]
            return Response.json(200, {n: [cv.to_dict() for cv in index.entries[n]] for n in picked})
        if version is None:
            return Response.json(200, [cv.to_dict() for cv in self._versions(name)])
        return Response.json(200, self._version(name, version).to_dict())

    def _versions(self, name: str) -> list[ChartVersion]:
        versions = self.storage.index().entries.get(name)
        if not versions:
            raise ChartNotInRepository("chart not found")
        return versions

    def _version(self, name: str, version: str) -> ChartVersion:
        """One version; ``latest`` is the newest stable one, as ChartMuseum (Helm's ``IndexFile.Get``) picks."""
        versions = self._versions(name)
        found: ChartVersion | None = latest_version(name, versions) if version == "latest" else next(
            (cv for cv in versions if cv.version == version), None)
        if found is None:
            raise ChartNotInRepository("chart version not found")
        return found

    def _archive_part(self, name: str, version: str, part: str) -> Response:
        """ChartMuseum's ``.../templates`` (templates base64 and parsed values) and ``.../values`` (values.yaml)."""
        from helmpy.chart.loader import load_archive

        cv = self._version(name, version)
        data = self.storage.file_path(archive_name(cv)).read_bytes()
        try:
            chart = load_archive(data, archive_name(cv))
        except ChartError as err:
            raise HelmpyError(f"cannot read the archive: {err}") from err
        if part == "values":
            if not chart.has_values_file:
                raise ChartNotInRepository("values.yaml not found")
            return Response(200, chart.raw_values, "application/yaml")
        templates = [{"name": f.name, "data": b64encode(f.data).decode("ascii")} for f in chart.templates]
        return Response(200, json.dumps({"templates": templates, "values": chart.values}, default=str).encode())

    # --- writes --------------------------------------------------------------------------------------
    def _body(self, environ: dict[str, Any]) -> bytes:
        """The request body, refused (411/413) before it is read when its size is missing or over the limit,
        and read at most one byte past the limit when it is chunked."""
        raw_length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not raw_length and not chunked:
            raise LengthRequired("an upload needs a Content-Length or a chunked body")
        if raw_length and not (raw_length.isascii() and raw_length.isdigit()):
            raise ServerRequestError("invalid Content-Length")
        length = int(raw_length) if raw_length else -1
        if length > self.max_upload:
            raise RequestBodyTooLarge(f"request body too large: {length} bytes (limit {self.max_upload})")
        stream = environ["wsgi.input"]
        try:
            data = stream.read(length) if length >= 0 else stream.read(self.max_upload + 1)
        except TimeoutError as err:
            raise RequestBodyTimeout("request body not received in time") from err
        except OSError as err:
            raise ServerRequestError(f"cannot read the request body: {err}") from err
        if len(data) > self.max_upload:
            raise RequestBodyTooLarge(f"request body too large (limit {self.max_upload} bytes)")
        if not data:
            raise ServerRequestError("empty request body")
        return data

    def _upload_chart(self, environ: dict[str, Any]) -> Response:
        force = "force" in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = self._body(environ)
        content_type = environ.get("CONTENT_TYPE", "")
        prov: bytes | None = None
        if content_type.startswith("multipart/form-data"):
            parts = _multipart(content_type, body)
            if "chart" not in parts:
                raise ServerRequestError("multipart upload has no 'chart' field")
            body, prov = parts["chart"], parts.get("prov")
        self.storage.save_chart(body, prov, force=force)
        return Response.json(201, {"saved": True})

    def _upload_form(self, environ: dict[str, Any]) -> Response:
        """The upload page's POST: the API's upload (same limits and checks), answered as pages."""
        try:
            body = self._body(environ)
            content_type = environ.get("CONTENT_TYPE", "")
            if not content_type.startswith("multipart/form-data"):
                raise ServerRequestError("the form must be sent as multipart/form-data")
            parts = _multipart(content_type, body)
            if not parts.get("chart"):
                raise ServerRequestError("choose a chart archive (.tgz) to upload")
            entry = self.storage.save_chart(parts["chart"], parts.get("prov") or None)
        except ServerRequestError as err:
            return self.pages.upload_form(environ, err.status, err.message)
        root = environ.get("SCRIPT_NAME", "").rstrip("/")
        return Response.redirect(f"{root}/chart/{quote(entry.name, safe='')}/{quote(entry.version, safe='')}")

    def _upload_prov(self, environ: dict[str, Any]) -> Response:
        force = "force" in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        body = self._body(environ)
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/form-data"):
            parts = _multipart(content_type, body)
            if "prov" not in parts:
                raise ServerRequestError("multipart upload has no 'prov' field")
            body = parts["prov"]
        self.storage.save_prov(body, force=force)
        return Response.json(201, {"saved": True})


def _api_error(status: int, message: str, environ: dict[str, Any]) -> Response:
    return Response.error(status, message)


def _int_param(qs: dict[str, list[str]], key: str, default: int, positive: bool = False) -> int:
    if key not in qs:
        return default
    try:
        value = int(qs[key][0])
    except ValueError as err:
        raise ServerRequestError(f"query parameter {key!r} must be a number") from err
    if value < 0 or (positive and value == 0):
        raise ServerRequestError(f"query parameter {key!r} must be {'more than 0' if positive else 'at least 0'}")
    return value


def _same_origin(environ: dict[str, Any]) -> None:
    """Refuse a write that a browser sends from another site's page (CSRF): such a request carries
    ``Sec-Fetch-Site: cross-site|same-site`` or an ``Origin`` whose host is not this server's. Helm, curl and
    the cm-push plugin send neither header, so they are unaffected."""
    site = environ.get("HTTP_SEC_FETCH_SITE", "")
    if site in ("cross-site", "same-site"):
        raise CrossOriginRequest(f"refusing a {site} request: uploads and deletes must come from this server's "
                                 "own pages or from a client such as helm or curl")
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() !=
                               (environ.get("HTTP_HOST") or "").lower()):
        raise CrossOriginRequest(f"refusing a request from origin {origin!r}: it is not this server")


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """Form fields of a multipart/form-data body, by field name."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") +
                                                  b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ServerRequestError("malformed multipart body")
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = payload if isinstance(payload, bytes) else b""
    return fields


__all__ = ["DEFAULT_MAX_UPLOAD", "BasicAuth", "ChartRepoApp", "Response"]
