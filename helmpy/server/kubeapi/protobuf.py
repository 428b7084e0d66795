"""Decode Kubernetes protobuf request bodies into the JSON object form.

client-go's typed clients *send* protobuf (Helm's release Secrets, every ``kubectl create <generator>``), and answering
415 makes them fail rather than retry with JSON (kube-api.md §2.2). Responses stay JSON, so only a reader is
needed: the ``k8s\\0`` envelope around a ``runtime.Unknown``, and one field table per supported message.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Iterator
from typing import Any

from helmpy.errors import KubeApiStatus

MAGIC = b"k8s\x00"

# field number -> (json name, kind). Field numbers are those of Kubernetes' generated.proto files (k8s.io/api,
# k8s.io/apimachinery); only the fields clients are seen to send are listed, the rest is skipped. Kinds:
#   str, bytes (base64 in JSON), int (int32/int64), bool, time (meta Time), quantity (resource.Quantity),
#   intstr (intstr.IntOrString), strs / ints (repeated), map (str->str), bmap (str->bytes), qmap (str->Quantity),
#   msg:<Name>, msgs:<Name> (repeated), inline:<Name> (a Go-embedded struct: its fields join the parent's).
# A trailing "!" keeps zero, false and empty values: pointer fields (``replicas: 0``, ``runAsUser: 0``,
# ``enableServiceLinks: false``) and ``emptyDir: {}``; without it the generator's explicit zeros are dropped.
Schema = dict[int, tuple[str, str]]

SCHEMAS: dict[str, Schema] = {
    # meta/v1
    "ObjectMeta": {1: ("name", "str"), 2: ("generateName", "str"), 3: ("namespace", "str"), 4: ("selfLink", "str"),
                   5: ("uid", "str"), 6: ("resourceVersion", "str"), 7: ("generation", "int"),
                   8: ("creationTimestamp", "time"), 9: ("deletionTimestamp", "time"),
                   10: ("deletionGracePeriodSeconds", "int"), 11: ("labels", "map"), 12: ("annotations", "map"),
                   13: ("ownerReferences", "msgs:OwnerReference"), 14: ("finalizers", "strs")},
    "OwnerReference": {1: ("kind", "str"), 3: ("name", "str"), 4: ("uid", "str"), 5: ("apiVersion", "str"),
                       6: ("controller", "bool!"), 7: ("blockOwnerDeletion", "bool!")},
    "LabelSelector": {1: ("matchLabels", "map"), 2: ("matchExpressions", "msgs:LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "str"), 2: ("operator", "str"), 3: ("values", "strs")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "int!"), 2: ("preconditions", "msg:Preconditions"),
                      3: ("orphanDependents", "bool!"), 4: ("propagationPolicy", "str"), 5: ("dryRun", "strs")},
    "Preconditions": {1: ("uid", "str"), 2: ("resourceVersion", "str")},
    # core/v1 objects
    "Secret": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "bmap"), 3: ("type", "str"),
               4: ("stringData", "map"), 5: ("immutable", "bool!")},
    "ConfigMap": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "map"), 3: ("binaryData", "bmap"),
                  4: ("immutable", "bool!")},
    "Namespace": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:NamespaceSpec"),
                  3: ("status", "msg:NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "strs")},
    "NamespaceStatus": {1: ("phase", "str")},
    "ServiceAccount": {1: ("metadata", "msg:ObjectMeta"), 2: ("secrets", "msgs:ObjectReference"),
                       3: ("imagePullSecrets", "msgs:LocalObjectReference"),
                       4: ("automountServiceAccountToken", "bool!")},
    "ObjectReference": {1: ("kind", "str"), 2: ("namespace", "str"), 3: ("name", "str"), 4: ("uid", "str"),
                        5: ("apiVersion", "str"), 6: ("resourceVersion", "str"), 7: ("fieldPath", "str")},
    "LocalObjectReference": {1: ("name", "str")},
    "Service": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:ServiceSpec")},
    "ServiceSpec": {1: ("ports", "msgs:ServicePort"), 2: ("selector", "map"), 3: ("clusterIP", "str"),
                    18: ("clusterIPs", "strs"), 4: ("type", "str"), 5: ("externalIPs", "strs"),
                    7: ("sessionAffinity", "str"), 8: ("loadBalancerIP", "str"),
                    9: ("loadBalancerSourceRanges", "strs"), 10: ("externalName", "str"),
                    11: ("externalTrafficPolicy", "str"), 12: ("healthCheckNodePort", "int"),
                    13: ("publishNotReadyAddresses", "bool"), 19: ("ipFamilies", "strs"), 17: ("ipFamilyPolicy", "str"),
                    20: ("allocateLoadBalancerNodePorts", "bool!"), 21: ("loadBalancerClass", "str"),
                    22: ("internalTrafficPolicy", "str"), 23: ("trafficDistribution", "str")},
    "ServicePort": {1: ("name", "str"), 2: ("protocol", "str"), 6: ("appProtocol", "str"), 3: ("port", "int"),
                    4: ("targetPort", "intstr"), 5: ("nodePort", "int")},
    "ResourceQuota": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:ResourceQuotaSpec")},
    "ResourceQuotaSpec": {1: ("hard", "qmap"), 2: ("scopes", "strs"), 3: ("scopeSelector", "msg:ScopeSelector")},
    "ScopeSelector": {1: ("matchExpressions", "msgs:ScopedResourceSelectorRequirement")},
    "ScopedResourceSelectorRequirement": {1: ("scopeName", "str"), 2: ("operator", "str"), 3: ("values", "strs")},
    # core/v1 pod templates: what the generators set, plus the common fields ``create job --from=cronjob/x`` copies
    "PodTemplateSpec": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:PodSpec")},
    "PodSpec": {1: ("volumes", "msgs:Volume"), 20: ("initContainers", "msgs:Container"),
                2: ("containers", "msgs:Container"), 3: ("restartPolicy", "str"),
                4: ("terminationGracePeriodSeconds", "int!"), 5: ("activeDeadlineSeconds", "int!"),
                6: ("dnsPolicy", "str"), 7: ("nodeSelector", "map"), 8: ("serviceAccountName", "str"),
                9: ("serviceAccount", "str"), 21: ("automountServiceAccountToken", "bool!"), 10: ("nodeName", "str"),
                11: ("hostNetwork", "bool"), 12: ("hostPID", "bool"), 13: ("hostIPC", "bool"),
                27: ("shareProcessNamespace", "bool!"), 14: ("securityContext", "msg:PodSecurityContext"),
                15: ("imagePullSecrets", "msgs:LocalObjectReference"), 16: ("hostname", "str"),
                17: ("subdomain", "str"), 19: ("schedulerName", "str"), 22: ("tolerations", "msgs:Toleration"),
                24: ("priorityClassName", "str"), 25: ("priority", "int!"), 29: ("runtimeClassName", "str"),
                30: ("enableServiceLinks", "bool!"), 31: ("preemptionPolicy", "str")},
    "Container": {1: ("name", "str"), 2: ("image", "str"), 3: ("command", "strs"), 4: ("args", "strs"),
                  5: ("workingDir", "str"), 6: ("ports", "msgs:ContainerPort"), 19: ("envFrom", "msgs:EnvFromSource"),
                  7: ("env", "msgs:EnvVar"), 8: ("resources", "msg:ResourceRequirements"),
                  24: ("restartPolicy", "str"), 9: ("volumeMounts", "msgs:VolumeMount"),
                  10: ("livenessProbe", "msg:Probe"), 11: ("readinessProbe", "msg:Probe"),
                  22: ("startupProbe", "msg:Probe"), 13: ("terminationMessagePath", "str"),
                  20: ("terminationMessagePolicy", "str"), 14: ("imagePullPolicy", "str"),
                  15: ("securityContext", "msg:SecurityContext"), 16: ("stdin", "bool"), 17: ("stdinOnce", "bool"),
                  18: ("tty", "bool")},
    "ContainerPort": {1: ("name", "str"), 2: ("hostPort", "int"), 3: ("containerPort", "int"),
                      4: ("protocol", "str"), 5: ("hostIP", "str")},
    "EnvVar": {1: ("name", "str"), 2: ("value", "str"), 3: ("valueFrom", "msg:EnvVarSource")},
    "EnvVarSource": {1: ("fieldRef", "msg:ObjectFieldSelector"), 3: ("configMapKeyRef", "msg:KeySelector"),
                     4: ("secretKeyRef", "msg:KeySelector")},
    "ObjectFieldSelector": {1: ("apiVersion", "str"), 2: ("fieldPath", "str")},
    "KeySelector": {1: ("", "inline:LocalObjectReference"), 2: ("key", "str"), 3: ("optional", "bool!")},
    "EnvFromSource": {1: ("prefix", "str"), 2: ("configMapRef", "msg:EnvSource"), 3: ("secretRef", "msg:EnvSource")},
    "EnvSource": {1: ("", "inline:LocalObjectReference"), 2: ("optional", "bool!")},
    "ResourceRequirements": {1: ("limits", "qmap"), 2: ("requests", "qmap")},
    "VolumeMount": {1: ("name", "str"), 2: ("readOnly", "bool"), 3: ("mountPath", "str"), 4: ("subPath", "str"),
                    6: ("subPathExpr", "str")},
    "Volume": {1: ("name", "str"), 2: ("", "inline:VolumeSource")},
    "VolumeSource": {1: ("hostPath", "msg!:HostPathVolumeSource"), 2: ("emptyDir", "msg!:EmptyDirVolumeSource"),
                     6: ("secret", "msg!:SecretVolumeSource"),
                     10: ("persistentVolumeClaim", "msg!:PersistentVolumeClaimVolumeSource"),
                     19: ("configMap", "msg!:ConfigMapVolumeSource")},
    "HostPathVolumeSource": {1: ("path", "str"), 2: ("type", "str")},
    "EmptyDirVolumeSource": {1: ("medium", "str"), 2: ("sizeLimit", "quantity")},
    "SecretVolumeSource": {1: ("secretName", "str"), 2: ("items", "msgs:KeyToPath"), 3: ("defaultMode", "int!"),
                           4: ("optional", "bool!")},
    "ConfigMapVolumeSource": {1: ("", "inline:LocalObjectReference"), 2: ("items", "msgs:KeyToPath"),
                              3: ("defaultMode", "int!"), 4: ("optional", "bool!")},
    "KeyToPath": {1: ("key", "str"), 2: ("path", "str"), 3: ("mode", "int!")},
    "PersistentVolumeClaimVolumeSource": {1: ("claimName", "str"), 2: ("readOnly", "bool")},
    "Probe": {1: ("", "inline:ProbeHandler"), 2: ("initialDelaySeconds", "int"), 3: ("timeoutSeconds", "int"),
              4: ("periodSeconds", "int"), 5: ("successThreshold", "int"), 6: ("failureThreshold", "int")},
    "ProbeHandler": {1: ("exec", "msg!:ExecAction"), 2: ("httpGet", "msg!:HTTPGetAction"),
                     3: ("tcpSocket", "msg!:TCPSocketAction")},
    "ExecAction": {1: ("command", "strs")},
    "HTTPGetAction": {1: ("path", "str"), 2: ("port", "intstr"), 3: ("host", "str"), 4: ("scheme", "str"),
                      5: ("httpHeaders", "msgs:HTTPHeader")},
    "HTTPHeader": {1: ("name", "str"), 2: ("value", "str")},
    "TCPSocketAction": {1: ("port", "intstr"), 2: ("host", "str")},
    "SecurityContext": {1: ("capabilities", "msg:Capabilities"), 2: ("privileged", "bool!"),
                        4: ("runAsUser", "int!"), 8: ("runAsGroup", "int!"), 5: ("runAsNonRoot", "bool!"),
                        6: ("readOnlyRootFilesystem", "bool!"), 7: ("allowPrivilegeEscalation", "bool!")},
    "Capabilities": {1: ("add", "strs"), 2: ("drop", "strs")},
    "PodSecurityContext": {2: ("runAsUser", "int!"), 6: ("runAsGroup", "int!"), 3: ("runAsNonRoot", "bool!"),
                           4: ("supplementalGroups", "ints"), 5: ("fsGroup", "int!")},
    "Toleration": {1: ("key", "str"), 2: ("operator", "str"), 3: ("value", "str"), 4: ("effect", "str"),
                   5: ("tolerationSeconds", "int!")},
    # apps/v1
    "Deployment": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:DeploymentSpec")},
    "DeploymentSpec": {1: ("replicas", "int!"), 2: ("selector", "msg:LabelSelector"),
                       3: ("template", "msg:PodTemplateSpec"), 4: ("strategy", "msg:DeploymentStrategy"),
                       5: ("minReadySeconds", "int"), 6: ("revisionHistoryLimit", "int!"), 7: ("paused", "bool"),
                       9: ("progressDeadlineSeconds", "int!")},
    "DeploymentStrategy": {1: ("type", "str"), 2: ("rollingUpdate", "msg:RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "intstr!"), 2: ("maxSurge", "intstr!")},
    # batch/v1
    "Job": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:JobSpec")},
    "JobSpec": {1: ("parallelism", "int!"), 2: ("completions", "int!"), 3: ("activeDeadlineSeconds", "int!"),
                7: ("backoffLimit", "int!"), 12: ("backoffLimitPerIndex", "int!"), 13: ("maxFailedIndexes", "int!"),
                4: ("selector", "msg:LabelSelector"), 5: ("manualSelector", "bool!"),
                6: ("template", "msg:PodTemplateSpec"), 8: ("ttlSecondsAfterFinished", "int!"),
                9: ("completionMode", "str"), 10: ("suspend", "bool!"), 14: ("podReplacementPolicy", "str"),
                15: ("managedBy", "str")},
    "CronJob": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:CronJobSpec")},
    "CronJobSpec": {1: ("schedule", "str"), 8: ("timeZone", "str"), 2: ("startingDeadlineSeconds", "int!"),
                    3: ("concurrencyPolicy", "str"), 4: ("suspend", "bool!"), 5: ("jobTemplate", "msg:JobTemplateSpec"),
                    6: ("successfulJobsHistoryLimit", "int!"), 7: ("failedJobsHistoryLimit", "int!")},
    "JobTemplateSpec": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:JobSpec")},
    # networking.k8s.io/v1
    "Ingress": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:IngressSpec")},
    "IngressSpec": {4: ("ingressClassName", "str"), 1: ("defaultBackend", "msg:IngressBackend"),
                    2: ("tls", "msgs:IngressTLS"), 3: ("rules", "msgs:IngressRule")},
    "IngressRule": {1: ("host", "str"), 2: ("", "inline:IngressRuleValue")},
    "IngressRuleValue": {1: ("http", "msg:HTTPIngressRuleValue")},
    "HTTPIngressRuleValue": {1: ("paths", "msgs:HTTPIngressPath")},
    "HTTPIngressPath": {1: ("path", "str"), 3: ("pathType", "str"), 2: ("backend", "msg:IngressBackend")},
    "IngressBackend": {4: ("service", "msg:IngressServiceBackend"), 3: ("resource", "msg:TypedLocalObjectReference")},
    "IngressServiceBackend": {1: ("name", "str"), 2: ("port", "msg:ServiceBackendPort")},
    "ServiceBackendPort": {1: ("name", "str"), 2: ("number", "int")},
    "IngressTLS": {1: ("hosts", "strs"), 2: ("secretName", "str")},
    "TypedLocalObjectReference": {1: ("apiGroup", "str"), 2: ("kind", "str"), 3: ("name", "str")},
    # rbac.authorization.k8s.io/v1
    "Role": {1: ("metadata", "msg:ObjectMeta"), 2: ("rules", "msgs:PolicyRule")},
    "ClusterRole": {1: ("metadata", "msg:ObjectMeta"), 2: ("rules", "msgs:PolicyRule"),
                    3: ("aggregationRule", "msg:AggregationRule")},
    "PolicyRule": {1: ("verbs", "strs"), 2: ("apiGroups", "strs"), 3: ("resources", "strs"),
                   4: ("resourceNames", "strs"), 5: ("nonResourceURLs", "strs")},
    "AggregationRule": {1: ("clusterRoleSelectors", "msgs:LabelSelector")},
    "RoleBinding": {1: ("metadata", "msg:ObjectMeta"), 2: ("subjects", "msgs:Subject"), 3: ("roleRef", "msg:RoleRef")},
    "ClusterRoleBinding": {1: ("metadata", "msg:ObjectMeta"), 2: ("subjects", "msgs:Subject"),
                           3: ("roleRef", "msg:RoleRef")},
    "Subject": {1: ("kind", "str"), 2: ("apiGroup", "str"), 3: ("name", "str"), 4: ("namespace", "str")},
    "RoleRef": {1: ("apiGroup", "str"), 2: ("kind", "str"), 3: ("name", "str")},
    # scheduling.k8s.io/v1, policy/v1
    "PriorityClass": {1: ("metadata", "msg:ObjectMeta"), 2: ("value", "int!"), 3: ("globalDefault", "bool"),
                      4: ("description", "str"), 5: ("preemptionPolicy", "str")},
    "PodDisruptionBudget": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:PodDisruptionBudgetSpec")},
    "PodDisruptionBudgetSpec": {1: ("minAvailable", "intstr!"), 2: ("selector", "msg:LabelSelector"),
                                3: ("maxUnavailable", "intstr!"), 4: ("unhealthyPodEvictionPolicy", "str")},
}
# the kinds accepted as request bodies (the other tables are nested messages)
TOP_LEVEL = frozenset({"Secret", "ConfigMap", "Namespace", "ServiceAccount", "Service", "ResourceQuota",
                       "Deployment", "Job", "CronJob", "Ingress", "Role", "ClusterRole", "RoleBinding",
                       "ClusterRoleBinding", "PriorityClass", "PodDisruptionBudget", "DeleteOptions"})
TypeMeta: Schema = {1: ("apiVersion", "str"), 2: ("kind", "str")}
Unknown: Schema = {1: ("typeMeta", "raw"), 2: ("raw", "raw"), 3: ("contentEncoding", "str"), 4: ("contentType", "str")}


def _bad(message: str) -> KubeApiStatus:
    return KubeApiStatus(f"the body of the request was in an unknown format: {message}", code=400,
                         reason="BadRequest")


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise _bad("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise _bad("varint too long")


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value) where value is an int or bytes."""
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise _bad("truncated length-delimited field")
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 1:
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        else:
            raise _bad(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise _bad("truncated field")
        yield number, wire, value


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        raise _bad("expected a string field")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad("string field is not UTF-8") from err


def _time(value: bytes) -> str:
    """meta/v1 Time {1 seconds, 2 nanos}; Go's zero time (what clients send for an unset timestamp) is ""."""
    seconds = 0
    for number, _wire, v in _fields(value):
        if number == 1:
            seconds = _signed(v)
    if seconds <= 0:  # 0001-01-01 (Go's zero Time) or the epoch: unset, as JSON's null
        return ""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(value: Any) -> bytes:
    if not isinstance(value, bytes):
        raise _bad("expected a message field")
    return value


def _signed(value: Any) -> int:
    if not isinstance(value, int):
        raise _bad("expected a varint field")
    return value - (1 << 64) if value >= 1 << 63 else value


def _quantity(value: Any) -> str:
    """resource.Quantity travels as a message holding its canonical string (field 1)."""
    text = ""
    for number, _wire, v in _fields(_message(value)):
        if number == 1:
            text = _text(v)
    return text


def _int_or_string(value: Any) -> int | str:
    """intstr.IntOrString: {1 type (0 int, 1 string), 2 intVal, 3 strVal}."""
    kind, number_value, text = 0, 0, ""
    for number, _wire, v in _fields(_message(value)):
        if number == 1:
            kind = _signed(v)
        elif number == 2:
            number_value = _signed(v)
        elif number == 3:
            text = _text(v)
    return text if kind == 1 else number_value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": _text, "bytes": lambda v: base64.b64encode(_message(v)).decode(), "bool": lambda v: bool(_signed(v)),
    "int": _signed, "time": lambda v: _time(_message(v)), "quantity": _quantity, "intstr": _int_or_string,
}
# map kinds -> the kind of their values
MAP_VALUES = {"map": "str", "bmap": "bytes", "qmap": "quantity"}


