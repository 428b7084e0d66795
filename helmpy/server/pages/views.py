"""The web pages of ``helmpy serve``: the chart list (``/``), a chart (``/chart/NAME``), one version
(``/chart/NAME/VERSION``), the upload form (``/upload``) and their two static files (``/static/``).

Everything comes from the index the API serves (:meth:`ChartStorage.current`) and, for a chart page, from the
one archive of the version shown. Templates are Jinja2 with autoescaping on; the only HTML that is not
escaped is what :mod:`markdown` and :mod:`highlight` built from escaped pieces.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode

from helmpy import __version__
from helmpy.repo.index import ChartVersion
from helmpy.server.limits import PageLimits
from helmpy.server.pages.catalog import SORTS, Catalog, latest_version, paginate
from helmpy.server.pages.details import DetailsCache, archive_name, has_prov
from helmpy.server.pages.markdown import safe_link
from helmpy.server.response import Response
from helmpy.server.storage import ChartStorage

if TYPE_CHECKING:
    from jinja2 import Environment

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC = {"style.css": "text/css; charset=utf-8", "copy.js": "text/javascript; charset=utf-8"}
_ICON_TYPES = ("data:image/png;", "data:image/gif;", "data:image/jpeg;", "data:image/webp;")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["part"] = lambda value: quote(str(value), safe="")
    env.filters["link"] = lambda url: url if isinstance(url, str) and url.lower().startswith(
        ("http://", "https://")) and safe_link(url) else ""
    return env


@lru_cache(maxsize=len(STATIC))
def _static(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()


class WebPages:
    """Renders the pages; :class:`helmpy.server.app.ChartRepoApp` routes to it and checks auth first."""

    def __init__(self, storage: ChartStorage, limits: PageLimits | None = None, upload_enabled: bool = True) -> None:
        self.storage = storage
        self.limits = limits or PageLimits()
        self.upload_enabled = upload_enabled
        self.catalog = Catalog()
        self.details = DetailsCache(storage, self.limits)

    # --- routes --------------------------------------------------------------------------------------
    def handle(self, path: str, environ: dict[str, Any]) -> Response:
        """A GET of a page path (``/``, ``/chart/...``, ``/static/...``)."""
        if path == "/":
            return self.chart_list(environ)
        if path.startswith("/static/"):
            name = path[len("/static/"):]
            if name not in STATIC:
                return self.not_found(environ, "no such file")
            return Response(200, _static(name), STATIC[name], headers=[("Cache-Control", "public, max-age=300")])
        parts = path[len("/chart/"):].rstrip("/").split("/")
        if len(parts) == 1 and parts[0]:
            return self.chart(environ, parts[0], None)
        if len(parts) == 2 and all(parts):
            return self.chart(environ, parts[0], parts[1])
        return self.not_found(environ, "no such page")

    def _render(self, template: str, environ: dict[str, Any], status: int = 200, **context: Any) -> Response:
        root = environ.get("SCRIPT_NAME", "").rstrip("/")
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT')}"
        html = _environment().get_template(template).render(
            root=root, repo_url=f"{scheme}://{host}{root}/", upload_enabled=self.upload_enabled,
            version=__version__, **context)
        return Response.html(status, html)

    def not_found(self, environ: dict[str, Any], message: str) -> Response:
        return self.error(404, message, environ)

    def error(self, status: int, message: str, environ: dict[str, Any]) -> Response:
        """An error as a page (the API's errors stay JSON)."""
        from helmpy.server.response import REASONS

        return self._render("error.html", environ, status, title=REASONS.get(status, "Error"), message=message)

    # --- the list ------------------------------------------------------------------------------------
    def chart_list(self, environ: dict[str, Any]) -> Response:
        qs = parse_qs(environ.get("QUERY_STRING", ""))
        query = (qs.get("q") or [""])[0][:self.limits.max_query].strip()
        sort = (qs.get("sort") or ["name"])[0]
        sort = sort if sort in SORTS else "name"
        per_page = min(max(_number(qs, "per_page", self.limits.page_size), 10), self.limits.max_page_size)
        index, stamp = self.storage.current()
        summaries = self.catalog.summaries(index, stamp)
        page = paginate(self.catalog.select(summaries, query, sort), _number(qs, "page", 1), per_page)

        def page_link(number: int) -> str:
            params = {k: v for k, v in (("q", query), ("sort", sort if sort != "name" else ""),
                                        ("per_page", per_page if per_page != self.limits.page_size else ""),
                                        ("page", number if number > 1 else "")) if v}
            return "?" + urlencode(params) if params else "./"

        return self._render("list.html", environ, title="Charts", page=page, query=query, sort=sort, sorts=SORTS,
                            all_charts=len(summaries), page_link=page_link, icon=self._icon)

    def _icon(self, url: str) -> str:
        """An icon the page may show: only an inline raster ``data:image/`` URL; remote icons are never
        loaded (they would tell another host who browses the repository, and the CSP forbids them)."""
        if url.startswith(_ICON_TYPES) and ";base64," in url and len(url) <= self.limits.max_icon:
            return url
        return ""

    # --- one chart -----------------------------------------------------------------------------------
    def chart(self, environ: dict[str, Any], name: str, version: str | None) -> Response:
        index, _ = self.storage.current()
        versions = index.entries.get(name)
        if not versions:
            return self.not_found(environ, f"chart {name!r} is not in this repository")
        shown: ChartVersion | None = latest_version(name, versions) if version is None else next(
            (cv for cv in versions if cv.version == version), None)
        if shown is None:
            return self.not_found(environ, f"chart {name!r} has no version {version!r}")
        qs = parse_qs(environ.get("QUERY_STRING", ""))
        page = paginate(versions, _number(qs, "page", 1), self.limits.page_size)
        rows = [(cv, has_prov(self.storage, cv)) for cv in page.items]
        return self._render("chart.html", environ, title=name, chart=shown, pinned=version is not None,
                            details=self.details.get(shown), versions=rows, page=page, archive=archive_name(shown),
                            signed=has_prov(self.storage, shown), icon=self._icon,
                            page_link=lambda number: f"?page={number}" if number > 1 else "?")

    # --- upload --------------------------------------------------------------------------------------
    def upload_form(self, environ: dict[str, Any], status: int = 200, error: str = "") -> Response:
        return self._render("upload.html", environ, status, title="Upload a chart", error=error)


def _number(qs: dict[str, list[str]], key: str, default: int) -> int:
    """A positive page number or size from the query; anything else is the default (pages never fail)."""
    raw = (qs.get(key) or [""])[0]
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else default


__all__ = ["WebPages"]
