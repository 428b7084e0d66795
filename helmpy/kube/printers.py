"""kubectl's columns per kind: what ``kubectl get`` and ``helm status`` show for a live object.

One set of column definitions (after the API server's table printers in k8s.io/kubernetes
``pkg/printers/internalversion``) serves both places that print objects: ``cluster serve``'s
``as=Table`` answers and ``helmpy status``'s RESOURCES. Pure: an object dict and "now" (for AGE) in,
headers and cells out; no cluster, no I/O. CRDs' ``additionalPrinterColumns`` become columns here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helmpy.kube.client import KubeObject, sub_map
from helmpy.kube.selector import selector_text
from helmpy.release.model import parse_time

Cell = Callable[[KubeObject, "datetime | None"], Any]


@dataclass(frozen=True)
class Column:
    """One column: the API server's header (kubectl upper-cases it), its OpenAPI type, how to compute the
    cell from an object and "now", and 0 (always shown) or 1 (``-o wide`` only)."""

    name: str
    type: str
    cell: Cell
    priority: int = 0
    description: str = ""


def human_duration(secs: float) -> str:
    """kubectl's AGE (``duration.HumanDuration``): ``45s``, ``3m20s``, ``5h2m``, ``3d4h``, ``2y10d``."""
    seconds = int(secs)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m" if seconds % 60 == 0 else f"{minutes}m{seconds % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(stamp: Any, now: datetime | None) -> str:
    """The age of an RFC 3339 timestamp at ``now``; ``<unknown>`` when either is missing."""
    when = parse_time(stamp) if isinstance(stamp, str) else None
    if when is None or now is None:
        return "<unknown>"
    return human_duration((now - when).total_seconds())


def cell_text(value: Any) -> str:
    """A cell as kubectl prints it (Go's ``%v``: booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- reading objects --------------------------------------------------------------------------------
def _meta(o: KubeObject) -> dict[str, Any]:
    return sub_map(o, "metadata")


def _spec(o: KubeObject) -> dict[str, Any]:
    return sub_map(o, "spec")


def _status(o: KubeObject) -> dict[str, Any]:
    return sub_map(o, "status")


def _n(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _replicas(o: KubeObject) -> int:
    r = _spec(o).get("replicas")
    return 1 if r is None else _n(r)


def _cond(o: KubeObject, ctype: str) -> bool:
    return any(isinstance(c, dict) and c.get("type") == ctype and str(c.get("status")) == "True"
               for c in _status(o).get("conditions") or [])


def _labels_text(labels: Any) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs, ``<none>`` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


def _lb_ips(o: KubeObject) -> list[str]:
    return [str(i.get("ip") or i.get("hostname")) for i in (_status(o).get("loadBalancer") or {}).get("ingress") or []
            if isinstance(i, dict) and (i.get("ip") or i.get("hostname"))]


def _ref(ref: Any) -> str:
    ref = ref if isinstance(ref, dict) else {}
    return f"{ref.get('kind', '')}/{ref.get('name', '')}"


# --- cells --------------------------------------------------------------------------------------------
def _containers(o: KubeObject, key: str) -> str:
    pod = _spec(o) if o.get("kind") == "Pod" else ((_spec(o).get("template") or {}).get("spec") or {})
    return ",".join(str(c.get(key, "")) for c in pod.get("containers") or []) or "<none>"


def _pod_ready(o: KubeObject, now: datetime | None) -> str:
    containers = _spec(o).get("containers") or []
    statuses = [c for c in _status(o).get("containerStatuses") or [] if isinstance(c, dict)]
    if statuses:
        ready = sum(1 for c in statuses if c.get("ready"))
    else:  # the embedded cluster's controller reports only the Ready condition
        ready = len(containers) if _cond(o, "Ready") else 0
    return f"{ready}/{len(containers) or len(statuses)}"


def _pod_state(o: KubeObject, now: datetime | None) -> str:
    """kubectl's STATUS of a Pod: the phase or reason, overridden by a container's waiting/terminated reason
    (``ContainerCreating``, ``Completed``, ...), ``Terminating`` once deleted."""
    status = _status(o)
    reason = str(status.get("reason") or status.get("phase") or "Pending")
    running = False
    for c in reversed([c for c in status.get("containerStatuses") or [] if isinstance(c, dict)]):
        state = c.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if isinstance(waiting, dict) and waiting.get("reason"):
            reason = str(waiting["reason"])
        elif isinstance(terminated, dict) and terminated.get("reason"):
            reason = str(terminated["reason"])
        elif isinstance(terminated, dict):
            signal = _n(terminated.get("signal"))
            reason = f"Signal:{signal}" if signal else f"ExitCode:{_n(terminated.get('exitCode'))}"
        elif c.get("ready") and state.get("running") is not None:
            running = True
    if reason == "Completed" and running:
        reason = "Running" if _cond(o, "Ready") else "NotReady"
    if (o.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _restarts(o: KubeObject, now: datetime | None) -> str:
    return str(sum(_n(c.get("restartCount")) for c in _status(o).get("containerStatuses") or [] if isinstance(c, dict)))


def _external_ip(o: KubeObject, now: datetime | None) -> str:
    spec = _spec(o)
    external = [str(x) for x in spec.get("externalIPs") or []]
    if spec.get("type") == "LoadBalancer":
        return ",".join(_lb_ips(o) + external) or "<pending>"
    if spec.get("type") == "ExternalName":
        return str(spec.get("externalName") or "")
    return ",".join(external) or "<none>"


def _service_ports(o: KubeObject, now: datetime | None) -> str:
    ports = []
    for p in _spec(o).get("ports") or []:
        if isinstance(p, dict):
            node = f":{p['nodePort']}" if p.get("nodePort") else ""
            ports.append(f"{p.get('port')}{node}/{p.get('protocol') or 'TCP'}")
    return ",".join(ports) or "<none>"


def _job_status(o: KubeObject, now: datetime | None) -> str:
    if _cond(o, "Complete"):
        return "Complete"
    if _cond(o, "Failed"):
        return "Failed"
    return "Suspended" if _spec(o).get("suspend") else "Running"


def _job_completions(o: KubeObject, now: datetime | None) -> str:
    completions = _spec(o).get("completions")
    return f"{_n(_status(o).get('succeeded'))}/{1 if completions is None else completions}"


def _job_duration(o: KubeObject, now: datetime | None) -> str:
    start = parse_time(_status(o).get("startTime"))
    end = parse_time(_status(o).get("completionTime")) or now
    return human_duration((end - start).total_seconds()) if start and end else ""


def _last_schedule(o: KubeObject, now: datetime | None) -> str:
    stamp = _status(o).get("lastScheduleTime")
    return since(stamp, now) if stamp else "<none>"


_ACCESS = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def _pvc_bound(o: KubeObject) -> bool:
    return _status(o).get("phase") == "Bound"


def _pvc_capacity(o: KubeObject, now: datetime | None) -> str:
    return str((_status(o).get("capacity") or {}).get("storage") or "") if _pvc_bound(o) else ""


def _pvc_modes(o: KubeObject, now: datetime | None) -> str:
    return ",".join(_ACCESS.get(m, m) for m in _status(o).get("accessModes") or []) if _pvc_bound(o) else ""


def _first_three(items: list[str], total: int, empty: str) -> str:
    """kubectl's endpoint lists: at most three, then `` + N more...``."""
    if not items:
        return empty
    shown = ",".join(items[:3])
    return f"{shown} + {total - 3} more..." if total > 3 else shown


def _endpoints(o: KubeObject, now: datetime | None) -> str:
    """``formatEndpoints``: ``ip:port`` per address and port."""
    found = []
    for subset in o.get("subsets") or []:
        ips = [str(a.get("ip")) for a in subset.get("addresses") or []]
        ports = [p.get("port") for p in subset.get("ports") or []]
        found += [f"{ip}:{port}" for port in ports for ip in ips] if ports else ips
    return _first_three(found, len(found), "<none>")


def _slice_endpoints(o: KubeObject, now: datetime | None) -> str:
    found = [str(a) for e in o.get("endpoints") or [] for a in (e.get("addresses") or [])[:1]]
    return _first_three(found, len(found), "<unset>")


def _slice_ports(o: KubeObject, now: datetime | None) -> str:
    return ",".join(str(p.get("port")) for p in o.get("ports") or [] if p.get("port")) or "<unset>"


def _pv_claim(o: KubeObject, now: datetime | None) -> str:
    ref = _spec(o).get("claimRef") or {}
    return f"{ref.get('namespace')}/{ref.get('name')}" if ref.get("name") else ""


def _node_roles(o: KubeObject, now: datetime | None) -> str:
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix):] for k in (_meta(o).get("labels") or {}) if k.startswith(prefix))
    return ",".join(roles) or "<none>"


