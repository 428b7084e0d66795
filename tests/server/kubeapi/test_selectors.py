"""Label and field selectors."""

from __future__ import annotations

import pytest

from helmpy.errors import KubeApiStatus
from helmpy.server.kubeapi.selectors import matches, parse_fields, parse_labels

OBJ = {"metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "front"}}}


@pytest.mark.parametrize("selector, expected", [
    ("", True), ("app=web", True), ("app==web", True), ("app!=web", False), ("app=web,tier=front", True),
    ("app in (web, api)", True), ("app notin (web)", False), ("tier", True), ("!tier", False), ("missing", False),
    ("!missing", True), ("missing!=x", True), ("app in (a,b),tier", False)])
def test_label_selectors(selector, expected):
    assert matches(OBJ, parse_labels(selector), []) is expected


@pytest.mark.parametrize("selector, expected", [
    ("metadata.name=web", True), ("metadata.name==api", False), ("metadata.name!=api", True),
    ("metadata.namespace=default,metadata.name=web", True), ("metadata.namespace=kube-system", False)])
def test_field_selectors(selector, expected):
    assert matches(OBJ, [], parse_fields(selector)) is expected


@pytest.mark.parametrize("bad", ["app in (a", "=x", "a b c"])
def test_bad_label_selector_is_400(bad):
    with pytest.raises(KubeApiStatus) as err:
        parse_labels(bad)
    assert err.value.code == 400


def test_bad_field_selector_is_400():
    with pytest.raises(KubeApiStatus):
        parse_fields("metadata.name in (a)")
