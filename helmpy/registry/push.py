"""``push CHART.tgz oci://host/path``: upload a chart as Helm does, to ``host/path/<name>:<version>``.

Blobs go first (a large one skipped when a ``HEAD`` finds it already there, see :data:`PROBE_ABOVE`), the
manifest last: the tag only appears once every blob it names is stored, so a push that dies halfway leaves
no chart a pull can see, and the next push completes it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from helmpy.errors import ChartNotFoundError, RegistryError
from helmpy.registry import chartformat, mounts, reference
from helmpy.registry.client import RegistryClient, RegistryOptions
from helmpy.registry.reference import Reference

if TYPE_CHECKING:
    from helmpy.repo.getter import HttpResponse

logger = logging.getLogger(__name__)

#: A blob is looked for first (``HEAD``, and not sent when the repository has it) when the hints
#: (:mod:`helmpy.registry.mounts`) say the repository holds it, or when it is larger than this (bytes) and no
#: other repository is known to hold it. Otherwise a mount is asked for when another repository holds it (its
#: answer says whether the blob is there, or opens the upload), else the blob goes straight to an upload
#: (``POST`` + ``PUT``; a registry stores a blob it already has as it is): a chart's config and most chart
#: archives are smaller, so a new push makes one request fewer per blob, and at most this many bytes are
#: sent again when the hints did not know the repository had them.
PROBE_ABOVE = 256 * 1024


class PushResult(NamedTuple):
    ref: Reference
    digest: str  # the manifest's
    manifest: bytes


def _read_archive(archive: Path) -> bytes:
    from helmpy.chart.archive import limits

    if archive.is_dir():
        raise RegistryError("cannot push directory, must provide chart archive (.tgz)")
    if not archive.is_file():
        raise ChartNotFoundError(f"{archive}: no such file")
    cap = limits()[1]
    size = archive.stat().st_size
    if size > cap:
        raise RegistryError(f"{archive}: {size} bytes is more than the limit of {cap} bytes (HELMPY_MAX_CHART_SIZE)")
    return archive.read_bytes()


class Artifact(NamedTuple):
    """What a push sends: the manifest and its blobs (config first), for chart ``name`` ``version``."""

    manifest: bytes
    blobs: list[tuple[chartformat.Descriptor, bytes]]
    name: str
    version: str


def build(archive: Path) -> Artifact:
    """The manifest and blobs Helm would push for ``archive``."""
    from helmpy.chart.loader import load_archive

    data = _read_archive(archive)
    meta = load_archive(data, str(archive)).metadata
    config = chartformat.config_blob(meta)
    blobs = [(chartformat.describe(chartformat.CONFIG_MEDIA_TYPE, config), config),
             (chartformat.describe(chartformat.CHART_LAYER_MEDIA_TYPE, data), data)]
    prov_path = archive.with_name(archive.name + ".prov")
    if prov_path.is_file():
        prov = prov_path.read_bytes()
        blobs.append((chartformat.describe(chartformat.PROV_LAYER_MEDIA_TYPE, prov), prov))
    notes = chartformat.oci_annotations(meta, chartformat.rfc3339(os.stat(archive).st_mtime))
    manifest = chartformat.manifest(blobs[0][0], [d for d, _ in blobs[1:]], notes)
    return Artifact(manifest, blobs, meta.name, meta.version)


def _try_mount(client: RegistryClient, repository: str, digest: str,
               known: dict[str, list[str]]) -> tuple[bool, HttpResponse | None]:
    """Mount ``digest`` from the repository of the same registry that last held it: (mounted, the answer
    :meth:`RegistryClient.upload_blob` may reuse when it was not: a refused mount's upload session)."""
    sources = [r for r in known.get(digest, []) if r != repository]
    if not sources:
        return False, None
    try:
        answer = client.mount_blob(repository, digest, sources[-1])
    except RegistryError as err:  # the hint is only a hint: upload as if it had not been there
        logger.debug("mount of %s from %s failed: %s", digest, sources[-1], err)
        return False, None
    return answer is None, answer


def push_chart(archive: Path, destination: str, options: RegistryOptions,
               out: Callable[[str], None] = print) -> PushResult:
    """Push ``archive`` (and a sibling ``.prov``) under ``destination``; prints Helm's two lines."""
    dest = reference.parse(destination)
    if dest.tag or dest.digest:
        raise RegistryError(f"{destination}: give the repository only (oci://host/path); the chart's name and version "
                            "make the rest of the reference")
    art = build(Path(archive))
    name, version = art.name, art.version
    ref = reference.parse(f"{dest.registry}/{dest.repository}/{name}:{version}")
    known = mounts.known(ref.registry)
    with RegistryClient(ref.registry, options) as client:
        for desc, data in art.blobs:
            holders = known.get(desc.digest, [])
            mountable = any(r != ref.repository for r in holders)  # a mount's answer says whether it is there
            probe = ref.repository in holders or (desc.size > PROBE_ABOVE and not mountable)
            if probe and client.has_blob(ref.repository, desc.digest):
                logger.debug("blob exists digest=%s", desc.digest)
                continue
            mounted, session = _try_mount(client, ref.repository, desc.digest, known)
            if mounted:
                continue
            label = f"Pushing {name}" if desc.media_type == chartformat.CHART_LAYER_MEDIA_TYPE else None
            client.upload_blob(ref.repository, data, desc.digest, label, session=session)
        digest = client.put_manifest(ref.repository, ref.tag, art.manifest)
    mounts.remember(ref.registry, ref.repository, [desc.digest for desc, _ in art.blobs])
    out(f"Pushed: {ref}")
    out(f"Digest: {digest}")
    for line in reference.underscore_notice(ref):
        out(line)
    return PushResult(ref, digest, art.manifest)
