"""What the API server checks before it stores an object, for the embedded cluster's every write.

One code path: :class:`helmpy.kube.embedded.EmbeddedCluster` calls :func:`validate` on create, update,
patch and apply, whether the write comes from helmpy in-process or through ``helmpy cluster serve``
(whose dry runs call it too). In order, as the API server does:

1. decoding: each built-in kind's OpenAPI schema (``helmpy.kube.schema``): a wrong JSON type is a 400
   ``BadRequest`` (``... cannot be handled as a ConfigMap: json: cannot unmarshal number ...``);
2. validation, all causes at once in one 422 ``Invalid``: the per-kind name rules (``helmpy.kube.names``),
   required fields and enums of the schema, the 1 MiB limit of ConfigMap/Secret data, and the common
   semantic checks (workload selector and template, containers, port ranges, node port range, duplicate
   ports, ConfigMap keys);
   on an update, the fields that may not change (``helmpy.kube.immutable``), where the API server lists them;
3. the storage limit: an object whose JSON is over etcd's 1.5 MiB request limit is refused like etcd does.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from helmpy.errors import KubeApiStatus, KubeInvalid
from helmpy.kube import names, schema
from helmpy.kube.client import sub_map
from helmpy.kube.resources import ResourceType

Cause = dict[str, str]
MAX_DATA_BYTES = 1024 * 1024  # ConfigMap and Secret data (core.MaxSecretSize)
MAX_ANNOTATION_BYTES = 256 * 1024  # all of an object's annotations, keys and values (TotalAnnotationSizeLimitB)
MAX_OBJECT_BYTES = 1536 * 1024  # etcd's default --max-request-bytes, what any stored object must fit in
NODE_PORT_RANGE = (30000, 32767)  # kube-apiserver's default --service-node-port-range
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PROTOCOLS = ("SCTP", "TCP", "UDP")
WORKLOADS = {("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "ReplicaSet")}
POD_TEMPLATES = {("batch", "Job"): "spec.template", ("batch", "CronJob"): "spec.jobTemplate.spec.template"}
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                   "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def go_value(value: Any) -> str:
    """A value as the API server prints it after ``Invalid value:`` (strings quoted, numbers bare)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"), sort_keys=True) if isinstance(value, (dict, list)) else str(value)


def required(field: str, detail: str = "") -> Cause:
    return {"reason": "FieldValueRequired", "message": f"Required value{': ' + detail if detail else ''}",
            "field": field}


def invalid(field: str, value: Any, why: str) -> Cause:
    return {"reason": "FieldValueInvalid", "message": f"Invalid value: {go_value(value)}: {why}", "field": field}


def _duplicate(field: str, value: Any) -> Cause:
    return {"reason": "FieldValueDuplicate", "message": f"Duplicate value: {go_value(value)}", "field": field}


def _forbidden(field: str, why: str) -> Cause:
    return {"reason": "FieldValueForbidden", "message": f"Forbidden: {why}", "field": field}


def _too_long(field: str, limit: int) -> Cause:
    return {"reason": "FieldValueTooLong", "message": f"Too long: may not be more than {limit} bytes", "field": field}


def _port_range(field: str, value: Any) -> list[Cause]:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return [invalid(field, value, "must be between 1 and 65535, inclusive")]
    return []


# --- metadata -------------------------------------------------------------------------------------------
def _metadata(kind: str, obj: dict[str, Any]) -> list[Cause]:
    meta = sub_map(obj, "metadata")
    name = str(meta.get("name") or "")
    causes = [invalid("metadata.name", name, p) for p in names.name_problems(kind, name)] if name else []
    for section in ("labels", "annotations"):
        values = meta.get(section)
        if values is not None and not isinstance(values, dict):
            causes.append(invalid(f"metadata.{section}", values, "must be a map of strings"))
        elif values:
            causes += [invalid(f"metadata.{section}.{k}", v, "must be a string") for k, v in values.items()
                       if not isinstance(v, str)]
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and sum(len(str(k)) + len(str(v)) for k, v in annotations.items()) > \
            MAX_ANNOTATION_BYTES:
        causes.append(_too_long("metadata.annotations", MAX_ANNOTATION_BYTES))
    return causes


