"""Resolving ``oci://`` chart references to one manifest, and pulling it into the content cache.

Version selection is Helm's ``ValidateReference``: a tag in the reference and a different
``--version`` is an error; a digest pins the manifest (checked against the tag when both are given);
an exact SemVer ``--version`` is the tag itself; anything else (a range, or nothing) is matched
against the registry's strict-SemVer tags, highest first (pre-releases only with ``--devel``).
Every manifest and blob is checked against its digest and size before use, and the archive lands in
the content cache with an atomic write, so a failed pull leaves nothing behind.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from helmpy import limits
from helmpy.errors import RegistryError
from helmpy.fsutil import atomic_write, safe_base_name, shown
from helmpy.registry import blobs, chartformat, mounts, reference
from helmpy.registry.blobs import Inspect
from helmpy.registry.client import RegistryClient, RegistryOptions
from helmpy.registry.reference import Reference

logger = logging.getLogger(__name__)


def semver_tags(tags: list[str]) -> list[str]:
    """Helm's ``Tags``: the strict-SemVer tags as versions (``_`` -> ``+``), highest first."""
    from helmpy.chart.model import is_strict_semver
    from helmpy.semverutil import parse_version

    versions = [reference.version_for_tag(t) for t in tags]
    strict = {v for v in versions if is_strict_semver(v)}
    return sorted(strict, key=parse_version, reverse=True)


def match_version(versions: list[str], wanted: str) -> str:
    """Helm's ``GetTagMatchingVersionOrConstraint`` over versions sorted highest first."""
    from helmpy.semverutil import parse_constraint, try_parse

    if wanted and wanted in versions:
        return wanted
    try:
        constraint = parse_constraint(wanted or "*")
    except ValueError as err:
        raise RegistryError(f"improper constraint: {wanted}") from err
    for v in versions:
        parsed = try_parse(v)
        if parsed is not None and constraint.check(parsed):
            return v
    raise RegistryError(f"could not locate a version matching provided version string {wanted}")


def resolve(ref: Reference, version: str, client: RegistryClient, where: str) -> Reference:
    """The reference to pull: tag and/or digest fixed, per Helm's rules."""
    from helmpy.semverutil import try_parse

    if version and ref.tag and reference.tag_for_version(version) != ref.tag:
        raise RegistryError(f"chart reference and version mismatch: {version} is not "
                            f"{reference.version_for_tag(ref.tag)}")
    wanted = version or (reference.version_for_tag(ref.tag) if ref.tag else "")
    if ref.digest:
        if wanted:
            try:
                _, tagged = client.get_manifest(ref.repository, reference.tag_for_version(wanted))
            except RegistryError:
                tagged = ref.digest  # Helm: the digest need not be tagged
            if tagged != ref.digest:
                raise RegistryError(f"chart reference digest mismatch: {tagged} is not {ref.digest}")
        return ref
    if wanted and try_parse(wanted) is not None:
        return ref.with_tag(reference.check_tag(reference.tag_for_version(wanted), where))
    versions = semver_tags(client.tags(ref.repository))
    if not versions:
        raise RegistryError(f"unable to locate any tags in provided repository: {where}")
    chosen = match_version(versions, wanted)
    return ref.with_tag(reference.tag_for_version(chosen))


def is_cached(path: Path, desc: chartformat.Descriptor, inspect: Inspect | None = None) -> bool:
    """Whether the content cache already holds exactly the manifest's blob (its size and sha256; with
    ``inspect``, one it accepts): then it is not downloaded again. Missing, unreadable or altered copies are
    downloaded (and replaced)."""
    if not blobs.verify_file(path, desc.digest, desc.size, inspect):
        logger.debug("no cached copy of %s at %s: downloading it", desc.digest, path)
        return False
    logger.debug("using the cached %s for %s", path, desc.digest)
    return True


class Pulled(NamedTuple):
    """A verified chart from a registry, stored in the content cache."""

    path: Path
    filename: str  # what ``pull`` saves it as: <name>-<version>.tgz
    digest: str  # sha256 hex of the archive (the content-cache key)
    manifest_digest: str
    ref: Reference
    prov: Path | None


def pull_chart(ref_text: str, version: str, devel: bool, options: RegistryOptions,
               out: Callable[[str], None] | None = None, progress: bool = True,
               client: RegistryClient | None = None, check_archive: bool = False) -> Pulled:
    """Resolve and pull ``ref_text``; with ``out``, print Helm's ``Pulled:``/``Digest:`` lines.

    ``client`` (already connected to the reference's registry) is reused and left open, so a run that
    pulls several charts keeps one session and its tokens. ``check_archive``: the chart layer is also
    refused unless the safe archive reader accepts it (gzip, tar, paths, sizes) and it holds a Chart.yaml,
    checked as it arrives (or as the cached copy is verified); a caller that loads the chart anyway
    leaves it off."""
    from contextlib import AbstractContextManager, nullcontext

    from helmpy.chart.archive import check_archive_stream
    from helmpy.chart.archive import limits as archive_limits
    from helmpy.repo.downloader import content_path

    ref = reference.parse(ref_text)
    if devel and not version:
        version = ">0.0.0-0"
    session: AbstractContextManager[RegistryClient] = (
        nullcontext(client) if client is not None and client.registry == ref.registry
        else RegistryClient(ref.registry, options))
    with session as client:
        ref = resolve(ref, version, client, ref_text)
        data, manifest_digest = client.get_manifest(ref.repository, ref.reference)
        where = str(ref)
        art = chartformat.parse_manifest(data, where)
        meta_cap = limits.oci_metadata_size()
        config = client.get_blob(ref.repository, art.config.digest, art.config.size, meta_cap)
        meta = chartformat.parse_json(config, f"{where}: config")
        label = f"Pulling {ref.name}" if progress else None
        digest_hex = art.chart.digest.removeprefix("sha256:")
        target = content_path(digest_hex)
        inspect = functools.partial(check_archive_stream, source=where) if check_archive else None
        if not is_cached(target, art.chart, inspect):
            client.save_blob(ref.repository, art.chart.digest, art.chart.size, archive_limits()[1], target, label,
                             inspect)
        prov_path = None
        if art.prov is not None:
            prov_path = content_path(digest_hex, ".prov")
            if not is_cached(prov_path, art.prov):
                atomic_write(prov_path, client.get_blob(ref.repository, art.prov.digest, art.prov.size, meta_cap),
                             durable=False)
    mounts.remember(ref.registry, ref.repository,
                    [d.digest for d in (art.config, art.chart, art.prov) if d is not None])
    if art.legacy:
        logger.warning("chart media type %s is deprecated", chartformat.LEGACY_CHART_LAYER_MEDIA_TYPE)
    version_text = reference.version_for_tag(ref.tag) if ref.tag else str(meta.get("version") or "")
    filename = safe_base_name(f"{ref.name}-{version_text}.tgz", f"chart {shown(str(ref))}", RegistryError)
    if out is not None:
        out(f"Pulled: {ref}")
        out(f"Digest: {manifest_digest}")
        for line in reference.underscore_notice(ref):
            out(line)
    logger.debug("pulled ref=%s manifest=%s chart=%s", ref, manifest_digest, art.chart.digest)
    return Pulled(target, filename, digest_hex, manifest_digest, ref, prov_path)
