"""Charts for the web page tests: a served directory filled with archives before the server starts."""

from __future__ import annotations

from pathlib import Path

from tests.server.serve_helper import chart_tgz

HOSTILE_README = b"""# Hostile chart

<script>window.__pwned = 'script'</script>

[click me](javascript:window.__pwned='link') [and me](JaVaScRiPt:window.__pwned='link2')
[data](data:text/html,<script>window.__pwned='data'</script>)

<img src="x" onerror="window.__pwned='img'">

<a href="javascript:window.__pwned='a'">raw anchor</a>

![remote](https://example.invalid/track.png)

<iframe src="javascript:window.__pwned='iframe'"></iframe>
"""

WEB_README = b"""# Web server

Serves **static pages**.

| key | meaning |
|-----|---------|
| `replicas` | how many pods |

```yaml
replicas: 2
```
"""

WEB_VALUES = b"""# how many pods
replicas: 1
image:
  repository: nginx  # the image
  tag: "1.27"
"""

WEB_SCHEMA = (b'{"type": "object", "required": ["replicas"], "properties": {"replicas": {"type": "integer", '
              b'"default": 1, "description": "how many pods"}, "image": {"type": "object", "properties": '
              b'{"repository": {"type": "string"}}}}}')


def write_chart(directory: Path, name: str, version: str, **kw: object) -> bytes:
    """Write ``name-version.tgz`` into ``directory`` and return its bytes."""
    data = chart_tgz(name, version, **kw)  # type: ignore[arg-type]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}-{version}.tgz").write_bytes(data)
    return data


def web_chart(directory: Path, version: str = "1.2.0") -> bytes:
    """A chart with a README, values, a schema, maintainers, sources and a dependency."""
    meta = {"appVersion": "1.27.0", "keywords": ["http", "nginx"], "home": "https://example.org/web",
            "sources": ["https://example.org/web/src"], "description": "A small web server",
            "maintainers": [{"name": "Ada", "email": "ada@example.org", "url": "https://example.org/ada"}],
            "dependencies": [{"name": "cache", "version": "1.x", "repository": "https://charts.example.org"}]}
    return write_chart(directory, "web", version, meta=meta, values=WEB_VALUES,
                       extra=[("web/README.md", WEB_README), ("web/values.schema.json", WEB_SCHEMA),
                              ("web/charts/cache/Chart.yaml", b"apiVersion: v2\nname: cache\nversion: 1.0.0\n")])


def hostile_chart(directory: Path) -> bytes:
    meta = {"description": "<b onmouseover=\"window.__pwned='desc'\">bold</b>", "home": "javascript:window.__pwned=1",
            "icon": "javascript:window.__pwned='icon'", "keywords": ["<script>"],
            "maintainers": [{"name": "<img src=x onerror=alert(1)>", "url": "javascript:window.__pwned='m'"}],
            "sources": ["javascript:window.__pwned='src'"]}
    return write_chart(directory, "hostile", "0.1.0", meta=meta, extra=[("hostile/README.md", HOSTILE_README)])
