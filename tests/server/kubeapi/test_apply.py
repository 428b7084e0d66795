"""Server-side apply: ownership in managedFields, removal of dropped fields, conflicts and force."""

from __future__ import annotations

import pytest

from helmpy.kube.fieldmanager import ApplyConflict, from_fields_v1, record_update, server_side_apply


def _cm(data: dict, **meta) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **meta}, "data": data}


def _managers(obj: dict) -> dict:
    return {(m["manager"], m["operation"]): from_fields_v1(m["fieldsV1"]) for m in obj["metadata"]["managedFields"]}


def test_create_then_drop_a_key():
    created = server_side_apply(None, _cm({"a": "1", "b": "2"}), "helm", False)
    assert _managers(created)[("helm", "Apply")] == {("f:data", "f:a"), ("f:data", "f:b")}
    updated = server_side_apply(created, _cm({"a": "1"}), "helm", False)
    assert updated["data"] == {"a": "1"}


def test_fields_of_other_managers_survive_and_conflict():
    live = server_side_apply(None, _cm({"a": "1"}, labels={"x": "1"}), "helm", False)
    live = server_side_apply(live, _cm({"b": "2"}), "other", False)
    live["metadata"]["annotations"] = {"keep": "me"}
    assert live["data"] == {"a": "1", "b": "2"}
    dropped = server_side_apply(live, _cm({}), "helm", False)
    assert dropped["data"] == {"b": "2"} and "labels" not in dropped["metadata"]
    assert dropped["metadata"]["annotations"] == {"keep": "me"}  # set by nobody's apply: untouched
    with pytest.raises(ApplyConflict) as err:
        server_side_apply(live, _cm({"b": "3"}), "helm", False)
    assert err.value.causes == [{"type": "FieldManagerConflict", "field": ".data.b", "message": 'conflict with "other"'}]
    forced = server_side_apply(live, _cm({"a": "1", "b": "3"}), "helm", True)
    assert forced["data"]["b"] == "3" and ("other", "Apply") not in _managers(forced)  # owns nothing now
    same = server_side_apply(live, _cm({"a": "1", "b": "2"}), "helm", False)  # equal values: shared, no conflict
    assert same["data"] == {"a": "1", "b": "2"}


def test_keyed_lists_merge_by_key():
    def deploy(containers):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {"containers": containers}}}}

    live = server_side_apply(None, deploy([{"name": "a", "image": "1"}]), "m1", False)
    live = server_side_apply(live, deploy([{"name": "b", "image": "2"}]), "m2", False)
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["a", "b"]
    live = server_side_apply(live, deploy([]), "m1", False)
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["b"]


def test_plain_updates_take_ownership_of_what_they_change():
    live = server_side_apply(None, _cm({"a": "1"}), "helm", False)
    after = _cm({"a": "2"}, managedFields=live["metadata"]["managedFields"])
    record_update(live, after, "kubectl-edit")
    managers = _managers(after)
    assert managers[("kubectl-edit", "Update")] == {("f:data", "f:a")} and ("helm", "Apply") not in managers
    with pytest.raises(ApplyConflict):
        server_side_apply(after, _cm({"a": "3"}), "helm", False)
