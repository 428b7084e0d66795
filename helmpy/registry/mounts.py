"""Which repositories of a registry are known to hold a blob: the hints behind cross-repository mounts.

Every push and pull records, per registry host, the repositories its blobs were stored in or read from
(``$HELMPY_CACHE_HOME/registry/blobs.json``). A later push of the same blob to another repository of that
registry first asks for a mount (``POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>``, the
distribution spec's cross-repository mount), so the bytes are not sent again. It is only a hint: the
registry checks the source itself, and a refused mount falls back to an upload. The file is bounded
(:func:`helmpy.limits.known_blobs` digests, the least recently seen forgotten first; a few repositories
each); an unreadable or malformed file counts as empty, and writes are atomic.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from helmpy import limits, paths

logger = logging.getLogger(__name__)

Hints = dict[str, dict[str, list[str]]]  # registry -> digest -> repositories, most recent last


def _load() -> Hints:
    path = paths.known_blobs_file()
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.oci_metadata_size() + 1)
    except OSError:
        return {}
    try:
        doc = json.loads(data) if len(data) <= limits.oci_metadata_size() else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        logger.debug("ignoring the unreadable blob hints in %s", path)
        return {}
    hints: Hints = {}
    for registry, blobs in doc.items():
        if isinstance(registry, str) and isinstance(blobs, dict):
            hints[registry] = {d: [r for r in repos if isinstance(r, str)] for d, repos in blobs.items()
                               if isinstance(d, str) and isinstance(repos, list)}
    return hints


def known(registry: str) -> dict[str, list[str]]:
    """Digest -> the repositories of ``registry`` known to hold it, the most recently seen last."""
    return _load().get(registry, {})


def remember(registry: str, repository: str, digests: Iterable[str]) -> None:
    """Note that ``repository`` of ``registry`` holds ``digests`` (failures to write are only logged)."""
    from helmpy.fsutil import atomic_write

    hints = _load()
    blobs = hints.setdefault(registry, {})
    digests = list(digests)
    if all(blobs.get(d, [""])[-1] == repository for d in digests):
        return  # nothing new: no write
    for digest in digests:
        repos = [r for r in blobs.pop(digest, []) if r != repository] + [repository]
        blobs[digest] = repos[-limits.KNOWN_REPOSITORIES_PER_BLOB:]  # re-inserted: the most recently seen last
    cap = limits.known_blobs()
    total = sum(len(b) for b in hints.values())
    for blobs_of in list(hints.values()):  # forget the least recently seen first, registry by registry
        while total > cap and blobs_of:
            blobs_of.pop(next(iter(blobs_of)))
            total -= 1
    hints = {reg: b for reg, b in hints.items() if b}
    path = paths.known_blobs_file()
    try:
        atomic_write(path, json.dumps(hints, separators=(",", ":")), mode=0o600, durable=False)
    except OSError as err:
        logger.debug("cannot record blob hints in %s: %s", path, err)
