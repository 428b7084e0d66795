#!/usr/bin/env python3
"""Time ``helmpy install`` and ``helmpy upgrade`` of a generated 1,000-object Jinja2 chart on the embedded cluster.

Each run uses a fresh SQLite cluster file: one install (every object created), then an upgrade that changes
a tenth of the objects (the rest are unchanged and not rewritten). Each is a real ``python3 -m helmpy``
process, so the times include start-up. Run it from the repository root:

    python3 bench/bench_install.py [--objects 1000] [--runs 3]
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

CHART_YAML = """apiVersion: v2
name: bench
version: 1.0.0
appVersion: "1.0.0"
annotations:
  helmpy.io/template-engine: jinja2
"""

TEMPLATE = """{% for i in range(Values.count) %}
---
{% set kind = Values.kinds[i % 4] %}
{% if kind == "ConfigMap" %}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-cm-{{ i }}
  labels:
    app: bench
data:
  index: "{{ i }}"
  generation: "{{ Values.generation if i % 10 == 0 else 0 }}"
{% elif kind == "Secret" %}
apiVersion: v1
kind: Secret
metadata:
  name: {{ Release.Name }}-secret-{{ i }}
type: Opaque
stringData:
  token: "{{ i }}"
{% elif kind == "Service" %}
apiVersion: v1
kind: Service
metadata:
  name: {{ Release.Name }}-svc-{{ i }}
spec:
  selector:
    app: bench-{{ i }}
  ports:
    - port: 80
{% else %}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-deploy-{{ i }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: bench-{{ i }}
  template:
    metadata:
      labels:
        app: bench-{{ i }}
    spec:
      containers:
        - name: web
          image: "docker.io/library/nginx:1.27.{{ Values.generation if i % 10 == 3 else 0 }}"
{% endif %}
{% endfor %}
"""


def make_chart(root: Path, objects: int) -> Path:
    chart = root / "bench"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text(f"count: {objects}\ngeneration: 0\n"
                                       "kinds: [ConfigMap, Secret, Service, Deployment]\n")
    (chart / "templates" / "objects.yaml").write_text(TEMPLATE)
    return chart


def helmpy(db: Path, *args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HELMPY_CLUSTER=f"local:{db}")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"helmpy {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def check_objects(db: Path, expected: int) -> None:
    """The run did the work: every object of the chart is in the cluster file."""
    from helmpy.kube.embedded import EmbeddedCluster

    cluster = EmbeddedCluster(db)
    found = sum(len(cluster.list(api, kind, "default", "app.kubernetes.io/managed-by=Helm"))
                for api, kind in (("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("apps/v1", "Deployment")))
    cluster.close()
    if found != expected:
        raise SystemExit(f"expected {expected} objects managed by the release in {db}, found {found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    installs, upgrades = [], []
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-") as tmp:
        chart = make_chart(Path(tmp), args.objects)
        for run in range(args.runs):
            db = Path(tmp) / f"cluster-{run}.db"
            installs.append(helmpy(db, "install", "bench", str(chart)))
            check_objects(db, args.objects)
            upgrades.append(helmpy(db, "upgrade", "bench", str(chart), "--set", "generation=1"))
            check_objects(db, args.objects)
            print(f"run {run + 1}: install {installs[-1]:.2f}s  upgrade {upgrades[-1]:.2f}s", flush=True)
    print(f"{args.objects} objects, {args.runs} runs on the embedded cluster:")
    print(f"  helmpy install  median {statistics.median(installs):.2f}s  min {min(installs):.2f}s")
    print(f"  helmpy upgrade  median {statistics.median(upgrades):.2f}s  min {min(upgrades):.2f}s")


if __name__ == "__main__":
    main()
