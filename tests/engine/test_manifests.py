"""Splitting, hook extraction, install/uninstall ordering and manifest text (helm-reference 5.5, 7.7)."""

from __future__ import annotations

import pytest

from helmpy.engine.manifests import (
    INSTALL_ORDER,
    UNINSTALL_ORDER,
    HookDoc,
    Manifest,
    manifest_text,
    parse_manifest_text,
    sort_for_uninstall,
    sort_manifests,
    split_documents,
)
from helmpy.errors import RenderError


def doc(kind: str, name: str = "x", annotations: dict[str, str] | None = None) -> str:
    text = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
    if annotations:
        text += "  annotations:\n" + "".join(f"    {k}: {v!r}\n" for k, v in annotations.items())
    return text


# --- splitting ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("a: 1\n---\nb: 2\n", ["a: 1", "b: 2"]),
    ("---\na: 1\n---\n", ["a: 1"]),
    ("  \n\n---\n\na: 1\n\n", ["a: 1"]),
    ("a: 1\n  ---\nb: 2", ["a: 1\n  ---\nb: 2"]),          # only at column 0
    ("a: 1\n---kind: C3", ["a: 1", "kind: C3"]),            # no newline needed after ---
    ("a: 1\n--- # c\nb: 2", ["a: 1", "# c\nb: 2"]),         # the comment stays with the next document
    ("---\n---\n\n---", ["---"]),                           # quirk: bogus document '---'
    ("A\n---\n\n---\nkind: B", ["A", "---\nkind: B"]),      # quirk: second --- not consumed
    ("# only a comment\n---\na: 1", ["# only a comment", "a: 1"]),
    ("", []),
    ("  \n ", []),
])
def test_split_documents(text, expected):
    assert split_documents(text) == expected


# --- sorting --------------------------------------------------------------------------------------
def test_sort_by_install_order_stable_and_unknown_kinds_last():
    files = {
        "c/templates/b.yaml": doc("Deployment", "d1") + "---\n" + doc("Service", "s1") + "---\n" + doc("Zeta", "z"),
        "c/templates/a.yaml": doc("Deployment", "d0") + "---\n" + doc("Alpha", "al") + "---\n" + doc("Namespace"),
        "c/templates/e.yaml": "# just a comment\n",
    }
    hooks, manifests = sort_manifests(files)
    assert hooks == []
    assert [(m.kind, m.object_name) for m in manifests] == [
        ("Namespace", "x"), ("Service", "s1"), ("Deployment", "d0"), ("Deployment", "d1"),
        ("", ""), ("Alpha", "al"), ("Zeta", "z")]
    assert manifests[2].name == "c/templates/a.yaml"
    assert manifests[4].content == "# just a comment"


def test_install_order_lists():
    assert INSTALL_ORDER[0] == "PriorityClass" and INSTALL_ORDER[-1] == "ValidatingWebhookConfiguration"
    assert len(INSTALL_ORDER) == len(UNINSTALL_ORDER) == 38
    assert set(INSTALL_ORDER) == set(UNINSTALL_ORDER)


def test_partials_notes_and_empty_files_are_dropped():
    files = {"c/templates/_helpers.tpl": doc("ConfigMap"), "c/templates/NOTES.txt": "hello",
             "c/charts/s/templates/NOTES.txt": "sub notes", "c/templates/empty.yaml": "  \n\n",
             "c/templates/cm.yaml": doc("ConfigMap", "cm")}
    _hooks, manifests = sort_manifests(files)
    assert [m.name for m in manifests] == ["c/templates/cm.yaml"]


