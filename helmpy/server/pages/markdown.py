"""A chart's README as HTML that cannot carry markup of its own: CommonMark through markdown-it-py with raw
HTML disabled (``<script>``, ``<img onerror=...>`` come out as text), links only to http(s), mailto, this
page's anchors or relative paths, and images only inline ``data:image/`` rasters - a remote image becomes a
plain link, because the pages load nothing from other hosts (the Content-Security-Policy would block it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token

_SAFE_LINK = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\./|\.\./|[^:/?#\s]+(?:[/?#]|$))", re.IGNORECASE)
_SAFE_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_link(url: str) -> bool:
    """True for a link target a page may carry: never ``javascript:``, ``data:`` or another odd scheme
    (control characters and spaces, which browsers strip inside a scheme, are refused first)."""
    return bool(url) and not _CONTROL.search(url.strip()) and bool(_SAFE_LINK.match(url.strip()))


def _validate_link(url: str) -> bool:
    return safe_link(url) or bool(_SAFE_IMAGE.match(url))


def _render_image(renderer: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = escapeHtml("".join(child.content for child in token.children or []) or src)
    if _SAFE_IMAGE.match(src):
        return f'<img src="{escapeHtml(src)}" alt="{alt}">'
    if src.lower().startswith(("http://", "https://")):
        return f'<a href="{escapeHtml(src)}" rel="nofollow noopener noreferrer">{alt}</a>'
    return f"<span>{alt}</span>"  # an image inside the chart: not served


def _render_link_open(renderer: RendererHTML, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.lower().startswith(("http://", "https://")):
        token.attrSet("rel", "nofollow noopener noreferrer")
    return str(renderer.renderToken(tokens, idx, options, env))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    return md


def render_markdown(text: str) -> str:
    """HTML for ``text`` (already safe to insert into a page unescaped)."""
    return str(_parser().render(text))


__all__ = ["render_markdown", "safe_link"]
