"""The API server's most common validation errors for workloads and Services, as 422 ``Invalid`` causes.

Not the full OpenAPI schema: the mistakes a chart author makes and a real cluster rejects - a Deployment
without ``selector``, a selector its Pod template labels do not match, a container without ``name`` or
``image``, a Service port out of range - so ``cluster serve`` refuses them as a cluster would, with the same
field paths and wording.
"""

from __future__ import annotations

from typing import Any

from helmpy.server.kubeapi.selectors import parse_labels

Cause = dict[str, str]
WORKLOADS = {("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "ReplicaSet")}
POD_TEMPLATES = {("batch", "Job"): "spec.template", ("batch", "CronJob"): "spec.jobTemplate.spec.template",
                 ("", "Pod"): ""}


def _required(field: str) -> Cause:
    return {"reason": "FieldValueRequired", "message": "Required value", "field": field}


def _invalid(field: str, value: Any, why: str) -> Cause:
    return {"reason": "FieldValueInvalid", "message": f"Invalid value: {value!r}: {why}", "field": field}


def _pod_spec(spec: Any, path: str) -> list[Cause]:
    if not isinstance(spec, dict):
        return [_required(path)]
    containers = spec.get("containers")
    if not containers or not isinstance(containers, list):
        return [_required(f"{path}.containers")]
    causes: list[Cause] = []
    for i, container in enumerate(containers):
        where = f"{path}.containers[{i}]"
        if not isinstance(container, dict):
            causes.append(_invalid(where, container, "must be an object"))
            continue
        if not container.get("name"):
            causes.append(_required(f"{where}.name"))
        if not container.get("image"):
            causes.append(_required(f"{where}.image"))
    return causes


def _labels_match(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    from helmpy.kube.selector import selector_text
    from helmpy.server.kubeapi.selectors import matches

    requirements = parse_labels(selector_text(selector))
    return matches({"metadata": {"labels": labels}}, requirements, [])


def _workload(obj: dict[str, Any]) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_required("spec")]
    causes: list[Cause] = []
    selector = spec.get("selector")
    template: dict[str, Any] = spec["template"] if isinstance(spec.get("template"), dict) else {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(_required("spec.selector"))
    elif not _labels_match(selector, labels):
        causes.append(_invalid("spec.template.metadata.labels", labels, "`selector` does not match template "
                                                                         "`labels`"))
    replicas = spec.get("replicas")
    if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0):
        causes.append(_invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    return causes + _pod_spec(template.get("spec"), "spec.template.spec")


def _service(obj: dict[str, Any]) -> list[Cause]:
    spec: dict[str, Any] = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
    if spec.get("type") == "ExternalName":
        return [] if spec.get("externalName") else [_required("spec.externalName")]
    ports: list[Any] = spec["ports"] if isinstance(spec.get("ports"), list) else []
    if not ports and spec.get("clusterIP") != "None":
        return [_required("spec.ports")]
    causes: list[Cause] = []
    for i, port in enumerate(ports):
        value = port.get("port") if isinstance(port, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            causes.append(_invalid(f"spec.ports[{i}].port", value, "must be between 1 and 65535, inclusive"))
        if len(ports) > 1 and isinstance(port, dict) and not port.get("name"):
            causes.append(_required(f"spec.ports[{i}].name"))
    return causes


def validate(group: str, kind: str, obj: dict[str, Any]) -> list[Cause]:
    """Causes for a 422, empty when ``obj`` passes."""
    if (group, kind) in WORKLOADS:
        return _workload(obj)
    if (group, kind) == ("", "Service"):
        return _service(obj)
    path = POD_TEMPLATES.get((group, kind))
    if path is None:
        return []
    node: Any = obj
    for key in (path.split(".") if path else []):
        node = node.get(key) if isinstance(node, dict) else None
    return _pod_spec((node or {}).get("spec") if path else obj.get("spec"), f"{path}.spec" if path else "spec")
