"""Decoding Kubernetes protobuf request bodies (hand-encoded here with the wire format)."""

from __future__ import annotations

import base64

import pytest

from helmpy.errors import KubeApiStatus
from helmpy.server.kubeapi.protobuf import MAGIC, decode


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _ld(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _int(field: int, n: int) -> bytes:
    return _varint(field << 3) + _varint(n)


def _entry(field: int, key: str, value: bytes) -> bytes:
    return _ld(field, _ld(1, key.encode()) + _ld(2, value))


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return MAGIC + _ld(1, _ld(1, api_version.encode()) + _ld(2, kind.encode())) + _ld(2, raw)


def test_secret_as_helm_writes_it():
    meta = (_ld(1, b"sh.helm.release.v1.demo.v1") + _ld(2, b"") + _ld(3, b"default") + _int(7, 0)
            + _entry(11, "owner", b"helm") + _entry(11, "status", b"deployed") + _ld(8, _int(1, 1700000000)))
    body = _envelope("v1", "Secret", _ld(1, meta) + _entry(2, "release", b"H4sIAAAA") + _ld(3, b"helm.sh/release.v1"))
    obj = decode(body)
    assert obj["apiVersion"] == "v1" and obj["kind"] == "Secret" and obj["type"] == "helm.sh/release.v1"
    assert obj["metadata"] == {"name": "sh.helm.release.v1.demo.v1", "namespace": "default",
                               "labels": {"owner": "helm", "status": "deployed"},
                               "creationTimestamp": "2023-11-14T22:13:20Z"}
    assert base64.b64decode(obj["data"]["release"]) == b"H4sIAAAA"


def test_configmap_namespace_and_delete_options():
    cm = decode(_envelope("v1", "ConfigMap", _ld(1, _ld(1, b"c")) + _entry(2, "k", b"v")))
    assert cm["data"] == {"k": "v"} and cm["metadata"] == {"name": "c"}
    ns = decode(_envelope("v1", "Namespace", _ld(1, _ld(1, b"team")) + _ld(2, _ld(1, b"kubernetes"))))
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    opts = decode(_envelope("v1", "DeleteOptions", _ld(4, b"Background") + _ld(2, _ld(1, b"uid-1"))))
    assert opts["propagationPolicy"] == "Background" and opts["preconditions"] == {"uid": "uid-1"}
    assert decode(_envelope("v1", "DeleteOptions", b"")) == {"apiVersion": "v1", "kind": "DeleteOptions"}


def test_unknown_fields_are_skipped():
    raw = _ld(1, _ld(1, b"c") + _ld(99, b"future")) + _int(50, 7)
    assert decode(_envelope("v1", "ConfigMap", raw))["metadata"] == {"name": "c"}


@pytest.mark.parametrize("body", [b"not protobuf", MAGIC + b"\x0a\xff", MAGIC + _ld(1, b"\x0a\x05ab")])
def test_malformed_bodies_are_bad_requests(body):
    with pytest.raises(KubeApiStatus) as err:
        decode(body)
    assert err.value.code == 400 and err.value.reason == "BadRequest"


def test_unsupported_kind_is_415():
    with pytest.raises(KubeApiStatus) as err:
        decode(_envelope("autoscaling/v2", "HorizontalPodAutoscaler", _ld(1, _ld(1, b"h"))))
    assert err.value.code == 415 and "HorizontalPodAutoscaler" in err.value.message
    with pytest.raises(KubeApiStatus):  # nested messages are no request bodies
        decode(_envelope("v1", "ObjectMeta", _ld(1, b"m")))


def test_deployment_with_int_or_string_quantity_inline_and_kept_zeros():
    container = (_ld(1, b"web") + _ld(2, b"nginx") + _ld(6, _int(3, 8080))
                 + _ld(8, _entry(1, "cpu", _ld(1, b"500m")))  # limits: map string -> Quantity
                 + _ld(10, _ld(1, _ld(2, _ld(2, _int(1, 1) + _ld(3, b"http"))))))  # probe, inline handler, strVal
    pod = (_ld(2, container) + _ld(1, _ld(1, b"cache") + _ld(2, _ld(2, b"")))  # volume with an empty emptyDir
           + _ld(14, _int(2, 0) + _int(4, 5) + _int(4, 6)) + _int(30, 0))
    template = _ld(1, _ld(8, b"") + _entry(11, "app", b"web")) + _ld(2, pod)  # unset creationTimestamp
    spec = (_int(1, 0) + _ld(2, _entry(1, "app", b"web")) + _ld(3, template)
            + _ld(4, _ld(1, b"RollingUpdate") + _ld(2, _ld(1, _int(1, 0) + _int(2, 0)) + _ld(2, _int(1, 1)
                                                                                         + _ld(3, b"25%")))))
    obj = decode(_envelope("apps/v1", "Deployment", _ld(1, _ld(1, b"web")) + _ld(2, spec) + _ld(3, b"")))
    assert obj["spec"]["replicas"] == 0  # a pointer: zero is kept
    assert obj["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0,
                                                                                  "maxSurge": "25%"}}
    assert obj["spec"]["template"]["metadata"] == {"labels": {"app": "web"}}
    pod_spec = obj["spec"]["template"]["spec"]
    assert pod_spec["volumes"] == [{"name": "cache", "emptyDir": {}}]
    assert pod_spec["securityContext"] == {"runAsUser": 0, "supplementalGroups": [5, 6]}
    assert pod_spec["enableServiceLinks"] is False
    assert pod_spec["containers"] == [{"name": "web", "image": "nginx", "ports": [{"containerPort": 8080}],
                                       "resources": {"limits": {"cpu": "500m"}},
                                       "livenessProbe": {"httpGet": {"port": "http"}}}]


def test_packed_repeated_ints_and_negative_varints():
    packed = _ld(2, _ld(14, _ld(4, _varint(7) + _varint(8))))
    assert decode(_envelope("apps/v1", "Deployment", _ld(2, _ld(3, packed))))["spec"]["template"]["spec"] == {
        "securityContext": {"supplementalGroups": [7, 8]}}
    negative = decode(_envelope("scheduling.k8s.io/v1", "PriorityClass", _int(2, (1 << 64) - 5)))
    assert negative["value"] == -5