def test_manifest_head_shape():
    _, [m] = sort_manifests({"c/templates/x.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                                   "  name: web\n  namespace: ns\n  annotations:\n    a: b\n"})
    assert m.head == {"apiVersion": "apps/v1", "kind": "Deployment",
                      "metadata": {"name": "web", "namespace": "ns", "annotations": {"a": "b"}}}
    assert (m.api_version, m.kind, m.object_name, m.namespace, m.annotations) == \
        ("apps/v1", "Deployment", "web", "ns", {"a": "b"})


@pytest.mark.parametrize("content, fragment", [
    ("a: [1\n", "YAML parse error on c/templates/bad.yaml: error converting YAML to JSON: yaml: line 1: "
                "did not find expected ',' or ']'"),
    ("just text", "YAML parse error on c/templates/bad.yaml: error unmarshaling JSON: while decoding JSON: "
                  "json: cannot unmarshal string into Go value of type util.SimpleHead"),
    ("kind: A\nmetadata:\n  annotations:\n    helm.sh/hook-weight: 5\n", "annotation values must be strings"),
])
def test_yaml_errors_name_the_file(content, fragment):
    with pytest.raises(RenderError) as err:
        sort_manifests({"c/templates/ok.yaml": doc("Pod"), "c/templates/bad.yaml": content})
    assert fragment in str(err.value)


# --- hooks ----------------------------------------------------------------------------------------
def test_hooks_are_extracted_with_weights_and_policies():
    files = {
        "c/templates/hooks.yaml": (
            doc("Job", "migrate", {"helm.sh/hook": "pre-install, Pre-Upgrade", "helm.sh/hook-weight": "-5",
                                   "helm.sh/hook-delete-policy": "hook-succeeded,before-hook-creation"})
            + "---\n" + doc("ConfigMap", "cfg", {"helm.sh/hook": "post-install", "helm.sh/hook-weight": "10"})
            + "---\n" + doc("Pod", "t", {"helm.sh/hook": "test-success", "helm.sh/hook-weight": "x1",
                                         "helm.sh/hook-output-log-policy": "hook-failed"})
            + "---\n" + doc("Pod", "unknown", {"helm.sh/hook": "pre-install,crd-install"})
            + "---\n" + doc("Secret", "plain", {"other": "annotation"})),
    }
    hooks, manifests = sort_manifests(files)
    assert [m.object_name for m in manifests] == ["plain"]
    # hooks come in install order by kind, not by weight
    assert [h.name for h in hooks] == ["cfg", "t", "migrate"]
    cfg, test, migrate = hooks
    assert migrate == HookDoc(name="migrate", kind="Job", path="c/templates/hooks.yaml", manifest=migrate.manifest,
                              events=["pre-install", "pre-upgrade"], weight=-5,
                              delete_policies=["hook-succeeded", "before-hook-creation"], output_log_policies=[])
    assert migrate.manifest.startswith("apiVersion: v1\nkind: Job")
    assert cfg.weight == 10 and cfg.delete_policies == [] and cfg.effective_delete_policies == ["before-hook-creation"]
    assert test.events == ["test"] and test.weight == 0 and test.output_log_policies == ["hook-failed"]


# --- text -----------------------------------------------------------------------------------------
def test_manifest_text_and_round_trip():
    manifests = [Manifest("c/templates/a.yaml", "kind: Service\nmetadata:\n  name: s", {}),
                 Manifest("c/templates/b.yaml", "kind: Deployment\nmetadata:\n  name: d", {})]
    text = manifest_text(manifests)
    assert text == ("---\n# Source: c/templates/a.yaml\nkind: Service\nmetadata:\n  name: s\n"
                    "---\n# Source: c/templates/b.yaml\nkind: Deployment\nmetadata:\n  name: d\n")
    back = parse_manifest_text(text)
    assert [(m.name, m.kind, m.object_name) for m in back] == [("c/templates/a.yaml", "Service", "s"),
                                                               ("c/templates/b.yaml", "Deployment", "d")]
    assert back[0].content == manifests[0].content


def test_sort_for_uninstall():
    _, manifests = sort_manifests({"c/templates/x.yaml": "---\n".join(
        doc(k, k.lower()) for k in ("Namespace", "Deployment", "Custom", "Service", "ConfigMap", "Ingress"))})
    assert [m.kind for m in sort_for_uninstall(manifests)] == \
        ["Ingress", "Service", "Deployment", "ConfigMap", "Namespace", "Custom"]


def test_separator_split_equals_helms_regex():
    """``split_documents`` avoids the backtracking regex; it must split exactly as ``(?:^|\\s*\\n)---\\s*``."""
    import random
    import re

    from helmpy.engine.manifests import _split_sep

    helm_sep = re.compile(r"(?:^|\s*\n)---\s*")
    rnd = random.Random(7)
    alphabet = ["-", "---", "\n", " ", "\t", "a", "\n---", "\r", "\u00a0", "k: v"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert _split_sep(text) == helm_sep.split(text), repr(text)


def test_sort_for_uninstall_takes_any_item_with_a_kind_reader() -> None:
    """The action layer sorts live objects (dicts) with the same function: unknown kinds last by name, stable."""
    objs = [{"kind": "Zeta"}, {"kind": "ConfigMap", "n": 1}, {"kind": "Alpha"}, {"kind": "Deployment"},
            {"kind": "ConfigMap", "n": 2}, {}]
    got = sort_for_uninstall(objs, lambda o: str(o.get("kind") or ""))
    assert got == [{"kind": "Deployment"}, {"kind": "ConfigMap", "n": 1}, {"kind": "ConfigMap", "n": 2}, {},
                   {"kind": "Alpha"}, {"kind": "Zeta"}]