def _map_entry(value: Any, value_kind: str) -> tuple[str, Any]:
    key, val = "", b""
    for number, _wire, v in _fields(_message(value)):
        if number == 1:
            key = _text(v)
        elif number == 2:
            val = v
    return key, CONVERTERS[value_kind](val)


def _repeated_ints(wire: int, value: Any) -> list[int]:
    if wire == 0:
        return [_signed(value)]
    out, pos, buf = [], 0, _message(value)  # packed
    while pos < len(buf):
        number, pos = _varint(buf, pos)
        out.append(_signed(number))
    return out


def decode_message(buf: bytes, schema_name: str) -> dict[str, Any]:
    """Decode one message into its JSON form. Empty and zero values are treated as absent unless the field's
    kind has a "!" (pointer fields, whose zero is meaningful); unknown field numbers are skipped."""
    schema = SCHEMAS[schema_name]
    out: dict[str, Any] = {}
    for number, wire, value in _fields(buf):
        if number not in schema:
            continue
        name, spec = schema[number]
        head, _, arg = spec.partition(":")
        keep, kind = head.endswith("!"), head.rstrip("!")
        if kind in MAP_VALUES:
            key, val = _map_entry(value, MAP_VALUES[kind])
            out.setdefault(name, {})[key] = val
        elif kind == "strs":
            out.setdefault(name, []).append(_text(value))
        elif kind == "ints":
            out.setdefault(name, []).extend(_repeated_ints(wire, value))
        elif kind == "msgs":
            out.setdefault(name, []).append(decode_message(_message(value), arg))
        elif kind == "inline":
            out.update(decode_message(_message(value), arg))
        elif kind == "msg":
            sub = decode_message(_message(value), arg)
            if sub or keep:
                out[name] = sub
        else:
            converted = CONVERTERS[kind](value)
            if keep or converted not in ("", 0):  # the generator writes zero values explicitly (0 == False too)
                out[name] = converted
    return out


def decode(body: bytes) -> dict[str, Any]:
    """Decode a ``k8s\\0``-enveloped protobuf body; 400 (BadRequest) when it is not one or not understood."""
    if not body.startswith(MAGIC):
        raise _bad("missing the protobuf magic prefix")
    type_meta, raw = b"", b""
    for number, _wire, value in _fields(body[len(MAGIC):]):
        if number == 1:
            type_meta = value
        elif number == 2:
            raw = value
    meta: dict[str, str] = {}
    for number, _wire, value in _fields(type_meta):
        if number in TypeMeta:
            meta[TypeMeta[number][0]] = _text(value)
    kind = meta.get("kind", "")
    if kind not in TOP_LEVEL:
        raise KubeApiStatus(f"protobuf request bodies of kind {kind or '<none>'!r} are not supported by helmpy; "
                            "send JSON instead", code=415, reason="UnsupportedMediaType")
    obj = {"apiVersion": meta.get("apiVersion", "v1"), "kind": kind}
    obj.update(decode_message(raw, kind))
    return obj
