"""The labels Helm puts on release records (``pkg/storage/driver/labels.go`` and ``util.go``).

Every driver stamps the same system labels, keeps user labels apart from them, and answers
``query`` by equality on them; this module is the one place that knows those rules.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from helmpy.errors import StorageError
from helmpy.release.model import Release
from helmpy.storage.driver import SYSTEM_LABELS

OWNER = "helm"
RELEASE_TYPE = "helm.sh/release.v1"
NOT_FOUND = "release: not found"
ALREADY_EXISTS = "release: already exists"


def check_custom_labels(labels: Mapping[str, str]) -> None:
    """Refuse user labels that shadow a system label, with Helm's message."""
    if any(key in SYSTEM_LABELS for key in labels):
        raise StorageError("user supplied labels contains system reserved label name. "
                           f"System labels: [{' '.join(SYSTEM_LABELS)}]")


def filter_system_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    """The custom (user) labels of a storage object."""
    return {k: v for k, v in (labels or {}).items() if k not in SYSTEM_LABELS}


def system_labels(release: Release) -> dict[str, str]:
    """``name``, ``owner``, ``status`` and ``version`` as Helm derives them from a record."""
    return {"name": release.name, "owner": OWNER, "status": release.status.value, "version": str(release.version)}


def record_labels(release: Release, stamp: str, at: float | None = None) -> dict[str, str]:
    """The full label set of a storage object: custom labels, the stamp (createdAt/modifiedAt), system labels."""
    check_custom_labels(release.labels)
    labels = dict(release.labels)
    labels[stamp] = str(int(time.time() if at is None else at))
    labels.update(system_labels(release))
    return labels


def matches(labels: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """Equality match of every queried label (how Helm's drivers answer ``Query``)."""
    return all(labels.get(k) == v for k, v in query.items())


def equality_selector(query: Mapping[str, str]) -> str:
    """``k=v,...`` in sorted key order (what Helm sends as labelSelector)."""
    return ",".join(f"{k}={query[k]}" for k in sorted(query))
