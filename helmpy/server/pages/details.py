"""What a chart page shows from inside one archive - README, values.yaml, values.schema.json - read from the
archive the index points at, checked against the index's digest, and kept (already rendered) in a small LRU
cache keyed by the archive's digest and file stamp: a chart page reads at most one archive, once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from helmpy.errors import ChartError, HelmpyError
from helmpy.repo.index import ChartVersion
from helmpy.server.limits import PageLimits
from helmpy.server.pages.highlight import SchemaRow, highlight_yaml, schema_rows
from helmpy.server.pages.markdown import render_markdown
from helmpy.server.storage import ChartStorage

logger = logging.getLogger(__name__)

README_NAMES = ("README.md", "readme.md", "README.MD", "README.markdown", "README.txt", "README")


@dataclass(frozen=True)
class ArchiveDetails:
    """The rendered insides of one chart archive (``error`` says why some are missing)."""

    readme_html: str = ""
    values_html: str = ""
    values_text: str = ""
    truncated: list[str] = field(default_factory=list)  # which texts were cut at PageLimits.max_text
    schema: list[SchemaRow] = field(default_factory=list)
    has_schema: bool = False
    schema_truncated: bool = False
    schema_error: str = ""
    error: str = ""


def archive_name(cv: ChartVersion) -> str:
    """The file name of a version's archive in the served directory (its index URL's last part)."""
    return cv.urls[0].rsplit("/", 1)[-1] if cv.urls else f"{cv.name}-{cv.version}.tgz"


def _text(data: bytes, limit: int) -> tuple[str, bool]:
    return data[:limit].decode("utf-8", errors="replace"), len(data) > limit


def render_details(data: bytes, digest: str, limits: PageLimits) -> ArchiveDetails:
    """Load an archive (Helm's loader and its limits) and render what a chart page shows of it."""
    from helmpy.chart.loader import load_archive

    if digest and hashlib.sha256(data).hexdigest() != digest:
        return ArchiveDetails(error="the archive does not match the digest in index.yaml")
    try:
        chart = load_archive(data, "archive")
    except (ChartError, HelmpyError) as err:
        return ArchiveDetails(error=f"the archive cannot be read: {err}")
    truncated = []
    readme = next((f for name in README_NAMES for f in chart.files if f.name == name), None)
    readme_html = ""
    if readme is not None:
        text, cut = _text(readme.data, limits.max_text)
        readme_html = render_markdown(text) if readme.name.lower().endswith((".md", ".markdown")) or \
            readme.name == "README" else f"<pre>{escape(text)}</pre>"
        if cut:
            truncated.append(readme.name)
    values_text, cut = _text(chart.raw_values, limits.max_text)
    if cut:
        truncated.append("values.yaml")
    rows: list[SchemaRow] = []
    schema_cut, schema_error = False, ""
    if chart.schema is not None:
        rows, schema_cut, schema_error = schema_rows(chart.schema, limits.max_schema_rows)
    return ArchiveDetails(readme_html, highlight_yaml(values_text), values_text, truncated, rows,
                          chart.schema is not None, schema_cut, schema_error)


class DetailsCache:
    """Rendered archive details by (file name, file stamp, digest), least recently used dropped first."""

    def __init__(self, storage: ChartStorage, limits: PageLimits) -> None:
        self.storage, self.limits = storage, limits
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int, int, str], ArchiveDetails] = OrderedDict()

    def get(self, cv: ChartVersion) -> ArchiveDetails:
        try:
            path = self.storage.file_path(archive_name(cv))
            st = path.stat()
        except (HelmpyError, OSError):
            return ArchiveDetails(error="the archive is missing from the repository")
        key = (path.name, st.st_mtime_ns, st.st_size, cv.digest)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        details = self._load(path, cv.digest)
        with self._lock:
            self._entries[key] = details
            while len(self._entries) > self.limits.details_cache:
                self._entries.popitem(last=False)
        return details

    def _load(self, path: Path, digest: str) -> ArchiveDetails:
        logger.debug("reading archive for its page path=%s", path)
        try:
            data = path.read_bytes()
        except OSError as err:
            return ArchiveDetails(error=f"the archive cannot be read: {err.strerror or err}")
        return render_details(data, digest, self.limits)


def has_prov(storage: ChartStorage, cv: ChartVersion) -> bool:
    """True when the version's ``.prov`` file is served beside its archive."""
    try:
        storage.file_path(archive_name(cv) + ".prov")
    except HelmpyError:
        return False
    return True


__all__ = ["ArchiveDetails", "DetailsCache", "archive_name", "has_prov", "render_details"]
