"""Refuse a release whose record would not fit in one Kubernetes object, before anything is applied.

Helm finds out only when the API server rejects the Secret, after the hooks and objects have already been
applied, leaving a half-installed release. helmpy measures the encoded Secret up front and names what made
it big (chart templates, files, values, the manifest) so the user knows what to trim.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging

from helmpy.errors import RecordTooLarge
from helmpy.release import codec
from helmpy.release.model import Release

logger = logging.getLogger(__name__)

MAX_OBJECT_BYTES = 1024 * 1024  # Kubernetes' limit on one object (Secrets and ConfigMaps)


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


def secret_size(release: Release) -> int:
    """Bytes of the Secret holding ``release`` as the API server stores it (data is base64 of the record)."""
    record = codec.encode(release)
    body = base64.b64encode(record.encode("ascii")).decode("ascii")
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
              "metadata": {"name": release.key, "namespace": release.namespace,
                           "labels": {"name": release.name, "owner": "helm", "status": "pending-install",
                                      "version": str(release.version), "createdAt": "0000000000",
                                      **release.labels}},
              "data": {"release": body}}
    return len(json.dumps(secret, separators=(",", ":")))


def _packed(data: bytes) -> int:
    """Approximate share of the record: gzip then base64 twice, as in the Secret."""
    return len(gzip.compress(data, compresslevel=9, mtime=0)) * 16 // 9


def contributors(release: Release) -> list[tuple[str, int]]:
    """Parts of the record with their approximate encoded size, biggest first."""
    parts: list[tuple[str, int]] = []
    chart = release.chart
    if chart is not None:
        for kind, items in (("template", chart.templates), ("file", chart.files)):
            for item in items:
                raw = base64.b64decode(item.get("data") or "")
                parts.append((f"{kind} {item.get('name')}", _packed(raw)))
        parts.append(("chart values", _packed(json.dumps(chart.values).encode())))
    parts.append(("user-supplied values", _packed(json.dumps(release.config).encode())))
    parts.append(("rendered manifest", _packed(release.manifest.encode())))
    for hook in release.hooks:
        parts.append((f"hook {hook.path}", _packed(hook.manifest.encode())))
    return sorted(parts, key=lambda p: -p[1])


def check_record_size(release: Release, limit: int = MAX_OBJECT_BYTES) -> int:
    """Raise RecordTooLarge when the encoded Secret exceeds ``limit``; returns the size."""
    size = secret_size(release)
    logger.debug("release record size release=%s revision=%d bytes=%d", release.name, release.version, size)
    if size > limit:
        top = ", ".join(f"{name} ({_human(n)})" for name, n in contributors(release)[:5] if n > 0)
        raise RecordTooLarge(
            f"release \"{release.name}\" revision {release.version}: the encoded release record is "
            f"{_human(size)} ({size} bytes), over the {_human(limit)} limit of a Kubernetes object; "
            f"biggest contributors: {top}",
            hint="move large data out of the chart (or .helmignore it); nothing was applied")
    return size
