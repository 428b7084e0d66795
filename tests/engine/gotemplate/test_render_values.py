"""Values as Go charts see them: file numbers become float64, ``--set`` integers stay int64 (``Int64``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helmpy.engine.gotemplate import json_numbers
from helmpy.engine.gotemplate.values import type_name
from helmpy.values.numbers import Int64
from helmpy.values.strvals import parse_set

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False),
                    st.text(max_size=5), st.integers(-2**63, 2**63 - 1).map(Int64))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=4), inner, max_size=4)),
                      max_leaves=20)


def _leaves(v: object) -> list[object]:
    if isinstance(v, dict):
        return [x for item in v.values() for x in _leaves(item)]
    if isinstance(v, list):
        return [x for item in v for x in _leaves(item)]
    return [v]


@given(values)
def test_json_numbers_turns_plain_ints_into_floats_and_keeps_the_rest(value):
    out = json_numbers(value)
    for before, after in zip(_leaves(value), _leaves(out), strict=True):
        if isinstance(before, (bool, Int64)) or not isinstance(before, int):
            assert after is before or after == before
            assert type(after) is type(before)
        else:
            assert type(after) is float and after == float(before)


def test_set_integers_are_int64_and_everything_else_is_unchanged():
    got = parse_set("a=1,b=0,c=01,d=true,e={1,x}", {})
    assert [type_name(got[k]) for k in "abcd"] == ["int64", "int64", "string", "bool"]
    assert [type_name(x) for x in got["e"]] == ["int64", "string"]
    assert got == {"a": 1, "b": 0, "c": "01", "d": True, "e": [1, "x"]}  # still plain ints to everyone else
