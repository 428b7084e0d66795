"""``search repo``: Helm's matching, scoring and sorting over the compact cached indexes.

Each chart version is matched as ``name \\v repo/name \\v description \\v keywords``; the score is
the number of separators before the match (0 = name ... 3 = keywords). Results sort by score, then
``repo/name``, then newest version; the version constraint (``>0.0.0`` by default, ``>0.0.0-0`` with
``--devel``) is applied afterwards and, unless all versions are wanted, the first hit per chart wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from helmpy.errors import RepoError
from helmpy.repo.cache import APP_VERSION, DESCRIPTION, KEYWORDS, NAME, VERSION

SEP = "\v"
THRESHOLD = 25


@dataclass
class SearchResult:
    """One row of ``search repo`` output."""

    name: str  # repo/chart
    version: str
    app_version: str
    description: str
    score: int = 0

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "app_version": self.app_version,
                "description": self.description}


def _score(pos: int, line: str) -> int:
    """How many separators lie before ``pos`` (Helm's ``calcScore``)."""
    return line.count(SEP, 0, pos)


def effective_constraint(version: str | None, devel: bool) -> str:
    if version:
        return version
    return ">0.0.0-0" if devel else ">0.0.0"


def search(rows_by_repo: Iterable[tuple[str, list[list[Any]]]], keyword: str | None = None, *,
           regexp: bool = False, version: str | None = None, versions: bool = False,
           devel: bool = False) -> list[SearchResult]:
    """Search compact index rows; ``keyword`` None/empty lists everything."""
    from helmpy.semverutil import parse_constraint, try_parse

    constraint_text = effective_constraint(version, devel)
    try:
        constraint = parse_constraint(constraint_text)
    except ValueError as err:
        raise RepoError(f"{constraint_text}: improper constraint") from err
    matcher = None
    if keyword and regexp:
        try:
            matcher = re.compile(keyword)
        except re.error as err:
            raise RepoError(f"error parsing regexp: {err}: `{keyword}`") from err
    term = (keyword or "").lower()

    hits: list[tuple[int, str, list[Any]]] = []
    for repo, rows in rows_by_repo:
        prefix = f"{repo}/"
        for row in rows:
            name = row[NAME]
            full = prefix + name
            if not keyword:
                hits.append((0, full, row))
                continue
            line = f"{name}{SEP}{full}{SEP}{row[DESCRIPTION]}{SEP}{' '.join(row[KEYWORDS])}"
            if matcher is not None:
                m = matcher.search(line)
                if m is None:
                    continue
                pos = m.start()
            else:
                line = line.lower()
                pos = line.find(term)
                if pos < 0:
                    continue
            score = _score(pos, line)
            if score < THRESHOLD:
                hits.append((score, full, row))
    # rows of one chart are stored newest first, and sort() is stable: version order is kept
    hits.sort(key=lambda h: (h[0], h[1]))

    results: list[SearchResult] = []
    found: set[str] = set()
    for score, full, row in hits:
        if not versions and full in found:
            continue
        parsed = try_parse(row[VERSION])
        if parsed is None or not constraint.check(parsed):
            continue
        found.add(full)
        results.append(SearchResult(full, row[VERSION], row[APP_VERSION], row[DESCRIPTION], score))
    return results


def search_configured(keyword: str | None = None, *, regexp: bool = False, version: str | None = None,
                      versions: bool = False, devel: bool = False) -> list[SearchResult]:
    """``search repo``: :func:`search` over the cached indexes of every configured repository; RepoError when none
    is configured."""
    from helmpy import paths
    from helmpy.errors import RepoError
    from helmpy.repo import cache, repofile

    rf = repofile.load(paths.repository_config())
    if not rf.repositories:
        raise RepoError("no repositories configured")
    return search(cache.iter_rows(e.name for e in rf.repositories), keyword, regexp=regexp, version=version,
                  versions=versions, devel=devel)
