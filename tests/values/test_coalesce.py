"""Coalescing user values over chart defaults (helm-reference 4.2/4.3)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.chart.model import Chart, Metadata
from helmpy.errors import ValuesError
from helmpy.values.coalesce import (
    coalesce_tables,
    coalesce_values,
    copy_values,
    merge_maps,
    merge_values,
    scoped_values,
)


def chart(name: str, values: dict[str, Any] | None = None, *subs: Chart) -> Chart:
    c = Chart(metadata=Metadata(name=name, version="0.1.0", api_version="v2"), values=values or {})
    for sub in subs:
        c.add_subchart(sub)
    return c


def test_merge_maps_later_wins_and_lists_replace() -> None:
    assert merge_maps({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}, "d": None}) == {
        "a": {"b": 1, "c": [2]}, "d": None}


def test_user_wins_and_null_deletes_default() -> None:
    c = chart("c", {"a": 1, "b": {"x": 1, "y": 2}, "keep": "k"})
    out = coalesce_values(c, {"a": 2, "b": {"x": None}, "unknown": None})
    assert out == {"a": 2, "b": {"y": 2}, "keep": "k", "unknown": None}
    assert c.values == {"a": 1, "b": {"x": 1, "y": 2}, "keep": "k"}      # defaults untouched


def test_user_map_over_default_scalar_and_vice_versa() -> None:
    c = chart("c", {"s": "scalar", "m": {"k": 1}, "n": {"inner": {"k": 1}}})
    assert coalesce_values(c, {"s": {"x": 1}, "m": 5, "n": {"inner": 3}}) == {
        "s": {"x": 1}, "m": 5, "n": {"inner": 3}}


def test_null_both_sides_stays_null() -> None:
    c = chart("c", {"m": {"a": None, "b": 1}})
    assert coalesce_values(c, {"m": {"a": None}}) == {"m": {"a": None, "b": 1}}


def test_globals_verified_example() -> None:
    """Parent global g1=parent, sub default g1=sub,g2=sub: sub sees both, parent only g1."""
    subsub = chart("subsub", {"global": {"g3": "subsub"}})
    sub = chart("sub", {"global": {"g1": "sub", "g2": "sub"}}, subsub)
    parent = chart("parent", {"global": {"g1": "parent"}}, sub)
    out = coalesce_values(parent, {})
    assert out["global"] == {"g1": "parent"}
    assert out["sub"]["global"] == {"g1": "parent", "g2": "sub"}
    assert out["sub"]["subsub"]["global"] == {"g1": "parent", "g2": "sub", "g3": "subsub"}
    assert scoped_values(out, subsub)["global"]["g1"] == "parent"


def test_global_maps_merge_parent_wins() -> None:
    sub = chart("sub", {"global": {"m": {"a": "sub", "b": "sub"}}})
    parent = chart("parent", {}, sub)
    out = coalesce_values(parent, {"global": {"m": {"a": "user"}}, "sub": {"global": {"m": {"c": "c"}}}})
    assert out["sub"]["global"]["m"] == {"a": "user", "b": "sub", "c": "c"}
    assert out["global"] == {"m": {"a": "user"}}                         # nothing flows back up


def test_parent_scalar_global_replaces_sub_default_map_but_not_a_given_map() -> None:
    sub = chart("sub", {"global": {"m": {"a": 1}}})
    parent = chart("parent", {}, sub)
    assert coalesce_values(parent, {"global": {"m": 5}})["sub"]["global"]["m"] == 5
    out = coalesce_values(parent, {"global": {"m": 5}, "sub": {"global": {"m": {"b": 2}}}})
    assert out["sub"]["global"]["m"] == {"a": 1, "b": 2}


def test_user_null_for_subchart_key_deletes_subchart_default() -> None:
    """--set sub.x=null removes x even when the parent's values.yaml also sets sub.x."""
    sub = chart("sub", {"x": 1, "y": 1})
    parent = chart("parent", {"sub": {"x": 2}}, sub)
    out = coalesce_values(parent, {"sub": {"x": None}})
    assert out["sub"] == {"y": 1, "global": {}}
    assert coalesce_values(parent, {})["sub"] == {"x": 2, "y": 1, "global": {}}


def test_parent_values_null_out_subchart_default() -> None:
    sub = chart("sub", {"x": 1, "y": 1})
    parent = chart("parent", {"sub": {"x": None}}, sub)
    assert coalesce_values(parent, {})["sub"] == {"y": 1, "global": {}}


def test_subchart_values_must_be_a_map() -> None:
    parent = chart("parent", {}, chart("sub"))
    with pytest.raises(ValuesError, match="type mismatch on sub"):
        coalesce_values(parent, {"sub": "oops"})


def test_merge_values_keeps_nulls() -> None:
    c = chart("c", {"a": 1, "m": {"x": 1}})
    assert merge_values(c, {"a": None, "m": {"x": None}}) == {"a": None, "m": {"x": None}}


def test_coalesce_tables_for_reuse_values() -> None:
    old = {"a": 1, "m": {"x": 1, "y": 2}}
    new = {"m": {"x": None}, "b": 2}
    assert coalesce_tables(new, old) == {"a": 1, "b": 2, "m": {"y": 2}}
    assert old == {"a": 1, "m": {"x": 1, "y": 2}}


# --- copy_values ---------------------------------------------------------------------------------------
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                     st.binary(max_size=4), st.datetimes(), st.dates())
_TREES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4),
    st.tuples(inner, inner), st.frozensets(st.integers(), max_size=3), st.sets(st.integers(), max_size=3)),
    max_leaves=30)


def _mutable_ids(value: object) -> set[int]:
    if isinstance(value, dict):
        return {id(value)}.union(*(_mutable_ids(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        own = {id(value)} if isinstance(value, list) else set()
        return own.union(*(_mutable_ids(v) for v in value))
    return {id(value)} if isinstance(value, set) else set()


@settings(max_examples=300, deadline=None)
@given(_TREES)
def test_copy_values_copies_as_deepcopy_does(value: object) -> None:
    copied = copy_values(value)
    assert copied == copy.deepcopy(value)
    assert type(copied) is type(value)
    assert not _mutable_ids(copied) & _mutable_ids(value)  # nothing mutable shared with the original


def test_copy_values_copies_a_yaml_alias_apart_as_helm_does() -> None:
    shared = {"a": [1]}
    copied = copy_values({"x": shared, "y": shared})
    copied["x"]["a"].append(2)
    assert copied["y"] == {"a": [1]} and shared == {"a": [1]}
