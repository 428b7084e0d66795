"""The fast head scan must agree with the full parse on every document it accepts, and accept the common layout."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from helmpy.action.render import render_release
from helmpy.chart import loader
from helmpy.engine.headscan import scan_head
from helmpy.engine.manifests import parse_head, parse_head_full, sort_manifests, split_documents
from helmpy.engine.render import Capabilities, ReleaseContext
from helmpy.errors import RenderError

ROOT = Path(__file__).resolve().parents[2]

SIMPLE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-app
  namespace: prod
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/version: "1.0.0"
  annotations:
    helm.sh/hook: pre-install,post-upgrade
    helm.sh/hook-weight: "-5"
    note: 'hello world'   # a comment
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: app
        image: "nginx:1.27"
        args: []
        env: {}
"""

# Documents the scan must either read exactly like the full parse or hand over to it.
TRICKY = [
    "", "# only a comment\n", "just text", "- a\n- b\n", "42", "kind: A\n", "kind: \"A\"\n", "kind: 'A'\n",
    "kind: A # comment\nmetadata:\n  name: x\n",
    'a: "foo\nkind: bar"\n',                          # a quoted scalar continued at column 0
    "a: 'x\nkind: y'\n",
    "a: [1,\nkind: 2]\n",                             # a flow sequence continued at column 0
    "a: {x: 1,\nkind: 2}\n",
    "a: |\n  kind: x\nkind: B\n",                      # block scalar content is not a key
    "a: >-\n  kind: x\n\n  more\nmetadata:\n  name: n\n",
    "kind: A\n  continued\n",                           # multi-line plain scalar
    "metadata:\n  name: a\n    b\n",
    "metadata:\n  name: a\n\n    b\n",
    "metadata:\n  name: x\n# comment at column 0\n  namespace: y\n",
    "metadata:\n- a\n", "metadata:\n  - a\n", "metadata: {}\n", "metadata: {name: x}\n", "metadata: x\n",
    "metadata:\n", "metadata:\nkind: K\n", "metadata: # c\n  name: x\n",
    "metadata:\n  name: 1\n", "metadata:\n  name: true\n", "metadata:\n  name: null\n", "metadata:\n  name:\n",
    "metadata:\n  name: y\n", "metadata:\n  name: 2020-01-01\n", "metadata:\n  name: 1.5\n",
    "metadata:\n  name: .inf\n", "metadata:\n  name: =\n", "metadata:\n  name: a#b\n",
    "metadata:\n  name: a b  c\n", "metadata:\n  name: \"a\\\"b\"\n", "metadata:\n  name: 'it''s'\n",
    "metadata:\n  name: a\n  name: b\n", "kind: A\nkind: B\n",
    "metadata:\n  finalizers:\n  - x\n  name: n\n", "metadata:\n    name: deep\n  namespace: bad\n",
    "metadata:\n  annotations:\n", "metadata:\n  annotations: {}\n", "metadata:\n  annotations:\n  - x\n",
    "metadata:\n  annotations:\n    a: 5\n", "metadata:\n  annotations:\n    a: \"5\"\n",
    "metadata:\n  annotations:\n    a: yes\n", "metadata:\n  annotations:\n    a:\n",
    "metadata:\n  annotations:\n    a: 2020-01-01\n", "metadata:\n  annotations:\n    a: |\n      text\n",
    "metadata:\n  annotations:\n    a: x\n    a: y\n", "metadata:\n  annotations:\n    1: x\n",
    "metadata:\n  annotations:\n    true: x\n", "metadata:\n  annotations:\n    a: x\n      b\n",
    "metadata:\n  annotations: x\n", "metadata:\n  annotations: [a]\n",
    "metadata:\n  annotations:\n    \"quoted/key\": v\n",
    "metadata:\n  labels: |\n    name: fake\n  name: real\n",
    "metadata:\n  labels:\n    name: fake\n  name: real\n",
    "spec:\n  x: &a 1\n  y: *a\nkind: K\n", "kind: !!str K\n", "a: !!binary aGk=\nkind: K\n",
    "<<: {kind: K}\n", "? [a]\n: b\n", "[a]: b\nkind: K\n", "{a: 1}: b\n",
    "kind: K\n...\n", "kind: K\n...\nfoo: bar\n", "%YAML 1.1\n---\nkind: K\n",
    "kind:\tK\n", "kind: K\r\n", "\ufeffkind: K\n",
    "  kind: K\n  metadata:\n    name: x\n",            # an indented root
    "kind: [\n", "kind: K\n  bad: indent\n", "a: b: c\n", "kind: \"unterminated\n", "metadata:\n  name: x\n bad\n",
    "kind: K\nmetadata:\n  name: x\nspec:\n  script: |\n    echo \"it's\" && exit 1\n",
    "kind: K\nmetadata:\n  name: x\n  annotations:\n    checksum/config: 2b1e3c\n    url: http://x/?a=1\n",
    "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: inner\n",
    "kind: a: b\n", "kind: K\nmetadata:\n  name: x\n  name2: \"y\" \"z\"\n",
    "kind: K\nmetadata:\n  name: x\ndata:\n  a: =\n",
    "kind: K\nmetadata:\n  name: x\ndata:\n  a: 0b_\n",
    "kind: -K\n", "kind: ~\n", "kind: null\n", "kind: 1\n", "kind:\n  nested: map\n",
    "metadata:\n  name: x\n  annotations:\n    a: \"b\"\n    c: 'd'\n  namespace: \"ns\"\n",
]


