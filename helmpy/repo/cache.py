"""The repository cache: downloaded indexes exactly as served, plus a compact parsed form.

Helm keeps ``<repo>-index.yaml`` (the bytes as served) and ``<repo>-charts.txt``. helmpy adds
``<repo>-helmpy.json``: one row per chart version holding only what search and chart resolution
need, written when the index is downloaded, so ``search repo`` and ``install repo/chart`` never
re-parse a large YAML index. The compact file records the size and mtime of the YAML it was built
from; when they differ (or it is missing) the YAML is parsed again and the compact file rewritten.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit, uses_relative

from helmpy import paths
from helmpy.diskcache import ValueCache
from helmpy.errors import RepoError, RepoIndexError
from helmpy.fsutil import atomic_write, shown
from helmpy.yamlcache import YAML_PARSER_MODULES, yaml_settings

logger = logging.getLogger(__name__)

_INDEX_ROWS = ValueCache("repo-index-rows", 1, depends_on=(
    "helmpy.repo.cache", "helmpy.repo.index", "helmpy.repo._index_io", "helmpy.chart.model", "helmpy.semverutil",
    *YAML_PARSER_MODULES), settings=yaml_settings)

FAST_FORMAT = 1
# column order of a compact row
NAME, VERSION, APP_VERSION, DESCRIPTION, KEYWORDS, URLS, DIGEST, DEPRECATED = range(8)


@dataclass
class IndexedVersion:
    """One chart version of an index, reduced to what the client needs."""

    name: str
    version: str
    app_version: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    digest: str = ""
    deprecated: bool = False

    def row(self) -> list[Any]:
        return [self.name, self.version, self.app_version, self.description, self.keywords, self.urls,
                self.digest, self.deprecated]

    @classmethod
    def from_row(cls, row: list[Any]) -> IndexedVersion:
        return cls(*row)


@dataclass
class CachedIndex:
    """A repository index: chart name -> versions, newest first."""

    entries: dict[str, list[IndexedVersion]] = field(default_factory=dict)

    def get(self, name: str, version: str | None = None) -> IndexedVersion:
        """Helm's ``IndexFile.Get``: an exact version string first, else the newest matching the constraint."""
        from helmpy.repo.index import pick_version

        return pick_version(name, self.entries.get(name), version)

    def find_url(self, url: str) -> IndexedVersion | None:
        for versions in self.entries.values():
            for v in versions:
                if url in v.urls:
                    return v
        return None


# --- URLs ------------------------------------------------------------------------------------------
def resolve_reference_url(base_url: str, ref: str) -> str:
    """Helm's ``ResolveReferenceURL``: relative refs resolve against ``base/`` and keep base's query."""
    if urlsplit(ref).scheme:
        return ref
    base = urlsplit(base_url)
    base_path = base.path.rstrip("/") + "/"
    if base.scheme and base.scheme not in uses_relative:
        # urljoin resolves only schemes it knows, Go any (a downloader plugin's git+https://): join as http
        joined = urlsplit(urljoin(urlunsplit(("http", base.netloc, base_path, "", "")), ref))
        text = urlunsplit(("http", joined.netloc, joined.path, base.query, joined.fragment))
        return base.scheme + text[len("http"):]
    joined = urlsplit(urljoin(urlunsplit((base.scheme, base.netloc, base_path, "", "")), ref))
    return urlunsplit((joined.scheme, joined.netloc, joined.path, base.query, joined.fragment))


def index_url(repo_url: str) -> str:
    return resolve_reference_url(repo_url, "index.yaml")


# --- parsing ---------------------------------------------------------------------------------------
def parse_index(data: bytes, source: str) -> CachedIndex:
    """Parse index bytes (YAML or JSON, Helm's strict rules) into the compact model.

    Versions of the common shape become rows straight from the parsed data; only unusual ones go
    through the full chart-metadata model (``index.entry_from_raw``), which decides what is valid.
    An index is remembered by content in the parsed-inputs cache (:mod:`helmpy.diskcache`: ``repo update`` of
    an unchanged 20,000-version index skips a ~2 s parse), unless its parse warned about a null or invalid
    version it skipped: such an index is parsed (and warned about) every time.
    """
    found, cached = _INDEX_ROWS.get(data)
    if found and isinstance(cached, tuple) and len(cached) == 2:
        names, rows = cached
        entries: dict[str, list[IndexedVersion]] = {name: [] for name in names}
        for row in rows:
            entries[row[NAME]].append(IndexedVersion.from_row(row))
        return CachedIndex(entries)
    index, plain = _parse_index(data, source)
    if plain:
        _INDEX_ROWS.put(data, (list(index.entries), [v.row() for vs in index.entries.values() for v in vs]))
    return index


