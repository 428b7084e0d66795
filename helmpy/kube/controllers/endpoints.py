"""Service -> Endpoints and EndpointSlice of the Pods its selector picks (the endpoint controllers).

Pods and Services mark their namespace; :func:`refresh` runs once per marked namespace when the write's
transaction ends, so an install of hundreds of Pods and Services computes each namespace's endpoints once,
reading only the fields it needs (SQLite's ``json_extract``) and writing only Endpoints that changed.
Pods with an IP are listed (a Pending Pod has none until the simulated kubelet starts it): Ready ones as
``addresses`` (EndpointSlice ``ready: true``), others as ``notReadyAddresses`` (``ready: false``); a named
``targetPort`` is looked up in the Pod's container ports. A Service without a selector gets none (its Endpoints
are the user's), as on a real cluster.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from helmpy.kube.client import KubeObject
from helmpy.kube.controllers import Store, owner_reference, suffix
from helmpy.kube.resources import ResourceType

MANAGED_BY = "endpointslice-controller.k8s.io"
_PORT_FIELDS = ("name", "port", "protocol")


class Rows(Store, Protocol):
    """A Store that can also read a few fields of every object of a kind in a namespace."""

    def extract(self, rt: ResourceType, namespace: str, paths: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """(name, value of each JSON path as JSON text or None) per object, by name."""


def service(store: Store, obj: KubeObject, old: KubeObject | None) -> None:
    store.touch_endpoints(obj["metadata"]["namespace"])
    if (obj.get("spec") or {}).get("type") == "LoadBalancer":
        obj["status"] = {"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}}


def forget(store: Store, rt: ResourceType, obj: KubeObject) -> None:
    """A Pod or Service is gone; a Service's Endpoints go with it (its slices are owned, so GC takes them)."""
    namespace = obj["metadata"].get("namespace", "")
    store.touch_endpoints(namespace)
    if rt.kind == "Service":
        ep_type = store.kind("v1", "Endpoints")
        live = store.load(ep_type, namespace, obj["metadata"]["name"])
        if live is not None and _managed(live):
            store.drop(ep_type, live)


def _managed(endpoints: KubeObject) -> bool:
    return ((endpoints.get("metadata") or {}).get("labels") or {}).get("endpoints.kubernetes.io/managed-by") == \
        "endpoint-controller"


def _load(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


def _target(port: dict[str, Any], containers: list[Any]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for container in containers:
        for cport in (container.get("ports") or []) if isinstance(container, dict) else []:
            if isinstance(cport, dict) and cport.get("name") == target:
                return int(cport.get("containerPort") or 0)
    return None


def _ready(conditions: Any) -> bool:
    """The Pod's ``Ready`` condition is True (its address is ready; otherwise it is listed as not ready)."""
    return any(isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
               for c in _load(conditions) or [])


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def refresh(store: Rows, namespace: str) -> None:
    """Bring every selector Service's Endpoints and EndpointSlice in ``namespace`` up to date."""
    svc_t, pod_t = store.kind("v1", "Service"), store.kind("v1", "Pod")
    ep_t, slice_t = store.kind("v1", "Endpoints"), store.kind("discovery.k8s.io/v1", "EndpointSlice")
    services = store.extract(svc_t, namespace, ("$.metadata.uid", "$.spec.selector", "$.spec.ports", "$.spec.type",
                                                "$.metadata.labels"))
    wanted = [s for s in services if s[2] and s[4] != "ExternalName"]
    if not wanted:
        return
    pods = [(name, _load(labels), ip, phase, uid, node, containers, _ready(conditions))
            for name, labels, ip, phase, uid, node, containers, conditions
            in store.extract(pod_t, namespace, ("$.metadata.labels", "$.status.podIP", "$.status.phase",
                                                 "$.metadata.uid", "$.spec.nodeName", "$.spec.containers",
                                                 "$.status.conditions"))]
    by_label: dict[tuple[str, Any], list[tuple[Any, ...]]] = {}  # (key, value) -> addressable Pods with that label
    for p in pods:  # a Pod has an address once it has an IP and until it ends (Pending ones have none yet)
        if p[2] and p[3] not in ("Succeeded", "Failed") and isinstance(p[1], dict):
            for item in p[1].items():
                by_label.setdefault(item, []).append(p)
    current = {name: subsets for name, subsets in store.extract(ep_t, namespace, ("$.subsets",))}
    slices = {name: (eps, ports) for name, eps, ports in store.extract(slice_t, namespace,
                                                                        ("$.endpoints", "$.ports"))}
    for name, uid, selector_text, ports_text, _kind, labels_text in wanted:
        selector = _load(selector_text) or {}
        ports = [p for p in _load(ports_text) or [] if isinstance(p, dict)]
        first = next(iter(selector.items()), None)
        chosen = [p for p in by_label.get(first, []) if all(p[1].get(k) == v for k, v in selector.items())] \
            if first is not None else []
        addresses = [({"ip": ip, "nodeName": node, "targetRef": {"kind": "Pod", "name": pod_name,
                                                                  "namespace": namespace, "uid": pod_uid}}, ready)
                     for pod_name, _labels, ip, _phase, pod_uid, node, _c, ready in chosen]
        containers = _load(chosen[0][6]) or [] if chosen else []
        subset_ports = [{k: v for k, v in (("name", p.get("name")), ("port", _target(p, containers)),
                                           ("protocol", p.get("protocol") or "TCP")) if v}
                        for p in ports]
        subset: dict[str, Any] = {key: [a for a, ready in addresses if ready is want]
                                  for key, want in (("addresses", True), ("notReadyAddresses", False))}
        subset = {k: v for k, v in subset.items() if v}
        subsets = [{**subset, "ports": subset_ports}] if subset else None
        service_labels = _load(labels_text) or {}
        if name not in current or current[name] != (None if subsets is None else _compact(subsets)):
            ep: KubeObject = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {
                "name": name, "namespace": namespace,
                "labels": {**service_labels, "endpoints.kubernetes.io/managed-by": "endpoint-controller"}}}
            if subsets is not None:
                ep["subsets"] = subsets
            live = store.load(ep_t, namespace, name)
            if live is None or _managed(live):
                store.save(ep_t, ep)
        slice_name = f"{name}-{suffix(name)}"
        endpoints = [{"addresses": [a["ip"]], "conditions": {"ready": ready, "serving": ready, "terminating": False},
                      "nodeName": a["nodeName"], "targetRef": a["targetRef"]} for a, ready in addresses]
        if slices.get(slice_name) != (_compact(endpoints), _compact(subset_ports)):
            owner = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "uid": uid}}
            store.save(slice_t, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {
                "name": slice_name, "namespace": namespace,
                "labels": {**service_labels, "endpointslice.kubernetes.io/managed-by": MANAGED_BY,
                           "kubernetes.io/service-name": name},
                "ownerReferences": [owner_reference(owner)]},
                "addressType": "IPv4", "endpoints": endpoints, "ports": subset_ports})
