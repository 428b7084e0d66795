"""values.schema.json validation across a chart tree (helm-reference 1.8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helmpy.chart.model import Chart, Metadata
from helmpy.errors import SchemaValidationError
from helmpy.values.schema import HEADER, validate_against_schema, validate_chart_values
from tests.values.helm_compat import helmpy_chart_values

DATA = Path(__file__).resolve().parent.parent / "data"
MULTI = DATA / "schema-multi"
BAD_FLAGS = ["--set", "replicas=zero,mode=medium,name=bb,strict.extra=1,fixed=2,either=1,notstr=s",
             "--set", "sub.port=99999,sub.email=nope"]


def _error(flags: list[str]) -> str:
    chart, values = helmpy_chart_values(MULTI, flags)
    with pytest.raises(SchemaValidationError) as err:
        validate_chart_values(chart, values)
    return str(err.value)


def test_valid_values_pass() -> None:
    chart, values = helmpy_chart_values(MULTI, ["--set", "sub.email=a@b"])
    validate_chart_values(chart, values)


def test_every_failing_path_in_every_chart() -> None:
    message = _error(BAD_FLAGS)
    head, rest = message.split("\n", 1)
    assert head == HEADER
    parent_part, sub_part = rest.split("\nsub:\n")
    assert parent_part.startswith("parent:\n")
    assert set(parent_part.splitlines()[1:]) == {
        "- at '/replicas': got string, want integer",
        "- at '/mode': value must be one of 'fast', 'slow'",
        "- at '/name': validation failed",
        "  - at '/name': 'bb' does not match pattern '^a+$'",
        "  - at '/name': minLength: got 2, want 3",
        "- at '/strict': additional properties 'extra' not allowed",
        "- at '/fixed': value must be 1",
        "- at '/either': 'anyOf' failed",
        "  - at '/either': got number, want string",
        "  - at '/either': minimum: got 1, want 3",
        "- at '/notstr': 'not' failed",
    }
    # the sub-chart's draft-07 schema asserts formats, like Helm
    assert set(sub_part.splitlines()) == {
        "- at '/port': maximum: got 99,999, want 65,535",
        "- at '/email': 'nope' is not valid email",
    }


def test_missing_required_properties() -> None:
    chart = Chart(metadata=Metadata(name="c", version="1.0.0", api_version="v2"),
                  schema=b'{"required": ["a", "b", "c"]}')
    with pytest.raises(SchemaValidationError) as err:
        validate_chart_values(chart, {"b": 1})
    assert str(err.value) == f"{HEADER}\nc:\n- at '': missing properties 'a', 'c'"


def test_only_subchart_failing_and_null_subchart_values_skipped() -> None:
    message = _error(["--set", "sub.port=x"])
    assert message == f"{HEADER}\nsub:\n- at '/port': got string, want integer"
    chart, values = helmpy_chart_values(MULTI, [])
    values["sub"] = None
    validate_chart_values(chart, values)
    values["sub"] = "text"
    with pytest.raises(SchemaValidationError, match="sub:\ninvalid type for values: expected object \\(map\\), "
                                                    "got string"):
        validate_chart_values(chart, values)


def test_default_draft_2020_12_does_not_assert_formats() -> None:
    schema = b'{"properties": {"e": {"format": "email"}, "t": {"prefixItems": [{"type": "string"}]}}}'
    lines = validate_against_schema({"e": "nope", "t": [1]}, schema)
    assert lines == ["- at '/t/0': got number, want string"]


def test_invalid_schema_names_the_file() -> None:
    chart, values = helmpy_chart_values(DATA / "schema-invalid", [])
    with pytest.raises(SchemaValidationError) as err:
        validate_chart_values(chart, values)
    assert str(err.value).startswith("badschema/values.schema.json: not a valid JSON schema: at '/properties/a/type'")
    with pytest.raises(SchemaValidationError, match=r"^x/values.schema.json: invalid JSON"):
        validate_against_schema({}, b"{bad", "x/values.schema.json")


def test_remote_refs_are_refused() -> None:
    schema = json.dumps({"properties": {"a": {"$ref": "http://127.0.0.1:9/s.json"}}}).encode()
    with pytest.raises(SchemaValidationError, match="remote references are not supported"):
        validate_against_schema({"a": 1}, schema, "c/values.schema.json")


def test_local_refs_work() -> None:
    schema = json.dumps({"$defs": {"port": {"type": "integer"}},
                         "properties": {"a": {"$ref": "#/$defs/port"}}}).encode()
    assert validate_against_schema({"a": 1}, schema) == []
    assert validate_against_schema({"a": "x"}, schema) == ["- at '/a': got string, want integer"]


@pytest.mark.helm
def test_same_failures_as_helm(helm) -> None:
    proc = helm("template", "r", str(MULTI), *BAD_FLAGS, check=False)
    assert proc.returncode == 1
    theirs = proc.stderr.strip().removeprefix("Error: ")
    ours = _error(BAD_FLAGS)
    assert theirs.splitlines()[0] == ours.splitlines()[0] == HEADER
    # Helm's order of lines is not stable; compare the lines per chart as sets
    def per_chart(text: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        current = ""
        for line in text.splitlines()[1:]:
            if line.endswith(":") and not line.startswith((" ", "-")):
                current = line[:-1]
                out[current] = set()
            elif line.strip():
                out[current].add(line.split(": missing @")[0])   # Helm adds the email parser's reason
        return out

    assert per_chart(ours) == per_chart(theirs)
