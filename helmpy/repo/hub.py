"""``search hub``: Helm's client for the Monocular-compatible search API that Artifact Hub serves.

``GET <endpoint>/api/chartsvc/v1/charts/search?q=<term>`` answers ``{"data": [result, ...]}``; each result has
an ``id``, ``attributes`` (``description``, ``repo.name``/``repo.url``), ``relationships.latestChartVersion.data``
(``version``, ``app_version``) and, from Artifact Hub, ``artifactHub.packageUrl``. The answer comes from a
server on the network, so it is read up to ``HELMPY_MAX_HUB_RESPONSE`` bytes (16 MiB by default) and every field
is type-checked; Helm ignores an answer that is not JSON and prints "No results found", helmpy says so instead.
"""

from __future__ import annotations

import json
import logging
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

from helmpy.errors import RepoError

logger = logging.getLogger(__name__)

SEARCH_PATH = "api/chartsvc/v1/charts/search"
MAX_HUB_RESPONSE = 16 * 1024 * 1024
MAX_HUB_RESPONSE_ENV = "HELMPY_MAX_HUB_RESPONSE"


@dataclass
class HubChart:
    """One search result, as ``search hub`` prints it."""

    url: str
    version: str
    app_version: str
    description: str
    repo_url: str
    repo_name: str

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON/YAML element (field order as Helm's struct)."""
        return {"url": self.url, "version": self.version, "app_version": self.app_version,
                "description": self.description, "repository": {"url": self.repo_url, "name": self.repo_name}}


def search_url(endpoint: str, term: str) -> str:
    """The request URL (Go's ``path.Join`` of the endpoint's path and the API path; ``QueryEscape`` of the term)."""
    parts = urlsplit(endpoint)
    if not parts.hostname:
        raise RepoError(f'unable to create connection to "{endpoint}": no hostname provided')
    path = posixpath.join(parts.path or "/", SEARCH_PATH)
    return urlunsplit((parts.scheme, parts.netloc, path, f"q={quote_plus(term)}", ""))


def _get(obj: Any, *keys: str) -> str:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, str) else ""


def parse(body: bytes, endpoint: str) -> list[HubChart]:
    """The results in a search answer."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise RepoError(f'unable to perform search against "{endpoint}": the answer is not JSON') from err
    data = doc.get("data") if isinstance(doc, dict) else None
    if data is None:
        return []
    if not isinstance(data, list):
        raise RepoError(f'unable to perform search against "{endpoint}": "data" is not a list')
    out = []
    for item in data:
        if not isinstance(item, dict):
            continue
        latest = ("relationships", "latestChartVersion", "data")
        out.append(HubChart(
            url=_get(item, "artifactHub", "packageUrl") or f"{endpoint}/charts/{_get(item, 'id')}",
            version=_get(item, *latest, "version"), app_version=_get(item, *latest, "app_version"),
            description=_get(item, "attributes", "description"), repo_url=_get(item, "attributes", "repo", "url"),
            repo_name=_get(item, "attributes", "repo", "name")))
    return out


def search(endpoint: str, term: str, timeout: float) -> list[HubChart]:
    """Query the hub at ``endpoint`` for ``term``."""
    from helmpy.limits import env_limit
    from helmpy.repo.getter import Getter, GetterOptions, ResponseTooLarge

    url = search_url(endpoint, term)
    try:
        with Getter() as getter:
            resp = getter.request("GET", url, GetterOptions(timeout=timeout), max_bytes=env_limit(
                MAX_HUB_RESPONSE_ENV, MAX_HUB_RESPONSE), headers={"Accept": "application/json"})
    except ResponseTooLarge as err:
        raise RepoError(f'unable to perform search against "{endpoint}": {err.message} '
                        f"({MAX_HUB_RESPONSE_ENV})") from err
    except RepoError as err:
        raise RepoError(f'unable to perform search against "{endpoint}": {err.message}') from err
    if resp.status != 200:
        raise RepoError(f'unable to perform search against "{endpoint}": failed to fetch {url} : '
                        f"{resp.status} {resp.reason}")
    return parse(resp.body, endpoint)
