"""toYaml / toJson as Helm prints them: example tables (each also checked against real Helm in
test_goyaml_helm.py) and properties."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy import yamlutil
from helmpy.engine.gotemplate.ftoa import format_float
from helmpy.engine.gotemplate.gojson import to_json
from helmpy.engine.gotemplate.goyaml import json_round_trip, to_yaml
from helmpy.errors import RenderError
from tests.engine.gotemplate.encode_strategies import values

YAML_CASES = [
    # strings that would read back as something else in YAML 1.1 or via Go's ParseInt/ParseFloat
    ("1234e56", '"1234e56"'), ("0o17", '"0o17"'), ("1e3", '"1e3"'), ("0x1F", '"0x1F"'), ("1_000", '"1_000"'),
    (".5", '".5"'), ("yes", '"yes"'), ("on", '"on"'), ("y", '"y"'), ("~", '"~"'), ("null", '"null"'), ("", '""'),
    ("2001-12-14", '"2001-12-14"'), ("1:20", '"1:20"'),
    # ... and look-alikes go-yaml leaves plain
    ("2001-02-30", "2001-02-30"), ("1e400", "1e400"), ("<<", "<<"), ("yes please", "yes please"), ("=", "="),
    # indicators force single quotes
    ("- a", "'- a'"), ("a: b", "'a: b'"), ("a #b", "'a #b'"), ("#x", "'#x'"), ("---", "'---'"), ("it's", "it's"),
    ("'q", "'''q'"),
    # newlines: literal blocks with chomping and indentation hints, unless something forces double quotes
    ("a\nb", "|-\n  a\n  b"), ("a\nb\n", "|\n  a\n  b"), ("a\nb\n\n", "|+\n  a\n  b\n"),
    ("  lead\nx", "|2-\n    lead\n  x"), ("\nlead", "|2-\n\n  lead"), ("trail \nx", '"trail \\nx"'),
    ("tab\there", '"tab\\there"'), ("cr\rx", '"cr\\rx"'),
    # unicode: BMP kept, beyond U+FFFF escaped, a leading BOM escapes everything
    ("é 日本", "é 日本"), ("😀", '"\\U0001F600"'), ("\ufeffab", '"\\uFEFF\\x61\\x62"'), ("\x07", '"\\a"'),
    # folding at 80 columns, continuation indented by 2 at the root
    ("a" * 40 + " " + "b" * 45 + " c", "a" * 40 + " " + "b" * 45 + "\n  c"),
    ({"k": "w " * 45}, "k: '" + "w " * 38 + "w\n  " + "w " * 6 + "'"),
    # numbers after the JSON round trip
    (1, "1"), (1.0, "1"), (-0.0, "0"), (0.1, "0.1"), (1e6, "1000000"), (1234567.5, "1.2345675e+06"),
    (1e20, "1e+20"), (1e21, "1e+21"), (1e-7, "1e-07"), (2.0 ** 63, "9223372036854776000"),
    (2.0 ** 64, "1.8446744073709552e+19"), (2 ** 63 + 1, "9223372036854775809"), (None, "null"), (True, "true"),
    # containers: sorted keys (natural order), sequences not indented under keys, empty ones in flow style
    ({"b": 1, "a10": 2, "a9": 3, "B": 4, "_": 5}, "_: 5\nB: 4\na9: 3\na10: 2\nb: 1"),
    ({"a": [1, {"b": []}], "c": {}}, "a:\n- 1\n- b: []\nc: {}"), ([[1, 2], []], "- - 1\n  - 2\n- []"),
    ({}, "{}"), ([], "[]"), ({"x": None}, "x: null"),
    # keys: quoted like values; over 128 bytes or multi-line, they become "? key"
    ({"yes": 1, "": 2, "1": 3}, '"": 2\n"1": 3\n"yes": 1'),
    ({"x" * 129: 1}, "? " + "x" * 129 + "\n: 1"), ({"multi\nkey": 1}, "? |-\n  multi\n  key\n: 1"),
]


@pytest.mark.parametrize(("value", "want"), YAML_CASES, ids=[repr(c[0])[:40] for c in YAML_CASES])
def test_to_yaml(value: object, want: str) -> None:
    assert to_yaml(value) == want


@pytest.mark.parametrize(("value", "why"), [
    (math.nan, "NaN"), ({"a": [math.inf]}, r"\+Inf"), ("del\x7f", "control characters"), ("c1\x80", "control"),
    ({"<" * 171: 1}, "expected"), ({"a\x85b": 1}, "expected"), ("\x85--- x", "document indicator"),
    ({1: "x"}, "unsupported type"), (object(), "unsupported type"),
])
def test_to_yaml_refuses_what_helm_cannot_marshal(value: object, why: str) -> None:
    """Helm's toYaml swallows these errors and prints ""; the datafuncs wrapper does the same."""
    with pytest.raises(RenderError, match=why):
        to_yaml(value)


