"""Parse errors as real Helm prints them: each broken template is rendered by ``helm template`` and the
``Error: ...`` line must equal what our parser reports in Helm's wording; templates Helm parses
(whatever happens when it executes them) must parse here too."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.engine.gotemplate import parse
from helmpy.errors import TemplateParseError

# Functions of Helm's map that the cases call; every other unknown name must fail as in Helm.
HELM_FUNCS = ["include", "toYaml", "nindent", "quote", "default", "required", "tpl", "indent"]

CASES = [
    "{{foo}}", "a\n{{ 1+2 }}", '{{ "\\q" }}', "{{ '\\\"' }}", "{{ 089 }}", "{{ 1e400 }}", "{{ 'ab' }}", "{{ '' }}",
    '{{define "a"}}x{{end}}{{define "a"}}y{{end}}', "{{ $x }}", "{{ .X (1 2 3}}", "{{.X 1 2 3 ) }}", "{{`x`3}}",
    "{{a#}}", 'line1\n{{"x"\n"y"\n', "{{ break }}", "{{range .}}{{else}}{{break}}{{end}}", "{{12|false}}",
    "{{ ( ) }}", "{{range $k, .}}{{end}}", "{{$a,$b,$c := 23}}", "{{true.any}}", "{{end}}", "{{if 1}}",
    "{{/* a */ 1}}", "{{printf 3, 4}}", 'a\n{{define "a"}}\n{{ nope }}{{end}}', "a\n\n{{if 1}}\n",
    '{{ "a" | "b" }}', "{{ .x. }}", "{{ 0x }}", "{{ 1__0 }}", "{{ 0b102 }}", "{{ 99999999999999999999 }}",
    "{{ +i }}", "{{-/* c */}}", "{{ template .x }}", '{{ block "b" }}x{{end}}', "{{ else }}",
    "{{ if 1 }}{{ else }}{{ else }}{{ end }}", "{{ range $i, $v := . }}{{ end }}{{ $i }}",
    "{{ with 1 }}{{ continue }}{{ end }}", "{{ range . }}{{ continue 1 }}{{ end }}", "{{ \u2603 }}", "{{ @ }}",
    "{{ :x }}", "{{ end 1 }}", "{{ toYaml . | nindent 2 }}", "x\n{{- if .a }}\n{{ .b | quote\n}}\n{{- end }}\n{{ (",
    "{{/* unclosed", "{{ 'a }}", "{{ \"a }}", "{{ `a }}", "{{ $x := 1 }}{{ $x.y.z := 2 }}", "{{ 1.E }}",
    "{{ " + "(" * 10001 + "1" + ")" * 10001 + " }}", '{{ include "x" . | indent 2 }}{{ required }}',
    # these parse in Helm (any error comes from executing them)
    "{{ $x = 1 }}", "{{if 1}}{{$x := 1}}{{else}}{{$x}}{{end}}", "{{ (1).x }}", "{{ . .x }}",
    "{{- /* c */ -}}", "{{ .x\n}}", '{{ template "a" 1 2 }}', '{{ define "a" }}{{ end }}{{ define "a" }}x{{ end }}',
    "{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ break }}{{ end }}", "{{ 1+2i }}", "{{ '\\u00e9' }}",
]


def _chart(root: Path, template: str) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "x.yaml").write_text(template)
    return chart


@pytest.mark.parametrize("template", CASES, ids=[repr(c)[:40] for c in CASES])
def test_parse_error_line_matches_helm(template: str, helm, tmp_path: Path) -> None:
    proc = helm("template", "r", str(_chart(tmp_path, template)), check=False)
    helm_line = proc.stderr.splitlines()[0] if proc.returncode else ""
    try:
        parse("c/templates/x.yaml", template, HELM_FUNCS)
    except TemplateParseError as err:
        assert "Error: " + err.helm_message == helm_line
    else:
        assert not helm_line.startswith("Error: parse error"), helm_line
