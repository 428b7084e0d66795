"""Turn an in-memory chart into archive bytes, entry for entry the way Helm writes them.

Helm's order (see helm-reference 2.2): Chart.yaml (re-serialised, sorted keys), Chart.lock, raw
values.yaml, values.schema.json, templates, other files, then each sub-chart expanded under
``charts/<name>/``. Each entry keeps its source mtime so the same input packs to the same bytes.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO

from helmpy import yamlutil
from helmpy.chart.archive import stream_archive
from helmpy.chart.model import Chart, File

logger = logging.getLogger(__name__)

# (chart-relative source path) -> mtime, for files the model carries no timestamp for (values.yaml).
MtimeHint = Callable[[str], "float | None"]


def archive_filename(chart: Chart) -> str:
    """``<name>-<version>.tgz`` (version verbatim, ``+build`` kept)."""
    return f"{chart.metadata.name}-{chart.metadata.version}.tgz"


def _go_yaml_bytes(data: Any) -> bytes:
    """``sigs.k8s.io/yaml.Marshal`` as Helm's chartutil.Save calls it: toYaml's text plus its final newline
    (so long descriptions fold at 80 columns and look-alike strings are quoted as Helm quotes them)."""
    from helmpy.engine.gotemplate.goyaml import to_yaml

    return (to_yaml(data) + "\n").encode("utf-8")


def chart_yaml_bytes(chart: Chart) -> bytes:
    """Chart.yaml as Helm re-serialises it: sorted keys, empty fields dropped, comments lost."""
    data = chart.metadata.to_dict()
    if chart.metadata.api_version == "v1":
        data.pop("dependencies", None)
    return _go_yaml_bytes(data)


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _lock_yaml(chart: Chart) -> tuple[bytes, float | None]:
    """Chart.lock re-serialised (sorted keys) and its ``generated`` time as the entry mtime."""
    raw: Any = yamlutil.load(chart.raw_lock or b"", "Chart.lock") or {}
    if not isinstance(raw, dict):
        return chart.raw_lock or b"", None
    generated = raw.get("generated")
    when: datetime | None = None
    if isinstance(generated, datetime):
        when = generated if generated.tzinfo else generated.replace(tzinfo=UTC)
        raw["generated"] = when.isoformat().replace("+00:00", "Z")
    elif isinstance(generated, str) and generated:
        try:
            when = datetime.fromisoformat(generated.replace("Z", "+00:00"))
        except ValueError:
            when = None
    return _go_yaml_bytes(raw), _ts(when)


def archive_entries(chart: Chart, mtime_hint: MtimeHint | None = None, prefix: str = "",
                    now: float | None = None) -> list[tuple[str, bytes, float]]:
    """Every archive entry as (path, data, mtime), in Helm's order, sub-charts expanded."""
    now = time.time() if now is None else now
    base = f"{prefix}{chart.metadata.name}/"
    source_prefix = base.split("/", 1)[1]  # "" for the root, "charts/<sub>/" below it

    def hint(rel: str) -> float | None:
        return mtime_hint(source_prefix + rel) if mtime_hint else None

    def pick(*candidates: float | None) -> float:
        for c in candidates:
            if c:
                return c
        return now

    chart_mtime = _ts(chart.modtime)
    entries: list[tuple[str, bytes, float]] = [(base + "Chart.yaml", chart_yaml_bytes(chart), pick(chart_mtime))]
    if chart.raw_lock is not None and chart.metadata.api_version == "v2":
        data, generated = _lock_yaml(chart)
        entries.append((base + "Chart.lock", data, pick(generated, hint("Chart.lock"), chart_mtime)))
    if chart.has_values_file or chart.raw_values:  # Helm writes values.yaml only when the chart had one
        entries.append((base + "values.yaml", chart.raw_values, pick(hint("values.yaml"), chart_mtime)))
    if chart.schema is not None:
        entries.append((base + "values.schema.json", chart.schema, pick(_ts(chart.schema_modtime), chart_mtime)))
    files: list[File] = [*chart.templates, *chart.files]
    for f in files:
        entries.append((base + f.name, f.data, pick(_ts(f.modtime), chart_mtime)))
    if chart.raw_lock is not None and chart.metadata.api_version == "v1":
        entries.append((base + "requirements.lock", chart.raw_lock, pick(hint("requirements.lock"), chart_mtime)))
    for sub in chart.subcharts:
        entries.extend(archive_entries(sub, mtime_hint, f"{base}charts/", now))
    return entries


def save_archive(chart: Chart, mtime_hint: MtimeHint | None = None) -> bytes:
    """The chart as reproducible ``.tgz`` bytes (byte-identical for identical input)."""
    out = io.BytesIO()
    stream_chart(chart, out, mtime_hint)
    return out.getvalue()


def stream_chart(chart: Chart, fileobj: BinaryIO, mtime_hint: MtimeHint | None = None) -> None:
    """:func:`save_archive`'s bytes written to ``fileobj`` as they are compressed (``package`` streams them
    into the archive file instead of holding the tar and the compressed archive in memory)."""
    entries = archive_entries(chart, mtime_hint)
    logger.debug("saving chart name=%s version=%s entries=%d", chart.metadata.name, chart.metadata.version,
                 len(entries))
    stream_archive(entries, fileobj)
