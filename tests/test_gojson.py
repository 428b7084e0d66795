"""helmpy.gojson: the one JSON encoder of every ``-o json`` (and of Helm's Chart.lock digest)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helmpy import gojson

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                     | st.text(), lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(), inner, max_size=4), max_leaves=12)


def test_examples_as_go_marshals_them() -> None:
    # Go: json.Marshal(map/struct) with HTMLEscape on; struct order is the caller's dict order
    assert gojson.dumps({"b": "<a href='x'>&</a>", "a": [1, None, True]}) == (
        '{"b":"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e","a":[1,null,true]}')
    assert gojson.dumps("line\u2028sep\u2029é") == '"line\\u2028sep\\u2029é"'
    assert gojson.dumps([]) == "[]" and gojson.dumps({}) == "{}"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # generation is slow on a busy machine
@given(_json)
def test_reads_back_as_the_same_data_and_never_carries_the_escaped_characters(data: object) -> None:
    text = gojson.dumps(data)
    assert json.loads(text) == data
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029", "\n"}
