"""The answer of :class:`helmpy.server.app.ChartRepoApp` and of its web pages, and the security headers every
answer carries.

Every answer gets a strict Content-Security-Policy: the pages load only this server's own stylesheet and
script (``/static/``), images only from this server or ``data:`` URLs, and nothing may frame them, so even
a chart's text that slipped past escaping could neither run a script nor reach another host.
"""

from __future__ import annotations

import json
from typing import Any

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
                    ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
                    ("Cross-Origin-Resource-Policy", "same-origin")]

REASONS = {200: "OK", 201: "Created", 303: "See Other", 304: "Not Modified", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 409: "Conflict", 411: "Length Required", 413: "Content Too Large",
           500: "Internal Server Error"}

HTML = "text/html; charset=utf-8"


class Response:
    """A status, headers and body; JSON helpers because every API answer is JSON."""

    def __init__(self, status: int, body: bytes = b"", content_type: str = "application/json",
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.status, self.body, self.headers = status, body, list(headers or [])
        if content_type:
            self.headers.append(("Content-Type", content_type))

    @classmethod
    def json(cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, json.dumps(payload).encode("utf-8"), headers=headers)

    @classmethod
    def error(cls, status: int, message: str) -> Response:
        return cls.json(status, {"error": message})

    @classmethod
    def html(cls, status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, text.encode("utf-8"), HTML, headers=[("Cache-Control", "no-cache"), *(headers or [])])

    @classmethod
    def redirect(cls, location: str) -> Response:
        """303: after a form POST the browser GETs ``location`` (a path of this server)."""
        return cls(303, b"", "", headers=[("Location", location)])

    def status_line(self) -> str:
        return f"{self.status} {REASONS.get(self.status, 'Unknown')}"


__all__ = ["CONTENT_SECURITY_POLICY", "HTML", "REASONS", "SECURITY_HEADERS", "Response"]
