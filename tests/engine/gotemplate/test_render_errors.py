"""Parse and execution errors of Go charts: ``helmpy template`` exits and prints on stderr exactly what
``helm template`` does (Helm 4's wording: one line for parse, ``required``/``fail`` and function errors,
three lines per template for field and range errors, ``include`` chains).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.engine.gorender import helm_exec_message
from helmpy.errors import TemplateExecError, TemplateFuncError, TemplateNotDefined
from tests.support.gocharts import write_files

HELPERS = ('{{ define "e.p" }}{{ .Values.nope.deep }}{{ end }}'
           '{{ define "e.r" }}{{ required "need r" .Values.r }}{{ end }}'
           '{{ define "e.l" }}{{ len 3 }}{{ end }}'
           '{{ define "e.i" }}{{ include "e.p" . }}{{ end }}')

CASES = [
    "{{ .Values.a.b.c.d }}",
    "{{ if }}",
    "{{ end }}",
    "a: {{ nofunc 1 }}",
    '{{ required "value r is required" .Values.r }}',
    '{{ required "empty string counts" .Values.e }}',
    '{{ fail "boom here" }}',
    '{{ include "e.p" . }}',
    '{{ include "e.i" . }}',
    '{{ include "nope" . }}',
    '{{ template "nope" . }}',
    '{{ include "e.r" . }}',
    '{{ include "e.l" . }}',
    '{{ tpl "{{ .Values.zz.y }}" . }}',
    '{{ tpl "{{ if }}" . }}',
    '{{ tpl "{{ include \\"e.p\\" . }}" . }}',
    '{{ tpl "{{ required \\"in tpl\\" .Values.q }}" . }}',
    "{{ len 3 }}",
    "{{ range .Values.a.b }}{{ end }}",
    "{{ .Values.a.b 1 }}",
    '{{ .Files.Get }}',
    '{{ .Capabilities.Nope }}',
    '{{ .Capabilities.KubeVersion.Nope }}',
    '{{ .Capabilities.APIVersions.Has 1 }}',
    '{{ .Release.Name.x }}',
    '{{ set nil "a" 1 }}',
    '{{ $m := (lookup "v1" "Secret" "ns" "n").data }}{{ $_ := set $m "a" 1 }}',
]


def _chart(root: Path, template: str) -> Path:
    return write_files(root / "e", {
        "Chart.yaml": "apiVersion: v2\nname: e\nversion: 0.1.0\n",
        "values.yaml": 'a:\n  b: 1\ne: ""\n',
        "templates/_h.tpl": HELPERS,
        "templates/x.yaml": template + "\n",
    })


@pytest.mark.helm
@pytest.mark.parametrize("template", CASES)
def test_error_output_is_helms(cli, helm, tmp_path, template):
    chart = _chart(tmp_path, template)
    expected = helm("template", "rel", str(chart), check=False)
    ours = cli("template", "rel", str(chart))
    assert expected.returncode == 1
    assert (ours.exit_code, ours.stdout, ours.stderr) == (1, expected.stdout, expected.stderr)


@pytest.mark.helm
def test_install_error_is_prefixed_like_helm(cli, helm, tmp_path):
    chart = _chart(tmp_path, '{{ required "value r is required" .Values.r }}')
    ours = cli("install", "rel", str(chart))
    expected = helm("install", "rel", str(chart), "--dry-run=client", check=False)
    assert ours.exit_code == expected.returncode == 1
    assert ours.stderr.splitlines()[-1] == expected.stderr.splitlines()[-1] == (
        "Error: INSTALLATION FAILED: execution error at (e/templates/x.yaml:1:3): value r is required")


def test_lint_mode_required_and_fail_do_not_stop_the_render(cli, tmp_path):
    chart = _chart(tmp_path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x{{ required "r" .Values.r }}'
                             '{{ fail "f" }}')
    r = cli("lint", str(chart))
    assert r.exit_code == 0, r.stdout
    assert "[ERROR]" not in r.stdout


def test_exec_message_wording_without_helm():
    inner = TemplateExecError("e.p", "nil pointer evaluating interface {}.deep", "e/templates/_h.tpl:1:28",
                              ".Values.nope.deep")
    outer = TemplateExecError("e/x.yaml", f"error calling include: {inner}", "e/x.yaml:1:3", 'include "e.p" .')
    outer.__cause__ = inner
    assert helm_exec_message("e/x.yaml", outer) == (
        'e/x.yaml:1:3\n  executing "e/x.yaml" at <include "e.p" .>:\n    error calling include:\n'
        'e/templates/_h.tpl:1:28\n  executing "e.p" at <.Values.nope.deep>:\n'
        "    nil pointer evaluating interface {}.deep")
    missing = TemplateNotDefined("nope")
    outer2 = TemplateExecError("e/x.yaml", f"error calling include: {missing}", "e/x.yaml:1:3", "include")
    outer2.__cause__ = missing
    assert helm_exec_message("e/x.yaml", outer2).endswith(
        '\ntemplate: no template "nope" associated with template "gotpl"')
    func = TemplateFuncError("len of type int")
    outer3 = TemplateExecError("e/x.yaml", f"error calling len: {func}", "e/x.yaml:1:3", "len 3")
    outer3.__cause__ = func
    assert helm_exec_message("e/x.yaml", outer3) == str(outer3)  # Go's one line
    warn = TemplateExecError("e/x.yaml", "error calling fail: HELM_ERR_STARTmulti\nlineHELM_ERR_END",
                             "e/x.yaml:2:5", 'fail "x"')
    assert helm_exec_message("e/x.yaml", warn) == "execution error at (e/x.yaml:2:5): multi\nline"


@pytest.mark.parametrize("template", [
    '{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}',
    '{{ define "r" }}{{ tpl "{{ include \\"r\\" . }}" . }}{{ end }}{{ include "r" . }}',
    '{{ define "r" }}{{ template "r" . }}{{ end }}{{ include "r" . }}',
])
def test_recursion_through_include_and_tpl_meets_the_depth_limit(cli, tmp_path, template):
    """helmpy is stricter than Helm here (Helm stops a name after 1,000 nested includes): HELMPY_RENDER_MAX_DEPTH."""
    r = cli("template", "rel", str(_chart(tmp_path, template)), env={"HELMPY_RENDER_MAX_DEPTH": "40"})
    assert r.exit_code == 1
    assert r.stderr.startswith('Error: e/templates/x.yaml: template "r": exceeded maximum template depth (40)'), r.stderr
