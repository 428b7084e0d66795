"""``search hub`` against a local server speaking Artifact Hub's Monocular-compatible search API, and the same
queries through the real Helm for comparison."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

RESULTS: list[dict[str, Any]] = [
    {"id": "bitnami/nginx", "artifactHub": {"packageUrl": "https://artifacthub.io/packages/helm/bitnami/nginx"},
     "type": "chart", "attributes": {"name": "nginx", "repo": {"name": "bitnami", "url": "https://charts.bitnami.com/bitnami"},
                                     "description": "NGINX Open Source is a web server that can be also used as a reverse proxy, load balancer, and HTTP cache."},
     "links": {"self": "/v1/charts/bitnami/nginx"},
     "relationships": {"latestChartVersion": {"data": {"version": "18.2.4", "app_version": "1.27.2"}}}},
    {"id": "local/web", "artifactHub": {"packageUrl": ""}, "type": "chart",
     "attributes": {"name": "web", "repo": {"name": "local", "url": "https://example.com/charts"},
                    "description": "Web <b>&</b> ünïcode"},
     "relationships": {"latestChartVersion": {"data": {"version": "0.1.0", "app_version": ""}}}},
]


class HubServer:
    """Answers /api/chartsvc/v1/charts/search?q=TERM: RESULTS for most terms, special answers for a few."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                hub.queries.append(self.path)
                term = parse_qs(parts.query).get("q", [""])[0]
                status, body = 200, json.dumps({"data": RESULTS}).encode()
                if parts.path != "/api/chartsvc/v1/charts/search":
                    status, body = 404, b"not found"
                elif term == "nothing":
                    body = b'{"data": []}'
                elif term == "boom":
                    status, body = 500, b"oops"
                elif term == "garbage":
                    body = b"<html>not json</html>"
                elif term == "huge":
                    body = b'{"data": [' + b" " * 200_000 + b"]}"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def hub() -> Iterator[HubServer]:
    server = HubServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


FLAGS = [[], ["--list-repo-url"], ["--max-col-width", "20"], ["-o", "json"], ["-o", "yaml"],
         ["--list-repo-url", "-o", "json"]]


@pytest.mark.helm
@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: " ".join(f) or "table")
def test_search_hub_prints_what_helm_prints(cli, helm, hub: HubServer, flags: list[str]) -> None:
    ours = cli("search", "hub", "nginx server", "--endpoint", hub.url, *flags)
    theirs = helm("search", "hub", "nginx server", "--endpoint", hub.url, *flags)
    assert ours.exit_code == 0, ours
    assert ours.stdout == theirs.stdout
    assert hub.queries[0] == hub.queries[1] == "/api/chartsvc/v1/charts/search?q=nginx+server"


@pytest.mark.helm
@pytest.mark.parametrize("flags", [[], ["-o", "json"], ["-o", "yaml"]])
def test_no_results_as_helm(cli, helm, hub: HubServer, flags: list[str]) -> None:
    ours = cli("search", "hub", "nothing", "--endpoint", hub.url, *flags)
    assert ours.stdout == helm("search", "hub", "nothing", "--endpoint", hub.url, *flags).stdout
    failed = cli("search", "hub", "nothing", "--endpoint", hub.url, "--fail-on-no-result", *flags)
    assert failed.exit_code == 1 and failed.stderr.strip() == "Error: no results found"


def test_endpoint_path_is_joined_like_helm(cli, hub: HubServer) -> None:
    cli("search", "hub", "--endpoint", f"{hub.url}/sub/")
    assert hub.queries == ["/sub/api/chartsvc/v1/charts/search?q="]


@pytest.mark.parametrize("term, message", [
    ("boom", "failed to fetch {url}/api/chartsvc/v1/charts/search?q=boom : 500 Internal Server Error"),
    ("garbage", "the answer is not JSON"),
])
def test_a_bad_answer_is_one_error(cli, hub: HubServer, term: str, message: str) -> None:
    r = cli("search", "hub", term, "--endpoint", hub.url)
    assert r.exit_code == 1
    assert r.stderr.strip() == f'Error: unable to perform search against "{hub.url}": {message.format(url=hub.url)}'


def test_the_answer_is_size_capped(cli, hub: HubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_MAX_HUB_RESPONSE", "100000")
    r = cli("search", "hub", "huge", "--endpoint", hub.url)
    assert r.exit_code == 1 and "more than the limit of 100000 bytes (HELMPY_MAX_HUB_RESPONSE)" in r.stderr


@pytest.mark.parametrize("endpoint", ["nohost", "http://", "file:///tmp"])
def test_an_endpoint_without_host_is_refused(cli, endpoint: str) -> None:
    r = cli("search", "hub", "x", "--endpoint", endpoint)
    assert r.exit_code == 1
    assert r.stderr.strip() == f'Error: unable to create connection to "{endpoint}": no hostname provided'


def test_an_unreachable_hub_is_one_error(cli, tmp_path: Path) -> None:
    from tests.support.http_repo import closed_port_url

    url = closed_port_url()
    r = cli("search", "hub", "x", "--endpoint", url)
    assert r.exit_code == 1 and r.stderr.startswith(f'Error: unable to perform search against "{url}"')
    assert len(r.stderr.strip().splitlines()) == 1
