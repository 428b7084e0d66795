"""The page renderers on their own: Markdown never lets markup through, YAML highlighting loses nothing."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.server.pages.highlight import highlight_yaml
from helmpy.server.pages.markdown import render_markdown, safe_link

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "em", "strong", "code", "pre", "ul", "ol",
                "li", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s", "span"}


class _Check(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad.append(tag)
        for key, value in attrs:
            if key.startswith("on") or key not in ("href", "src", "alt", "rel", "class", "style", "start", "title"):
                self.bad.append(f"{tag}[{key}]")
            if key in ("href", "src") and not (safe_link(value or "") or (value or "").startswith("data:image/png")):
                self.bad.append(f"{tag}[{key}={value}]")
            if key == "class" and not (value or "").startswith("language-"):  # a quoted, escaped value
                self.bad.append(f"{tag}[class={value}]")


def _problems(text: str) -> list[str]:
    check = _Check()
    check.feed(render_markdown(text))
    return check.bad


@pytest.mark.parametrize("text", [
    "<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))", "[a](java\tscript:alert(1))", "[a](&#106;avascript:alert(1))",
    "[a](vbscript:x)", "[a](data:text/html;base64,PHNjcmlwdD4=)", "![i](javascript:alert(1))",
    "![i](data:image/svg+xml,<svg onload=alert(1)>)", "<javascript:alert(1)>", "[a]: javascript:x\n\n[a]",
    '<a href="javascript:x">x</a>', "<iframe src=x>", "<style>*{}</style>", '[a](x "t\\" onclick=\\"y")',
    "```\"><script>x</script>\n```\n", "```js onclick=x\ncode\n```",
])
def test_markdown_drops_hostile_markup(text: str) -> None:
    assert _problems(text) == []


@pytest.mark.parametrize("text, want", [
    ("[ok](https://example.org/x)", '<a href="https://example.org/x" rel="nofollow noopener noreferrer">ok</a>'),
    ("[doc](docs/a.md)", '<a href="docs/a.md">doc</a>'), ("[m](mailto:a@b.c)", '<a href="mailto:a@b.c">m</a>'),
    ("![r](https://e.org/i.png)", '<a href="https://e.org/i.png" rel="nofollow noopener noreferrer">r</a>'),
    ("| a |\n|---|\n| 1 |", "<td>1</td>"), ("~~x~~", "<s>x</s>"),
])
def test_markdown_keeps_what_is_safe(text: str, want: str) -> None:
    assert want in render_markdown(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=:/()[]!#`*&;-_ \n\tjavscriptonerlkhfd.1")), max_size=120))
def test_markdown_never_emits_markup_from_its_input(text: str) -> None:
    assert _problems(text) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab: #-'\"<>&\t")), max_size=30), max_size=8))
def test_highlighting_is_lossless_and_escaped(lines: list[str]) -> None:
    text = "\n".join(line.replace("\n", "") for line in lines)
    out = highlight_yaml(text)
    assert not re.search(r"<(?!/?span\b)", out)  # only our spans are markup
    assert html.unescape(re.sub(r"</?span[^>]*>", "", out)) == "\n".join(text.splitlines())
