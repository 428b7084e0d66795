"""toYaml / toJson against real Helm, byte for byte: a hand-written values file of tricky values, the table
cases of test_goyaml.py, and a batch of hypothesis-generated values, each rendered in one ``helm template`` run.

Helm holds every number of a values file as float64 (sigs.k8s.io/yaml reads YAML through JSON), so the
Python side converts integers to floats (:func:`as_helm_holds`) before encoding; that is where ``2**53 + 1``
and ``2**63 - 1`` lose their last digits, in Helm and here alike.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helmpy import yamlutil
from helmpy.engine.gotemplate.gojson import to_json
from helmpy.engine.gotemplate.goyaml import to_yaml
from helmpy.errors import RenderError
from tests.engine.gotemplate.encode_strategies import values
from tests.engine.gotemplate.helm_encode import as_helm_holds, helm_outputs
from tests.engine.gotemplate.test_goyaml import JSON_CASES, YAML_CASES

VALUES_YAML = r'''
strings:
  sha: "1234e56"
  octal12: "0o17"
  exp: "1e3"
  words: ["yes", "no", "on", "off", "y", "n", "~", "null", "Null", "true", "True", "", "<<", "="]
  dates: ["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-02-30", "2001-12-14 21:59:43.10"]
  numbers: ["0x1F", "0b101", "1_000", ".5", "+1", "-1", "1:20", "1e400", "08", "0.", "-.inf", ".nan"]
  indicators: ["- a", "a: b", "a:b", "#x", "a #b", "a#b", "? x", "?x", "@x", "`x", "%x", "!x", "&x", "*x",
               "|x", ">x", "'x", "\"x", "{x", "[x", "x]", "x,y", "---", "...", "--- x"]
  plain: "hello world"
  it: "it's"
multiline:
  literal: |
    line one
    line two
  strip: |-
    no trailing newline
  keep: |+
    kept

  lead: "  leading spaces\nsecond"
  leadbreak: "\nstarts with a newline"
  trailing_space: "trailing space \nnext"
  space_before_break: "a \nb"
  tab: "tab\tinside\nlines"
  cr: "carriage\r\nreturn"
  blank_lines: "a\n\n\nb\n"
long:
  words: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
  nospaces: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  quoted: "yes Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore"
  single: "- Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore"
  double_spaces: "Lorem  ipsum  dolor  sit  amet,  consectetur  adipiscing  elit,  sed  do  eiusmod  tempor  incididunt"
  escaped: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\t incididunt ut labore"
  nested:
    deeper:
      deepest: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut"
unicode:
  accents: "héllo wörld"
  cjk: "日本語のテキスト"
  emoji: "rocket 🚀 launch"
  emoji_lines: "🚀\nlaunch"
  nbsp: "a\u00a0b"
  bom: "\ufeffbom"
  ls: "a\u2028b"
  bell: "\x07"
  esc: "\x1b[0m"
  nul: "\0"
numbers:
  int: 1
  negative: -42
  zero: 0
  float: 0.1
  million: 1000000
  big_float: 1.5e+20
  tiny: 1.0e-7
  two53: 9007199254740993
  int63: 9223372036854775807
  uint64: 18446744073709551615
  huge: 123456789012345678901234567890
  half: 1234567.5
  neg_zero: -0.0
  bools: [true, false]
  nulls: [null, ~]
lists:
  of_maps:
  - name: a
    ports: [80, 443]
  - name: b
    env: {}
  nested: [[1, [2, [3]]], [], [{}]]
  empty: []
empty_map: {}
keys:
  "yes": 1
  "1": 2
  "": 3
  "a b": 4
  "- x": 5
  "x: y": 6
  "#": 7
  "multi\nline": 8
  "this key is longer than one hundred and twenty-eight bytes, so go-yaml writes it as a complex key, question mark first": 9
  key10: 10
  key9: 9
  key09: 9
  Key: 11
  _under: 12
  "~tilde": 13
  "é": 14
html: "<script>alert('x') && true</script>"
'''


def _ours(value: Any) -> dict[str, str]:
    out = {}
    for fn, encode in (("toYaml", to_yaml), ("toJson", to_json)):
        try:
            out[fn] = encode(value)
        except RenderError:
            out[fn] = ""
    return out


def _write_chart(root: Path, templates: dict[str, str]) -> Path:
    chart = root / "vals"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: vals\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(VALUES_YAML, encoding="utf-8")
    for name, text in templates.items():
        (chart / "templates" / name).write_text(text)
    return chart


def test_values_file_renders_like_helm(helm: Any, tmp_path: Path) -> None:
    """``toYaml .Values``, each top-level key's toYaml/toJson, and an inline toYaml in a manifest."""
    chart = _write_chart(tmp_path, {
        "all.yaml": "all: {{ toYaml .Values | b64enc }}\nalljson: {{ toJson .Values | b64enc }}\n",
        "keys.yaml": "{{- range $k, $v := .Values }}\n{{ $k }}: {{ toYaml $v | b64enc }}\n"
                     "{{ $k }}_json: {{ toJson $v | b64enc }}\n{{- end }}\n",
        "inline.yaml": "kind: ConfigMap\ndata:\n  {{- toYaml .Values.long | nindent 2 }}\n",
    })
    proc = helm("template", "x", str(chart))
    decoded = {k: base64.b64decode(v).decode() for doc in yaml.safe_load_all(proc.stdout)
               if doc and "kind" not in doc for k, v in doc.items()}
    held = as_helm_holds(yamlutil.load_values(VALUES_YAML, "values.yaml"))

    assert decoded["all"] == to_yaml(held)
    assert decoded["alljson"] == to_json(held)
    for key, value in held.items():
        assert decoded[key] == to_yaml(value), key
        assert decoded[key + "_json"] == to_json(value), key
    inline = proc.stdout.split("# Source: vals/templates/inline.yaml\n")[1].split("\n---")[0]
    indented = "\n".join("  " + line for line in to_yaml(held["long"]).split("\n"))
    assert inline.rstrip("\n") == "kind: ConfigMap\ndata:\n" + indented


def test_example_tables_match_helm(helm: Any, tmp_path: Path) -> None:
    """Every table case of test_goyaml.py that a values file can hold, through real Helm."""
    cases = {f"c{n:03d}": value for n, (value, _) in enumerate(YAML_CASES + JSON_CASES)
             if not _has_surrogate(value)}
    got = helm_outputs(helm, tmp_path, cases, ("toYaml", "toJson"))
    for name, value in cases.items():
        ours = _ours(as_helm_holds(value))
        assert (got["toYaml"][name], got["toJson"][name]) == (ours["toYaml"], ours["toJson"]), repr(value)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


@settings(max_examples=1, phases=[Phase.generate], database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(batch=st.lists(values(), min_size=200, max_size=200))
def test_random_values_match_helm(helm: Any, tmp_path_factory: Any, batch: list[Any]) -> None:
    """200 generated values in one helm run; the first differing case is reported, not shrunk."""
    cases = {f"c{n:03d}": value for n, value in enumerate(batch)}
    got = helm_outputs(helm, tmp_path_factory.mktemp("batch"), cases,
                       ("toYaml", "toJson", "toPrettyJson", "toRawJson"))
    for name, value in cases.items():
        held = as_helm_holds(value)
        ours = _ours(held)
        for fn, kwargs in (("toPrettyJson", {"indent": "  "}), ("toRawJson", {"escape_html": False})):
            try:
                ours[fn] = to_json(held, **kwargs)  # type: ignore[arg-type]
            except RenderError:
                ours[fn] = ""
        assert {fn: got[fn][name] for fn in ours} == ours, repr(value)
