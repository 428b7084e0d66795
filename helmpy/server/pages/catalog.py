"""The chart list of the web pages: one summary per chart (its latest version), searched, sorted and cut into
pages. Summaries are built once per index version (by the index file's stamp), so a page load with thousands
of charts filters a ready list and renders one page of it; no archive is read.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from helmpy.errors import RepoError
from helmpy.repo.index import ChartVersion, IndexFile, pick_version

T = TypeVar("T")
SORTS = {"name": "name", "updated": "recently updated", "versions": "most versions"}


@dataclass(frozen=True)
class ChartSummary:
    """What the list shows of one chart."""

    name: str
    latest: ChartVersion
    versions: int
    updated: str  # ``created`` of the newest version (RFC 3339, sorts as text)
    haystack: str  # lower-cased name, keywords and description: what a search looks in


def latest_version(name: str, versions: list[ChartVersion]) -> ChartVersion:
    """The newest stable version (ChartMuseum's ``latest``, Helm's ``IndexFile.Get(name, "")``), else the
    newest one when every version is a pre-release."""
    try:
        return pick_version(name, versions, None)
    except RepoError:
        return versions[0]


def summarize(index: IndexFile) -> list[ChartSummary]:
    """One summary per chart with at least one version, by name."""
    out = []
    for name in sorted(index.entries):
        versions = index.entries[name]
        if not versions:
            continue
        latest = latest_version(name, versions)
        meta = latest.metadata
        haystack = " ".join([name, *meta.keywords, meta.description]).lower()
        out.append(ChartSummary(name, latest, len(versions), max(cv.created for cv in versions), haystack))
    return out


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: ``number`` counts from 1."""

    items: Sequence[T]
    number: int
    pages: int
    total: int
    per_page: int


def paginate(items: Sequence[T], number: int, per_page: int) -> Page[T]:
    """Page ``number`` (clamped to the pages there are)."""
    pages = max(1, math.ceil(len(items) / per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, pages, len(items), per_page)


class Catalog:
    """The summaries of the current index, rebuilt only when the index file changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: object = None
        self._summaries: list[ChartSummary] = []

    def summaries(self, index: IndexFile, stamp: object) -> list[ChartSummary]:
        with self._lock:
            if stamp is None or stamp != self._stamp:
                self._summaries, self._stamp = summarize(index), stamp
            return self._summaries

    @staticmethod
    def select(summaries: list[ChartSummary], query: str, sort: str) -> list[ChartSummary]:
        """Charts whose name, keywords or description contain every word of ``query``, in ``sort`` order."""
        words = query.lower().split()
        picked = [s for s in summaries if all(w in s.haystack for w in words)] if words else list(summaries)
        if sort == "updated":
            picked.sort(key=lambda s: s.updated, reverse=True)
        elif sort == "versions":
            picked.sort(key=lambda s: s.versions, reverse=True)
        return picked


__all__ = ["SORTS", "Catalog", "ChartSummary", "Page", "latest_version", "paginate", "summarize"]
