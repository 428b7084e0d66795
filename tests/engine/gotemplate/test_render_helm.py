"""Go charts through the whole pipeline: ``helmpy template`` prints byte for byte what ``helm template`` prints.

The umbrella chart (tests/support/gocharts.py) has partials with ``define``/``include``, a Go subchart
with its own values and globals whose ``define`` the parent overrides, a library chart whose
non-partial file is never parsed, a partial that would not parse as YAML, an empty file, hooks, a
test hook, NOTES.txt, a CRD, ``.Files``, ``tpl``, ``<no value>``, and numbers from values files
(float64) against ``--set`` (int64).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gocharts import JINJA_ANNOTATION, UMBRELLA, write_files

pytestmark = pytest.mark.helm

ARGS = [
    [],
    ["--set", "replicas=5", "--set", "ratio=2", "--set", "sub.port=9", "--set", "list={1,2}"],
    ["--set-string", "replicas=5", "--set-json", "big=7"],
    ["--include-crds"],
    ["--kube-version", "1.29.3-gke.1", "--api-versions", "nope/v1"],
    ["--is-upgrade", "-n", "prod"],
    ["--skip-tests"],
    ["--no-hooks"],
    ["--show-only", "templates/cm.yaml"],
    ["-s", "charts/sub/templates/svc.yaml", "-s", "templates/hook.yaml"],
    ["--set", "sub.enabled=false"],
]


@pytest.fixture
def umbrella(tmp_path: Path) -> Path:
    return write_files(tmp_path / "gw", UMBRELLA)


@pytest.mark.parametrize("args", ARGS, ids=lambda a: " ".join(a) or "defaults")
def test_umbrella_renders_like_helm(cli, helm, umbrella, args):
    expected = helm("template", "rel", str(umbrella), *args)
    ours = cli("template", "rel", str(umbrella), *args)
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == expected.stdout


def test_values_file_numbers_are_floats_and_set_numbers_ints(cli, helm, umbrella, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("replicas: 7\nratio: 2.5e+3\nsub:\n  port: 81\n")
    args = ["-f", str(extra), "--set", "big=12", "-s", "templates/cm.yaml"]
    ours = cli("template", "rel", str(umbrella), *args)
    assert ours.stdout == helm("template", "rel", str(umbrella), *args).stdout
    assert 'types: "float64/float64/string/int64"' in ours.stdout
    assert 'numbers: "7 12 2500"' in ours.stdout


def test_no_value_is_removed_from_every_file(cli, umbrella):
    out = cli("template", "rel", str(umbrella)).stdout
    assert "<no value>" not in out and 'missing: "[][]"' in out
    assert 'tpl: "web-rel"' in out  # also from what tpl returns


def test_partials_and_library_files_are_not_rendered(cli, umbrella):
    out = cli("template", "rel", str(umbrella)).stdout
    assert "_partial.yaml" not in out and "charts/lib" not in out and "empty.yaml" not in out
    assert "shared: from-parent" in out  # the parent's define wins over the subchart's


def _jinja_sub(root: Path) -> None:
    write_files(root, {
        "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.2.0\n" + JINJA_ANNOTATION,
        "charts/sub/templates/_sub.tpl": "{% macro shared() %}from-sub{% endmacro %}\n",
        "charts/sub/templates/svc.yaml": (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ Release.Name }}-sub\n  labels:\n"
            "    shared: jinja\nspec:\n  ports:\n    - port: {{ Values.port }}\n"
            "  x: \"{{ Values.global.env }} {{ Values.local }} {{ Chart.IsRoot | lower }} {{ Template.Name }} int\"\n"),
    })


def _go_twin_sub(root: Path) -> None:
    write_files(root, {"charts/sub/templates/svc.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-sub\n  labels:\n"
        "    shared: jinja\nspec:\n  ports:\n    - port: {{ .Values.port }}\n"
        "  x: \"{{ .Values.global.env }} {{ .Values.local }} {{ .Chart.IsRoot }} {{ .Template.Name }} int\"\n")})


def test_go_parent_with_jinja_subchart_is_one_release(cli, helm, tmp_path):
    """Helm cannot render the Jinja2 subchart, so it renders the same umbrella with the subchart's Go twin."""
    mixed = write_files(tmp_path / "mixed" / "gw", UMBRELLA)
    _jinja_sub(mixed)
    twin = write_files(tmp_path / "twin" / "gw", UMBRELLA)
    _go_twin_sub(twin)
    ours = cli("template", "rel", str(mixed))
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == helm("template", "rel", str(twin)).stdout
    assert 'x: "prod here false gw/charts/sub/templates/svc.yaml int"' in ours.stdout


