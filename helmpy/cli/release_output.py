"""How release data is printed: Helm's status block, history and list rows, release JSON (reference 7.5).

Only formatting lives here; the commands in ``release_cmds.py`` call actions and hand their results over.
Generic table/JSON/YAML writing is ``helmpy.cli.output``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

from helmpy import yamlutil
from helmpy.release.model import Release


def ansic(ts: datetime | None) -> str:
    """Go's ``time.ANSIC``: ``Mon Jan _2 15:04:05 2006``."""
    if ts is None:
        return ""
    ts = ts.astimezone(timezone.utc)
    return f"{ts:%a %b} {ts.day:2d} {ts:%H:%M:%S %Y}"


def go_time(ts: datetime | None) -> str:
    """Go's default ``Time.String()``: ``2006-01-02 15:04:05.999999999 +0000 UTC``."""
    if ts is None:
        return "-"
    ts = ts.astimezone(timezone.utc)
    frac = f".{ts.microsecond:06d}".rstrip("0") if ts.microsecond else ""
    return f"{ts:%Y-%m-%d %H:%M:%S}{frac} +0000 UTC"


def _sorted(value: Any) -> Any:
    """Go marshals maps with sorted keys."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def release_data(rel: Release, *, drop_chart: bool = False) -> dict[str, Any]:
    """The release as Helm prints it with ``-o json|yaml`` (struct order, maps sorted)."""
    data = rel.to_dict()
    if drop_chart:
        data.pop("chart", None)
    if "config" in data:
        data["config"] = _sorted(data["config"])
    if "chart" in data:
        data["chart"]["values"] = _sorted(data["chart"].get("values") or {})
    return data


def go_json(data: Any) -> str:
    """Compact JSON in the given key order, HTML-escaped like Go, newline-terminated."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def structured(data: Any, fmt: str) -> str:
    return go_json(data) if fmt == "json" else yamlutil.dump(data)


def values_yaml(values: dict[str, Any]) -> str:
    return yamlutil.dump(values) if values else "null\n"


def status_block(rel: Release, *, resources: dict[str, list[dict[str, Any]]] | None = None,
                 show_metadata: bool = False, show_values: bool = False, computed: dict[str, Any] | None = None,
                 show_manifest: bool = False, hide_notes: bool = False, lock: Any = None,
                 explanation: str = "", now: datetime | None = None) -> str:
    """Helm's ``statusPrinter.WriteTable``, plus helmpy's lock lines for pending releases."""

    out: list[str] = [f"NAME: {rel.name}"]
    if rel.info.last_deployed:
        out.append(f"LAST DEPLOYED: {ansic(rel.info.last_deployed)}")
    out += [f"NAMESPACE: {rel.namespace}", f"STATUS: {rel.info.status}", f"REVISION: {rel.version}"]
    if show_metadata and rel.chart is not None:
        out += [f"CHART: {rel.chart.name}", f"VERSION: {rel.chart.version}", f"APP_VERSION: {rel.chart.app_version}"]
    out.append(f"DESCRIPTION: {rel.info.description}")
    if lock is not None:
        out.append(f"LOCKED BY: {lock.describe(now)}")
    if explanation:
        out.append(f"NOTE: {explanation}")
    text = "\n".join(out) + "\n"
    if resources:
        text += "RESOURCES:\n"
        for key in sorted(resources):
            text += f"==> {key}\n" + resource_table(resources[key], now) + "\n"
    tests = [h for h in rel.hooks if "test" in h.events]
    if not tests:
        text += "TEST SUITE: None\n"
    for h in tests:
        if h.last_run.started_at is None:
            continue
        text += (f"TEST SUITE:     {h.name}\nLast Started:   {ansic(h.last_run.started_at)}\n"
                 f"Last Completed: {ansic(h.last_run.completed_at)}\nPhase:          {h.last_run.phase}\n")
    if show_values:
        text += "USER-SUPPLIED VALUES:\n" + values_yaml(rel.config) + "\n"
        text += "COMPUTED VALUES:\n" + values_yaml(computed or {}) + "\n"
    if show_manifest:
        text += "HOOKS:\n" + hooks_text(rel) + f"MANIFEST:\n{rel.manifest}\n"
    if not hide_notes and rel.info.notes:
        text += f"NOTES:\n{rel.info.notes.strip()}\n"
    return text