def test_nel_folds_like_a_quoted_line_break() -> None:
    assert to_yaml("a \x85 b") == "a b"
    assert to_yaml("a\x85\x85b") == "|-\n  a\n  b"


def test_key_length_limit_is_go_yamls_1024_characters() -> None:
    assert to_yaml({"k" * 1022: 1}) == "? " + "k" * 1022 + "\n: 1"
    with pytest.raises(RenderError):
        to_yaml({"k" * 1023: 1})


JSON_CASES = [
    ({"b": 1, "a": [True, None, "x"]}, '{"a":[true,null,"x"],"b":1}'),
    ("<a & b>", '"\\u003ca \\u0026 b\\u003e"'), ("\u2028\u2029", '"\\u2028\\u2029"'),
    ("\x00\x1f\b\f\n\r\t\x7f", '"\\u0000\\u001f\\b\\f\\n\\r\\t\x7f"'), ("é😀", '"é😀"'), ("\udcff", '"\\ufffd"'),
    (1.0, "1"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1e-6, "0.000001"),
    (0.1, "0.1"), (-0.0, "-0"), (2 ** 64 - 1, "18446744073709551615"), (2 ** 64, "18446744073709552000"),
    ({}, "{}"), ([], "[]"),
]


@pytest.mark.parametrize(("value", "want"), JSON_CASES, ids=[repr(c[0])[:40] for c in JSON_CASES])
def test_to_json(value: object, want: str) -> None:
    assert to_json(value) == want


def test_to_json_indent_and_raw() -> None:
    assert to_json({"a": [1, {}], "b": "<"}, indent="  ") == '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "\\u003c"\n}'
    assert to_json({"b": "<&>"}, escape_html=False) == '{"b":"<&>"}'
    with pytest.raises(RenderError, match="unsupported value: NaN"):
        to_json([math.nan])


@pytest.mark.parametrize(("value", "g", "f", "e"), [
    (1e6, "1e+06", "1000000", "1e+06"), (123456.7, "123456.7", "123456.7", "1.234567e+05"),
    (1e-5, "1e-05", "0.00001", "1e-05"), (0.0001, "0.0001", "0.0001", "1e-04"), (-3.75, "-3.75", "-3.75", "-3.75e+00"),
    (5e-324, "5e-324", "0." + "0" * 323 + "5", "5e-324"), (math.inf, "+Inf", "+Inf", "+Inf"),
])
def test_format_float(value: float, g: str, f: str, e: str) -> None:
    assert (format_float(value, "g"), format_float(value, "f"), format_float(value, "e")) == (g, f, e)


@settings(max_examples=300, deadline=None)
@given(values())
def test_to_yaml_reads_back_as_the_same_value(value: object) -> None:
    """What toYaml writes, helmpy's go-yaml-compatible loader reads back as the value Helm holds."""
    try:
        text = to_yaml(value)
    except RenderError:
        return
    assert yamlutil.load(text + "\n") == json_round_trip(value)


@settings(max_examples=200, deadline=None)
@given(values(), st.sampled_from([{}, {"indent": "  "}, {"escape_html": False}]))
def test_to_json_reads_back_and_writes_the_same_text(value: object, options: dict[str, object]) -> None:
    """Go's JSON is JSON: Python's parser reads it, and encoding what it read gives the same text."""
    try:
        text = to_json(value, **options)  # type: ignore[arg-type]
    except RenderError:
        return
    back = json.loads(text, parse_int=lambda s: -0.0 if s == "-0" else int(s))  # Go writes -0.0 as "-0"
    assert to_json(back, **options) == text  # type: ignore[arg-type]
