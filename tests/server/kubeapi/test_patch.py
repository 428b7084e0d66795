"""Strategic merge, JSON merge and JSON patches."""

from __future__ import annotations

import pytest

from helmpy.errors import KubeApiStatus
from helmpy.kube.patch import json_patch, merge_patch, strategic_merge

POD_SPEC = {"containers": [{"name": "web", "image": "nginx:1", "ports": [{"containerPort": 80}],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                           {"name": "side", "image": "busybox"}],
            "tolerations": [{"key": "x"}]}


def test_strategic_merge_merges_keyed_lists_and_keeps_others():
    patch = {"$setElementOrder/containers": [{"name": "web"}, {"name": "side"}],
             "containers": [{"name": "web", "image": "nginx:2", "env": [{"name": "B", "value": "3"}]}]}
    out = strategic_merge(POD_SPEC, patch)
    web = out["containers"][0]
    assert web["image"] == "nginx:2" and web["ports"] == [{"containerPort": 80}]
    assert web["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert out["containers"][1] == {"name": "side", "image": "busybox"}
    assert POD_SPEC["containers"][0]["image"] == "nginx:1"  # input untouched


def test_strategic_merge_directives():
    out = strategic_merge(POD_SPEC, {"containers": [{"name": "side", "$patch": "delete"}],
                                     "tolerations": [{"key": "y"}]})
    assert [c["name"] for c in out["containers"]] == ["web"]
    assert out["tolerations"] == [{"key": "y"}]  # no merge key: replaced
    order = strategic_merge(POD_SPEC, {"$setElementOrder/containers": [{"name": "side"}, {"name": "web"}]})
    assert [c["name"] for c in order["containers"]] == ["side", "web"]
    replaced = strategic_merge({"a": {"x": 1, "y": 2}}, {"a": {"$patch": "replace", "z": 3}})
    assert replaced == {"a": {"z": 3}}
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}
    prims = strategic_merge({"f": ["a", "b", "c"]}, {"$deleteFromPrimitiveList/f": ["b"]})
    assert prims == {"f": ["a", "c"]}
    assert strategic_merge({"s": {"a": 1, "b": 2}}, {"s": {"$retainKeys": ["b"], "b": 3}}) == {"s": {"b": 3}}


def test_merge_patch_rfc7386():
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None, "d": 3}, "l": [3]}) == \
        {"a": {"c": 2, "d": 3}, "l": [3]}


def test_json_patch_operations():
    doc = {"a": {"b": [1, 2]}, "c": "x"}
    out = json_patch(doc, [{"op": "add", "path": "/a/b/-", "value": 3}, {"op": "replace", "path": "/c", "value": "y"},
                           {"op": "copy", "from": "/c", "path": "/d"}, {"op": "move", "from": "/d", "path": "/e"},
                           {"op": "remove", "path": "/a/b/0"}, {"op": "test", "path": "/e", "value": "y"},
                           {"op": "add", "path": "/x~1y", "value": 1}])
    assert out == {"a": {"b": [2, 3]}, "c": "y", "e": "y", "x/y": 1}


@pytest.mark.parametrize("ops, code", [
    ({"op": "add"}, 400), ([{"op": "nope", "path": "/a"}], 400), ([{"op": "remove", "path": "/zz"}], 422),
    ([{"op": "test", "path": "/a", "value": 2}], 422), ([{"op": "add", "path": "a", "value": 1}], 400)])
def test_json_patch_errors(ops, code):
    with pytest.raises(KubeApiStatus) as err:
        json_patch({"a": 1}, ops)
    assert err.value.code == code


# --- the merge copies once and changes its copy in place: inputs stay as they were, nothing is shared ---
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_names = st.sampled_from(["web", "side", "init"])
_leaf = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b"]))
_containers = st.lists(st.fixed_dictionaries({"name": _names}, optional={
    "image": st.sampled_from(["nginx:1", "nginx:2"]), "$patch": st.sampled_from(["delete", "merge"]),
    "env": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["A", "B"])}, optional={"value": _leaf}),
                    max_size=2)}), max_size=3)
_maps = st.recursive(_leaf, lambda inner: st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3),
                     max_leaves=8)
_specs = st.fixed_dictionaries({}, optional={"containers": _containers, "x": _maps, "y": _maps,
                                             "f": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3)})
_patches = st.fixed_dictionaries({}, optional={
    "containers": _containers, "x": _maps, "y": _maps, "$deleteFromPrimitiveList/f": st.lists(
        st.sampled_from(["a", "b"]), max_size=2), "$setElementOrder/containers": st.lists(
        st.fixed_dictionaries({"name": _names}), max_size=3)})


def _ids(value: object, out: set[int]) -> set[int]:
    if isinstance(value, (dict, list)):
        out.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            _ids(item, out)
    return out


@settings(max_examples=300, deadline=None)
@given(_specs, _patches)
def test_strategic_merge_changes_no_input_and_shares_nothing(orig: dict, patch: dict) -> None:
    import json

    before, patch_before = json.dumps(orig, sort_keys=True), json.dumps(patch, sort_keys=True)
    out = strategic_merge(orig, patch)
    assert json.dumps(orig, sort_keys=True) == before and json.dumps(patch, sort_keys=True) == patch_before
    assert not _ids(out, set()) & (_ids(orig, set()) | _ids(patch, set()))
    # an input whose parts are shared (one map under two keys) merges as its unshared copy does
    shared = dict(orig, x=orig.get("y"), y=orig.get("y"))
    assert strategic_merge(shared, patch) == strategic_merge(json.loads(json.dumps(shared)), patch)
    assert strategic_merge(orig, patch) == out  # and merging again from the same input gives the same