def hooks_text(rel: Release) -> str:
    return "".join(f"---\n# Source: {h.path}\n{h.manifest}\n" for h in rel.hooks)


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


def _since(text: Any, now: datetime | None) -> str:
    from helmpy.release.model import parse_time

    ts = parse_time(text) if isinstance(text, str) else None
    if ts is None or now is None:
        return "<unknown>"
    return human_duration((now - ts).total_seconds())


def _age(obj: dict[str, Any], now: datetime | None) -> str:
    return _since((obj.get("metadata") or {}).get("creationTimestamp"), now)


# --- kubectl's columns per kind (the server-side table printers of k8s.io/kubernetes) -------------------
def _spec(o: dict[str, Any]) -> dict[str, Any]:
    return o.get("spec") if isinstance(o.get("spec"), dict) else {}  # type: ignore[return-value]


def _status(o: dict[str, Any]) -> dict[str, Any]:
    return o.get("status") if isinstance(o.get("status"), dict) else {}  # type: ignore[return-value]


def _n(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _replicas(o: dict[str, Any]) -> int:
    r = _spec(o).get("replicas")
    return 1 if r is None else _n(r)


def _cond(o: dict[str, Any], ctype: str) -> bool:
    return any(isinstance(c, dict) and c.get("type") == ctype and str(c.get("status")) == "True"
               for c in _status(o).get("conditions") or [])


def _lb_ips(o: dict[str, Any]) -> list[str]:
    return [str(i.get("ip") or i.get("hostname")) for i in (_status(o).get("loadBalancer") or {}).get("ingress") or []
            if isinstance(i, dict) and (i.get("ip") or i.get("hostname"))]


def _pod_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    containers = _spec(o).get("containers") or []
    statuses = [c for c in _status(o).get("containerStatuses") or [] if isinstance(c, dict)]
    if statuses:
        ready = sum(1 for c in statuses if c.get("ready"))
    else:  # the embedded cluster's controller reports only the Ready condition
        ready = len(containers) if _cond(o, "Ready") else 0
    phase = _status(o).get("reason") or _status(o).get("phase") or "Pending"
    restarts = sum(_n(c.get("restartCount")) for c in statuses)
    return [f"{ready}/{len(containers)}", str(phase), str(restarts)]


def _svc_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    spec = _spec(o)
    kind = spec.get("type") or "ClusterIP"
    external = [str(x) for x in spec.get("externalIPs") or []]
    if kind == "LoadBalancer":
        external = _lb_ips(o) + external or ["<pending>"]
    elif kind == "ExternalName":
        external = [str(spec.get("externalName") or "")]
    ports = []
    for p in spec.get("ports") or []:
        if isinstance(p, dict):
            node = f":{p['nodePort']}" if p.get("nodePort") else ""
            ports.append(f"{p.get('port')}{node}/{p.get('protocol') or 'TCP'}")
    return [str(kind), str(spec.get("clusterIP") or "<none>"), ",".join(external) or "<none>",
            ",".join(ports) or "<none>"]


def _job_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    from helmpy.release.model import parse_time

    st, spec = _status(o), _spec(o)
    state = ("Complete" if _cond(o, "Complete") else "Failed" if _cond(o, "Failed")
             else "Suspended" if spec.get("suspend") else "Running")
    completions = spec.get("completions")
    done = f"{_n(st.get('succeeded'))}/{completions}" if completions is not None else f"{_n(st.get('succeeded'))}/1"
    start, end = parse_time(st.get("startTime")), parse_time(st.get("completionTime")) or now
    duration = human_duration((end - start).total_seconds()) if start and end else ""
    return [state, done, duration]


def _ingress_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    spec = _spec(o)
    hosts = [str(r["host"]) for r in spec.get("rules") or [] if isinstance(r, dict) and r.get("host")]
    return [str(spec.get("ingressClassName") or "<none>"), ",".join(hosts) or "*", ",".join(_lb_ips(o)),
            "80, 443" if spec.get("tls") else "80"]


_ACCESS = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def _pvc_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    spec, st = _spec(o), _status(o)
    bound = st.get("phase") == "Bound"
    modes = ",".join(_ACCESS.get(m, m) for m in (st.get("accessModes") or []) if bound)
    return [str(st.get("phase") or "Pending"), str(spec.get("volumeName") or ""),
            str((st.get("capacity") or {}).get("storage") or "") if bound else "", modes,
            str(spec.get("storageClassName") or "<unset>"), str(spec.get("volumeAttributesClassName") or "<unset>")]


def _selector_text(selector: Any) -> str:
    labels = (selector or {}).get("matchLabels") or {} if isinstance(selector, dict) else {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def _opt(value: Any) -> str:
    return "N/A" if value is None else str(value)


def _hpa_row(o: dict[str, Any], now: datetime | None) -> list[str]:
    spec, st = _spec(o), _status(o)
    ref = spec.get("scaleTargetRef") or {}
    targets = []
    for m in spec.get("metrics") or []:
        target = ((m.get("resource") or {}).get("target") or {}) if isinstance(m, dict) else {}
        name = (m.get("resource") or {}).get("name", "") if isinstance(m, dict) else ""
        if "averageUtilization" in target:
            targets.append(f"{name}: <unknown>/{target['averageUtilization']}%")
    if spec.get("targetCPUUtilizationPercentage") is not None:
        targets.append(f"cpu: <unknown>/{spec['targetCPUUtilizationPercentage']}%")
    return [f"{ref.get('kind')}/{ref.get('name')}", ", ".join(targets) or "<none>", str(spec.get("minReplicas") or 1),
            str(spec.get("maxReplicas") or ""), str(_n(st.get("currentReplicas")))]


def _created_at(o: dict[str, Any], now: datetime | None) -> list[str]:
    return [str((o.get("metadata") or {}).get("creationTimestamp") or "")]


ColumnFn = Callable[[dict[str, Any], "datetime | None"], list[str]]
# kind -> (headers between NAME and AGE, row function); "AGE" is left out when headers end with CREATED AT
COLUMNS: dict[str, tuple[list[str], ColumnFn]] = {
    "Pod": (["READY", "STATUS", "RESTARTS"], _pod_row),
    "Service": (["TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"], _svc_row),
    "Deployment": (["READY", "UP-TO-DATE", "AVAILABLE"], lambda o, _: [
        f"{_n(_status(o).get('readyReplicas'))}/{_replicas(o)}", str(_n(_status(o).get("updatedReplicas"))),
        str(_n(_status(o).get("availableReplicas")))]),
    "StatefulSet": (["READY"], lambda o, _: [f"{_n(_status(o).get('readyReplicas'))}/{_replicas(o)}"]),
    "ReplicaSet": (["DESIRED", "CURRENT", "READY"], lambda o, _: [
        str(_replicas(o)), str(_n(_status(o).get("replicas"))), str(_n(_status(o).get("readyReplicas")))]),
    "DaemonSet": (["DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR"], lambda o, _: [
        *(str(_n(_status(o).get(k))) for k in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                                                "updatedNumberScheduled", "numberAvailable")),
        ",".join(f"{k}={v}" for k, v in sorted(((_spec(o).get("template") or {}).get("spec") or {}).get(
            "nodeSelector", {}).items())) or "<none>"]),
    "Job": (["STATUS", "COMPLETIONS", "DURATION"], _job_row),
    "CronJob": (["SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE"], lambda o, now: [
        str(_spec(o).get("schedule") or ""), str(_spec(o).get("timeZone") or "<none>"),
        str(bool(_spec(o).get("suspend"))), str(len(_status(o).get("active") or [])),
        _since(_status(o).get("lastScheduleTime"), now) if _status(o).get("lastScheduleTime") else "<none>"]),
    "ConfigMap": (["DATA"], lambda o, _: [str(len(o.get("data") or {}) + len(o.get("binaryData") or {}))]),
    "Secret": (["TYPE", "DATA"], lambda o, _: [str(o.get("type") or "Opaque"),
                                              str(len(o.get("data") or {}) + len(o.get("stringData") or {}))]),
    "ServiceAccount": (["SECRETS"], lambda o, _: [str(len(o.get("secrets") or []))]),
    "PersistentVolumeClaim": (["STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                               "VOLUMEATTRIBUTESCLASS"], _pvc_row),
    "Ingress": (["CLASS", "HOSTS", "ADDRESS", "PORTS"], _ingress_row),
    "Namespace": (["STATUS"], lambda o, _: [str(_status(o).get("phase") or "Active")]),
    "HorizontalPodAutoscaler": (["REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS"], _hpa_row),
    "PodDisruptionBudget": (["MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS"], lambda o, _: [
        _opt(_spec(o).get("minAvailable")), _opt(_spec(o).get("maxUnavailable")),
        str(_n(_status(o).get("disruptionsAllowed")))]),
    "NetworkPolicy": (["POD-SELECTOR"], lambda o, _: [_selector_text(_spec(o).get("podSelector"))]),
    "RoleBinding": (["ROLE"], lambda o, _: [f"{(o.get('roleRef') or {}).get('kind')}/"
                                           f"{(o.get('roleRef') or {}).get('name')}"]),
    "Role": (["CREATED AT"], _created_at),
    "ClusterRole": (["CREATED AT"], _created_at),
    "CustomResourceDefinition": (["CREATED AT"], _created_at),
    "StorageClass": (["PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION"], lambda o, _: [
        str(o.get("provisioner") or ""), str(o.get("reclaimPolicy") or "Delete"),
        str(o.get("volumeBindingMode") or "Immediate"), str(bool(o.get("allowVolumeExpansion"))).lower()]),
}
COLUMNS["ClusterRoleBinding"] = COLUMNS["RoleBinding"]


def resource_table(objects: list[dict[str, Any]], now: datetime | None) -> str:
    """One kind's live objects as kubectl prints them (its columns, aligned like kubectl's tabwriter)."""
    kind = str(objects[0].get("kind") or "") if objects else ""
    extra, row_fn = COLUMNS.get(kind, ([], lambda o, _: []))
    with_age = not extra or extra[-1] != "CREATED AT"
    headers = ["NAME", *extra, *(["AGE"] if with_age else [])]
    rows = [[str((o.get("metadata") or {}).get("name", "")), *row_fn(o, now), *([_age(o, now)] if with_age else [])]
            for o in objects]
    return kubectl_table(headers, rows)


def kubectl_table(headers: list[str], rows: list[list[str]]) -> str:
    """Go's tabwriter as kubectl sets it up (min width 6, padding 3, spaces); the last column is not padded."""
    lines = [headers, *rows]
    widths = [max(6, max(len(r[i]) for r in lines) + 3) for i in range(len(headers) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(r, widths)) + r[-1] + "\n" for r in lines)
def list_item(rel: Release, time_format: str = "") -> dict[str, Any]:
    """Helm's ``releaseElement`` (revision is a string)."""
    ts = rel.info.last_deployed
    updated = (ts.strftime(time_format) if time_format and ts else go_time(ts))
    return {"name": rel.name, "namespace": rel.namespace, "revision": str(rel.version), "updated": updated,
            "status": rel.info.status.value,
            "chart": f"{rel.chart.name}-{rel.chart.version}" if rel.chart else "MISSING",
            "app_version": rel.chart.app_version if rel.chart else "MISSING"}


LIST_HEADERS = ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
HISTORY_HEADERS = ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]


def metadata_text(meta: Any) -> str:
    d = meta.to_dict()

    def kv(m: dict[str, Any]) -> str:
        return ",".join(f"{k}={m[k]}" for k in sorted(m))

    method = {"ssa": "server-side apply", "csa": "client-side apply"}.get(meta.apply_method,
                                                                        "client-side apply (defaulted)")
    deps = ",".join(f"{x.get('name')}-{x.get('version')}" for x in meta.dependencies)
    return (f"NAME: {d['name']}\nCHART: {d['chart']}\nVERSION: {d['version']}\nAPP_VERSION: {d['appVersion']}\n"
            f"ANNOTATIONS: {kv(meta.annotations)}\nLABELS: {kv(meta.labels)}\nDEPENDENCIES: {deps}\n"
            f"NAMESPACE: {d['namespace']}\nREVISION: {d['revision']}\nSTATUS: {d['status']}\n"
            f"DEPLOYED_AT: {d['deployedAt']}\nAPPLY_METHOD: {method}\n")
