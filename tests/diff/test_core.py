"""The pure diff core: line diffs, context cutting, Secret masking and drift paths (hypothesis + examples)."""

from __future__ import annotations

import base64
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.diff.compute import Options, Side, clean, compare, line_diff, with_context
from helmpy.diff.drift import ABSENT, differences, differs, path_text, who_changed
from helmpy.diff.mask import SHOW_RAW
from helmpy.diff.model import ObjectId, Report
from helmpy.diff.render import diff_text

lines = st.lists(st.sampled_from(["a", "b", "c", "  d: 1", "", "e: [x]"]), max_size=12)


@settings(deadline=None)  # timing is not the property; the machine is shared
@given(lines, lines)
def test_line_diff_rebuilds_both_sides(a: list[str], b: list[str]) -> None:
    records = line_diff("\n".join(a) + "\n" if a else "", "\n".join(b) + "\n" if b else "")
    assert [t for op, t in records if op != "+"] == a
    assert [t for op, t in records if op != "-"] == b
    assert (a == b) == all(op == " " for op, _ in records)


@settings(deadline=None)
@given(lines, lines, st.integers(min_value=0, max_value=4))
def test_context_keeps_every_change_and_nothing_far(a: list[str], b: list[str], context: int) -> None:
    records = line_diff("\n".join(a), "\n".join(b))
    shown = with_context(records, context)
    assert [r for r in shown if r is not None and r[0] != " "] == [r for r in records if r[0] != " "]
    assert all(shown[i] is not None or shown[i + 1:i + 2] != [None] for i in range(len(shown)))  # one "..." per run
    changes = [i for i, r in enumerate(records) if r[0] != " "]
    kept = [r for r in shown if r is not None]
    assert len(kept) == sum(1 for i in range(len(records)) if any(abs(i - c) <= context for c in changes))
    assert with_context(records, -1) == records


secret_values = st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=40)
keys = st.sampled_from(["password", "token", "user", "api-key"])


def secret(data: dict[str, str], string_data: bool) -> dict[str, object]:
    body = ({"stringData": dict(data)} if string_data else
            {"data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}})
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, **body}


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, secret_values, max_size=4), st.dictionaries(keys, secret_values, max_size=4),
       st.booleans(), st.booleans())
def test_masked_diff_never_shows_a_value(old: dict[str, str], new: dict[str, str], old_sd: bool, new_sd: bool) -> None:
    change = compare(ObjectId("v1", "Secret", "default", "s"), Side(secret(old, old_sd)), Side(secret(new, new_sd)),
                     Options())
    if old == new:
        assert change is None or not any(op != " " and "data" not in t for op, t in change.records)
        return
    assert change is not None
    text = diff_text(Report("r", "default", "live", "upgrade", [change]))
    for value in [*old.values(), *new.values()]:
        assert value not in text and base64.b64encode(value.encode()).decode() not in text
    for key in {k for k in new if old.get(k) != new[k]}:
        assert f"+   {key}: ***** ({'changed' if key in old else 'added'})" in text
    for key in {k for k in new if k in old and old[k] == new[k]}:
        assert f"    {key}: *****" in text


@settings(deadline=None)
@given(st.dictionaries(keys, secret_values, min_size=1, max_size=3))
def test_show_secrets_shows_them(data: dict[str, str]) -> None:
    change = compare(ObjectId("v1", "Secret", "default", "s"), Side(None), Side(secret(data, False)),
                     Options(show_secrets=SHOW_RAW))
    assert change is not None
    assert all(base64.b64encode(v.encode()).decode() in change.diff_text() for v in data.values())


def test_clean_drops_server_noise_only() -> None:
    live = {"apiVersion": "v1", "kind": "ConfigMap", "status": {"x": 1}, "data": {"a": "1"},
            "metadata": {"name": "c", "uid": "u", "resourceVersion": "9", "generation": 2, "managedFields": [],
                         "creationTimestamp": "t", "labels": {"l": "v"}, "annotations": {}}}
    assert clean(live) == {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
                           "metadata": {"name": "c", "labels": {"l": "v"}}}


def test_differences_match_named_items_and_ignore_defaults() -> None:
    want = {"spec": {"replicas": 2, "containers": [{"name": "web", "image": "a:1"}]}}
    live = {"spec": {"replicas": 2, "strategy": "x", "containers": [
        {"name": "side", "image": "s"}, {"name": "web", "image": "a:2", "imagePullPolicy": "IfNotPresent"}]}}
    found = {path_text(p): (w, h) for p, w, h in differences(want, live)}
    assert found == {"spec.containers[name=web].image": ("a:1", "a:2"),
                     "spec.containers[name=side]": (ABSENT, {"name": "side", "image": "s"})}


def test_who_changed_reads_the_deepest_manager() -> None:
    live = {"metadata": {"managedFields": [
        {"manager": "helm", "operation": "Apply", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        {"manager": "hpa", "operation": "Update", "time": "2026-01-01T00:00:00Z", "fieldsV1": {"f:spec": {}}},
        {"manager": "kubectl-edit", "operation": "Update", "time": "2025-01-01T00:00:00Z",
         "fieldsV1": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}}}]}}
    path = (("f", "spec"), ("f", "containers"), ("k", {"name": "web"}), ("f", "image"))
    assert who_changed(live, path)[:2] == ("kubectl-edit", "Update")
    assert who_changed(live, (("f", "spec"), ("f", "replicas")))[0] == "hpa"  # the leaf f:spec owns all below
    assert who_changed({"metadata": {}}, path) == ("", "", "")


# objects shaped like Kubernetes' (keyed lists of containers/env, plain lists, nested maps, mixed types)
_leaf = st.one_of(st.none(), st.booleans(), st.integers(0, 2), st.sampled_from(["a", "b", ""]))
_items = st.lists(st.fixed_dictionaries({"name": st.sampled_from(["web", "side"])},
                                        optional={"image": _leaf, "env": st.lists(_leaf, max_size=2)}), max_size=3)
_objects = st.recursive(st.one_of(_leaf, _items), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["spec", "replicas", "containers", "x"]), inner,
                                                 max_size=3)), max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(_objects, _objects)
def test_differs_is_whether_there_are_differences(want: object, have: object) -> None:
    assert differs(want, have) == bool(differences(want, have))
    assert differs(want, want) == bool(differences(want, want))  # duplicate keys do differ from themselves
