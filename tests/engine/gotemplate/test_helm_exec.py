"""Execution compared with real Helm: every template below uses only text/template's built-ins and
``.Values`` (from a values.yaml, so numbers arrive as Helm's float64s); ``helm template`` renders
each one and its output, or its execution error's location, template, node and message, must equal
what :class:`TemplateSet` gives for the same file and the same values read by helmpy."""

from __future__ import annotations

import re
from pathlib import Path

from helmpy.engine.gotemplate import TemplateSet, json_numbers
from helmpy.errors import TemplateExecError
from helmpy.yamlutil import load_values

VALUES = """\
s: hello
i: 42
f: 3.5
big: 1000000
fl: 1000000.0
b: true
nul: null
l: [1, "a", 2.5, null, true]
m: {b: 2, a: 1}
e: ""
em: {}
el: []
"""

CASES = [
    '{{ .Values.missing.x }}',
    '{{ .Values.s.x }}',
    '{{ with .Values.s }}{{ .x }}{{ end }}',
    '{{ range .Values.l }}{{ .x }}{{ end }}',
    '{{ len .Values.missing }}',
    '{{ .Values.missing | len }}',
    '{{ len (.Values.missing) }}',
    '{{ print .Values.missing }} {{ printf "%v" .Values.nul }}',
    '{{ .Values.aaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbb }}',
    '{{ eq .Values.missing nil }}',
    '{{ eq .Values.i 42.0 }}',
    '{{ eq .Values.i "a" }}',
    '{{ lt .Values.s 1 }}',
    '{{ eq .Values.l .Values.l }}',
    '{{ index .Values.l 5 }}',
    '{{ index .Values.l 10 }}',
    '{{ index .Values.m 1 }}',
    '{{ .Values.f }} {{ .Values.big }} {{ .Values.fl }} {{ .Values.m }} {{ .Values.l }} {{ 1e6 }} {{ 1.5e20 }} {{ 1e21 }}',
    '{{ .Values.nul }}|{{ .Values.missing }}|{{ print nil }}|{{ html nil }}',
    '{{ range $i, $v := 3 }}{{ end }}',
    '{{ range $v := 3 }}{{ $v }}{{ end }}|{{ range 0 }}x{{ else }}empty{{ end }}',
    '{{ template "nope" }}',
    '{{ printf "%d %s %5.2f|%-5d|%05d|%x|%X|%o|%q|%t|%T|%T|%T|%T" 5 "x" 3.14159 3 -42 255 255 8 "hi\\n" true 1 1.5 .Values.m .Values.l }}',
    '{{ printf "%d" "x" }} {{ printf "%s" 5 }} {{ printf "%d" }} {{ printf "x" 1 2 }} {{ printf "%!" }} {{ printf "%z" 1 }}',
    '{{ print 1 2 "a" "b" 3 nil 4 }}|{{ println 1 "a" }}|',
    '{{ .Values.s 1 }}',
    '{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ and }}',
    '{{ not .Values.b }} {{ not .Values.missing }} {{ .Values.m.a.b }}',
    '{{ $x := .Values.missing }}{{ $x.b.c }}',
    '{{ call .Values.s }}',
    '{{ nil }}',
    '{{ 1 2 }}',
    '{{ .Values.m | .Values.s }}',
    '{{ index nil 1 }}',
    '{{ js "<a\'b\\"=&>" }} {{ html "<a\'b\\"&>" }} {{ urlquery "a b&c/d" }}',
    '{{ printf "%v %+v %#v" .Values.m .Values.m .Values.l }}',
    '{{ printf "%6.2f|%-8s|%8s|%e|%g|%G|%E|%.3e|%10.4g" 3.14159 "ab" "cd" 123456.789 0.000001234 1e21 1.5 123456.789 3.14159265 }}',
    '{{ printf "%d" "x" }} {{ printf "%s" 5 }} {{ printf "%d" }} {{ printf "x" 1 "a" nil }} {{ printf "%!" }} {{ printf "%z" 1 }} {{ printf "%" }} {{ printf "%d" nil }}',
    '{{ .Values.f }} {{ .Values.big }} {{ .Values.fl }} {{ .Values.m }} {{ .Values.l }} {{ 1e6 }} {{ 1.5e20 }} {{ 1e21 }} {{ 123456789.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 100000.0 }}',
    '{{ .Values.nul }}|{{ .Values.missing }}|{{ print nil }}|{{ html nil }}|{{ print .Values.missing }}|{{ printf "%v" .Values.nul }}',
    '{{ range $v := 3 }}{{ $v }}{{ end }}|{{ range 0 }}x{{ else }}empty{{ end }}|{{ range -2 }}x{{ end }}',
    '{{ js "<a\'b\\"=&>\\u00e9\\x01" }} {{ html "<a\'b\\"&>" }} {{ urlquery "a b&c/d~é" }} {{ js 1 2 }} {{ html 1 "a" }}',
    '{{ printf "%v %+v %#v %#v %#v" .Values.m .Values.m .Values.l .Values.s .Values.f }}',
    '{{ printf "%6.2f|%-8s|%8s|%e|%g|%G|%E|%.3e|%10.4g|%.3g|%g|%g" 3.14159 "ab" "cd" 123456.789 0.000001234 1e21 1.5 123456.789 3.14159265 1.0 100000.0 1000000.0 }}',
    '{{ printf "%+d|% d|%+.2f|%08.3f|%-8.3f|%x|%#x|%#o|%O|%b|%c|%q|%U|%#U|%.3d|%8.3d|%+q|%#q|%x|% x|%X|%.2s|%5.1q" 5 5 3.14159 -3.14159 2.5 -255 255 8 8 5 65 65 65 65 7 7 "é" "ab" "hi" "hi" "hi" "héllo" "abc" }}',
    '{{ printf "%s|%d|%v|%s" .Values.l .Values.l .Values.m .Values.m }}',
    '{{ printf "%t|%t|%v|%08s|%-08d|%3c|%v" 1 true 1.0 "ab" 5 65 .Values.e }}|{{ printf "%[2]d %[1]d|%[3]d|%*d|%.*f|%[1]*d" 1 2 3 4 2 3.14159 }}',
    '{{ eq .Values.missing nil }} {{ eq .Values.i 42.0 }} {{ eq 1 1 2 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ eq nil nil }} {{ eq .Values.m.a 1.0 }}',
    '{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ and 1 2 }} {{ or 0 "" }} {{ not 0 }} {{ not "" }} {{ not .Values.m }} {{ not .Values.em }} {{ and .Values.missing 1 }}|{{ print (and .Values.missing 1) }}',
    '{{ index .Values.m "a" }} {{ index .Values.m "zz" }} {{ index .Values.l 1 }} {{ index .Values.s 1 }} {{ index .Values.l }} {{ len .Values.l }} {{ len .Values.m }} {{ len "héllo" }} {{ index .Values.l 3 }}',
    '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }} {{ range $i, $v := .Values.m }}{{ $i }}={{ $v }};{{ end }} {{ range $i, $v := .Values.l }}{{ $i }}:{{ $v }},{{ end }}',
    '{{ range .Values.l }}{{ if eq (printf "%v" .) "a" }}{{ continue }}{{ end }}{{ if eq (printf "%v" .) "true" }}{{ break }}{{ end }}[{{ . }}]{{ end }}',
    '{{ with .Values.missing }}x{{ else with .Values.s }}{{ . }}{{ end }} {{ if .Values.e }}a{{ else if .Values.el }}b{{ else }}c{{ end }} {{ with $z := .Values.i }}{{ $z }}{{ end }}',
    '{{ define "t1" }}[{{ . }}|{{ $ }}]{{ end }}{{ template "t1" .Values.s }}{{ template "t1" }}{{ block "b1" .Values.i }}<{{ . }}>{{ end }}',
    '{{ .Values.m.a.b }}',
    '{{ printf "%d" 1.5 }} {{ printf "%x" 1.5 }} {{ printf "%s" nil }} {{ printf "%d" true }} {{ printf "%x" .Values.l }} {{ printf "%5t|%-6v|" true nil }}',
    '{{ printf "%v|%.2v|%10v|%-10v|" 3.14159 3.14159 .Values.m .Values.l }}',
    '{{ \'a\' }} {{ 0x10 }} {{ 1_000 }} {{ 0o17 }} {{ 1+2i }} {{ printf "%v" 2i }} {{ -0 }} {{ 1.0 }} {{ 0x1p4 }} {{ print 1.0 }}',
    '{{ printf .Values.missing }}',
    '{{ printf .Values.i }}',
    '{{ printf 3 }}',
    '{{ len nil }}',
    '{{ eq .Values.m nil }}|{{ eq .Values.m .Values.l }}',
    '{{ eq .Values.m .Values.m }}',
    '{{ lt true false }}',
    '{{ lt .Values.m 1 }}',
    '{{ index .Values.m.missing "x" }}',
    '{{ index .Values "m" "a" }}|{{ index .Values "missing" }}|',
    '{{ index .Values.l 1.5 }}',
    '{{ range .Values.s }}{{ end }}',
    '{{ range 1.5 }}{{ end }}',
    '{{ $v := 0 }}{{ range $i, $e := .Values.l }}{{ $v = $i }}{{ end }}{{ $v }}|{{ range $e := .Values.m }}{{ $e }}{{ end }}',
    '{{ template "t" 1 }}{{ define "t" }}{{ .x }}{{ end }}',
    '{{ template "t" .Values.missing }}{{ define "t" }}{{ .x.y }}|{{ . }}{{ end }}',
    '{{ .Values.s | printf "%s-%s" "a" }}',
    '{{ call nil }}',
    '{{ 18446744073709551615 }}',
    '{{ (.Values.m).a }}|{{ (.Values.missing).a }}|',
    '{{ index "abc" 3 }}',
    '{{ not }}',
    '{{ eq 1 }}',
    '{{ .Values.m.a | not }}{{ "x" | len }}',
    'a  {{- /* c */ -}}  b {{- 1 }} {{ 2 -}} \n c',
    '{{ range $k, $v := .Values.m }}{{ range $.Values.el }}x{{ else }}{{ $k }}{{ $v }}{{ end }}{{ end }}',
    '{{ range .Values.em }}x{{ else }}none{{ end }}|{{ range .Values.missing }}x{{ else }}nil{{ end }}',
    '{{ with .Values.m }}{{ with .a }}{{ . }}{{ $.Values.s }}{{ end }}{{ end }}',
    '{{ printf "%s=%v" (print "a" 1) (index .Values.l 2) | printf "[%s]" }}',
    '{{ define "x" }}X{{ . }}{{ end }}{{ define "y" }}{{ template "x" .a }}Y{{ end }}{{ template "y" .Values.m }}',
    '{{ if and .Values.b (not .Values.e) (or .Values.missing .Values.i) }}yes{{ end }}',
    '{{ $a := "x" }}{{ range $i := .Values.l }}{{ $a = printf "%s%v" $a $i }}{{ end }}{{ $a }}',
    '{{ range $i, $c := .Values.s | len }}{{ end }}',
    '{{ .Values.b }} {{ .Values.e | len }} {{ .Values | len }} {{ .Values.el }} {{ .Values.em }}',
    '{{ eq .Values.s "hello" "x" }} {{ ne .Values.f 3.5 }} {{ lt .Values.i .Values.f }} {{ gt .Values.big .Values.fl }}',
    '{{ range 3 }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}',
    '{{ $x := 5 }}{{ with $x }}{{ $x := 6 }}{{ $x }}{{ end }}{{ $x }}',
    '{{ print .Values.m.a .Values.l }} {{ println }}',
    '{{ js .Values.l }} {{ urlquery .Values.m }}',
    '{{ index .Values.l 0 | printf "%T %v %05.1f" $.Values.f .Values.s }}',
]

