#!/usr/bin/env python3
"""Time ``helmpy template`` against ``helm template`` on a 1,000-object chart.

Generates two charts that render the same objects - one in helmpy's Jinja2 dialect, one in Go
templates - checks that they really do render the same objects, then runs each command a few times
and prints the times and the ratio. Run it from the repository root:

    python3 bench/bench_template.py [--objects 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("ConfigMap", "Secret", "Service", "Deployment")

CHART_YAML = """apiVersion: v2
name: bench
version: 1.0.0
appVersion: "1.0.0"
{extra}"""

VALUES_YAML = """image:
  repository: docker.io/library/nginx
  tag: "1.27.0"
port: 80
labels:
  team: bench
  tier: backend
config:
  LOG_LEVEL: info
  GREETING: hello
"""

# Each kind's body, with {name}, {labels}, {selector}, {i} placeholders filled per dialect.
BODIES = {
    "ConfigMap": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  labels:
{labels}
data:
  index: {i_quoted}
{config}
""",
    "Secret": """apiVersion: v1
kind: Secret
metadata:
  name: {name}
  labels:
{labels}
type: Opaque
data:
  token: {token}
""",
    "Service": """apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels:
{labels}
spec:
  type: ClusterIP
  ports:
    - port: {port}
      targetPort: http
  selector:
{selector}
""",
    "Deployment": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
{labels}
spec:
  replicas: 1
  selector:
    matchLabels:
{selector}
  template:
    metadata:
      labels:
{pod_labels}
    spec:
      containers:
        - name: app
          image: {image}
          ports:
            - name: http
              containerPort: {port}
""",
}

JINJA_HELPERS = """{% macro fullname() -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}
{% macro labels() -%}
app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
{{ Values.labels | toYaml }}
{%- endmacro %}
"""

GO_HELPERS = """{{- define "bench.fullname" -}}
{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "bench.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ toYaml .Values.labels }}
{{- end }}
"""


def jinja_template(kind: str, count: int) -> str:
    body = BODIES[kind].format(
        name='{{ fullname() }}-' + kind.lower() + '-{{ i }}',
        labels="    {{- labels() | nindent(4) }}",
        selector="      {{- labels() | nindent(6) }}" if kind == "Deployment" else "    {{- labels() | nindent(4) }}",
        pod_labels="        {{- labels() | nindent(8) }}",
        i_quoted="{{ i | quote }}",
        config="  {{- Values.config | toYaml | nindent(2) }}",
        token='{{ ("token-" ~ i) | b64enc }}',
        port="{{ Values.port }}",
        image='"{{ Values.image.repository }}:{{ Values.image.tag }}"',
    )
    return f"{{% for i in range({count}) %}}\n---\n{body}{{% endfor %}}\n"


def go_template(kind: str, count: int) -> str:
    body = BODIES[kind].format(
        name='{{ include "bench.fullname" $ }}-' + kind.lower() + '-{{ $i }}',
        labels='    {{- include "bench.labels" $ | nindent 4 }}',
        selector=('      {{- include "bench.labels" $ | nindent 6 }}' if kind == "Deployment"
                  else '    {{- include "bench.labels" $ | nindent 4 }}'),
        pod_labels='        {{- include "bench.labels" $ | nindent 8 }}',
        i_quoted="{{ $i | quote }}",
        config="  {{- toYaml $.Values.config | nindent 2 }}",
        token='{{ printf "token-%d" $i | b64enc }}',
        port="{{ $.Values.port }}",
        image='"{{ $.Values.image.repository }}:{{ $.Values.image.tag }}"',
    )
    return f"{{{{- range $i := until {count} }}}}\n---\n{body}{{{{- end }}}}\n"


def write_charts(base: Path, objects: int) -> tuple[Path, Path]:
    """The Jinja2 chart and its Go-template twin, ``objects`` objects each (split evenly over KINDS)."""
    per_kind = [objects // len(KINDS) + (1 if i < objects % len(KINDS) else 0) for i in range(len(KINDS))]
    charts = []
    for dialect in ("jinja", "go"):
        root = base / dialect / "bench"
        (root / "templates").mkdir(parents=True)
        extra = "annotations:\n  helmpy.io/template-engine: jinja2\n" if dialect == "jinja" else ""
        (root / "Chart.yaml").write_text(CHART_YAML.format(extra=extra))
        (root / "values.yaml").write_text(VALUES_YAML)
        (root / "templates" / "_helpers.tpl").write_text(JINJA_HELPERS if dialect == "jinja" else GO_HELPERS)
        for kind, count in zip(KINDS, per_kind):
            text = jinja_template(kind, count) if dialect == "jinja" else go_template(kind, count)
            (root / "templates" / f"{kind.lower()}.yaml").write_text(text)
        charts.append(root)
    return charts[0], charts[1]


def objects_of(text: str) -> list[dict]:
    import yaml

    return sorted((d for d in yaml.safe_load_all(text) if d), key=lambda d: (d["kind"], d["metadata"]["name"]))


def time_runs(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        out = proc.stdout
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="objects in the chart (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per tool (default 5)")
    args = parser.parse_args()

    from tests.support.helm_binary import ensure_helm

    helm = str(ensure_helm() / "helm")
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-") as tmp:
        jinja_chart, go_chart = write_charts(Path(tmp), args.objects)
        ours_cmd = [sys.executable, "-m", "helmpy", "template", "bench", str(jinja_chart)]
        helm_cmd = [helm, "template", "bench", str(go_chart)]
        # helmpy as installed: bytecode written (to a private prefix, even under PYTHONDONTWRITEBYTECODE),
        # its own cache home; the first run also fills the compiled-template cache ("cold" below).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"), HELMPY_CACHE_HOME=str(Path(tmp) / "cache"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])))
        cold, _ = time_runs(ours_cmd, 1, env)
        time_runs(helm_cmd, 1)  # warm the file cache for helm too
        ours_times, ours_out = time_runs(ours_cmd, args.runs, env)
        helm_times, helm_out = time_runs(helm_cmd, args.runs)
        ours_objs, helm_objs = objects_of(ours_out), objects_of(helm_out)
        if ours_objs != helm_objs:
            raise SystemExit("the two charts rendered different objects - the benchmark would be meaningless")
    ours_med, helm_med = statistics.median(ours_times), statistics.median(helm_times)
    print(f"objects rendered:   {len(ours_objs)} (identical in both)")
    print(f"helmpy template:    median {ours_med:.3f}s  min {min(ours_times):.3f}s  ({args.runs} runs; "
          f"first run with empty caches {cold[0]:.3f}s)")
    print(f"helm template:      median {helm_med:.3f}s  min {min(helm_times):.3f}s  ({args.runs} runs)")
    print(f"ratio helmpy/helm:  {ours_med / helm_med:.2f}x")


if __name__ == "__main__":
    main()
