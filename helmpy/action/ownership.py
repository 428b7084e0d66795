"""Which release owns a cluster object: Helm's stamping, the import check and the resource policy (7.8).

Objects are stamped on the way to the API (never in the stored manifest), so Helm and helmpy recognise each
other's objects; an existing object is adopted only when it already carries exactly this release's stamp,
or when the user asked for ``--take-ownership``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from helmpy.errors import OwnershipConflict

logger = logging.getLogger(__name__)

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_HELM = "Helm"
RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name"
RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace"
RESOURCE_POLICY_ANNOTATION = "helm.sh/resource-policy"
KEEP_POLICY = "keep"


def stamp(obj: dict[str, Any], release: str, namespace: str) -> dict[str, Any]:
    """A copy of ``obj`` carrying the managed-by label and the release annotations."""
    return _stamped(copy.deepcopy(obj), release, namespace)


def stamp_view(obj: dict[str, Any], release: str, namespace: str) -> dict[str, Any]:
    """:func:`stamp` for reading only: everything but the metadata, labels and annotations maps is shared
    with ``obj`` (a plan compares 1,000 stamped objects, or hands them to a client that copies them anyway)."""
    out = dict(obj)
    out["metadata"] = dict(obj.get("metadata") or {})
    return _stamped(out, release, namespace)


def _stamped(out: dict[str, Any], release: str, namespace: str) -> dict[str, Any]:
    meta = out.setdefault("metadata", {})
    labels = dict(meta.get("labels") or {})
    labels[MANAGED_BY_LABEL] = MANAGED_BY_HELM
    meta["labels"] = labels
    annotations = dict(meta.get("annotations") or {})
    annotations[RELEASE_NAME_ANNOTATION] = release
    annotations[RELEASE_NAMESPACE_ANNOTATION] = namespace
    meta["annotations"] = annotations
    return out


def _require(values: dict[str, Any], key: str, want: str) -> str | None:
    if key not in values:
        return f'missing key "{key}": must be set to "{want}"'
    if values[key] != want:
        return f'key "{key}" must equal "{want}": current value is "{values[key]}"'
    return None


def ownership_problem(live: dict[str, Any], release: str, namespace: str) -> str | None:
    """Helm's ``checkOwnership``: None when ``live`` belongs to this release, else the reason."""
    meta = live.get("metadata") or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    errs = []
    if problem := _require(labels, MANAGED_BY_LABEL, MANAGED_BY_HELM):
        errs.append(f"label validation error: {problem}")
    if problem := _require(annotations, RELEASE_NAME_ANNOTATION, release):
        errs.append(f"annotation validation error: {problem}")
    if problem := _require(annotations, RELEASE_NAMESPACE_ANNOTATION, namespace):
        errs.append(f"annotation validation error: {problem}")
    return "invalid ownership metadata; " + "; ".join(errs) if errs else None


def resource_string(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f'{obj.get("kind")} "{meta.get("name", "")}" in namespace "{meta.get("namespace") or ""}"'


def check_importable(live: dict[str, Any], release: str, namespace: str, verb: str) -> None:
    """Raise OwnershipConflict (Helm's wording) when ``live`` is not this release's object."""
    problem = ownership_problem(live, release, namespace)
    if problem:
        owner = ((live.get("metadata") or {}).get("annotations") or {}).get(RELEASE_NAME_ANNOTATION)
        hint = (f"it belongs to release \"{owner}\"" if owner else "it is not managed by any release")
        raise OwnershipConflict(
            f"unable to continue with {verb}: {resource_string(live)} exists and cannot be imported into the "
            f"current release: {problem}",
            hint=f"{hint}; pass --take-ownership to adopt it into release \"{release}\"")


def keeps(obj: dict[str, Any] | None) -> bool:
    """``helm.sh/resource-policy: keep`` (trimmed, any case) on an object."""
    if not obj:
        return False
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(RESOURCE_POLICY_ANNOTATION, "")).strip().lower() == KEEP_POLICY
