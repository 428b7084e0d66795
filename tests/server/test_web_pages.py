"""`helmpy serve`'s web pages and JSON API over real HTTP (the browser tests are in test_web_browser.py)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from helmpy.server.response import CONTENT_SECURITY_POLICY
from tests.server.serve_helper import Server, chart_tgz, start_server
from tests.server.web_helper import hostile_chart, web_chart, write_chart

PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    repo = tmp_path / "repo"
    web_chart(repo, "1.2.0")
    web_chart(repo, "1.1.0")
    web_chart(repo, "2.0.0-rc.1")
    hostile_chart(repo)
    write_chart(repo, "iconic", "1.0.0", meta={"icon": PNG, "deprecated": True})
    write_chart(repo, "remote-icon", "1.0.0", meta={"icon": "https://example.invalid/i.png"})
    (repo / "web-1.2.0.tgz.prov").write_bytes(b"-----BEGIN PGP SIGNED MESSAGE-----\n")
    srv = start_server(repo)
    yield srv
    srv.stop()


def _get(srv: Server, path: str, **kw: object) -> requests.Response:
    return requests.get(srv.url + path, timeout=10, **kw)  # type: ignore[arg-type]


def _names(html: str) -> list[str]:
    return re.findall(r'<li class="chart" data-name="([^"]+)"', html)


@pytest.mark.parametrize("path", ["", "chart/web", "chart/web/1.1.0", "upload", "chart/nope", "api/charts",
                                  "index.yaml", "static/style.css"])
def test_every_answer_has_the_security_headers(served: Server, path: str) -> None:
    r = _get(served, path)
    assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"


def test_list_search_sort_and_pages(served: Server) -> None:
    html = _get(served, "").text
    assert _names(html) == ["hostile", "iconic", "remote-icon", "web"]
    assert 'web</a>' in html and "1.2.0" in html and "app 1.27.0" in html  # latest stable, not 2.0.0-rc.1
    assert _names(_get(served, "?q=NGINX").text) == ["web"]  # keyword, any case
    assert _names(_get(served, "?q=small+server").text) == ["web"]  # description, every word
    assert _names(_get(served, "?q=zzz").text) == [] and "No chart matches" in _get(served, "?q=zzz").text
    assert _names(_get(served, "?sort=versions").text)[0] == "web"
    assert 'class="badge deprecated"' in _get(served, "?q=iconic").text
    paged = _get(served, "?per_page=10").text  # the smallest page size: all four fit
    assert len(_names(paged)) == 4 and "page-info" not in paged
    assert _get(served, "?page=abc&per_page=-3&sort=<x>").status_code == 200  # odd parameters: defaults


def test_icons_only_inline_rasters(served: Server) -> None:
    html = _get(served, "").text
    assert f'src="{PNG}"' in html
    assert "example.invalid" not in html and "javascript:" not in html  # remote and hostile icons never load
    assert html.count('class="icon placeholder"') == 3


def test_chart_page(served: Server) -> None:
    html = _get(served, "chart/web").text
    assert '<h1>Web server</h1>' in html and "<strong>static pages</strong>" in html and "<table>" in html
    assert '<span class="k">replicas</span>:<span class="v"> 1</span>' in html
    assert '<span class="c"># how many pods</span>' in html
    assert "<td><code>replicas</code></td><td>integer</td><td>yes</td><td><code>1</code></td>" in html
    assert "<td><code>image.repository</code></td><td>string</td>" in html
    assert f"helm repo add myrepo {served.url}" in html
    assert "helm install my-web myrepo/web --version 1.2.0" in html and "helmpy install my-web" in html
    assert 'id="prov">signed: .prov' in html and "charts/web-1.2.0.tgz.prov" in html
    assert "cache" in html and "https://charts.example.org" in html and "ada@example.org" in html
    assert '<a href="https://example.org/web/src" rel="nofollow noopener noreferrer">' in html
    assert html.count("<tr") >= 4 and "2.0.0-rc.1" in html and "1.1.0" in html  # every version listed
    old = _get(served, "chart/web/1.1.0").text
    assert 'id="chart-version">1.1.0<' in old and "no .prov (unsigned)" in old
    r = _get(served, "chart/web/9.9.9")
    assert r.status_code == 404 and "has no version" in r.text and r.headers["Content-Type"].startswith("text/html")


class _Tags(HTMLParser):
    """Every tag of a page with its attributes, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_hostile_chart_text_is_escaped(served: Server) -> None:
    for path in ("chart/hostile", "?q=hostile"):
        html = _get(served, path).text
        tags = _Tags(html).tags
        assert [a for t, a in tags if t == "script"] == [{"src": "/static/copy.js", "defer": ""}]
        assert not [t for t, _ in tags if t in ("iframe", "object", "embed", "base")]
        assert not [(t, a) for t, a in tags if any(k.startswith("on") for k in a)]  # no event handlers
        urls = [v for _, a in tags for k, v in a.items() if k in ("href", "src", "action")]
        assert not [u for u in urls if not re.match(r"^(/|https://|\?|\./|mailto:|data:image/png;base64,)", u)], urls
    assert "&lt;script&gt;window.__pwned" in html or "&lt;script&gt;" in _get(served, "chart/hostile").text


