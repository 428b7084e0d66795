#!/usr/bin/env python3
"""Time ``helmpy install`` against ``helm install`` of the same 1,000-object chart on a real Kubernetes API.

Both talk HTTPS to ``helmpy cluster serve`` through a kubeconfig: helmpy installs the Jinja2 chart, Helm its
Go-template twin (the pair from ``bench_template.py``, which renders identical objects). Each install gets a
fresh server, so both start from an empty cluster; server start-up is not timed, client start-up is. Run it
from the repository root:

    python3 bench/bench_install_remote.py [--objects 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_template import write_charts  # noqa: E402
from tests.support import kubeapi_server  # noqa: E402
from tests.support.helm_binary import ensure_helm  # noqa: E402


def timed_install(base: Path, cmd: list[str], objects: int) -> float:
    """Start a fresh server, run ``cmd`` against it, return the install's wall time."""
    server = kubeapi_server.start(base)
    try:
        env = server.env(PYTHONPATH=str(ROOT), HELMPY_QUIET="1")
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        listed = subprocess.run([str(ensure_helm() / "kubectl"), "get", "configmaps,secrets,services,deployments",
                                 "-o", "name"], capture_output=True, text=True, env=env, timeout=300)
        if len(listed.stdout.split()) < objects:
            raise SystemExit(f"{cmd[0]}: only {len(listed.stdout.split())} objects in the cluster, wanted {objects}")
        return elapsed
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="objects in the chart (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="installs per tool (default 3)")
    args = parser.parse_args()
    helm = str(ensure_helm() / "helm")
    ours, theirs = [], []
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-remote-") as tmp:
        jinja_chart, go_chart = write_charts(Path(tmp), args.objects)
        for run in range(args.runs):
            ours.append(timed_install(Path(tmp) / f"ours-{run}",
                                      [sys.executable, "-m", "helmpy", "install", "bench", str(jinja_chart)], args.objects))
            theirs.append(timed_install(Path(tmp) / f"helm-{run}", [helm, "install", "bench", str(go_chart)],
                                        args.objects))
            print(f"run {run + 1}: helmpy {ours[-1]:.2f}s  helm {theirs[-1]:.2f}s", flush=True)
    ours_med, helm_med = statistics.median(ours), statistics.median(theirs)
    print(f"{args.objects} objects, {args.runs} runs against helmpy cluster serve (HTTPS, bearer token):")
    print(f"  helmpy install   median {ours_med:.2f}s  min {min(ours):.2f}s")
    print(f"  helm install     median {helm_med:.2f}s  min {min(theirs):.2f}s")
    print(f"  ratio helmpy/helm: {ours_med / helm_med:.2f}x")


if __name__ == "__main__":
    main()
