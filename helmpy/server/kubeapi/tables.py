"""``as=Table`` answers for ``kubectl get`` and ``helm status``: name and age, plus a few per-kind columns.

Optional for clients (they fall back to NAME/AGE from the objects), but it makes ``kubectl get`` look
familiar. Rows carry ``PartialObjectMetadata``, or the full object with ``includeObject=Object``.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

Column = tuple[str, str, Callable[[dict[str, Any]], Any]]


def _age(obj: dict[str, Any]) -> str:
    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        created = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    seconds = int((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * 2 or (unit == "m" and seconds >= 120):
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def _status(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("status") or {}


def _ready(obj: dict[str, Any]) -> str:
    return f"{_status(obj).get('readyReplicas', 0)}/{(obj.get('spec') or {}).get('replicas', 1)}"


EXTRA: dict[str, list[Column]] = {
    "Deployment": [("Ready", "string", _ready), ("Up-to-date", "integer",
                                                 lambda o: _status(o).get("updatedReplicas", 0)),
                   ("Available", "integer", lambda o: _status(o).get("availableReplicas", 0))],
    "StatefulSet": [("Ready", "string", _ready)],
    "Secret": [("Type", "string", lambda o: o.get("type", "")),
               ("Data", "string", lambda o: len(o.get("data") or {}))],
    "ConfigMap": [("Data", "string", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "Namespace": [("Status", "string", lambda o: _status(o).get("phase", ""))],
    "Job": [("Status", "string", lambda o: "Complete" if _status(o).get("succeeded") else "Running"),
            ("Completions", "string", lambda o: f"{_status(o).get('succeeded', 0)}/"
                                                f"{(o.get('spec') or {}).get('completions', 1)}")],
    "Service": [("Type", "string", lambda o: (o.get("spec") or {}).get("type", "ClusterIP")),
                ("Cluster-IP", "string", lambda o: (o.get("spec") or {}).get("clusterIP", "<none>"))],
}


def _partial(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(items: list[dict[str, Any]], resource_version: str, include_object: str | None) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``items``."""
    kind = items[0].get("kind", "") if items else ""
    columns: list[Column] = [("Name", "string", lambda o: (o.get("metadata") or {}).get("name", "")),
                             *EXTRA.get(kind, []), ("Age", "string", _age)]
    definitions = [{"name": name, "type": typ, "format": "name" if name == "Name" else "", "description": name,
                    "priority": 0} for name, typ, _ in columns]
    rows = [{"cells": [fn(obj) for _, _, fn in columns],
             "object": obj if include_object == "Object" else _partial(obj)} for obj in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": definitions, "rows": rows}