def test_jinja_parent_with_go_subchart(cli, helm, tmp_path):
    files = {
        "Chart.yaml": "apiVersion: v2\nname: top\nversion: 1.0.0\n",
        "values.yaml": "count: 2\nglobal:\n  g: 1\ngo:\n  x: 5\n",
        "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  count: \"2\"\n",
        "charts/go/Chart.yaml": "apiVersion: v2\nname: go\nversion: 0.1.0\n",
        "charts/go/templates/cm.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: go\n"
                                        "data:\n  x: \"{{ .Values.x }} {{ .Values.global.g }} {{ printf \"%T\" .Values.x }}\"\n"),
    }
    go_only = write_files(tmp_path / "go" / "top", files)
    jinja_top = write_files(tmp_path / "jinja" / "top", {
        **files, "Chart.yaml": files["Chart.yaml"] + JINJA_ANNOTATION,
        "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  count: \"{{ Values.count }}\"\n"})
    ours = cli("template", "rel", str(jinja_top))
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == helm("template", "rel", str(go_only)).stdout
    assert 'x: "5 1 float64"' in ours.stdout


# Helm's objects reached through other values (as real charts pass ``$.Files`` around in a dict):
# each template is one file of one chart, rendered by helm and helmpy.
OBJECT_CASES = [
    # a method's arguments are evaluated with the caller's dot (opentelemetry-kube-stack)
    '{{ .Files.Get .Values.c.f }}',
    '{{ with dict "Files" .Files "c" .Values.c }}{{ .Files.Get .c.f }}{{ end }}',
    '{{ define "d" }}{{ (.Files.Get .c.f) }}{{ end }}{{ include "d" (dict "Files" .Files "c" .Values.c) }}',
    '{{ .Capabilities.APIVersions.Has .Values.api }} {{ .Files.Glob .Values.glob | len }}',
    # deepCopy of the whole context keeps .Files and .Capabilities working (opentelemetry-collector)
    '{{ (deepCopy .).Files.Get "a.txt" }}',
    '{{ $c := deepCopy . }}{{ $c.Capabilities.KubeVersion.Major }} {{ $c.Values.c.f }} {{ $c.Files.Glob "*.txt" | len }}',
    '{{ $f := deepCopy .Files }}{{ $f.Get "a.txt" }}{{ $f | len }}',
    # .Files.Get is Go's string(bytes): bytes that are not UTF-8 survive (kube-prometheus-stack's crds.bz2)
    '{{ .Files.Get "b.bin" | b64enc }} {{ .Files.Get "b.bin" | len }} {{ .Files.Get "b.bin" | sha256sum }}',
]


def test_helm_objects_through_values_render_like_helm(cli, helm, tmp_path):
    files = {"Chart.yaml": "apiVersion: v2\nname: objs\nversion: 0.1.0\n",
             "values.yaml": "c:\n  f: a.txt\napi: apps/v1\nglob: '*.txt'\n", "a.txt": "hello"}
    files.update({f"templates/t{i}.yaml": f"case{i}: {case!s}\n" for i, case in enumerate(OBJECT_CASES)})
    chart = write_files(tmp_path / "objs", files)
    (chart / "b.bin").write_bytes(b"BZh\xff\xfe\x80 \xc3(")
    ours = cli("template", "rel", str(chart))
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == helm("template", "rel", str(chart)).stdout
