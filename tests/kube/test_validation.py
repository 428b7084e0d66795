"""helmpy.kube.validation / schema / names: the API server's checks, as example tables and properties."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.errors import KubeApiStatus, KubeInvalid
from helmpy.kube import names, resources, schema
from helmpy.kube.embedded import SERVER_VERSION
from helmpy.kube.validation import causes_for, validate


def _rt(api_version: str, kind: str) -> resources.ResourceType:
    rt = resources.lookup(api_version, kind)
    assert rt is not None
    return rt


SVC = _rt("v1", "Service")


def _svc(*ports: dict[str, Any], kind: str = "ClusterIP", name: str = "s") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"type": kind, "ports": list(ports)}}


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_service_port_range_property(port: int) -> None:
    causes = causes_for(SVC, _svc({"port": port}), SERVER_VERSION)
    if 1 <= port <= 65535:
        assert causes == []
    else:
        assert causes == [{"reason": "FieldValueInvalid", "field": "spec.ports[0].port",
                           "message": f"Invalid value: {port}: must be between 1 and 65535, inclusive"}]


_NAME_CHARS = st.text(alphabet="abcz09-.:/%_A", min_size=1, max_size=70)


@settings(max_examples=300, deadline=None)
@given(_NAME_CHARS)
def test_name_rules_property(name: str) -> None:
    """Subdomains for most kinds, DNS-1035 labels for Services, path segments for RBAC."""
    subdomain = len(name) <= 253 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
                                                   name) is not None
    label1035 = len(name) <= 63 and re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name) is not None
    segment = name not in (".", "..") and "/" not in name and "%" not in name
    assert (names.name_problems("ConfigMap", name) == []) == subdomain
    assert (names.name_problems("Service", name) == []) == label1035
    assert (names.name_problems("ClusterRole", name) == []) == segment


@pytest.mark.parametrize("obj, message", [
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": True}},
     "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string"),
    ({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
      "spec": {"template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}}},
     "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort "
     "of type int32"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": {"name": "c"}}},
     "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"),
    ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 1.5}]}},
     "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.port of type int32"),
])
def test_decoding_errors_are_400(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(KubeApiStatus) as info:
        validate(_rt(obj["apiVersion"], obj["kind"]), obj, SERVER_VERSION)
    assert info.value.code == 400 and info.value.reason == "BadRequest"
    assert info.value.message == (f'{obj["kind"]} in version "v1" cannot be handled as a {obj["kind"]}: {message}')


@pytest.mark.parametrize("obj, causes", [
    (_svc({"name": "a", "port": 80}, {"name": "b", "port": 80}),
     [("spec.ports[1]", 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
                        'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')]),
    (_svc({"port": 80, "nodePort": 30080}),
     [("spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")]),
    (_svc({"port": 80}, kind="Balanced"),
     [("spec.type", 'Unsupported value: "Balanced": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
                    '"NodePort"')]),
    (_svc({"port": 80, "targetPort": 70000}),
     [("spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive")]),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a b": "x"}},
     [("data[a b]", 'Invalid value: "a b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' '
                    "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                    "'[-._a-zA-Z0-9]+')")]),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "annotations": {"a": "x" * 300000}}},
     [("metadata.annotations", "Too long: may not be more than 262144 bytes")]),
    ({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "r:b"},
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role"}},
     [("roleRef.name", "Required value")]),  # from the OpenAPI schema's required list
])
def test_validation_causes(obj: dict[str, Any], causes: list[tuple[str, str]]) -> None:
    found = causes_for(_rt(obj["apiVersion"], obj["kind"]), obj, SERVER_VERSION)
    assert [(c["field"], c["message"]) for c in found] == causes
    with pytest.raises(KubeInvalid) as info:
        validate(_rt(obj["apiVersion"], obj["kind"]), obj, SERVER_VERSION)
    assert info.value.code == 422 and info.value.details["causes"] == found


def test_secret_data_limit_counts_decoded_bytes() -> None:
    import base64

    rt = _rt("v1", "Secret")
    just = base64.b64encode(b"x" * (1024 * 1024)).decode()  # 1 MiB decoded, ~1.33 MiB as base64
    assert causes_for(rt, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": just}},
                      SERVER_VERSION) == []
    over = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    assert [c["field"] for c in causes_for(rt, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                                                "data": {"a": over}}, SERVER_VERSION)] == ["data"]


def test_kinds_without_a_schema_are_not_schema_checked() -> None:
    crd_kind = resources.ResourceType("example.com", "v1", "Widget", "widgets", True)
    assert schema.check(SERVER_VERSION, "example.com", "v1", "Widget", {"spec": {"anything": 1}}) is None
    assert causes_for(crd_kind, {"metadata": {"name": "w"}, "spec": {"x": [1]}}, SERVER_VERSION) == []
