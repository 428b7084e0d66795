"""Minimal OpenAPI v3 documents: one per group-version, advertising ``fieldValidation`` on every PATCH.

kubectl apply and Helm install/upgrade only ask whether the server validates fields itself; without this
they fall back to ``/openapi/v2`` (protobuf only) and fail (kube-api.md §4). Schemas are not needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from helmpy.kube.resources import ResourceType
from helmpy.server.kubeapi.discovery import SERVER_VERSION

_PARAMS = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
           {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
           {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]


def _gv_path(rt: ResourceType) -> str:
    return f"apis/{rt.group}/{rt.version}" if rt.group else f"api/{rt.version}"


def gv_document(types: Iterable[ResourceType], gv_path: str) -> dict[str, Any] | None:
    """The document for ``api/v1`` or ``apis/{g}/{v}``, or None when that group-version is not served."""
    selected = [rt for rt in types if _gv_path(rt) == gv_path]
    if not selected:
        return None
    paths: dict[str, Any] = {}
    for rt in selected:
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        item = f"/{gv_path}{scope}/{rt.plural}/{{name}}"
        op = {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": _PARAMS,
              "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}}}
        paths[item] = {"patch": op, "put": {**op, "x-kubernetes-action": "put"}}
        paths[f"/{gv_path}{scope}/{rt.plural}"] = {"post": {**op, "x-kubernetes-action": "post"}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": SERVER_VERSION}, "paths": paths,
            "components": {"schemas": {}}}


def _hash(doc: dict[str, Any]) -> str:
    return hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:64].upper()


def root_document(types: Iterable[ResourceType]) -> dict[str, Any]:
    """``GET /openapi/v3``: one entry per served group-version, hashed by content so clients re-fetch on change."""
    all_types = list(types)
    paths: dict[str, Any] = {}
    for gv in dict.fromkeys(_gv_path(rt) for rt in all_types):
        doc = gv_document(all_types, gv)
        assert doc is not None
        paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={_hash(doc)}"}
    return {"paths": paths}