def _node_address(kind: str) -> Cell:
    return lambda o, _: next((str(a.get("address")) for a in _status(o).get("addresses") or []
                              if a.get("type") == kind), "<none>")


def _ingress_hosts(o: KubeObject, now: datetime | None) -> str:
    hosts = [str(r["host"]) for r in _spec(o).get("rules") or [] if isinstance(r, dict) and r.get("host")]
    return ",".join(hosts) or "*"


def _hpa_targets(o: KubeObject, now: datetime | None) -> str:
    spec, targets = _spec(o), []
    for m in spec.get("metrics") or []:
        resource = (m.get("resource") or {}) if isinstance(m, dict) else {}
        target = resource.get("target") or {}
        if "averageUtilization" in target:
            targets.append(f"{resource.get('name', '')}: <unknown>/{target['averageUtilization']}%")
    if spec.get("targetCPUUtilizationPercentage") is not None:
        targets.append(f"cpu: <unknown>/{spec['targetCPUUtilizationPercentage']}%")
    return ", ".join(targets) or "<none>"


def _opt(value: Any) -> str:
    return "N/A" if value is None else str(value)


def _col(name: str, cell: Cell, type_: str = "string", priority: int = 0) -> Column:
    return Column(name, type_, cell, priority)


def _spec_str(key: str, default: str) -> Cell:
    return lambda o, _: str(_spec(o).get(key) or default)


