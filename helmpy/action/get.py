"""``helmpy get``: stored data of a release revision (values, manifest, notes, hooks, metadata)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from helmpy.action.config import Configuration
from helmpy.action.status import get_release
from helmpy.release.model import Release, format_time

logger = logging.getLogger(__name__)


def run(cfg: Configuration, name: str, revision: int = 0) -> Release:
    """The revision (latest when 0)."""
    return get_release(cfg, name, revision)


def values(rel: Release, all_values: bool = False) -> dict[str, Any]:
    """User-supplied values, or with ``all_values`` the config coalesced over the stored chart defaults."""
    if not all_values:
        return copy.deepcopy(rel.config)
    from helmpy.values.coalesce import coalesce_tables

    defaults = copy.deepcopy(rel.chart.values) if rel.chart else {}
    return coalesce_tables(copy.deepcopy(rel.config), defaults)


@dataclass
class Metadata:
    """``get metadata`` (Helm's ``action.Metadata``)."""

    name: str
    chart: str
    version: str
    app_version: str
    annotations: dict[str, str]
    labels: dict[str, str]
    dependencies: list[dict[str, Any]]
    namespace: str
    revision: int
    status: str
    deployed_at: str
    apply_method: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "chart": self.chart, "version": self.version,
                               "appVersion": self.app_version}
        if self.annotations:
            out["annotations"] = self.annotations
        if self.labels:
            out["labels"] = self.labels
        if self.dependencies:
            out["dependencies"] = self.dependencies
        out.update({"namespace": self.namespace, "revision": self.revision, "status": self.status,
                    "deployedAt": self.deployed_at, "applyMethod": self.apply_method})
        return out


def metadata(rel: Release, revision: int = 0) -> Metadata:
    """Helm 4's ``get metadata``: for the latest revision (``revision`` 0) the labels are the storage object's,
    system labels (name, owner, status, version, modifiedAt) included; for ``--revision N`` only the custom
    ones (Helm reads the latest through its query, which keeps them, and a revision through Get, which filters)."""
    meta = rel.chart.metadata if rel.chart else {}
    ts = rel.info.last_deployed
    deployed = format_time(ts.replace(microsecond=0)) if ts else ""
    return Metadata(name=rel.name, chart=str(meta.get("name", "")), version=str(meta.get("version", "")),
                    app_version=str(meta.get("appVersion", "")), annotations=dict(meta.get("annotations") or {}),
                    labels=dict(rel.storage_labels or rel.labels) if not revision else dict(rel.labels),
                    dependencies=list(meta.get("dependencies") or []),
                    namespace=rel.namespace, revision=rel.version, status=rel.info.status.value,
                    deployed_at=deployed or "", apply_method=rel.apply_method)
