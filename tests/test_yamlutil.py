import pytest

from helmpy import yamlutil
from helmpy.errors import ValuesError


def test_yaml11_booleans_and_timestamps_like_go_yaml():
    data = yamlutil.load("a: y\nb: N\nc: 2020-01-01\nd: on\ng: yellow\n")
    assert data == {"a": True, "b": False, "c": "2020-01-01", "d": True, "g": "yellow"}


def test_values_keys_become_strings_like_helm():
    assert yamlutil.load_values("y: 1\n2: two\n", "values.yaml") == {"true": 1, "2": "two"}


def test_multi_document_values_are_merged():
    text = "a: {x: 1, z: 2}\n---\na: {z: 3}\nb: 1\n"
    assert yamlutil.load_values(text, "v.yaml") == {"a": {"x": 1, "z": 3}, "b": 1}


def test_parse_error_names_file_and_line():
    with pytest.raises(ValuesError) as err:
        yamlutil.load("a: 1\nb: [\n", "my/values.yaml")
    assert "my/values.yaml: line" in str(err.value)


def test_dump_uses_go_yaml_key_order():
    out = yamlutil.dump({"b": 1, "a10": 2, "a2": 3, "_x": 4, "0": 5})
    assert [line.split(":")[0] for line in out.splitlines()] == ["_x", '"0"', "a2", "a10", "b"]


def test_dump_json_escapes_like_go():
    assert yamlutil.dump_json({"b": "<&>", "a": 1}) == '{"a":1,"b":"\\u003c\\u0026\\u003e"}'


def test_dump_quotes_like_go_yaml():
    out = yamlutil.dump({"a": "1.0", "b": "true", "c": "y", "d": "*", "e": "@x", "f": "hello", "g": "", "h": "1.16.0"})
    assert out == 'a: "1.0"\nb: "true"\nc: "y"\nd: \'*\'\ne: \'@x\'\nf: hello\ng: ""\nh: 1.16.0\n'
    assert yamlutil.load(out) == {"a": "1.0", "b": "true", "c": "y", "d": "*", "e": "@x", "f": "hello", "g": "",
                                  "h": "1.16.0"}


def test_go_yaml_strings_where_pyyaml_would_fail():
    """``=`` and digit-less ints like ``0b_`` are strings in go-yaml; PyYAML raised (no constructor / ValueError)."""
    assert yamlutil.load("a: [=, 0b_, 0x_, 0b11, 0x1f, 1_000]") == {"a": ["=", "0b_", "0x_", 3, 31, 1000]}
    assert yamlutil.load_values("eq: =\n", "values.yaml") == {"eq": "="}
