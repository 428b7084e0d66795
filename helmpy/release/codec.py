"""Release record encoding: base64(gzip(JSON)), exactly Helm's (``pkg/storage/driver/util.go``)."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

from helmpy import limits, yamlutil
from helmpy.errors import StorageError
from helmpy.gunzip import gunzip_limited
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
    try:
        raw = base64.b64decode(data, validate=False)
        if raw[:3] == _GZIP_MAGIC:
            raw = gunzip_limited(raw, record_size_limit(), lambda limit: StorageError(
                f"{source}: cannot decode release record: it decompresses to more than {limit} bytes "
                f"(limit {limits.MAX_CHART_SIZE_ENV}, twice the chart size cap)"))
        yamlutil.check_json_depth(raw, f"{source}: cannot decode release record", StorageError, _ENVELOPE_DEPTH)
        return Release.from_dict(json.loads(raw))
    except (ValueError, OSError, EOFError, TypeError, zlib.error) as err:
        raise StorageError(f"{source}: cannot decode release record: {err}") from err
