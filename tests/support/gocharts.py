"""Go-template charts for the tests that compare helmpy with real Helm: written from ``{path: text}`` maps.

The templates use only text/template's built-ins and Helm's own functions (``include``, ``tpl``,
``required``, ``fail``), so they test the wiring of the Go engine into the chart pipeline.
"""

from __future__ import annotations

from pathlib import Path

JINJA_ANNOTATION = "annotations:\n  helmpy.io/template-engine: jinja2\n"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (paths relative to ``root``) and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


UMBRELLA: dict[str, str] = {
    "Chart.yaml": """\
apiVersion: v2
name: gw
version: 1.2.3
appVersion: "2.0"
description: Go wiring test chart
kubeVersion: ">=1.20.0-0"
keywords: [a, b]
maintainers:
  - name: Ann
    email: ann@example.com
annotations:
  team: infra
dependencies:
  - name: sub
    version: 0.2.0
  - name: lib
    version: 0.1.0
""",
    "values.yaml": """\
replicas: 3
big: 1000000
ratio: 0.5
name: web
list: [1, two, 3.5]
map: {b: 2, a: 1}
global:
  env: prod
sub:
  port: 8080
""",
    "templates/_helpers.tpl": """\
{{- define "gw.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
{{- define "gw.labels" -}}
app: {{ include "gw.fullname" . }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "sub.shared" -}}from-parent{{- end -}}
""",
    "templates/_partial.yaml": "not: [rendered\n{{ .Values.nope.deeper }}\n",
    "templates/cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "gw.fullname" . }}
  namespace: {{ .Release.Namespace }}
data:
  types: {{ printf "%T/%T/%T/%T" .Values.replicas .Values.ratio .Values.name .Values.big | printf "%q" }}
  numbers: "{{ .Values.replicas }} {{ .Values.big }} {{ .Values.ratio }}"
  missing: "[{{ .Values.nope }}][{{ .Values.map.nope }}]"
  list: "{{ .Values.list }} {{ len .Values.list }} {{ index .Values.list 1 }}"
  map: "{{ .Values.map }}"
  {{- range $k, $v := .Values.map }}
  key-{{ $k }}: "{{ $v }}"
  {{- end }}
  chart: "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.Description }} {{ .Chart.IsRoot }}"
  chart2: "{{ .Chart.Annotations.team }} {{ .Chart.Keywords }} {{ .Chart.Type }} {{ .Chart.KubeVersion }}"
  chartmap: {{ printf "%q" (print .Chart) }}
  release: "{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }} {{ .Release.Service }}"
  releasemap: "{{ .Release }}"
  caps: "{{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }}"
  apis: "{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "nope/v1" }} {{ .Capabilities.HelmVersion.Version }}"
  apisdot: "{{ with dict "v" "apps/v1" "c" . }}{{ .c.Capabilities.APIVersions.Has .v }}{{ end }} {{ $d := dict "v" "nope/v1" }}{{ $.Capabilities.APIVersions.Has $d.v }}"
  capsall: {{ printf "%q" (print .Capabilities) }}
  deepcopy: {{ $c := deepCopy $ }}{{ printf "%q %s %v %d %T %T" ($c.Files.Get "files/a.txt") $c.Chart.Name ($c.Capabilities.APIVersions.Has "v1") (len $c.Files) $c.Files (deepCopy (splitList "," "a,b")) | quote }}
  gosyntax: {{ printf "%#v|%#v|%#v|%#v" (splitList "," "a,b") (split "," "a,b") (until 2) (chunk 1 (list 1)) | quote }}
  nilmap: {{ $s := (lookup "v1" "Secret" "ns" "n").data }}{{ printf "%v %v %q %v %v %v %v %v %v %#v %s" (hasKey nil "a") (hasKey $s "k") (get $s "k") (keys $s) (values nil) (pick $s "a") (omit nil "a") (pluck "a" nil) (merge $s (dict "a" 1)) (unset nil "a") (unset $s "a" | toJson) | quote }}
  template: "{{ .Template.Name }} {{ .Template.BasePath }} {{ .Template }}"
  file: {{ printf "%q" (.Files.Get "files/a.txt") }}
  nofile: "[{{ .Files.Get "files/none.txt" }}][{{ .Files.Get "../Chart.yaml" }}]"
  lines: "{{ range .Files.Lines "files/a.txt" }}[{{ . }}]{{ end }}"
  glob: "{{ range $p, $b := .Files.Glob "files/*.txt" }}{{ $p }}={{ len $b }};{{ end }}"
  bytes: "{{ .Files.GetBytes "files/b.txt" }}"
  subcharts: "{{ .Subcharts.sub.Values.port }} {{ .Subcharts.sub.Chart.Name }} {{ .Subcharts.sub.Values.global }}"
  lib: "{{ include "lib.name" . }}"
  shared: "{{ include "sub.shared" . }}"
  tpl: {{ tpl "{{ .Values.name }}-{{ .Release.Name }}{{ .Values.nope }}" . | printf "%q" }}
  tpldefine: {{ tpl "{{ define \\"local\\" }}L{{ .Values.replicas }}{{ end }}{{ include \\"local\\" . }}" . | printf "%q" }}
  global: "{{ .Values.global.env }}"
  viatemplate: "{{ template "gw.fullname" . }}"
  with: "{{ with .Values.map }}{{ .a }}{{ else }}none{{ end }} {{ with .Values.nope }}x{{ else }}none{{ end }}"
  labels: {{ include "gw.labels" . | printf "%q" }}
""",
    "templates/files.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: files
data:
{{ (.Files.Glob "files/b.txt").AsConfig }}
""",
    "templates/empty.yaml": "{{- if .Values.nope }}never: here{{ end }}\n",
    "templates/NOTES.txt": "Installed {{ .Release.Name }} of {{ .Chart.Name }}{{ .Values.nope }} in {{ .Release.Namespace }}.\n",
    "templates/tests/test-pod.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    "helm.sh/hook": test
spec:
  containers: []
""",
    "templates/hook.yaml": """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-pre
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "-1"
spec:
  template:
    spec:
      restartPolicy: Never
      containers: []
""",
    "templates/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "gw.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
{{- if .Capabilities.APIVersions.Has "nope/v1" }}
  nope: enabled
{{- end }}
""",
    "files/a.txt": "line1\nline2\n",
    "files/b.txt": "hello",
    "crds/crd.yaml": """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
""",
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
    "charts/sub/values.yaml": "port: 80\nlocal: here\n",
    "charts/sub/templates/_sub.tpl": '{{ define "sub.shared" }}from-sub{{ end }}\n',
    "charts/sub/templates/svc.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-sub
  labels:
    shared: {{ include "sub.shared" . }}
spec:
  ports:
    - port: {{ .Values.port }}
  x: "{{ .Values.global.env }} {{ .Values.local }} {{ .Chart.IsRoot }} {{ .Template.Name }} {{ printf "%T" .Values.port }}"
""",
    "charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
    "charts/lib/templates/_lib.tpl": '{{ define "lib.name" }}lib-{{ .Chart.Name }}{{ end }}\n',
    "charts/lib/templates/cm.yaml": "{{ if }} a library's non-partial file is never parsed\n",
}
