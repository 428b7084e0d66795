"""Downloading chart archives into the content-addressed cache, digest-checked.

A chart is stored as ``<content cache>/<first byte hex>/<sha256>.chart`` (Helm 4's layout). When the
index gives a digest, a cached file with that digest is reused without a request, and a download
whose sha256 differs is refused before anything is written - a mismatch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from helmpy import paths
from helmpy.errors import DownloadError
from helmpy.fsutil import atomic_write, safe_base_name, shown
from helmpy.repo.getter import CHART_ACCEPT, Getter, GetterOptions

if TYPE_CHECKING:  # the index cache only where an index is fetched: ``pull oci://`` never loads it
    from helmpy.repo.cache import CachedIndex

logger = logging.getLogger(__name__)


@dataclass
class Downloaded:
    """A chart archive now in the content cache."""

    path: Path
    filename: str  # safe base name of the decoded URL path: what ``pull`` names the file
    digest: str
    url: str
    prov: Path | None = None  # a registry's provenance layer, when the manifest has one


def content_path(digest: str, suffix: str = ".chart") -> Path:
    digest = digest.lower().removeprefix("sha256:")
    return paths.content_cache() / digest[:2] / f"{digest}{suffix}"


def url_filename(url: str) -> str:
    """The file name a download of ``url`` is saved under: the base name of the *decoded* URL path.

    Helm's ``filepath.Base(u.Path)``: percent-encoding is undone first, so ``..%2F..%2Fx.tgz`` gives
    ``x.tgz`` and never a path. Backslashes separate too (Helm on Linux would keep them in the name);
    a name with nothing safe left (empty, ``..``, NUL or control characters) is refused.
    """
    return safe_base_name(unquote(urlsplit(url).path), f"chart URL {shown(url)}", DownloadError)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ChartDownloader:
    """Fetches charts (and provenance files) for one command run, reusing one HTTP session."""

    def __init__(self, getter: Getter | None = None) -> None:
        self.getter = getter or Getter()

    def download(self, url: str, options: GetterOptions | None = None, digest: str = "",
                 progress: bool = True) -> Downloaded:
        """Return the cached archive for ``url``, downloading and verifying it when needed."""
        expected = digest.lower().removeprefix("sha256:")
        filename = url_filename(url)
        if expected:
            cached = content_path(expected)
            if cached.is_file() and sha256_hex(cached.read_bytes()) == expected:
                logger.debug("using cached %s for %s", cached, url)
                return Downloaded(cached, filename, expected, url)
        data = self.getter.get(url, options, accept=CHART_ACCEPT,
                               progress=f"Downloading {filename}" if progress else None)
        actual = sha256_hex(data)
        if expected and actual != expected and urlsplit(url).scheme.lower() not in ("http", "https"):
            # a downloader plugin (helm-git) packages the chart anew for each request, as it did for the index:
            # the digest cannot match, and the index came from the same plugin the user chose to trust
            logger.debug("downloader plugin answer differs from the index digest url=%s", url)
            expected = ""
        if expected and actual != expected:
            raise DownloadError(f"digest mismatch for {url}: the index says sha256:{expected} but the download "
                                f"is sha256:{actual}; refusing to use it")
        target = content_path(actual)
        atomic_write(target, data)
        return Downloaded(target, filename, actual, url)

    def download_provenance(self, chart_url: str, options: GetterOptions | None, digest: str) -> Path:
        """Fetch ``<chart url>.prov`` into the cache beside the chart."""
        prov_url = _prov_url(chart_url)
        try:
            data = self.getter.get(prov_url, options)
        except DownloadError as err:
            raise DownloadError(f'failed to fetch provenance "{prov_url}": {err}') from err
        target = content_path(digest, ".prov")
        atomic_write(target, data)
        return target

    def close(self) -> None:
        self.getter.close()


def _prov_url(chart_url: str) -> str:
    parts = urlsplit(chart_url)
    return parts._replace(path=parts.path + ".prov").geturl()


def fetch_index(repo_url: str, options: GetterOptions | None = None, getter: Getter | None = None
                ) -> tuple[bytes, CachedIndex]:
    """Download and parse ``<repo_url>/index.yaml``; a malformed index is an error."""
    from helmpy.repo.cache import index_url, parse_index

    url = index_url(repo_url)
    own = getter is None
    getter = getter or Getter()
    try:
        data = getter.get(url, options)
    finally:
        if own:
            getter.close()
    return data, parse_index(data, url)