_MARK = re.compile(r"#BEGIN<(\d+)<(.*?)>END#", re.S)


def _wrap(i: int, case: str) -> str:
    return f"#BEGIN<{i}<{case}>END#"


def _name(i: int) -> str:
    return f"c/templates/t{i:03d}.yaml"


def _ours(i: int, case: str) -> tuple[str, str | tuple[str | None, str, str | None, str]]:
    ts = TemplateSet()
    ts.add(_name(i), _wrap(i, case))
    values = json_numbers(load_values(VALUES, "values.yaml"))
    try:
        out = ts.execute(_name(i), {"Values": values})
    except TemplateExecError as err:
        return "error", (err.location, err.name, err.context, err.detail)
    # Helm's engine removes every "<no value>" from a rendered file
    m = _MARK.fullmatch(out.replace("<no value>", ""))
    assert m, out
    return "ok", m.group(2)


def _chart(root: Path, files: dict[str, str]) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(VALUES)
    for name, text in files.items():
        (chart / "templates" / name).write_text(text)
    return chart


def _helm_error(stderr: str) -> tuple[str, str, str, str]:
    """Helm 4 prints execution errors as Go's one line or split over three lines; both give the parts."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("level=")]
    text = " ".join(ln for ln in lines if not ln.startswith("Use --debug"))
    text = text.removeprefix("Error: ")
    m = re.match(r'template: (\S+): executing (".*?") at <(.*)>: (.*)$', text) or \
        re.match(r'(\S+) executing (".*?") at <(.*)>: (.*)$', text)
    assert m, stderr
    location, name, context, detail = m.groups()
    return location, name.strip('"'), context, detail


def test_execution_matches_helm(helm, tmp_path: Path) -> None:
    ours = {i: _ours(i, c) for i, c in enumerate(CASES)}
    good = {i for i, (kind, _) in ours.items() if kind == "ok"}
    assert len(good) > 40 and len(CASES) - len(good) > 25
    chart = _chart(tmp_path / "ok", {Path(_name(i)).name: _wrap(i, CASES[i]) for i in good})
    proc = helm("template", "r", str(chart), "--debug", check=False)
    theirs = {int(m.group(1)): m.group(2) for m in _MARK.finditer(proc.stdout)}
    mismatches = []
    for i in sorted(good):
        if theirs.get(i) != ours[i][1]:
            mismatches.append((CASES[i], theirs.get(i), ours[i][1]))
    for i in sorted(set(ours) - good):
        chart = _chart(tmp_path / f"e{i}", {Path(_name(i)).name: _wrap(i, CASES[i])})
        proc = helm("template", "r", str(chart), check=False)
        if proc.returncode == 0:
            mismatches.append((CASES[i], proc.stdout, ours[i][1]))
        elif _helm_error(proc.stderr) != ours[i][1]:
            mismatches.append((CASES[i], _helm_error(proc.stderr), ours[i][1]))
    assert not mismatches, "\n".join(f"{c!r}\n  helm: {h!r}\n  ours: {o!r}" for c, h, o in mismatches)
