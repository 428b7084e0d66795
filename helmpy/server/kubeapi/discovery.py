"""Discovery documents: ``/version``, legacy ``/api`` + ``/apis`` + per group-version lists, and the
aggregated v2 form (kube-api.md §3).

Aggregated discovery is chosen by the response Content-Type alone, so :data:`AGGREGATED_CONTENT_TYPE` must be
sent with it. Built from the resource types the store serves right now, so a CRD shows up at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from helmpy.kube.resources import ResourceType
from helmpy.server.kubeapi.scale import SCALE_GVK, has_scale

SERVER_VERSION = "v1.35.0"
AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_MARKER = "as=APIGroupDiscoveryList"
# subresources served for these kinds (status is GET/PATCH/PUT like the object itself)
STATUS_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Namespace", "Service",
                "Pod", "PersistentVolumeClaim", "CustomResourceDefinition", "HorizontalPodAutoscaler", "Ingress"}


def version_info() -> dict[str, str]:
    """The ``/version`` document (``kubectl version`` needs ``gitVersion``)."""
    major, minor = SERVER_VERSION[1:].split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": SERVER_VERSION,
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc",
            "platform": "linux/amd64"}


def groups(types: Iterable[ResourceType]) -> dict[str, list[str]]:
    """group -> versions in preference order (first seen first); the core group is ``""``."""
    out: dict[str, list[str]] = {}
    for rt in types:
        versions = out.setdefault(rt.group, [])
        if rt.version not in versions:
            versions.append(rt.version)
    return out


def api_versions_doc(server_address: str) -> dict[str, Any]:
    """Legacy ``GET /api``."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group_doc(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(types: Iterable[ResourceType]) -> dict[str, Any]:
    """Legacy ``GET /apis``."""
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group_doc(g, vs) for g, vs in groups(types).items() if g]}


def api_group(types: Iterable[ResourceType], group: str) -> dict[str, Any] | None:
    """``GET /apis/{group}``, or None when the group is not served."""
    versions = groups(types).get(group)
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_doc(group, versions)}


def resource_list(types: Iterable[ResourceType], group: str, version: str) -> dict[str, Any] | None:
    """``GET /api/v1`` or ``/apis/{g}/{v}``: an APIResourceList, or None when not served."""
    selected = [rt for rt in types if rt.group == group and rt.version == version]
    if not selected:
        return None
    resources: list[dict[str, Any]] = []
    for rt in selected:
        entry: dict[str, Any] = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                                 "kind": rt.kind, "verbs": list(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        if _has_status(rt):
            resources.append({"name": f"{rt.plural}/status", "singularName": "", "namespaced": rt.namespaced,
                              "kind": rt.kind, "verbs": ["get", "patch", "update"]})
        if has_scale(rt):
            resources.append({"name": f"{rt.plural}/scale", "singularName": "", "namespaced": rt.namespaced,
                              "group": SCALE_GVK["group"], "version": SCALE_GVK["version"],
                              "kind": SCALE_GVK["kind"], "verbs": ["get", "patch", "update"]})
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


_BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
                   "apiextensions.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "admissionregistration.k8s.io",
                   "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "certificates.k8s.io",
                   "node.k8s.io", "apiregistration.k8s.io", "flowcontrol.apiserver.k8s.io"}


def _has_status(rt: ResourceType) -> bool:
    return rt.kind in STATUS_KINDS or rt.group not in _BUILTIN_GROUPS


def _subresources(rt: ResourceType) -> list[dict[str, Any]]:
    """Aggregated discovery's ``subresources`` (client-go finds ``/scale`` for ``kubectl scale`` here)."""
    verbs = ["get", "patch", "update"]
    out = []
    if _has_status(rt):
        out.append({"subresource": "status", "verbs": verbs,
                    "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind}})
    if has_scale(rt):
        out.append({"subresource": "scale", "verbs": verbs, "responseKind": dict(SCALE_GVK)})
    return out


def _aggregated_item(group: str, versions: list[str], types: list[ResourceType]) -> dict[str, Any]:
    out_versions = []
    for v in versions:
        resources = []
        for rt in types:
            if rt.group != group or rt.version != v:
                continue
            entry: dict[str, Any] = {"resource": rt.plural,
                                     "responseKind": {"group": group, "version": v, "kind": rt.kind},
                                     "scope": "Namespaced" if rt.namespaced else "Cluster",
                                     "singularResource": rt.singular, "verbs": list(rt.verbs)}
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            subresources = _subresources(rt)
            if subresources:
                entry["subresources"] = subresources
            resources.append(entry)
        out_versions.append({"version": v, "freshness": "Current", "resources": resources})
    return {"metadata": {"name": group}, "versions": out_versions}


def aggregated(types: Iterable[ResourceType], core: bool) -> dict[str, Any]:
    """Aggregated ``/api`` (core only) or ``/apis`` (named groups)."""
    all_types = list(types)
    items = [_aggregated_item(g, vs, all_types) for g, vs in groups(all_types).items() if (g == "") == core]
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}
