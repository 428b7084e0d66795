"""Plugins as OCI artifacts (``helmpy plugin install oci://host/path/NAME:TAG``), as Helm 4 pulls them.

Helm 4's plugin artifact is an OCI image manifest whose ``artifactType`` is ``application/vnd.helm.plugin.v1+json``
(or, with no artifactType, whose config has that media type), holding a layer titled ``NAME-VERSION.tgz``
(``org.opencontainers.image.title``; media type ``application/vnd.oci.image.layer.v1.tar(+gzip)``) and
optionally one titled ``NAME-VERSION.tgz.prov``, NAME being the last path segment of the repository. The
registry client (:mod:`helmpy.registry.client`) does the HTTP: TLS flags, ``--plain-http``, credentials
(``--username``/``--password``, else ``registry login``'s), every manifest and blob checked against its digest
and size, and capped in bytes. Helm takes the reference's tag only; helmpy also resolves ``--version`` (a
version or a constraint over the repository's SemVer tags) when the reference has no tag, as ``pull`` does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from helmpy import limits
from helmpy.errors import PluginError
from helmpy.registry import reference
from helmpy.registry.chartformat import parse_json
from helmpy.registry.client import RegistryClient, RegistryOptions

logger = logging.getLogger(__name__)

#: Helm 4's ``registry.PluginArtifactType``.
PLUGIN_ARTIFACT_TYPE = "application/vnd.helm.plugin.v1+json"
#: The layer media types Helm 4's plugin pull fetches (``PullPlugin``'s allowed media types).
LAYER_MEDIA_TYPES = ("application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip")
_TITLE = "org.opencontainers.image.title"


@dataclass(frozen=True)
class PulledPlugin:
    """The plugin tarball, its provenance (or None) and the name the archive had in the manifest."""

    data: bytes
    prov: bytes | None
    filename: str
    ref: str
    digest: str


@dataclass(frozen=True)
class _Layer:
    title: str
    digest: str
    size: int


def plugin_name(ref: reference.Reference) -> str:
    """Helm's ``GetPluginName``: the repository's last path segment."""
    name = ref.repository.rsplit("/", 1)[-1]
    if not name:
        raise PluginError(f"invalid OCI reference: cannot determine plugin name from repository {ref.repository}")
    return name


def _layers(manifest: Any, name: str, where: str) -> tuple[_Layer, _Layer | None]:
    """The plugin layer and the provenance layer (or None), checked as Helm 4 checks the artifact."""
    if not isinstance(manifest, dict):
        raise PluginError(f"{where}: the manifest is not a JSON object")
    config: dict[str, Any] = manifest["config"] if isinstance(manifest.get("config"), dict) else {}
    artifact_type = manifest.get("artifactType") or ""
    if artifact_type and artifact_type != PLUGIN_ARTIFACT_TYPE:
        raise PluginError(f"{where}: expected artifact type {PLUGIN_ARTIFACT_TYPE}, got {str(artifact_type)[:80]}",
                          hint="is this a chart? `helmpy pull` fetches charts")
    if not artifact_type and config.get("mediaType") != PLUGIN_ARTIFACT_TYPE:
        raise PluginError(f"{where}: expected config media type {PLUGIN_ARTIFACT_TYPE} for legacy compatibility, "
                          f"got {str(config.get('mediaType') or '')[:80]}")
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise PluginError(f"{where}: the manifest has no layers")
    plugin: _Layer | None = None
    prov: _Layer | None = None
    for item in layers:
        if not isinstance(item, dict) or not isinstance(item.get("annotations"), dict):
            continue
        title = str(item["annotations"].get(_TITLE) or "")
        if not title.startswith(f"{name}-") or not title.endswith((".tgz", ".tgz.prov")):
            continue
        if item.get("mediaType") not in LAYER_MEDIA_TYPES:
            raise PluginError(f"{where}: layer {title} has media type {str(item.get('mediaType'))[:80]}, "
                              f"expected {' or '.join(LAYER_MEDIA_TYPES)}")
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise PluginError(f"{where}: layer {title} has no valid size")
        layer = _Layer(title, reference.check_digest(str(item.get("digest") or ""), where), size)
        if title.endswith(".tgz") and plugin is None:
            plugin = layer
        elif title.endswith(".tgz.prov") and prov is None:
            prov = layer
    if plugin is None:
        raise PluginError(f"{where}: required layer matching pattern {name}-VERSION.tgz not found in manifest")
    return plugin, prov


def pull(source: str, version: str, options: RegistryOptions) -> PulledPlugin:
    """Pull the plugin artifact ``source`` (``oci://...``), its manifest and blobs digest-checked."""
    from helmpy.registry.pull import resolve

    ref = reference.parse(source)
    name = plugin_name(ref)
    with RegistryClient(ref.registry, options) as client:
        if version or not (ref.tag or ref.digest):
            ref = resolve(ref, version, client, source)
        data, digest = client.get_manifest(ref.repository, ref.reference)
        where = str(ref)
        plugin, prov = _layers(parse_json(data, f"{where}: manifest"), name, where)
        archive = client.get_blob(ref.repository, plugin.digest, plugin.size, limits.chart_size())
        prov_data = (client.get_blob(ref.repository, prov.digest, prov.size, limits.oci_metadata_size())
                     if prov is not None else None)
    # Helm 4's plugin getter discards its registry client's "Pulled plugin:"/"Digest:" lines: debug only here
    logger.debug("pulled plugin ref=%s manifest=%s layer=%s provenance=%s", ref, digest, plugin.digest,
                 prov.title if prov is not None else "-")
    return PulledPlugin(archive, prov_data, plugin.title, str(ref), digest)
