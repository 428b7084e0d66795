"""Helm's chart artifact: the OCI image manifest, its config blob and annotations, built and checked.

Push writes what Helm 4 writes, byte for byte: the config blob is Chart.yaml's metadata as compact Go
JSON (struct field order, empty fields omitted, ``<>&`` escaped), the layers are the archive
(``...chart.content.v1.tar+gzip``) and an optional provenance file, sorted by digest, and the
manifest carries ``org.opencontainers.image.*`` annotations (``created`` is the archive's mtime in
RFC 3339) plus the chart's own annotations. Pull accepts only a well-formed OCI image manifest with
exactly one config of Helm's media type and one chart layer (``application/tar+gzip``, the legacy
type, with Helm's warning).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from helmpy.errors import RegistryError
from helmpy.registry.reference import check_digest

if TYPE_CHECKING:
    from helmpy.chart.model import Metadata

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json"
CHART_LAYER_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
PROV_LAYER_MEDIA_TYPE = "application/vnd.cncf.helm.chart.provenance.v1.prov"
LEGACY_CHART_LAYER_MEDIA_TYPE = "application/tar+gzip"

_TITLE = "org.opencontainers.image.title"
_VERSION = "org.opencontainers.image.version"
_IMMUTABLE = (_VERSION, _TITLE)


class Descriptor(NamedTuple):
    media_type: str
    digest: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def describe(media_type: str, data: bytes) -> Descriptor:
    return Descriptor(media_type, sha256_digest(data), len(data))


def config_blob(meta: Metadata) -> bytes:
    """``json.Marshal(chart.Metadata)``: Go field order, omitempty, map keys sorted."""
    from helmpy import gojson

    doc = meta.to_dict()
    if "annotations" in doc:
        doc["annotations"] = dict(sorted(doc["annotations"].items()))
    return gojson.dumps(doc).encode("utf-8")


def rfc3339(timestamp: float) -> str:
    """Go's ``time.Time.Format(time.RFC3339)`` of a local time: whole seconds, ``Z`` for UTC."""
    local = time.localtime(int(timestamp))
    offset = local.tm_gmtoff or 0
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", local)
    if offset == 0:
        return stamp + "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{stamp}{sign}{hours:02d}:{minutes:02d}"


def oci_annotations(meta: Metadata, created: str) -> dict[str, str]:
    """Helm's ``generateOCIAnnotations``: image annotations from Chart.yaml, then the chart's own."""
    out: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        if value.strip():
            out[key] = value

    add("org.opencontainers.image.description", meta.description)
    add(_TITLE, meta.name)
    add(_VERSION, meta.version)
    add("org.opencontainers.image.url", meta.home)
    add("org.opencontainers.image.created", created)
    if meta.sources:
        add("org.opencontainers.image.source", meta.sources[0])
    if meta.maintainers:
        parts = []
        for m in meta.maintainers:
            parts.append(m.name + (f" ({m.email})" if m.email else ""))
        add("org.opencontainers.image.authors", ", ".join(parts))
    for key, value in meta.annotations.items():
        if key not in _IMMUTABLE:
            out[key] = value
    return dict(sorted(out.items()))


def manifest(config: Descriptor, layers: list[Descriptor], notes: dict[str, str]) -> bytes:
    """``json.Marshal(ocispec.Manifest{...})`` as Helm fills it (no top-level mediaType)."""
    from helmpy import gojson

    doc: dict[str, Any] = {"schemaVersion": 2, "config": config.to_dict(),
                           "layers": [d.to_dict() for d in sorted(layers, key=lambda d: d.digest)]}
    if notes:
        doc["annotations"] = dict(sorted(notes.items()))
    return gojson.dumps(doc).encode("utf-8")


def parse_json(data: bytes, where: str) -> dict[str, Any]:
    """A JSON object from a registry, depth-checked before it is parsed."""
    from helmpy.jsondepth import check_json_depth

    check_json_depth(data, where, RegistryError)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise RegistryError(f"{where}: not valid JSON ({err})") from err
    if not isinstance(doc, dict):
        raise RegistryError(f"{where}: want a JSON object")
    return doc


def _descriptor(raw: Any, where: str) -> Descriptor:
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: a descriptor is not an object")
    media_type, digest, size = raw.get("mediaType"), raw.get("digest"), raw.get("size")
    if not isinstance(media_type, str) or not isinstance(digest, str):
        raise RegistryError(f"{where}: a descriptor lacks mediaType or digest")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise RegistryError(f"{where}: descriptor {digest[:80]!r} has no valid size")
    return Descriptor(media_type, check_digest(digest, where), size)


class ChartManifest(NamedTuple):
    """What pull needs from a manifest."""

    config: Descriptor
    chart: Descriptor
    prov: Descriptor | None
    legacy: bool
    annotations: dict[str, str]


def parse_manifest(data: bytes, where: str) -> ChartManifest:
    """Check a manifest is a Helm chart (Helm's messages for a missing config or chart layer)."""
    doc = parse_json(data, f"{where}: manifest")
    media_type = doc.get("mediaType", MANIFEST_MEDIA_TYPE)
    if doc.get("schemaVersion") != 2 or media_type != MANIFEST_MEDIA_TYPE:
        raise RegistryError(f"{where}: not an OCI image manifest (schemaVersion {doc.get('schemaVersion')!r}, "
                            f"mediaType {str(media_type)[:80]!r})")
    config = _descriptor(doc.get("config"), where)
    if config.media_type != CONFIG_MEDIA_TYPE:
        raise RegistryError(f"{where}: could not load config with mediatype {CONFIG_MEDIA_TYPE}; is it a Helm chart?")
    layers_raw = doc.get("layers")
    if not isinstance(layers_raw, list):
        raise RegistryError(f"{where}: the manifest has no layers list")
    chart: Descriptor | None = None
    prov: Descriptor | None = None
    legacy = False
    for raw in layers_raw:
        d = _descriptor(raw, where)
        if d.media_type in (CHART_LAYER_MEDIA_TYPE, LEGACY_CHART_LAYER_MEDIA_TYPE):
            if chart is not None:
                raise RegistryError(f"{where}: the manifest has more than one chart layer")
            chart, legacy = d, d.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE
        elif d.media_type == PROV_LAYER_MEDIA_TYPE:
            prov = d
    if chart is None:
        raise RegistryError(f"{where}: manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}")
    notes = doc.get("annotations") or {}
    if not isinstance(notes, dict):
        notes = {}
    return ChartManifest(config, chart, prov, legacy,
                         {str(k): str(v) for k, v in notes.items() if isinstance(v, str)})
