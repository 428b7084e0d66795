"""``helmpy diff drift`` / ``status --drift``: each object of a release's revision against its live state.

The release's object is what the upgrade sent: the stored manifest with Helm's ownership stamp, and the API
server's defaults filled in for what it leaves out (``helmpy.kube.defaults``, the embedded cluster's rules),
so a defaulted field is not drift; then only the fields it sets are compared (``helmpy.diff.drift``).
"""

from __future__ import annotations

import copy
import logging

from helmpy.action.config import Configuration
from helmpy.action.diff import manifest_entries
from helmpy.action.ownership import stamp
from helmpy.action.status import get_release
from helmpy.diff.compute import clean
from helmpy.diff.drift import DriftReport, object_drift
from helmpy.diff.model import ObjectId
from helmpy.errors import ReleaseNotFound
from helmpy.kube.defaults import apply_defaults

logger = logging.getLogger(__name__)


def run(cfg: Configuration, name: str, revision: int = 0, *, show_secrets: bool = False) -> DriftReport:
    """The deployed revision (or ``revision``) of ``name`` against the cluster."""
    if revision:
        rel = get_release(cfg, name, revision)
    else:
        get_release(cfg, name)  # "release: not found" for a name with no records at all
        try:
            rel = cfg.storage.deployed(name)
        except ReleaseNotFound:
            rel = get_release(cfg, name)
    report = DriftReport(rel.name, rel.namespace, rel.version)
    for entry in manifest_entries(rel.manifest, cfg.kube, rel.namespace, source=f"release {name}"):
        obj, meta = entry.obj, entry.obj.get("metadata") or {}
        oid = ObjectId.of(obj)
        live = cfg.kube.get(str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("name") or ""),
                            meta.get("namespace")) if meta.get("name") else None
        api = str(obj.get("apiVersion") or "")
        want = apply_defaults(api.rsplit("/", 1)[0] if "/" in api else "", str(obj.get("kind") or ""),
                              copy.deepcopy(stamp(obj, rel.name, rel.namespace)))
        report.objects.append(object_drift(oid, clean(want), live, show_secrets=show_secrets, source=entry.source))
    logger.debug("drift release=%s revision=%d %s", name, rel.version, report.counts())
    return report
