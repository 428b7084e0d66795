"""``as=Table`` answers for ``kubectl get`` and ``helm status``: the columns the real API server prints.

The columns themselves (built-in kinds' NAME/READY/STATUS/..., priority 1 ones only with ``-o wide``, and
CRDs' ``additionalPrinterColumns``) are ``helmpy.kube.printers``, shared with ``helmpy status``; this
module only wraps them in a ``meta.k8s.io/v1`` Table whose rows carry ``PartialObjectMetadata``, or the
full object with ``includeObject=Object``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helmpy.kube.printers import Column, columns_for, jsonpath, printer_columns, row

__all__ = ["jsonpath", "printer_columns", "table"]


def _partial(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(items: list[dict[str, Any]], resource_version: str, include_object: str | None, kind: str = "",
          custom: list[Column] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``items`` (all of ``kind``; ``custom`` columns for custom resources)."""
    kind = kind or (items[0].get("kind", "") if items else "")
    now = now or datetime.now(UTC)
    columns = columns_for(kind, custom)
    definitions = [{"name": c.name, "type": c.type, "format": "name" if c.name == "Name" else "",
                    "description": c.description or c.name, "priority": c.priority} for c in columns]
    rows = [{"cells": row(obj, columns, now), "object": obj if include_object == "Object" else _partial(obj)}
            for obj in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": definitions, "rows": rows}
