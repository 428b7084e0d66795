"""The ``/scale`` subresource (``autoscaling/v1`` Scale) of Deployments, StatefulSets and ReplicaSets.

``kubectl scale`` and HorizontalPodAutoscalers talk to it: a Scale is a view of the parent's
``spec.replicas`` (writable) and ``status.replicas`` plus its label selector as a string (read-only).
"""

from __future__ import annotations

from typing import Any

from helmpy.kube.resources import ResourceType
from helmpy.kube.selector import selector_text

SCALE_KINDS = {("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "ReplicaSet"), ("", "ReplicationController")}
SCALE_GVK = {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def has_scale(rt: ResourceType) -> bool:
    """Whether ``rt`` serves ``/scale``."""
    return (rt.group, rt.kind) in SCALE_KINDS


def to_scale(obj: dict[str, Any]) -> dict[str, Any]:
    """The Scale view of a scalable object."""
    meta = obj.get("metadata") or {}
    spec, state = obj.get("spec") or {}, obj.get("status") or {}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": int(spec.get("replicas", 1))},
            "status": {"replicas": int(state.get("replicas", 0)), "selector": selector_text(spec.get("selector"))}}


def replicas_of(scale: Any) -> int:
    """``spec.replicas`` of a Scale body; ValueError when it is missing or not a non-negative integer."""
    replicas = ((scale or {}).get("spec") or {}).get("replicas") if isinstance(scale, dict) else None
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise ValueError(f"spec.replicas: Invalid value: {replicas!r}: must be a non-negative integer")
    return replicas
