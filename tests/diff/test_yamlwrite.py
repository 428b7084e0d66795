"""The diff's YAML writer (helmpy/diff/yamlwrite.py) writes exactly what yamlutil.dump writes (hypothesis), and
writes the objects a cluster serves itself, without falling back to PyYAML."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy import yamlutil
from helmpy.diff import yamlwrite
from helmpy.kube.embedded import EmbeddedCluster

# every character class the writer decides on: indicators, quotes, escapes, blanks, breaks, non-ASCII
ALPHABET = "ab0129 _-.:#'\"\\\n\t\r/=@,?![]{}|>*&%`~+é\x00\x7f"
WORDS = ["true", "y", "n", "no", "null", "~", "1", "-1", "0x1F", "1.5", "1e3", "1_000", ".inf", "2026-01-02", "=",
         "---", "...", "- a", "a: b", "a #b", "a#b", "-", "?", ":", "", " ", "a ", "a\n", "a\n\n", "\na", " a\nb",
         "a\nb", "a \nb", "nginx:1.25", "10.96.0.1", "IfNotPresent", "x" * 120, "bench-cm-12"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(1 << 70), max_value=1 << 70),
                    st.floats(allow_nan=True), st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=12))
keys = st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=8), st.integers(0, 20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=6))
def test_writes_what_yamlutil_dump_writes(obj: dict[Any, Any]) -> None:
    assert yamlwrite.dump(obj) == yamlutil.dump(obj)


# the shapes, with scalars the writer writes itself (letters, digits, blanks, multi-line text): its own path
plain_text = st.text(alphabet="ab9 -\n", max_size=10)
kind_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), plain_text),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(st.text(alphabet="ab9-", max_size=6), inner,
                                                                   max_size=4)), max_leaves=30)


@settings(max_examples=250, deadline=None)
@given(st.dictionaries(st.text(alphabet="ab9-.", max_size=6), kind_values, max_size=6))
def test_writes_nested_shapes_as_yamlutil_does(obj: dict[str, Any]) -> None:
    assert yamlwrite.dump(obj) == yamlutil.dump(obj)


# one string anywhere a scalar goes: the writer's quoting decisions one at a time
@settings(max_examples=400, deadline=None)
@given(st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=10)))
def test_each_string_is_written_as_yamlutil_does(text: str) -> None:
    for obj in ({"k": text}, {text: 1}, {"k": [text, {"j": text}]}, {"a": {text: {"b": [[text]]}}}):
        assert yamlwrite.dump(obj) == yamlutil.dump(obj)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(WORDS), st.one_of(st.sampled_from(WORDS), st.lists(st.sampled_from(WORDS),
                                                                                          max_size=3)), max_size=8))
def test_tricky_words_as_keys_and_values(obj: dict[str, Any]) -> None:
    assert yamlwrite.dump(obj) == yamlutil.dump(obj)


def test_served_objects_are_written_without_pyyaml(tmp_path: Any) -> None:
    kube = EmbeddedCluster(tmp_path / "cluster.db")
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "1"}},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                                                                 "args": ["--port=80", "-v"],
                                                                 "env": [{"name": "MODE", "value": "true"}]}]}}}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"},
              "data": {"app.conf": "listen 80;\n\nroot /srv;\n", "index": "12", "empty": ""}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    for obj in (deployment, config, service):
        served = kube.apply(obj, field_manager="helm")
        text = yamlwrite.write(served)
        assert text is not None, served
        assert text == yamlutil.dump(served)
