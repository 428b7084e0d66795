"""The web pages of ``helmpy serve`` (chart list, chart and version pages, upload form)."""

from helmpy.server.pages.views import WebPages

PAGE_PREFIXES = ("/chart/", "/static/")


def is_page(path: str) -> bool:
    """True for the paths the pages answer (``/upload`` included), whose errors are pages too."""
    return path in ("/", "/upload") or path.startswith(PAGE_PREFIXES)


__all__ = ["PAGE_PREFIXES", "WebPages", "is_page"]
