"""``as=Table`` answers for ``kubectl get`` and ``helm status``: the columns the real API server prints.

Built-in kinds get the API server's columns (NAME/READY/STATUS/... as ``kubectl get`` shows them, priority 1
ones only with ``-o wide``); custom resources get their CRD's ``additionalPrinterColumns``. Rows carry
``PartialObjectMetadata``, or the full object with ``includeObject=Object``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Column:
    """One column: header, OpenAPI type, how to compute the cell, and 0 (always) or 1 (``-o wide``)."""

    name: str
    type: str
    cell: Callable[[dict[str, Any]], Any]
    priority: int = 0
    description: str = ""


def _parse_time(stamp: Any) -> datetime.datetime | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def _duration(seconds: int) -> str:
    """kubectl's short human duration: ``45s``, ``3m``, ``5h``, ``12d``."""
    seconds = max(seconds, 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * 2 or (unit == "m" and seconds >= 120):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _since(stamp: Any) -> str:
    when = _parse_time(stamp)
    if when is None:
        return "<unknown>"
    return _duration(int((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()))


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("spec") or {}


def _status(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("status") or {}


def _ready(obj: dict[str, Any]) -> str:
    return f"{_status(obj).get('readyReplicas', 0)}/{_spec(obj).get('replicas', 1)}"


def _selector(selector: Any) -> str:
    from helmpy.server.kubeapi.scale import selector_string

    return selector_string(selector) or "<none>"


def _containers(obj: dict[str, Any], key: str) -> str:
    pod = ((_spec(obj).get("template") or {}).get("spec") or {}) if obj.get("kind") != "Pod" else _spec(obj)
    return ",".join(str(c.get(key, "")) for c in pod.get("containers") or []) or "<none>"


def _service_ports(obj: dict[str, Any]) -> str:
    out = []
    for port in _spec(obj).get("ports") or []:
        text = str(port.get("port", ""))
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        out.append(f"{text}/{port.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _external_ip(obj: dict[str, Any]) -> str:
    spec = _spec(obj)
    ips = list(spec.get("externalIPs") or [])
    if spec.get("type") == "LoadBalancer":
        ingress = (_status(obj).get("loadBalancer") or {}).get("ingress") or []
        ips += [i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")]
        return ",".join(ips) or "<pending>"
    if spec.get("type") == "ExternalName":
        return str(spec.get("externalName", "<none>"))
    return ",".join(ips) or "<none>"


def _pod_ready(obj: dict[str, Any]) -> str:
    statuses = _status(obj).get("containerStatuses") or []
    total = len(_spec(obj).get("containers") or []) or len(statuses)
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _job_status(obj: dict[str, Any]) -> str:
    conditions = {c.get("type"): c.get("status") for c in _status(obj).get("conditions") or []}
    if conditions.get("Complete") == "True":
        return "Complete"
    if conditions.get("Failed") == "True":
        return "Failed"
    if _status(obj).get("succeeded") and not conditions:
        return "Complete"
    return "Running"


def _job_duration(obj: dict[str, Any]) -> str:
    start, end = _parse_time(_status(obj).get("startTime")), _parse_time(_status(obj).get("completionTime"))
    if start is None:
        return ""
    end = end or datetime.datetime.now(datetime.timezone.utc)
    return _duration(int((end - start).total_seconds()))


def _ingress_hosts(obj: dict[str, Any]) -> str:
    hosts = [str(r.get("host")) for r in _spec(obj).get("rules") or [] if r.get("host")]
    return ",".join(hosts) or "*"


def _ingress_address(obj: dict[str, Any]) -> str:
    ingress = (_status(obj).get("loadBalancer") or {}).get("ingress") or []
    return ",".join(str(i.get("ip") or i.get("hostname")) for i in ingress if i.get("ip") or i.get("hostname"))


def _age_column() -> Column:
    return Column("Age", "string", lambda o: _since(_meta(o).get("creationTimestamp")))


def _created_at() -> Column:
    return Column("Created At", "date", lambda o: _meta(o).get("creationTimestamp", ""))


def _n(value: Any) -> Any:
    return value if value is not None else 0


# kind -> columns between NAME and AGE, as the API server's table printers define them
EXTRA: dict[str, list[Column]] = {
    "Deployment": [Column("Ready", "string", _ready),
                   Column("Up-to-date", "integer", lambda o: _n(_status(o).get("updatedReplicas"))),
                   Column("Available", "integer", lambda o: _n(_status(o).get("availableReplicas"))),
                   Column("Containers", "string", lambda o: _containers(o, "name"), 1),
                   Column("Images", "string", lambda o: _containers(o, "image"), 1),
                   Column("Selector", "string", lambda o: _selector(_spec(o).get("selector")), 1)],
    "StatefulSet": [Column("Ready", "string", _ready),
                    Column("Containers", "string", lambda o: _containers(o, "name"), 1),
                    Column("Images", "string", lambda o: _containers(o, "image"), 1)],
    "ReplicaSet": [Column("Desired", "integer", lambda o: _spec(o).get("replicas", 1)),
                   Column("Current", "integer", lambda o: _n(_status(o).get("replicas"))),
                   Column("Ready", "integer", lambda o: _n(_status(o).get("readyReplicas")))],
    "DaemonSet": [Column("Desired", "integer", lambda o: _n(_status(o).get("desiredNumberScheduled"))),
                  Column("Current", "integer", lambda o: _n(_status(o).get("currentNumberScheduled"))),
                  Column("Ready", "integer", lambda o: _n(_status(o).get("numberReady"))),
                  Column("Up-to-date", "integer", lambda o: _n(_status(o).get("updatedNumberScheduled"))),
                  Column("Available", "integer", lambda o: _n(_status(o).get("numberAvailable"))),
                  Column("Node Selector", "string", lambda o: ",".join(
                      f"{k}={v}" for k, v in (((_spec(o).get("template") or {}).get("spec") or {}).get(
                          "nodeSelector") or {}).items()) or "<none>")],
    "Pod": [Column("Ready", "string", _pod_ready),
            Column("Status", "string", lambda o: _status(o).get("reason") or _status(o).get("phase") or "Pending"),
            Column("Restarts", "string", lambda o: str(sum(int(s.get("restartCount") or 0) for s in
                                                           _status(o).get("containerStatuses") or []))),
            Column("IP", "string", lambda o: _status(o).get("podIP") or "<none>", 1),
            Column("Node", "string", lambda o: _spec(o).get("nodeName") or "<none>", 1)],
    "Job": [Column("Status", "string", _job_status),
            Column("Completions", "string", lambda o: f"{_n(_status(o).get('succeeded'))}/"
                                                      f"{_spec(o).get('completions', 1)}"),
            Column("Duration", "string", _job_duration)],
    "CronJob": [Column("Schedule", "string", lambda o: _spec(o).get("schedule", "")),
                Column("Timezone", "string", lambda o: _spec(o).get("timeZone") or "<none>"),
                Column("Suspend", "boolean", lambda o: bool(_spec(o).get("suspend", False))),
                Column("Active", "integer", lambda o: len(_status(o).get("active") or [])),
                Column("Last Schedule", "string", lambda o: _since(_status(o).get("lastScheduleTime"))
                       if _status(o).get("lastScheduleTime") else "<none>")],
    "Service": [Column("Type", "string", lambda o: _spec(o).get("type", "ClusterIP")),
                Column("Cluster-IP", "string", lambda o: _spec(o).get("clusterIP") or "<none>"),
                Column("External-IP", "string", _external_ip),
                Column("Port(s)", "string", _service_ports),
                Column("Selector", "string", lambda o: ",".join(
                    f"{k}={v}" for k, v in (_spec(o).get("selector") or {}).items()) or "<none>", 1)],
    "Ingress": [Column("Class", "string", lambda o: _spec(o).get("ingressClassName") or "<none>"),
                Column("Hosts", "string", _ingress_hosts),
                Column("Address", "string", _ingress_address),
                Column("Ports", "string", lambda o: "80, 443" if _spec(o).get("tls") else "80")],
    "PersistentVolumeClaim": [
        Column("Status", "string", lambda o: _status(o).get("phase", "Pending")),
        Column("Volume", "string", lambda o: _spec(o).get("volumeName", "")),
        Column("Capacity", "string", lambda o: (_status(o).get("capacity") or {}).get("storage", "")),
        Column("Access Modes", "string", lambda o: ",".join(
            {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}.get(
                m, m) for m in _status(o).get("accessModes") or [])),
        Column("StorageClass", "string", lambda o: _spec(o).get("storageClassName") or "<unset>"),
        Column("VolumeAttributesClass", "string", lambda o: _spec(o).get("volumeAttributesClassName") or "<unset>")],
    "Secret": [Column("Type", "string", lambda o: o.get("type", "")),
               Column("Data", "string", lambda o: len(o.get("data") or {}))],
    "ConfigMap": [Column("Data", "string", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "ServiceAccount": [Column("Secrets", "string", lambda o: len(o.get("secrets") or []))],
    "Namespace": [Column("Status", "string", lambda o: _status(o).get("phase", ""))],
    "HorizontalPodAutoscaler": [
        Column("Reference", "string", lambda o: "{kind}/{name}".format(**{"kind": "", "name": "",
                                                                           **(_spec(o).get("scaleTargetRef") or {})})),
        Column("Minpods", "integer", lambda o: _spec(o).get("minReplicas", 1)),
        Column("Maxpods", "integer", lambda o: _spec(o).get("maxReplicas", 0)),
        Column("Replicas", "integer", lambda o: _n(_status(o).get("currentReplicas")))],
    "RoleBinding": [Column("Role", "string", lambda o: "{kind}/{name}".format(**{"kind": "", "name": "",
                                                                                 **(o.get("roleRef") or {})}))],
    "ClusterRoleBinding": [Column("Role", "string", lambda o: "{kind}/{name}".format(
        **{"kind": "", "name": "", **(o.get("roleRef") or {})}))],
    "NetworkPolicy": [Column("Pod-Selector", "string", lambda o: _selector(_spec(o).get("podSelector")))],
}
# kinds printed with CREATED AT instead of AGE
CREATED_AT = {"CustomResourceDefinition", "Role", "ClusterRole", "PriorityClass", "StorageClass"}

_TOKEN = re.compile(r"""\.([\w-]+)|\[(\d+)\]|\[\?\(@\.([\w.-]+)\s*==\s*["']([^"']*)["']\)\]|\[\*\]""")


def jsonpath(obj: Any, path: str) -> Any:
    """The subset of JSONPath CRD printer columns use: ``.a.b``, ``[0]``, ``[*]`` and ``[?(@.k=="v")]``;
    None when nothing matches."""
    current: list[Any] = [obj]
    pos = 0
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    path = path.lstrip("$")
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            return None
        pos = match.end()
        key, index, fkey, fvalue = match.groups()
        nxt: list[Any] = []
        for item in current:
            if key is not None and isinstance(item, dict) and key in item:
                nxt.append(item[key])
            elif index is not None and isinstance(item, list) and int(index) < len(item):
                nxt.append(item[int(index)])
            elif fkey is not None and isinstance(item, list):
                nxt += [e for e in item if isinstance(e, dict) and str(jsonpath(e, "." + fkey)) == fvalue]
            elif match.group(0) == "[*]" and isinstance(item, list):
                nxt += item
        current = nxt
    if not current:
        return None
    return current[0] if len(current) == 1 else ",".join(str(c) for c in current)


def _cell(path: str, is_date: bool) -> Callable[[dict[str, Any]], Any]:
    """A printer column's cell: the JSONPath's value ("" when absent), dates shown as an age."""
    def cell(obj: dict[str, Any]) -> Any:
        value = jsonpath(obj, path)
        if value is None:
            return ""
        return _since(value) if is_date else value
    return cell


def printer_columns(crd_version: dict[str, Any]) -> list[Column]:
    """Columns from a CRD version's ``additionalPrinterColumns`` (after NAME; AGE only if listed)."""
    out = []
    for col in crd_version.get("additionalPrinterColumns") or []:
        path, kind = str(col.get("jsonPath", "")), str(col.get("type", "string"))
        out.append(Column(str(col.get("name", "")), kind, _cell(path, kind == "date"), int(col.get("priority") or 0),
                          str(col.get("description", ""))))
    return out


def _partial(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _meta(obj)}


def columns_for(kind: str, custom: list[Column] | None = None) -> list[Column]:
    """NAME, the kind's own columns, AGE (or CREATED AT), then the ``-o wide`` ones - the API server's order.
    A CRD's printer columns come in its own order (AGE appended unless listed)."""
    name = Column("Name", "string", lambda o: _meta(o).get("name", ""))
    if custom is not None:
        return [name, *custom] if any(c.name.lower() == "age" for c in custom) else [name, *custom, _age_column()]
    last = _created_at() if kind in CREATED_AT else _age_column()
    extra = EXTRA.get(kind, [])
    return [name, *(c for c in extra if c.priority == 0), last, *(c for c in extra if c.priority != 0)]


def table(items: list[dict[str, Any]], resource_version: str, include_object: str | None, kind: str = "",
          custom: list[Column] | None = None) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``items`` (all of ``kind``; ``custom`` columns for custom resources)."""
    kind = kind or (items[0].get("kind", "") if items else "")
    columns = columns_for(kind, custom)
    definitions = [{"name": c.name, "type": c.type, "format": "name" if c.name == "Name" else "",
                    "description": c.description or c.name, "priority": c.priority} for c in columns]
    rows = [{"cells": [c.cell(obj) for c in columns],
             "object": obj if include_object == "Object" else _partial(obj)} for obj in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": definitions, "rows": rows}
