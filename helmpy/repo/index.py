"""Repository index files (``index.yaml``): load with Helm's strict rules, build, merge, write.

``IndexFile.load`` accepts JSON (leniently) or YAML (strictly: unknown fields make the index
unusable, as in Helm). ``index_directory`` builds an index from ``DIR/*.tgz`` and ``DIR/*/*.tgz``
reading only Chart.yaml from each archive (the tar is streamed and abandoned as soon as Chart.yaml
is seen), so indexing thousands of charts stays fast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from helmpy import yamlutil
from helmpy.chart.archive import limits
from helmpy.chart.model import KNOWN_METADATA_KEYS, Metadata, is_semver
from helmpy.errors import ChartError, RepoError, RepoIndexError
from helmpy.fsutil import atomic_write
from helmpy.repo._index_io import dump as fast_dump
from helmpy.repo._index_io import load_block_yaml, read_chart_yaml
from helmpy.semverutil import parse_constraint, try_parse

logger = logging.getLogger(__name__)

API_VERSION = "v1"
_TOP_KEYS = frozenset({"apiVersion", "generated", "entries", "publicKeys", "annotations", "serverInfo"})
_EXTRA_KEYS = ("urls", "created", "removed", "digest", "checksum", "engine", "tillerVersion", "url")
_ENTRY_KEYS = KNOWN_METADATA_KEYS | frozenset(_EXTRA_KEYS)
_LEGACY_KEYS = ("checksum", "engine", "tillerVersion", "url")


def rfc3339nano(ns: int | None = None) -> str:
    """Go's ``time.RFC3339Nano`` in the local zone (trailing fraction zeros dropped)."""
    ns = time.time_ns() if ns is None else ns
    secs, frac = divmod(ns, 1_000_000_000)
    local = datetime.fromtimestamp(secs, tz=UTC).astimezone()
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    offset = local.utcoffset()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _time_str(value: Any) -> str:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.isoformat().replace("+00:00", "Z")
    return "" if value is None else str(value)


@dataclass
class ChartVersion:
    """One version of a chart in an index: Chart.yaml metadata plus where to get it."""

    metadata: Metadata
    urls: list[str] = field(default_factory=list)
    created: str = ""
    digest: str = ""
    removed: bool = False
    legacy: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON struct order: metadata fields, then urls, created, removed, digest."""
        out = self.metadata.to_dict()
        out["urls"] = list(self.urls)
        if self.created:
            out["created"] = self.created
        if self.removed:
            out["removed"] = True
        if self.digest:
            out["digest"] = self.digest
        for key in _LEGACY_KEYS:
            if self.legacy.get(key):
                out[key] = self.legacy[key]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> ChartVersion:
        urls = data.get("urls") or []
        if isinstance(urls, str):
            urls = [urls]
        return cls(
            metadata=Metadata.from_dict(data, where),
            urls=[str(u) for u in urls],
            created=_time_str(data.get("created")),
            digest=str(data.get("digest") or ""),
            removed=bool(data.get("removed") or False),
            legacy={k: data[k] for k in _LEGACY_KEYS if data.get(k)},
        )


def _version_key(cv: ChartVersion) -> tuple[int, Any]:
    v = try_parse(cv.version)
    return (1, v.key()) if v is not None else (0, ())


class _Versioned(Protocol):
    @property
    def version(self) -> str: ...


V = TypeVar("V", bound=_Versioned)


def pick_version(name: str, versions: list[V] | None, version: str | None) -> V:
    """Helm's ``IndexFile.Get`` over entries sorted newest first: an exact version string wins, else the
    newest version matching ``version`` as a constraint (``*`` when empty), with Helm's warning."""
    if versions is None:
        raise RepoError("no chart name found")
    if not versions:
        raise RepoError(f"no chart version found for {name}-{version or ''}")
    if version:
        for cv in versions:
            if cv.version == version:
                return cv
    try:
        constraint = parse_constraint(version or "*")
    except ValueError as err:
        raise RepoError(f"improper constraint: {version}") from err
    for cv in versions:
        parsed = try_parse(cv.version)
        if parsed is not None and constraint.check(parsed):
            if version:
                logger.warning("unable to find exact version; falling back to closest available version "
                               "chart=%s requested=%s selected=%s", name, version, cv.version)
            return cv
    raise RepoError(f"no chart version found for {name}-{version or ''}")