def _render_docs(chart_dir: Path, **values) -> list[str]:
    chart = loader.load(chart_dir)
    rendered = render_release(chart, values, ReleaseContext(name="scan"), Capabilities())
    return [m.content for m in rendered.manifests] + [h.manifest for h in rendered.hooks]


def _full(doc: str):
    try:
        return parse_head_full(doc, "t.yaml")
    except RenderError as err:
        return err


def _assert_agrees(doc: str) -> bool:
    """True when the fast scan handled ``doc`` (and then it must equal the full parse)."""
    fast = scan_head(doc)
    if fast is None:
        return False
    full = _full(doc)
    assert not isinstance(full, Exception), f"scan accepted a document the full parse rejects: {doc!r}: {full}"
    assert fast == full, f"scan and full parse differ on {doc!r}"
    return True


@pytest.mark.parametrize("doc", TRICKY)
def test_tricky_documents_agree_with_the_full_parse(doc):
    _assert_agrees(doc)


def test_combinations_of_fragments_agree():
    fragments = [doc for doc in TRICKY if doc.endswith("\n")]
    for a, b in itertools.product(fragments[:40], repeat=2):
        _assert_agrees(a + b)


def test_common_layout_takes_the_fast_path():
    assert _assert_agrees(SIMPLE)
    assert scan_head(SIMPLE) == {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "web-app", "namespace": "prod",
        "annotations": {"helm.sh/hook": "pre-install,post-upgrade", "helm.sh/hook-weight": "-5",
                        "note": "hello world"}}}


@pytest.mark.parametrize("chart", ["web", "stateful", "multi"])
def test_example_charts_agree_and_mostly_take_the_fast_path(chart):
    docs = _render_docs(ROOT / "charts" / chart)
    fast = [_assert_agrees(d) for d in docs]
    assert sum(fast) >= len(docs) * 0.6, f"only {sum(fast)} of {len(docs)} documents took the fast path"


def test_scaffold_agrees(tmp_path, cli):
    assert cli("create", str(tmp_path / "app")).exit_code == 0
    docs = _render_docs(tmp_path / "app", ingress={"enabled": True}, autoscaling={"enabled": True})
    fast = [_assert_agrees(d) for d in docs]
    assert sum(fast) >= len(docs) - 1  # the test hook has a quoted annotation key: full parse


def test_invalid_yaml_is_still_an_error_naming_the_file():
    for doc in ("kind: [\n", "a: b: c\n", "kind: \"unterminated\n", "metadata:\n  name: x\n bad\n"):
        assert scan_head(doc) is None
        with pytest.raises(RenderError, match=r"^YAML parse error on c/templates/x\.yaml: error converting YAML"):
            parse_head(doc, "c/templates/x.yaml")
    with pytest.raises(RenderError, match="c/templates/x.yaml: metadata.annotations.a: annotation values must be"):
        sort_manifests({"c/templates/x.yaml": "kind: K\nmetadata:\n  annotations:\n    a: 5\n"})


def test_go_yaml_dialect_for_annotations():
    """Like Helm (go-yaml): a date-like annotation is a string, ``y`` is a boolean (so an error)."""
    head = parse_head("kind: K\nmetadata:\n  annotations:\n    a: 2020-01-01\n    b: =\n", "x.yaml")
    assert head["metadata"]["annotations"] == {"a": "2020-01-01", "b": "="}
    with pytest.raises(RenderError, match="annotation values must be strings"):
        parse_head("kind: K\nmetadata:\n  annotations:\n    a: y\n", "x.yaml")


def test_split_and_scan_of_a_multi_document_file():
    text = SIMPLE + "---\n" + SIMPLE.replace("web-app", "other")
    heads = [parse_head(d, "x") for d in split_documents(text)]
    assert [h["metadata"]["name"] for h in heads] == ["web-app", "other"]