def _status_int(key: str, name: str) -> Column:
    return Column(name, "integer", lambda o, _: _n(_status(o).get(key)))


_READY_OF_REPLICAS = _col("Ready", lambda o, _: f"{_n(_status(o).get('readyReplicas'))}/{_replicas(o)}")
_WIDE_CONTAINERS = [_col("Containers", lambda o, _: _containers(o, "name"), priority=1),
                    _col("Images", lambda o, _: _containers(o, "image"), priority=1)]
_ROLE_REF = [_col("Role", lambda o, _: _ref(o.get("roleRef")))]

# kind -> the columns after NAME: AGE follows the priority-0 ones (CREATED AT for CREATED_AT kinds)
KIND_COLUMNS: dict[str, list[Column]] = {
    "Pod": [_col("Ready", _pod_ready),
            _col("Status", _pod_state),
            _col("Restarts", _restarts),
            _col("IP", lambda o, _: str(_status(o).get("podIP") or "<none>"), priority=1),
            _col("Node", _spec_str("nodeName", "<none>"), priority=1)],
    "Service": [_col("Type", _spec_str("type", "ClusterIP")),
                _col("Cluster-IP", _spec_str("clusterIP", "<none>")),
                _col("External-IP", _external_ip),
                _col("Port(s)", _service_ports),
                _col("Selector", lambda o, _: _labels_text(_spec(o).get("selector")), priority=1)],
    "Deployment": [_READY_OF_REPLICAS, _status_int("updatedReplicas", "Up-to-date"),
                   _status_int("availableReplicas", "Available"), *_WIDE_CONTAINERS,
                   _col("Selector", lambda o, _: selector_text(_spec(o).get("selector")) or "<none>", priority=1)],
    "StatefulSet": [_READY_OF_REPLICAS, *_WIDE_CONTAINERS],
    "ReplicaSet": [_col("Desired", lambda o, _: _replicas(o), "integer"), _status_int("replicas", "Current"),
                   _status_int("readyReplicas", "Ready")],
    "DaemonSet": [_status_int("desiredNumberScheduled", "Desired"), _status_int("currentNumberScheduled", "Current"),
                  _status_int("numberReady", "Ready"), _status_int("updatedNumberScheduled", "Up-to-date"),
                  _status_int("numberAvailable", "Available"),
                  _col("Node Selector", lambda o, _: _labels_text(
                      ((_spec(o).get("template") or {}).get("spec") or {}).get("nodeSelector")))],
    "Job": [_col("Status", _job_status), _col("Completions", _job_completions), _col("Duration", _job_duration)],
    "CronJob": [_col("Schedule", _spec_str("schedule", "")), _col("Timezone", _spec_str("timeZone", "<none>")),
                _col("Suspend", lambda o, _: str(bool(_spec(o).get("suspend"))), "boolean"),
                _col("Active", lambda o, _: len(_status(o).get("active") or []), "integer"),
                _col("Last Schedule", _last_schedule)],
    "ConfigMap": [_col("Data", lambda o, _: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "Secret": [_col("Type", lambda o, _: str(o.get("type") or "Opaque")),
               _col("Data", lambda o, _: len(o.get("data") or {}) + len(o.get("stringData") or {}))],
    "ServiceAccount": [_col("Secrets", lambda o, _: len(o.get("secrets") or []))],
    "PersistentVolumeClaim": [_col("Status", lambda o, _: str(_status(o).get("phase") or "Pending")),
                              _col("Volume", _spec_str("volumeName", "")), _col("Capacity", _pvc_capacity),
                              _col("Access Modes", _pvc_modes), _col("StorageClass", _spec_str("storageClassName",
                                                                                                "<unset>")),
                              _col("VolumeAttributesClass", _spec_str("volumeAttributesClassName", "<unset>"))],
    "Ingress": [_col("Class", _spec_str("ingressClassName", "<none>")), _col("Hosts", _ingress_hosts),
                _col("Address", lambda o, _: ",".join(_lb_ips(o))),
                _col("Ports", lambda o, _: "80, 443" if _spec(o).get("tls") else "80")],
    "Namespace": [_col("Status", lambda o, _: str(_status(o).get("phase") or "Active"))],
    "HorizontalPodAutoscaler": [_col("Reference", lambda o, _: _ref(_spec(o).get("scaleTargetRef"))),
                                _col("Targets", _hpa_targets), _col("MinPods", _spec_str("minReplicas", "1")),
                                _col("MaxPods", lambda o, _: _n(_spec(o).get("maxReplicas")), "integer"),
                                _status_int("currentReplicas", "Replicas")],
    "PodDisruptionBudget": [_col("Min Available", lambda o, _: _opt(_spec(o).get("minAvailable"))),
                            _col("Max Unavailable", lambda o, _: _opt(_spec(o).get("maxUnavailable"))),
                            _status_int("disruptionsAllowed", "Allowed Disruptions")],
    "NetworkPolicy": [_col("Pod-Selector", lambda o, _: selector_text(_spec(o).get("podSelector")) or "<none>")],
    "RoleBinding": _ROLE_REF,
    "ClusterRoleBinding": _ROLE_REF,
    "Endpoints": [_col("Endpoints", _endpoints)],
    "EndpointSlice": [_col("AddressType", lambda o, _: str(o.get("addressType") or "")), _col("Ports", _slice_ports),
                      _col("Endpoints", _slice_endpoints)],
    "PersistentVolume": [_col("Capacity", lambda o, _: str((_spec(o).get("capacity") or {}).get("storage") or "")),
                         _col("Access Modes", lambda o, _: ",".join(_ACCESS.get(m, m) for m in
                                                                   _spec(o).get("accessModes") or [])),
                         _col("Reclaim Policy", _spec_str("persistentVolumeReclaimPolicy", "Retain")),
                         _col("Status", lambda o, _: str(_status(o).get("phase") or "Pending")),
                         _col("Claim", _pv_claim), _col("StorageClass", _spec_str("storageClassName", "")),
                         _col("VolumeAttributesClass", _spec_str("volumeAttributesClassName", "<unset>")),
                         _col("Reason", lambda o, _: str(_status(o).get("reason") or "")),
                         _col("VolumeMode", _spec_str("volumeMode", "Filesystem"), priority=1)],
    "Node": [_col("Status", lambda o, _: "Ready" if _cond(o, "Ready") else "NotReady"), _col("Roles", _node_roles),
             _col("Version", lambda o, _: str((_status(o).get("nodeInfo") or {}).get("kubeletVersion") or "")),
             _col("Internal-IP", _node_address("InternalIP"), priority=1),
             _col("External-IP", _node_address("ExternalIP"), priority=1),
             _col("OS-Image", lambda o, _: str((_status(o).get("nodeInfo") or {}).get("osImage") or ""), priority=1),
             _col("Container-Runtime", lambda o, _: str((_status(o).get("nodeInfo") or {}).get(
                 "containerRuntimeVersion") or ""), priority=1)],
    "StorageClass": [_col("Provisioner", lambda o, _: str(o.get("provisioner") or "")),
                     _col("ReclaimPolicy", lambda o, _: str(o.get("reclaimPolicy") or "Delete")),
                     _col("VolumeBindingMode", lambda o, _: str(o.get("volumeBindingMode") or "Immediate")),
                     _col("AllowVolumeExpansion", lambda o, _: str(bool(o.get("allowVolumeExpansion"))).lower())],
}
# kinds printed with CREATED AT (the raw timestamp) instead of AGE
CREATED_AT = {"CustomResourceDefinition", "Role", "ClusterRole", "PriorityClass"}

NAME = Column("Name", "string", lambda o, _: str(_meta(o).get("name", "")))
AGE = Column("Age", "string", lambda o, now: since(_meta(o).get("creationTimestamp"), now))
CREATED = Column("Created At", "date", lambda o, _: str(_meta(o).get("creationTimestamp") or ""))


def columns_for(kind: str, custom: list[Column] | None = None) -> list[Column]:
    """NAME, the kind's own columns, AGE (or CREATED AT), then the ``-o wide`` ones - the API server's order.

    ``custom`` (a CRD's printer columns) replaces the kind's columns, in the CRD's order, AGE appended
    unless listed.
    """
    if custom is not None:
        return [NAME, *custom] if any(c.name.lower() == "age" for c in custom) else [NAME, *custom, AGE]
    extra = KIND_COLUMNS.get(kind, [])
    last = CREATED if kind in CREATED_AT else AGE
    return [NAME, *(c for c in extra if c.priority == 0), last, *(c for c in extra if c.priority != 0)]


def row(obj: KubeObject, columns: list[Column], now: datetime | None) -> list[Any]:
    """The cells of one object under ``columns``."""
    return [c.cell(obj, now) for c in columns]


# --- custom resources: additionalPrinterColumns ---------------------------------------------------------
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


def _path_cell(path: str, is_date: bool) -> Cell:
    """A printer column's cell: the JSONPath's value ("" when absent), dates shown as an age."""
    def cell(obj: KubeObject, now: datetime | None) -> Any:
        value = jsonpath(obj, path)
        if value is None:
            return ""
        return since(value, now) if is_date else value
    return cell


def printer_columns(crd_version: dict[str, Any]) -> list[Column]:
    """Columns from a CRD version's ``additionalPrinterColumns`` (after NAME; AGE only if listed)."""
    out = []
    for col in crd_version.get("additionalPrinterColumns") or []:
        path, kind = str(col.get("jsonPath", "")), str(col.get("type", "string"))
        out.append(Column(str(col.get("name", "")), kind, _path_cell(path, kind == "date"),
                          int(col.get("priority") or 0), str(col.get("description", ""))))
    return out
