"""Release record encoding: base64(gzip(JSON)), exactly Helm's (``pkg/storage/driver/util.go``).

:func:`summarize` decodes a record as :func:`decode` does (every check) and keeps only what ``list`` shows,
as plain data a cache can hold; :func:`from_summary` turns that back into a :class:`Release` whose listed
fields are exactly the full decode's.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

from helmpy import limits
from helmpy.errors import StorageError
from helmpy.gunzip import gunzip_limited
from helmpy.jsondepth import check_json_depth
from helmpy.release.model import Release

_GZIP_MAGIC = b"\x1f\x8b\x08"
# levels a record adds around the values it holds (``chart.values.…``, ``config.…``), so a release whose values
# are at the nesting limit still decodes
_ENVELOPE_DEPTH = 8


def record_size_limit() -> int:
    """Bytes a decoded record may hold: its chart (at most the chart size cap) plus values and manifest."""
    return 2 * limits.chart_size()


def encode(release: Release) -> str:
    """JSON (compact, Go-escaped) -> gzip level 9 -> standard base64."""
    text = json.dumps(release.to_dict(), separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    packed = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def decode(data: str | bytes, source: str = "release record") -> Release:
    """Accept gzipped and plain JSON (Helm does both); JSON nested deeper than the values limit allows is a
    :class:`StorageError` naming ``source`` (a hostile or corrupt record must not exhaust the stack)."""
    return _decoded(data, source)[1]


def _decoded(data: str | bytes, source: str) -> tuple[Any, Release]:
    """The record's JSON document and the Release made of it."""
    try:
        raw = base64.b64decode(data, validate=False)
        if raw[:3] == _GZIP_MAGIC:
            raw = gunzip_limited(raw, record_size_limit(), lambda limit: StorageError(
                f"{source}: cannot decode release record: it decompresses to more than {limit} bytes "
                f"(limit {limits.MAX_CHART_SIZE_ENV}, twice the chart size cap)"))
        check_json_depth(raw, f"{source}: cannot decode release record", StorageError, _ENVELOPE_DEPTH)
        doc = json.loads(raw)
        return doc, Release.from_dict(doc)
    except (ValueError, OSError, EOFError, TypeError, zlib.error) as err:
        raise StorageError(f"{source}: cannot decode release record: {err}") from err


def decode_settings() -> str:
    """What a decode's result depends on besides the record: the size and nesting limits it enforces."""
    return f"{record_size_limit()}:{limits.nesting_depth()}"


_INFO_KEYS = ("first_deployed", "last_deployed", "deleted", "status")
_CHART_KEYS = ("name", "version", "appVersion")


def summarize(data: str | bytes, source: str = "release record") -> dict[str, Any]:
    """The parts of a record ``list`` reads (name, namespace, version, info's times and status, the chart's
    name, version and appVersion), as the record holds them; a record :func:`decode` refuses is refused."""
    doc, _ = _decoded(data, source)  # the full decode: what it refuses, the summary refuses
    out = {key: doc[key] for key in ("name", "namespace", "version") if key in doc}
    info = doc.get("info")
    out["info"] = {k: info[k] for k in _INFO_KEYS if k in info} if isinstance(info, dict) else info
    chart = doc.get("chart")
    if chart:  # ChartRecord.from_dict reads nothing else for these (a falsy chart is "no chart")
        meta = chart.get("metadata")
        out["chart"] = {"metadata": {k: meta[k] for k in _CHART_KEYS if k in meta} if isinstance(meta, dict)
                        else meta}
    else:
        out["chart"] = chart
    return out


def from_summary(summary: dict[str, Any]) -> Release:
    """A Release of what :func:`summarize` kept (templates, values, manifest, hooks and notes are empty)."""
    return Release.from_dict(summary)