def _parse_index(data: bytes, source: str) -> tuple[CachedIndex, bool]:
    """The index, and whether its parse logged nothing (no null or invalid version skipped with a warning)."""
    from helmpy.repo.index import entry_from_raw, is_plainly_valid, iter_entries, parse_document

    try:
        raw, strict = parse_document(data, source)
        entries: dict[str, list[IndexedVersion]] = {}
        plain = all(isinstance(name, str)
                    and (versions is None or (isinstance(versions, list) and None not in versions))
                    for name, versions in (raw.get("entries") or {}).items())
        for name, items in iter_entries(raw, source, strict):
            kept = entries[name] = []
            for where, item in items:
                if is_plainly_valid(item):
                    kept.append(_from_plain(name, item))
                else:
                    cv = entry_from_raw(item, where)
                    if cv is not None:
                        kept.append(_from_obj(name, cv))
                    else:
                        plain = False  # skipped with a warning: parse it (and warn) every time
            kept.sort(key=_version_key, reverse=True)
    except RepoError:
        raise
    except Exception as err:  # defensive: bad data must never surface as a traceback
        raise RepoIndexError(f"{source}: {err}") from err
    return CachedIndex(entries), plain


def _version_key(v: IndexedVersion) -> tuple[int, Any]:
    """Newest SemVer first (after reverse sort), unparsable versions last - the order of ``IndexFile.sort``."""
    from helmpy.semverutil import try_parse

    parsed = try_parse(v.version)
    return (1, parsed.key()) if parsed is not None else (0, ())


def _from_plain(name: str, item: dict[str, Any]) -> IndexedVersion:
    """A row from a version map that ``is_plainly_valid`` accepted (all fields already plain strings)."""
    return IndexedVersion(name, item["version"], item.get("appVersion", ""), item.get("description", ""),
                          item.get("keywords", []), item.get("urls", []), item.get("digest", ""),
                          bool(item.get("deprecated")))


def _field(obj: Any, *names: str) -> Any:
    for n in names:
        if isinstance(obj, dict):
            if n in obj:
                return obj[n]
        elif hasattr(obj, n):
            return getattr(obj, n)
    meta = obj.get("metadata") if isinstance(obj, dict) else getattr(obj, "metadata", None)
    if meta is not None and meta is not obj:
        return _field(meta, *names)
    return None


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _from_obj(key: str, obj: Any) -> IndexedVersion:
    keywords = _field(obj, "keywords") or []
    urls = _field(obj, "urls") or []
    return IndexedVersion(
        name=key,  # the map key, which is what Helm searches and resolves by
        version=_s(_field(obj, "version")),
        app_version=_s(_field(obj, "app_version", "appVersion")),
        description=_s(_field(obj, "description")),
        keywords=[_s(k) for k in (keywords if isinstance(keywords, list) else [keywords])],
        urls=[_s(u) for u in (urls if isinstance(urls, list) else [urls])],
        digest=_s(_field(obj, "digest")),
        deprecated=bool(_field(obj, "deprecated")),
    )


# --- files -----------------------------------------------------------------------------------------
def cache_dir() -> Path:
    return paths.repository_cache()


CACHE_SUFFIXES = ("-index.yaml", "-charts.txt", "-helmpy.json")


def repo_name_problem(repo: str) -> str | None:
    """Why ``repo`` cannot name a repository (its cache files are ``<repo>-index.yaml`` ...), or None."""
    from helmpy.fsutil import MAX_NAME_BYTES, name_problem

    problem = name_problem(repo)
    if problem is None and len(repo.encode("utf-8")) + max(map(len, CACHE_SUFFIXES)) > MAX_NAME_BYTES:
        problem = f"its cache file names would be longer than {MAX_NAME_BYTES} bytes"
    return problem


