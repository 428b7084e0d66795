"""Load a chart from a directory or an archive.

Both inputs funnel into :func:`load_files` (a list of in-memory files), like Helm's ``LoadFiles``.
Directories honour ``.helmignore``; archives are read through the size- and path-checked reader.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from helmpy import limits as caps
from helmpy import yamlcache
from helmpy.chart.archive import ArchiveMember, limits, path_problem, read_archive
from helmpy.chart.ignore import IgnoreRules
from helmpy.chart.model import Chart, Dependency, File, Lock, Metadata
from helmpy.errors import ArchiveError, ChartError, ChartNotFoundError, ChartValidationError
from helmpy.fsutil import shown
from helmpy.jsondepth import check_json_depth

logger = logging.getLogger(__name__)


def load(path: str | os.PathLike[str]) -> Chart:
    """Load a chart from a directory or a ``.tgz`` file."""
    p = Path(path)
    if not p.exists():
        raise ChartNotFoundError(f"path {str(path)!r} not found")
    if p.is_dir():
        return load_dir(p)
    return load_archive(read_chart_archive(p), source=str(path))


def load_archive(data: bytes, source: str = "archive") -> Chart:
    """Load a chart from gzipped tar bytes (untrusted)."""
    return load_files(read_archive(data, source), source)


def _dt(ts: float | None) -> datetime | None:
    if not ts:
        return None
    return datetime.fromtimestamp(ts, tz=UTC)


def read_chart_file(path: Path, max_file: int | None = None, size: int | None = None) -> bytes:
    """The bytes of one file of a chart directory, refused when over the per-file cap (Helm's 5 MiB, the same
    as in archives) by its size before a byte is read (``size``: from a ``stat`` the caller already made), and
    read to at most cap + 1 bytes (a file that grows, or lies about its size, as under /proc)."""
    cap = caps.chart_file_size() if max_file is None else max_file
    return _read_capped(path, cap, size, f"chart file {str(path)!r} is larger than the maximum file size {cap} "
                                         f"bytes (limit {caps.MAX_FILE_SIZE_ENV})")


def read_chart_archive(path: Path) -> bytes:
    """The bytes of a chart archive, at most the whole-chart cap (its content must fit in it decompressed)."""
    cap = caps.chart_size()
    return _read_capped(path, cap, None, f"chart archive {str(path)!r} is larger than the maximum chart size "
                                         f"{cap} bytes (limit {caps.MAX_CHART_SIZE_ENV})")


def _read_capped(path: Path, cap: int, size: int | None, too_large: str) -> bytes:
    try:
        if (os.stat(path).st_size if size is None else size) > cap:
            raise ArchiveError(too_large)
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as err:
        raise ChartError(f"cannot read {path}: {err.strerror or err}") from err
    if len(data) > cap:
        raise ArchiveError(too_large)
    return data


def walk_dir(root: Path) -> list[ArchiveMember]:
    """Read a chart directory into memory, applying .helmignore (lexical, depth-first order)."""
    root = root.resolve()
    ignore_file = root / ".helmignore"
    rules = (IgnoreRules.parse(read_chart_file(ignore_file).decode("utf-8", errors="replace"), str(ignore_file))
             if ignore_file.is_file() else IgnoreRules.empty())
    max_file, max_total = limits()
    out: list[ArchiveMember] = []
    total = 0

    def visit(directory: Path, rel: str) -> None:
        nonlocal total
        try:
            names = sorted(os.listdir(directory))
        except OSError as err:
            raise ChartError(f"cannot read directory {directory}: {err}") from err
        for name in names:
            full = directory / name
            rel_path = f"{rel}/{name}" if rel else name
            if full.is_symlink():
                target = full.resolve()
                if not (target == root or root in target.parents):
                    raise ArchiveError(f"{full}: symlink points outside the chart ({target})")
                if target.is_dir() and (target == directory.resolve() or target in directory.resolve().parents):
                    raise ArchiveError(f"{full}: symlink loop (points to its own parent directory {target})")
            try:
                st = full.stat()
            except OSError as err:
                raise ChartError(f"cannot read {full}: {err}") from err
            is_dir = stat.S_ISDIR(st.st_mode)
            if rules.ignored(rel_path, is_dir):
                continue
            problem = path_problem(rel_path)
            if problem is not None:
                raise ArchiveError(f"{root}: chart contains an illegally named file {shown(rel_path)}: {problem}")
            if is_dir:
                visit(full, rel_path)
                continue
            if not stat.S_ISREG(st.st_mode):
                raise ChartError(f"cannot load irregular file {full} as it has file mode type bits set")
            data = read_chart_file(full, max_file, st.st_size)
            total += len(data)
            if total > max_total:
                raise ArchiveError(f"{root}: chart is larger than the maximum size {max_total} bytes "
                                   f"(limit {caps.MAX_CHART_SIZE_ENV}; reached at {shown(rel_path)})")
            out.append(ArchiveMember(rel_path, data, st.st_mtime))

    visit(root, "")
    return out


def load_dir(path: Path) -> Chart:
    """Load a chart directory (with .helmignore)."""
    if not (path / "Chart.yaml").is_file():
        raise ChartNotFoundError(f"{path}: Chart.yaml file is missing (is this a chart directory?)")
    return load_files(walk_dir(path), str(path))


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def load_files(members: Iterable[ArchiveMember], source: str) -> Chart:
    """Classify files into a Chart (Helm's buckets) and load sub-charts recursively."""
    members = [ArchiveMember(m.name, _strip_bom(m.data), m.mtime) for m in members]
    by_name = {m.name: m for m in members}
    chart_file = by_name.get("Chart.yaml")
    if chart_file is None:
        raise ChartValidationError(f"{source}: Chart.yaml file is missing")
    where = f"{source}/Chart.yaml" if not source.endswith(".tgz") else f"{source}: Chart.yaml"
    raw_meta = yamlcache.load(chart_file.data, where, ChartValidationError)
    metadata = Metadata.from_dict(raw_meta, where)
    if not metadata.api_version:
        metadata.api_version = "v1"
    chart = Chart(metadata=metadata, modtime=_dt(chart_file.mtime))
    subcharts: dict[str, list[ArchiveMember]] = {}  # in archive order
    for m in members:
        if m.name == "Chart.yaml" or _load_special_file(chart, m, source):
            continue
        if m.name.startswith("templates/"):
            chart.templates.append(File(m.name, m.data, _dt(m.mtime)))
        elif m.name.startswith("charts/") and not m.name.endswith(".prov"):
            _collect_subchart_member(subcharts, m)
        else:
            chart.files.append(File(m.name, m.data, _dt(m.mtime)))
    metadata.validate(where)
    for sub, parts in subcharts.items():
        sub_source = f"{source}/charts/{sub}"
        try:
            if sub.endswith((".tgz", ".tar.gz")) and len(parts) == 1 and parts[0].name.startswith("charts/"):
                child = load_archive(parts[0].data, sub_source)
            else:
                child = load_files(parts, sub_source)
        except ChartError as err:
            raise type(err)(f"error unpacking subchart {sub} in {metadata.name}: {err}") from err
        chart.add_subchart(child)
    return chart


def _load_special_file(chart: Chart, m: ArchiveMember, source: str) -> bool:
    """Load values, schema, lock and requirements files into ``chart``; False for any other file."""
    name = m.name
    metadata = chart.metadata
    if name == "values.yaml":
        chart.raw_values = m.data
        chart.has_values_file = True
        chart.values = yamlcache.load_values(m.data, f"{source}/values.yaml")
    elif name == "values.schema.json":
        chart.schema = m.data
        chart.schema_modtime = _dt(m.mtime)
        check_json_depth(m.data, f"{source}/values.schema.json", ChartValidationError)
        import json  # here: only a chart with a schema has JSON to check

        try:
            json.loads(m.data or b"{}")
        except ValueError as err:
            raise ChartValidationError(f"{source}/values.schema.json: invalid JSON: {err}") from err
    elif name in ("Chart.lock", "requirements.lock"):
        chart.raw_lock = m.data
        chart.lock = _parse_lock(m.data, f"{source}/{name}")
    elif name == "requirements.yaml":
        reqs = yamlcache.load(m.data, f"{source}/requirements.yaml", ChartValidationError) or {}
        deps = reqs.get("dependencies") if isinstance(reqs, dict) else None
        if deps and not metadata.dependencies:
            metadata.dependencies = [Dependency.from_dict(d, f"{source}/requirements.yaml") for d in deps]
        if metadata.api_version == "v1":
            chart.files.append(File(name, m.data, _dt(m.mtime)))
    else:
        return False
    return True


def _collect_subchart_member(subcharts: dict[str, list[ArchiveMember]], m: ArchiveMember) -> None:
    """File ``charts/SUB/...`` (or the archive ``charts/SUB.tgz``) under SUB; ``_*`` and ``.*`` are skipped."""
    rest = m.name[len("charts/"):]
    first = rest.split("/", 1)[0]
    if first.startswith(("_", ".")):
        return
    parts = subcharts.setdefault(first, [])
    if "/" in rest:
        parts.append(ArchiveMember(rest.split("/", 1)[1], m.data, m.mtime))
    elif first.endswith((".tgz", ".tar.gz")):
        parts.append(m)
    # a bare file directly under charts/ is a chart with no files: an error when it is loaded


def _parse_lock(data: bytes, where: str) -> Lock:
    raw = yamlcache.load(data, where, ChartValidationError) or {}
    if not isinstance(raw, dict):
        raise ChartValidationError(f"{where}: must be a map")
    deps = [Dependency.from_dict(d, where) for d in (raw.get("dependencies") or [])]
    generated = raw.get("generated", "")
    return Lock(generated=str(generated) if generated else "", digest=str(raw.get("digest") or ""), dependencies=deps)