@dataclass
class IndexFile:
    """An index: chart name -> versions (newest first after ``sort``)."""

    entries: dict[str, list[ChartVersion]] = field(default_factory=dict)
    api_version: str = API_VERSION
    generated: str = ""
    public_keys: list[str] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)
    server_info: dict[str, Any] | None = None

    # --- reading ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, data: bytes | str, source: str = "index.yaml") -> IndexFile:
        """Parse index bytes: JSON leniently, YAML strictly (Helm's rules); errors name ``source``."""
        raw, strict = parse_document(data, source)
        index = cls(api_version=str(raw["apiVersion"]), generated=_time_str(raw.get("generated")),
                    public_keys=[str(k) for k in raw.get("publicKeys") or []],
                    annotations={str(k): str(v) for k, v in (raw.get("annotations") or {}).items()},
                    server_info=raw.get("serverInfo"))
        for name, items in iter_entries(raw, source, strict):
            kept = index.entries[name] = []
            for where, item in items:
                cv = entry_from_raw(item, where)
                if cv is not None:
                    kept.append(cv)
        index.sort()
        return index

    @classmethod
    def load_file(cls, path: str | os.PathLike[str]) -> IndexFile:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise RepoIndexError(f"error loading {path}: {err.strerror or err}") from err
        return cls.load(data, str(path))

    # --- queries ---------------------------------------------------------------------------------
    def get(self, name: str, version: str | None = None) -> ChartVersion:
        """Helm's ``IndexFile.Get``: an exact version string first, else the newest matching constraint."""
        return pick_version(name, self.entries.get(name), version)

    def has(self, name: str, version: str) -> bool:
        try:
            self.get(name, version)
        except RepoError:
            return False
        return True

    # --- changes ---------------------------------------------------------------------------------
    def add(self, metadata: Metadata, filename: str, base_url: str = "", digest: str = "",
            created: str | None = None, validate: bool = True) -> ChartVersion:
        """Append a version (Helm's ``MustAdd``): the URL is ``base_url`` joined with the file name."""
        if not metadata.api_version:
            metadata.api_version = "v1"
        if validate:
            metadata.validate(filename)
        url = url_join(base_url, posixpath.basename(filename)) if base_url else filename
        cv = ChartVersion(metadata=metadata, urls=[url], created=created or rfc3339nano(), digest=digest)
        self.entries.setdefault(metadata.name, []).append(cv)
        return cv

    def remove(self, name: str, version: str) -> ChartVersion | None:
        """Drop an exact name+version; returns it (None when absent)."""
        versions = self.entries.get(name, [])
        for i, cv in enumerate(versions):
            if cv.version == version:
                del versions[i]
                if not versions:
                    del self.entries[name]
                return cv
        return None

    def sort(self) -> None:
        """Each chart's versions newest SemVer first; unparsable versions last."""
        for versions in self.entries.values():
            versions.sort(key=_version_key, reverse=True)

    def merge(self, other: IndexFile) -> None:
        """Add the versions of ``other`` that this index does not have (ours win), then sort."""
        for name, versions in other.entries.items():
            for cv in versions:
                if not any(mine.version == cv.version for mine in self.entries.get(name, [])):
                    self.entries.setdefault(name, []).append(cv)
        self.sort()

    # --- writing ---------------------------------------------------------------------------------
    def _top(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.server_info:
            out["serverInfo"] = self.server_info
        out["apiVersion"] = self.api_version
        out["generated"] = self.generated or rfc3339nano()
        out["entries"] = {name: [cv.to_dict() for cv in vs] for name, vs in self.entries.items()}
        if self.public_keys:
            out["publicKeys"] = list(self.public_keys)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out

    def to_yaml(self) -> str:
        """YAML like Helm writes it (keys sorted go-yaml style, trailing newline)."""
        return fast_dump(self._top())

    def to_json(self) -> str:
        """Helm's ``--json`` form: struct field order, 2-space indent, no trailing newline."""
        top = self._top()
        top["entries"] = dict(sorted(top["entries"].items()))
        text = json.dumps(top, indent=2, ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def write(self, path: str | os.PathLike[str], as_json: bool = False) -> None:
        """Write atomically (a reader never sees half an index)."""
        if not self.generated:
            self.generated = rfc3339nano()
        atomic_write(path, self.to_json() if as_json else self.to_yaml())


# --- reading helpers (shared with the client cache, which skips building full models) ------------
def parse_document(data: bytes | str, source: str) -> tuple[dict[Any, Any], bool]:
    """An index as plain data, top level checked, and whether Helm's strict YAML rules apply.

    JSON (what ``repo index --json`` writes) is parsed with ``json`` and read leniently, as Helm does;
    YAML goes through the fast block parser, or the full YAML parser when the text needs it.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise RepoIndexError(f"{source}: empty index.yaml file")
    raw: Any = None
    strict = True
    if data.lstrip()[:1] in (b"{", b"["):
        yamlutil.check_json_depth(data, source, RepoIndexError)
        try:
            raw = json.loads(data)
            strict = False
        except ValueError:
            raw = None
    if strict:
        raw = load_block_yaml(data)
        if raw is None:
            raw = yamlutil.load(data, source, RepoIndexError)
    if not isinstance(raw, dict):
        raise RepoIndexError(f"{source}: an index must be a map with apiVersion and entries")
    if strict and not _TOP_KEYS.issuperset(raw):
        unknown = sorted(str(k) for k in raw if k not in _TOP_KEYS)
        raise RepoIndexError(f'{source}: unknown field "{unknown[0]}" at the top level of the index')
    if not raw.get("apiVersion"):
        raise RepoIndexError(f"{source}: no API version specified")
    if not isinstance(raw.get("entries") or {}, dict):
        raise RepoIndexError(f"{source}: 'entries' must be a map of chart name to a list of versions")
    return raw, strict


def iter_entries(raw: dict[Any, Any], source: str, strict: bool
                 ) -> Iterator[tuple[str, Iterator[tuple[str, dict[Any, Any]]]]]:
    """(chart name, its (location, version map) pairs); null versions skipped, unknown fields fatal if strict."""
    for name, versions in (raw.get("entries") or {}).items():
        name = str(name)
        if versions is None:
            versions = []
        if not isinstance(versions, list):
            raise RepoIndexError(f"{source}: entries.{name} must be a list of chart versions")
        yield name, _items(source, name, versions, strict)


def _items(source: str, name: str, versions: list[Any], strict: bool) -> Iterator[tuple[str, dict[Any, Any]]]:
    for i, item in enumerate(versions):
        if item is None:
            logger.warning("skipping null entry in index source=%s chart=%s", source, name)
            continue
        where = f"{source}: entries.{name}[{i}]"
        if not isinstance(item, dict):
            raise RepoIndexError(f"{where}: must be a map")
        if strict and not _ENTRY_KEYS.issuperset(item):
            bad = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
            raise RepoIndexError(f'{where}: unknown field "{bad[0]}" (Helm rejects indexes with unknown fields)')
        yield where, item


def entry_from_raw(item: dict[Any, Any], where: str) -> ChartVersion | None:
    """A validated chart version, or None (logged) when Helm would skip it as invalid."""
    try:
        cv = ChartVersion.from_dict(item, where)
        if not cv.metadata.api_version:
            cv.metadata.api_version = "v1"
        cv.metadata.validate(where)
    except ChartError as err:
        if "more than one dependency" not in str(err):
            logger.warning("skipping invalid index entry: %s", err)
            return None
    return cv


_PLAIN_STR_FIELDS = ("name", "version", "apiVersion", "appVersion", "description", "type", "home", "icon",
                     "kubeVersion", "condition", "tags", "digest", "created")
_PLAIN_LIST_FIELDS = ("keywords", "sources", "urls")
_PLAIN_KEYS = frozenset(_PLAIN_STR_FIELDS + _PLAIN_LIST_FIELDS + ("deprecated", "annotations", "maintainers",
                                                                  "removed"))


def is_plainly_valid(item: dict[Any, Any]) -> bool:
    """True when ``entry_from_raw`` would keep this version with its text unchanged (a quick check).

    Only the common shape qualifies: printable strings (so sanitising is a no-op), a SemVer version,
    a known apiVersion and type, no dependencies. Anything else returns False and the caller takes the
    full ``entry_from_raw`` path, which stays the one definition of what is valid.
    """
    if not _PLAIN_KEYS.issuperset(item):
        return False
    for key in _PLAIN_STR_FIELDS:
        value = item.get(key, "")
        if type(value) is not str or not value.isprintable():
            return False
    for key in _PLAIN_LIST_FIELDS:
        values = item.get(key, [])
        if type(values) is not list or not all(type(v) is str and v.isprintable() for v in values):
            return False
    name, maintainers = item.get("name", ""), item.get("maintainers", [])
    return (bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name
            and item.get("apiVersion", "v1") in ("v1", "v2", "") and item.get("type", "") in _TYPES
            and type(item.get("annotations", {})) is dict
            and type(maintainers) is list and all(type(m) is dict for m in maintainers)
            and is_semver(item.get("version", "")))


_TYPES = ("", "application", "library")


# --- URLs ------------------------------------------------------------------------------------------
def url_join(base: str, *parts: str) -> str:
    """Helm's ``urlutil.URLJoin``: join path segments onto a URL, keep its query, escape the path."""
    u = urlsplit(base)
    joined = posixpath.join(unquote(u.path) or "", *[p for p in parts if p])
    if u.path.startswith("/") or u.scheme:
        joined = posixpath.normpath("/" + joined.lstrip("/"))
    else:
        joined = posixpath.normpath(joined) if joined else ""
    if joined == "." or joined == "/." :
        joined = ""
    return urlunsplit((u.scheme, u.netloc, quote(joined, safe="/$&+,:;=@~"), u.query, u.fragment))


# --- building from archives ------------------------------------------------------------------------
def read_chart_metadata(data: bytes, source: str) -> Metadata:
    """Chart.yaml of an archive, validated, reading no further than needed (streamed tar)."""
    max_file, _ = limits()
    raw = read_chart_yaml(data, source, max_file)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    parsed = load_block_yaml(raw)
    if parsed is None:
        parsed = yamlutil.load(raw, f"{source}: Chart.yaml", ChartError)
    meta = Metadata.from_dict(parsed, f"{source}: Chart.yaml")
    if not meta.api_version:
        meta.api_version = "v1"
    if not (isinstance(parsed, dict) and is_plainly_valid(parsed)):  # the quick check says validate is a no-op
        meta.validate(f"{source}: Chart.yaml")
    return meta


def find_archives(directory: Path) -> list[Path]:
    """``DIR/*.tgz`` then ``DIR/*/*.tgz`` (Helm's glob spans one level), each sorted."""
    top: list[str] = []
    nested: list[str] = []
    with os.scandir(directory) as it:
        for entry in it:
            if entry.name.endswith(".tgz") and entry.is_file():
                top.append(entry.path)
            elif entry.is_dir():
                with os.scandir(entry.path) as sub:
                    nested.extend(e.path for e in sub if e.name.endswith(".tgz") and e.is_file())
    return [Path(p) for p in sorted(top) + sorted(nested)]


def index_directory(directory: str | os.PathLike[str], base_url: str = "",
                    on_error: Callable[[Path, str], None] | None = None,
                    archives: Iterable[Path] | None = None) -> IndexFile:
    """Index every chart archive under ``directory``; broken archives go to ``on_error`` and are skipped."""
    root = Path(directory)
    if not root.is_dir():
        raise RepoIndexError(f"{directory}: no such directory")
    index = IndexFile()
    for path in (find_archives(root) if archives is None else archives):
        rel = path.relative_to(root).as_posix()
        parent, fname = posixpath.split(rel)
        try:
            data = path.read_bytes()
            meta = read_chart_metadata(data, rel)
        except (ChartError, OSError) as err:
            logger.debug("skipping archive path=%s error=%s", path, err)
            if on_error is not None:
                text = str(err) if isinstance(err, ChartError) else f"{rel}: {err}"
                on_error(path, text)
            continue
        parent_url = url_join(base_url, parent) if (base_url or parent) else ""
        index.add(meta, fname, parent_url, hashlib.sha256(data).hexdigest(), validate=False)
    index.sort()
    return index


def index_repository(directory: str | os.PathLike[str], url: str = "", merge: str | None = None,
                     as_json: bool = False,
                     on_error: Callable[[Path, str], None] | None = None) -> tuple[Path, IndexFile]:
    """``repo index``: index DIR, optionally merge an existing index, write ``DIR/index.yaml`` atomically."""
    index = index_directory(directory, url, on_error)
    if merge:
        merge_path = Path(merge)
        if not merge_path.exists():
            IndexFile().write(merge_path)  # Helm's behaviour: a missing merge file is created empty
        else:
            try:
                other = IndexFile.load_file(merge_path)
            except RepoError as err:
                raise RepoIndexError(f"merge failed: error loading {err}") from err  # err names the file
            index.merge(other)
    index.generated = rfc3339nano()
    target = Path(directory) / "index.yaml"
    index.write(target, as_json=as_json)
    return target, index
