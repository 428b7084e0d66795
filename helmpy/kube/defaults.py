"""The defaults kube-apiserver fills in before it validates and stores an object (``SetDefaults_*``).

So ``kubectl get -o yaml`` (and ``describe``) of an object in the embedded cluster looks like a real
cluster's: a Deployment's RollingUpdate strategy and limits, a Pod template's restart/DNS/scheduler settings,
containers' termination message, pull policy and port protocol, probes' timings, a Service's protocol,
targetPort and session affinity, a PVC's volume mode. Only fields that are absent are set; what the user gave
is kept. Called by the embedded cluster on every write (in-process and through ``cluster serve``), before
validation, as the API server does.
"""

from __future__ import annotations

import base64
from typing import Any

from helmpy.kube.client import sub_map

Obj = dict[str, Any]
PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def _dict(parent: Obj, key: str) -> Obj | None:
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def _pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or an untagged image, else ``IfNotPresent`` (digests count as pinned)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _probe(probe: Obj) -> None:
    for key, value in PROBE_DEFAULTS.items():
        probe.setdefault(key, value)
    http = _dict(probe, "httpGet")
    if http is not None:
        http.setdefault("scheme", "HTTP")
        http.setdefault("path", "/")


def _container(container: Obj) -> None:
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    if isinstance(container.get("image"), str):
        container.setdefault("imagePullPolicy", _pull_policy(container["image"]))
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _dict(container, key)
        if probe is not None:
            _probe(probe)


def pod_spec(spec: Obj) -> None:
    """``SetDefaults_PodSpec`` and the containers' defaults."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                _container(container)
    for volume in spec.get("volumes") or []:
        for source in ("configMap", "secret"):
            inner = _dict(volume, source) if isinstance(volume, dict) else None
            if inner is not None:
                inner.setdefault("defaultMode", 420)


def _template(spec: Obj) -> None:
    template = _dict(spec, "template")
    pod = _dict(template, "spec") if template is not None else None
    if pod is not None:
        pod_spec(pod)


def _deployment(spec: Obj) -> None:
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = strategy.setdefault("rollingUpdate", {})
            if isinstance(rolling, dict):
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(spec)


def _statefulset(spec: Obj) -> None:
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {"partition": 0})
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
    for claim in spec.get("volumeClaimTemplates") or []:
        claim_spec = _dict(claim, "spec") if isinstance(claim, dict) else None
        if claim_spec is not None:
            claim_spec.setdefault("volumeMode", "Filesystem")
    _template(spec)


def _daemonset(spec: Obj) -> None:
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {"maxUnavailable": 1, "maxSurge": 0})
    spec.setdefault("revisionHistoryLimit", 10)
    _template(spec)


def _job(spec: Obj) -> None:
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    _template(spec)


def _cronjob(spec: Obj) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job = _dict(_dict(spec, "jobTemplate") or {}, "spec")
    if job is not None:
        _template(job)


def _service(spec: Obj) -> None:
    kind = spec.setdefault("type", "ClusterIP")
    if kind == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if port.get("targetPort") in (None, 0, "") and "port" in port:
                port["targetPort"] = port["port"]
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec.get("clusterIP") != "None" or spec.get("ipFamilies"):
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _secret(obj: Obj) -> None:
    """``stringData`` is folded into ``data`` (base64), ``type`` defaults to Opaque."""
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = sub_map(obj, "data")
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data
    obj.setdefault("type", "Opaque")


_SPEC_DEFAULTS = {("apps", "Deployment"): _deployment, ("apps", "StatefulSet"): _statefulset,
                  ("apps", "DaemonSet"): _daemonset, ("apps", "ReplicaSet"): _template,
                  ("batch", "Job"): _job, ("batch", "CronJob"): _cronjob, ("", "Service"): _service,
                  ("", "Pod"): pod_spec}


def apply_defaults(group: str, kind: str, obj: Obj) -> Obj:
    """Fill in ``obj``'s API-server defaults in place (and return it); objects of other kinds are untouched."""
    if (group, kind) == ("", "Secret"):
        _secret(obj)
    elif (group, kind) == ("", "Namespace"):
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
    elif (group, kind) == ("", "PersistentVolumeClaim"):
        spec = _dict(obj, "spec")
        if spec is not None:
            spec.setdefault("volumeMode", "Filesystem")
    fill = _SPEC_DEFAULTS.get((group, kind))
    spec = _dict(obj, "spec")
    if fill is not None and spec is not None:
        fill(spec)
    return obj