def test_list_never_reads_an_archive(served: Server) -> None:
    for archive in served.directory.glob("*.tgz"):  # the index stays; the archives become junk
        if archive.name != "web-1.2.0.tgz":
            archive.write_bytes(b"junk")
    assert _names(_get(served, "").text) == ["hostile", "iconic", "remote-icon", "web"]
    assert "<h1>Web server</h1>" in _get(served, "chart/web").text  # reads only its own archive
    broken = _get(served, "chart/web/1.1.0")
    assert broken.status_code == 200 and "does not match the digest in index.yaml" in broken.text


def test_api_as_chartmuseum(served: Server) -> None:
    assert _get(served, "api/charts/web/latest").json()["version"] == "1.2.0"  # newest stable
    assert [v["version"] for v in _get(served, "api/charts/web").json()] == ["2.0.0-rc.1", "1.2.0", "1.1.0"]
    assert list(_get(served, "api/charts?offset=1&limit=2").json()) == ["iconic", "remote-icon"]
    r = _get(served, "api/charts?limit=0")
    assert (r.status_code, r.json()) == (400, {"error": "query parameter 'limit' must be more than 0"})
    assert _get(served, "api/charts/web/1.1.0/values").text.startswith("# how many pods\nreplicas: 1\n")
    body = _get(served, "api/charts/web/latest/templates").json()
    assert body["values"]["image"] == {"repository": "nginx", "tag": "1.27"}
    assert [(t["name"], base64.b64decode(t["data"])) for t in body["templates"]] == [
        ("templates/cm.yaml", b"kind: ConfigMap\n")]
    assert _get(served, "api/charts/web/9.9.9/values").status_code == 404
    assert requests.post(served.url + "api/charts/web/1.1.0/values", timeout=10).status_code == 405


def test_upload_form_and_cross_site_writes(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "repo", "--basic-auth-user", "ci", "--basic-auth-pass", "pw")
    try:
        assert _get(srv, "").status_code == 200  # reading stays open without --auth-reads
        r = _get(srv, "upload")
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="helmpy"'
        assert r.headers["Content-Type"].startswith("text/html")
        assert 'type="file" name="chart"' in _get(srv, "upload", auth=("ci", "pw")).text
        form = {"chart": ("x.tgz", chart_tgz("formed", "0.3.0")), "prov": ("", b"")}
        assert requests.post(srv.url + "upload", files=form, timeout=10).status_code == 401
        host = srv.url.split("/")[2]
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
            for path in ("upload", "api/charts", "api/charts/formed/0.3.0"):
                method = requests.delete if path.count("/") == 3 else requests.post
                r = method(srv.url + path, files=form, auth=("ci", "pw"), headers=headers, timeout=10)
                assert r.status_code == 403, (path, headers)
        r = requests.post(srv.url + "upload", files=form, auth=("ci", "pw"), allow_redirects=False, timeout=10,
                          headers={"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})
        assert (r.status_code, r.headers["Location"]) == (303, "/chart/formed/0.3.0")
        assert "formed" in _names(_get(srv, "").text)
        again = requests.post(srv.url + "upload", files=form, auth=("ci", "pw"), timeout=10)
        assert again.status_code == 409 and 'id="error">file already exists' in again.text
        bad = requests.post(srv.url + "upload", files={"chart": ("x.tgz", b"junk")}, auth=("ci", "pw"), timeout=10)
        assert bad.status_code == 400 and 'id="error">' in bad.text
        empty = requests.post(srv.url + "upload", files={"chart": ("", b"")}, auth=("ci", "pw"), timeout=10)
        assert empty.status_code == 400 and "choose a chart archive" in empty.text
    finally:
        srv.stop()


def test_auth_reads_protects_the_pages(tmp_path: Path) -> None:
    web_chart(tmp_path / "repo")
    srv = start_server(tmp_path / "repo", "--basic-auth-user", "ci", "--basic-auth-pass", "pw", "--auth-reads")
    try:
        for path in ("", "chart/web", "static/style.css", "api/charts"):
            assert _get(srv, path).status_code == 401
            assert _get(srv, path, auth=("ci", "pw")).status_code == 200
    finally:
        srv.stop()


def test_disable_api_keeps_the_pages(tmp_path: Path) -> None:
    web_chart(tmp_path / "repo")
    srv = start_server(tmp_path / "repo", "--disable-api")
    try:
        assert _names(_get(srv, "").text) == ["web"] and 'href="/upload"' not in _get(srv, "").text
        assert _get(srv, "chart/web").status_code == 200 and _get(srv, "index.yaml").status_code == 200
        for path in ("upload", "api/charts", "api/charts/web"):
            assert _get(srv, path).status_code == 404
        assert requests.post(srv.url + "api/charts", data=chart_tgz("x", "1.0.0"), timeout=10).status_code == 404
    finally:
        srv.stop()
