"""``default`` in Jinja2 charts through ``helmpy template``: Sprig's rule by default, Jinja2's ``boolean``
argument as Jinja2 users write it (``default(x, true)`` used to be a TypeError)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from helmpy.engine.funcs import default_filter
from tests.support.gocharts import write_files

TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: d
data:
  sprig_missing: {{ Values.missing | default("d") | quote }}
  sprig_zero: {{ Values.zero | default("d") | quote }}
  sprig_empty: {{ Values.empty | default("d") | quote }}
  sprig_set: {{ Values.name | default("d") | quote }}
  jinja_true_empty: {{ Values.empty | default("d", true) | quote }}
  jinja_true_false: {{ Values.off | default("d", true) | quote }}
  jinja_true_set: {{ Values.name | default("d", true) | quote }}
  jinja_false_zero: {{ Values.zero | default("d", false) | quote }}
  jinja_false_empty: {{ Values.empty | default("d", false) | quote }}
  jinja_false_null: {{ Values.null | default("d", false) | quote }}
  jinja_false_missing: {{ Values.missing | default("d", false) | quote }}
  keyword: {{ Values.empty | default(default_value="d", boolean=true) | quote }}
  global_sprig: {{ default("d", Values.zero) | quote }}
"""
WANT = {"sprig_missing": "d", "sprig_zero": "d", "sprig_empty": "d", "sprig_set": "web", "jinja_true_empty": "d",
        "jinja_true_false": "d", "jinja_true_set": "web", "jinja_false_zero": "0", "jinja_false_empty": "",
        "jinja_false_null": "d", "jinja_false_missing": "d", "keyword": "d", "global_sprig": "d"}


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return write_files(tmp_path / "j", {
        "Chart.yaml": "apiVersion: v2\nname: j\nversion: 1.0.0\nannotations:\n  helmpy.io/template-engine: jinja2\n",
        "values.yaml": 'name: web\nzero: 0\nempty: ""\noff: false\nnull: null\n',
        "templates/cm.yaml": TEMPLATE})


def test_default_forms_through_template(cli, chart: Path) -> None:
    r = cli("template", "rel", str(chart))
    assert r.exit_code == 0, r
    assert yaml.safe_load(r.stdout)["data"] == WANT


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-2, 2, allow_nan=False),
                   st.text(max_size=3), st.lists(st.integers(), max_size=2),
                   st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


@given(VALUES)
def test_jinja_boolean_true_is_sprigs_rule(value: object) -> None:
    """``default(d, true)`` replaces exactly the falsy values, which are exactly Sprig's empty ones."""
    assert default_filter(value, "d", True) == default_filter(value, "d") == (value if value else "d")


@given(VALUES)
def test_jinja_boolean_false_keeps_everything_but_null(value: object) -> None:
    assert default_filter(value, "d", False) == ("d" if value is None else value)