# --- pods and workloads ---------------------------------------------------------------------------------
def _containers(spec: dict[str, Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for key in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(key) or []):
            if not isinstance(container, dict):
                continue
            where = f"{path}.{key}[{i}]"
            if not container.get("image") and key == "containers":
                causes.append(required(f"{where}.image"))
            seen: set[str] = set()
            for j, port in enumerate(container.get("ports") or []):
                if not isinstance(port, dict):
                    continue
                causes += _port_range(f"{where}.ports[{j}].containerPort", port.get("containerPort"))
                port_name = port.get("name")
                if port_name and port_name in seen:
                    causes.append(_duplicate(f"{where}.ports[{j}].name", port_name))
                seen.add(str(port_name or ""))
    return causes


def _pod_spec(spec: Any, path: str) -> list[Cause]:
    if not isinstance(spec, dict):
        return [required(path)]
    if not spec.get("containers"):
        return [required(f"{path}.containers")]
    return _containers(spec, path)


def _labels_match(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    from helmpy.kube.selector import parse_selector, selector_matches, selector_text

    return selector_matches(parse_selector(selector_text(selector)), labels)


def _workload(obj: dict[str, Any]) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec")]
    causes: list[Cause] = []
    selector = spec.get("selector")
    template: dict[str, Any] = spec["template"] if isinstance(spec.get("template"), dict) else {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(required("spec.selector"))
    elif not _labels_match(selector, labels):
        causes.append(invalid("spec.template.metadata.labels", labels, "`selector` does not match template "
                                                                        "`labels`"))
    replicas = spec.get("replicas")
    if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0):
        causes.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    return causes + _pod_spec(template.get("spec"), "spec.template.spec")


def _templated(group: str, kind: str, obj: dict[str, Any]) -> list[Cause]:
    path = POD_TEMPLATES[(group, kind)]
    node: Any = obj
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return _pod_spec((node or {}).get("spec") if isinstance(node, dict) else None, f"{path}.spec")


# --- services ---------------------------------------------------------------------------------------------
def _service(obj: dict[str, Any]) -> list[Cause]:
    spec: dict[str, Any] = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
    kind = spec.get("type") or "ClusterIP"
    if kind not in SERVICE_TYPES:
        return [{"reason": "FieldValueNotSupported", "field": "spec.type", "message": f"Unsupported value: "
                 f"{go_value(kind)}: supported values: {', '.join(json.dumps(t) for t in SERVICE_TYPES)}"}]
    if kind == "ExternalName":
        return [] if spec.get("externalName") else [required("spec.externalName")]
    ports: list[Any] = spec["ports"] if isinstance(spec.get("ports"), list) else []
    if not ports and spec.get("clusterIP") != "None":
        return [required("spec.ports")]
    causes: list[Cause] = []
    names_seen: set[str] = set()
    keys_seen: set[tuple[Any, str]] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        where = f"spec.ports[{i}]"
        name = port.get("name")
        if len(ports) > 1 and not name:
            causes.append(required(f"{where}.name"))
        elif name in names_seen:
            causes.append(_duplicate(f"{where}.name", name))
        names_seen.add(str(name or ""))
        causes += _port_range(f"{where}.port", port.get("port"))
        protocol = port.get("protocol") or "TCP"
        if protocol not in PROTOCOLS:
            causes.append({"reason": "FieldValueNotSupported", "field": f"{where}.protocol", "message":
                           f"Unsupported value: {go_value(protocol)}: supported values: "
                           f"{', '.join(json.dumps(p) for p in PROTOCOLS)}"})
        if (port.get("port"), protocol) in keys_seen:  # Go's %#v of the (protocol, port) key it compares
            causes.append({"reason": "FieldValueDuplicate", "field": where, "message": (
                f'Duplicate value: core.ServicePort{{Name:"", Protocol:"{protocol}", AppProtocol:(*string)(nil), '
                f'Port:{port.get("port")}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, '
                "NodePort:0}")})
        keys_seen.add((port.get("port"), protocol))
        target = port.get("targetPort")
        if isinstance(target, int) and not isinstance(target, bool) and target != 0:
            causes += _port_range(f"{where}.targetPort", target)
        node_port = port.get("nodePort")
        if node_port:
            low, high = NODE_PORT_RANGE
            if kind == "ClusterIP":
                causes.append(_forbidden(f"{where}.nodePort", "may not be used when `type` is 'ClusterIP'"))
            elif isinstance(node_port, bool) or not isinstance(node_port, int) or not low <= node_port <= high:
                causes.append(invalid(f"{where}.nodePort", node_port, "provided port is not in the valid range. "
                                                                      f"The range of valid ports is {low}-{high}"))
    return causes


# --- config ------------------------------------------------------------------------------------------------
def _data_size(obj: dict[str, Any], kind: str) -> int:
    """Bytes of a ConfigMap's or Secret's values (base64 ``data`` of a Secret and ``binaryData`` decoded)."""
    total = 0
    for section in ("data", "binaryData", "stringData"):
        values = obj.get(section)
        for value in (values.values() if isinstance(values, dict) else []):
            if not isinstance(value, str):
                continue
            encoded = section == "binaryData" or (kind == "Secret" and section == "data")
            try:
                total += len(base64.b64decode(value)) if encoded else len(value.encode("utf-8"))
            except ValueError:  # not base64: the decoder rejects it elsewhere; count what was sent
                total += len(value)
    return total


def _config(kind: str, obj: dict[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        values = obj.get(section)
        for key in values if isinstance(values, dict) else {}:
            if not _CONFIG_KEY.match(key) or key in (".", ".."):
                causes.append(invalid(f"{section}[{key}]", key, _CONFIG_KEY_MSG))
            if key in seen and kind == "ConfigMap":
                causes.append(invalid(f"{section}[{key}]", key, "duplicate of key present in data"))
            seen.add(key)
    if _data_size(obj, kind) > MAX_DATA_BYTES:
        field = "data" if kind == "Secret" else "[]"
        causes.append(_too_long(field, MAX_DATA_BYTES))
    return causes


# --- the entry point --------------------------------------------------------------------------------------
def causes_for(rt: ResourceType, obj: dict[str, Any], server_version: str,
               old: dict[str, Any] | None = None) -> list[Cause]:
    """Every validation cause for ``obj``, an update of ``old`` when given (raises a 400 KubeApiStatus for a
    decoding error)."""
    found = schema.check(server_version, rt.group, rt.version, rt.kind, obj)
    if found is not None and found.decode_error:
        raise KubeApiStatus(f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                            f"{found.decode_error}", code=400, reason="BadRequest")
    causes = _metadata(rt.kind, obj)
    key = (rt.group, rt.kind)
    if key in WORKLOADS:
        semantic = _workload(obj)
    elif key == ("", "Service"):
        semantic = _service(obj)
    elif key in POD_TEMPLATES:
        semantic = _templated(rt.group, rt.kind, obj)
    elif key == ("", "Pod"):
        semantic = _pod_spec(obj.get("spec"), "spec")
    elif key in (("", "ConfigMap"), ("", "Secret")):
        semantic = _config(rt.kind, obj)
    else:
        semantic = []
    fields = {c["field"] for c in causes + semantic}
    schema_causes = [c for c in (found.causes if found else []) if c["field"] not in fields
                     and not any(f.startswith(c["field"] + ".") for f in fields)]
    if old is None:
        return causes + semantic + schema_causes
    from helmpy.kube.immutable import update_causes

    before, after = update_causes(rt.group, rt.kind, obj, old)
    return before + causes + semantic + schema_causes + after


def invalid_error(rt: ResourceType, name: str, causes: list[Cause]) -> KubeInvalid:
    """The 422 ``Invalid`` Status: ``Service "x" is invalid: spec.ports[0].port: Invalid value: ...``."""
    summary = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
    if len(causes) > 1:
        summary = f"[{summary}]"
    shown = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
    return KubeInvalid(f'{shown} "{name}" is invalid: {summary}', code=422, reason="Invalid",
                       details={"name": name, "group": rt.group, "kind": rt.kind, "causes": causes})


def validate(rt: ResourceType, obj: dict[str, Any], server_version: str, old: dict[str, Any] | None = None) -> None:
    """Raise what the API server would answer for ``obj`` (an update of ``old`` when given: immutable fields,
    ``helmpy.kube.immutable``); return when it would store it."""
    causes = causes_for(rt, obj, server_version, old)
    if causes:
        raise invalid_error(rt, str((obj.get("metadata") or {}).get("name") or ""), causes)
    if len(json.dumps(obj, separators=(",", ":"))) > MAX_OBJECT_BYTES:
        raise KubeApiStatus(f"etcdserver: request is too large (the object is over {MAX_OBJECT_BYTES} bytes)",
                            code=413, reason="RequestEntityTooLarge")