def _cache_path(repo: str, suffix: str) -> Path:
    problem = repo_name_problem(repo)
    if problem is not None:
        raise RepoError(f"invalid repository name {shown(repo)}: {problem}")
    return cache_dir() / f"{repo}{suffix}"


def index_file(repo: str) -> Path:
    return _cache_path(repo, "-index.yaml")


def charts_file(repo: str) -> Path:
    return _cache_path(repo, "-charts.txt")


def fast_file(repo: str) -> Path:
    return _cache_path(repo, "-helmpy.json")


def store(repo: str, data: bytes, index: CachedIndex) -> None:
    """Save the served bytes, the chart-name list and the compact form of a validated index."""
    target = index_file(repo)
    names = "".join(f"{name}\n" for name in index.entries).encode("utf-8")
    if _unchanged(repo, target, data, names):
        logger.debug("cached index of %s unchanged; nothing written", repo)
        return
    atomic_write(target, data)
    atomic_write(charts_file(repo), names)
    _write_fast(repo, index, target.stat())


def _unchanged(repo: str, target: Path, data: bytes, names: bytes) -> bool:
    """True when the cache already holds exactly these bytes, this chart list and a compact form made from them
    (an unchanged index is not written again: three files, one of them fsync'ed megabytes, per repository)."""
    try:
        st = target.stat()
        if st.st_size != len(data) or charts_file(repo).read_bytes() != names or target.read_bytes() != data:
            return False
        with open(fast_file(repo), "rb") as fh:
            head = fh.read(200)
    except OSError:
        return False
    # the header json.dumps writes first; a broken rest makes load_rows parse the YAML again and rewrite it
    return head.startswith(f'{{"format":{FAST_FORMAT},"size":{st.st_size},"mtime_ns":{st.st_mtime_ns},'.encode())


def _write_fast(repo: str, index: CachedIndex, st: os.stat_result) -> None:
    rows = [v.row() for versions in index.entries.values() for v in versions]
    doc = {"format": FAST_FORMAT, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "rows": rows}
    atomic_write(fast_file(repo), json.dumps(doc, separators=(",", ":"), ensure_ascii=False))


def remove(repo: str) -> None:
    if repo_name_problem(repo) is not None:
        return  # nothing can have been cached under such a name; never delete a path it points to
    for path in (index_file(repo), charts_file(repo), fast_file(repo)):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def load_rows(repo: str) -> list[list[Any]]:
    """Compact rows of a cached index (name-grouped, newest version first); parses YAML only when stale."""
    target = index_file(repo)
    try:
        st = target.stat()
    except FileNotFoundError as err:
        raise RepoError(f"no cached repo found. (try 'helmpy repo update'): open {target}: no such file or directory"
                        ) from err
    try:
        doc = json.loads(fast_file(repo).read_bytes())
        if doc.get("format") == FAST_FORMAT and doc.get("size") == st.st_size and \
                doc.get("mtime_ns") == st.st_mtime_ns:
            return doc["rows"]  # type: ignore[no-any-return]
    except (OSError, ValueError, AttributeError):
        pass
    logger.debug("compact cache of %s missing or stale; parsing %s", repo, target)
    index = parse_index(target.read_bytes(), str(target))
    try:
        _write_fast(repo, index, st)
    except OSError:  # a read-only cache still works, only slower
        pass
    return [v.row() for versions in index.entries.values() for v in versions]


def load(repo: str) -> CachedIndex:
    """The cached index of ``repo`` as a model (from the compact form when fresh)."""
    entries: dict[str, list[IndexedVersion]] = {}
    for row in load_rows(repo):
        entries.setdefault(row[NAME], []).append(IndexedVersion.from_row(row))
    return CachedIndex(entries)


def iter_rows(repos: Iterable[str]) -> Iterable[tuple[str, list[list[Any]]]]:
    """(repo, rows) for each repo whose cache is readable; broken ones are warned about and skipped."""
    for repo in repos:
        try:
            yield repo, load_rows(repo)
        except RepoError as err:
            logger.warning("repo %s is corrupt or missing. Try 'helmpy repo update'. %s", repo, err)
