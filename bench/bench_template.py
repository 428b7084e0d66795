#!/usr/bin/env python3
"""Time ``helmpy template`` against ``helm template`` on a 1,000-object chart and on any chart directory.

Generates two charts that render the same objects - one in helmpy's Jinja2 dialect, one in Go
templates. Rows: helmpy on the Jinja2 chart vs Helm on its Go twin (checked to render the same
objects); helmpy and Helm on the same Go chart (checked byte for byte); and each ``--chart PATH``
(repeatable), a chart directory both tools render as it is. Every helmpy row is timed cold and warm:

- cold: an empty helmpy cache home (no stored parse trees or compiled code), as on the first render of a
  chart; Python's bytecode is present (written to a private PYTHONPYCACHEPREFIX by an untimed run first,
  as an installed helmpy has its ``__pycache__``) and the chart's files are in the OS file cache;
- warm: the cache home the previous run filled.

Helm has no such cache, so its runs are the same for both. Runs alternate helmpy/Helm; the table shows
medians, the ratio helmpy/Helm and each side's peak RSS. helmpy starts as its console script does
(bench_startup.py's ``ENTRY``), with ``-S`` and the site directories on ``PYTHONPATH`` unless ``--site``, as
the other benches do: the machine's ``.pth`` files (an editable install's finder, a sandbox's certifi hook,
~30-40 ms here) are not helmpy's. Run it from the repository root:

    python3 bench/bench_template.py [--objects 1000] [--runs 5] [--chart PATH ...] [--no-generated] [--site]
"""

from __future__ import annotations

import argparse
import os
import shutil
import site
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import served  # noqa: E402
from bench.bench_startup import ENTRY  # noqa: E402

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
        for kind, count in zip(KINDS, per_kind, strict=True):
            text = jinja_template(kind, count) if dialect == "jinja" else go_template(kind, count)
            (root / "templates" / f"{kind.lower()}.yaml").write_text(text)
        charts.append(root)
    return charts[0], charts[1]


def objects_of(text: str) -> list[dict]:
    import yaml

    return sorted((d for d in yaml.safe_load_all(text) if d), key=lambda d: (d["kind"], d["metadata"]["name"]))


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in KiB, stdout) of one run of ``cmd`` (``wait4`` on the exact child for its RSS)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.stdout.close()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err.read().decode(errors='replace')[-2000:]}")
    command = served.usage(env or {})  # a command a fork server ran: its own process's peak RSS
    return elapsed, max(usage.ru_maxrss, command[0] if command else 0), out.decode("utf-8", "replace")


@dataclass
class Row:
    label: str
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    helm: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    helm_rss: list[int] = field(default_factory=list)
    note: str = ""


def bench_row(label: str, ours: list[str], theirs: list[str], runs: int, base_env: dict[str, str],
              scratch: Path, same: str = "bytes") -> Row:
    """Alternate cold helmpy, warm helmpy and Helm ``runs`` times; ``same``: how the outputs must agree."""
    row = Row(label)
    _run(theirs)  # file cache warm for both
    ours_out = theirs_out = ""
    for i in range(runs):
        home = scratch / f"cache-{label}-{i}"
        shutil.rmtree(home, ignore_errors=True)
        env = {**base_env, "HELMPY_CACHE_HOME": str(home)}
        t, rss, ours_out = _run(ours, env)
        row.cold.append(t)
        row.rss.append(rss)
        t, rss, _ = _run(ours, env)  # the same home, now filled
        row.warm.append(t)
        row.rss.append(rss)
        t, rss, theirs_out = _run(theirs)
        row.helm.append(t)
        row.helm_rss.append(rss)
    if same == "objects":
        if objects_of(ours_out) != objects_of(theirs_out):
            raise SystemExit(f"{label}: the two charts rendered different objects - the benchmark would be meaningless")
        row.note = f"{len(objects_of(ours_out))} objects, identical"
    elif ours_out != theirs_out:
        row.note = "OUTPUTS DIFFER (random/time functions, or a bug)"
    else:
        row.note = f"{len(ours_out):,} bytes, identical"
    return row


def print_rows(rows: list[Row], runs: int) -> None:
    print(f"medians of {runs} runs; load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")
    print(f"{'row':34s} {'helmpy cold':>11s} {'warm':>7s} {'helm':>7s} {'cold/helm':>9s} {'warm/helm':>9s}"
          f" {'RSS helmpy':>10s} {'helm':>6s}  output")
    for r in rows:
        cold, warm, helm = (statistics.median(v) for v in (r.cold, r.warm, r.helm))
        print(f"{r.label[:34]:34s} {cold:10.3f}s {warm:6.3f}s {helm:6.3f}s {cold / helm:8.2f}x {warm / helm:8.2f}x"
              f" {max(r.rss) // 1024:7d} MiB {max(r.helm_rss) // 1024:3d} MiB  {r.note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="objects in the generated charts (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per tool and row (default 5)")
    parser.add_argument("--chart", action="append", default=[], type=Path, metavar="PATH",
                        help="also time this chart directory (repeatable)")
    parser.add_argument("--no-generated", action="store_true", help="only the --chart rows")
    parser.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    parser.add_argument("--no-forkserver", action="store_true",
                        help="time helmpy without its fork server (as a first run or HELMPY_FORKSERVER=0)")
    args = parser.parse_args()

    from tests.support.helm_binary import ensure_helm

    helm = str(ensure_helm() / "helm")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-") as tmp:
        scratch = Path(tmp)
        # helmpy as installed: bytecode written (to a private prefix, even under PYTHONDONTWRITEBYTECODE)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        path = [str(ROOT)] if args.site else [str(ROOT), *site.getsitepackages(), site.getusersitepackages()]
        env.update(PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
                   PYTHONPATH=os.pathsep.join(filter(None, [*path, env.get("PYTHONPATH", "")])))
        env = served.environment(env, scratch, not args.no_forkserver)
        python = [sys.executable] if args.site else [sys.executable, "-S"]
        ours = [*python, "-c", ENTRY, "template", "x"]
        theirs = [helm, "template", "x"]
        targets: list[tuple[str, list[str], list[str], str]] = []
        if not args.no_generated:
            jinja_chart, go_chart = write_charts(scratch, args.objects)
            targets.append((f"{args.objects} objects, Jinja2 vs Go twin", ours + [str(jinja_chart)],
                            theirs + [str(go_chart)], "objects"))
            targets.append((f"{args.objects} objects, Go chart", ours + [str(go_chart)], theirs + [str(go_chart)],
                            "bytes"))
        for chart in args.chart:
            targets.append((chart.resolve().name, ours + [str(chart)], theirs + [str(chart)], "bytes"))
        for _, cmd, _, _ in targets:  # untimed: writes the bytecode every later run finds
            _run(cmd, {**env, "HELMPY_CACHE_HOME": str(scratch / "warmup")})
        try:
            for label, cmd, other, same in targets:
                rows.append(bench_row(label, cmd, other, args.runs, env, scratch, same))
        finally:
            servers = served.stop(env)
    print_rows(rows, args.runs)
    print(served.describe(servers, not args.no_forkserver))


if __name__ == "__main__":
    main()
