#!/usr/bin/env python3
"""Benchmark ``helmpy search repo`` against ``helm search repo`` on a 20,000-version index.

Generates an index (2,000 charts x 10 versions), serves it from a local HTTP server on 127.0.0.1,
``repo add``s it in both tools (isolated homes), then times several searches of each tool and
prints the medians and the ratio. Run: ``python3 bench/bench_search.py [--charts N --versions M --runs R]``.
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["web", "database", "cache", "proxy", "queue", "metrics", "logging", "auth", "storage", "gateway"]


def make_index(charts: int, versions: int) -> str:
    import yaml

    entries = {}
    for i in range(charts):
        name = f"{WORDS[i % len(WORDS)]}-chart-{i:04d}"
        entries[name] = [{
            "apiVersion": "v2", "name": name, "version": f"1.{v}.0", "appVersion": f"{v}.0",
            "description": f"A {WORDS[(i + v) % len(WORDS)]} service number {i} for benchmarking search",
            "keywords": [WORDS[(i + 3) % len(WORDS)], "bench"], "type": "application",
            "created": "2026-01-01T00:00:00Z", "digest": f"{i:032x}{v:032x}",
            "urls": [f"charts/{name}-1.{v}.0.tgz"],
        } for v in reversed(range(versions))]
    return yaml.dump({"apiVersion": "v1", "entries": entries, "generated": "2026-01-01T00:00:00Z"},
                     Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=True)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--charts", type=int, default=2000)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keywords", nargs="*", default=["database", "chart-01", "zzz-no-match"])
    args = ap.parse_args()

    from tests.support.helm_binary import ensure_helm

    helm = str(ensure_helm() / "helm")
    with tempfile.TemporaryDirectory() as work_s:
        work = Path(work_s)
        served = work / "served"
        served.mkdir()
        t0 = time.perf_counter()
        (served / "index.yaml").write_text(make_index(args.charts, args.versions))
        size = (served / "index.yaml").stat().st_size
        print(f"index: {args.charts} charts x {args.versions} versions = {args.charts * args.versions} versions, "
              f"{size / 1e6:.1f} MB (generated in {time.perf_counter() - t0:.1f}s)")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

        handler = partial(Quiet, directory=str(served))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "HELMPY_"))}
            henv = dict(base, HELM_CONFIG_HOME=str(work / "h/c"), HELM_CACHE_HOME=str(work / "h/ca"),
                        HELM_DATA_HOME=str(work / "h/d"), HOME=str(work / "h"))
            penv = dict(base, HELMPY_CONFIG_HOME=str(work / "p/c"), HELMPY_CACHE_HOME=str(work / "p/ca"),
                        HELMPY_DATA_HOME=str(work / "p/d"), PYTHONPATH=str(ROOT))
            helmpy = [sys.executable, "-m", "helmpy"]
            for label, args_ in (("repo add", ["repo", "add", "bench", url, "--force-update"]),
                                 ("repo update", ["repo", "update"])):
                t_h = min(timed([helm, *args_], henv)[0] for _ in range(args.runs))
                t_p = min(timed([*helmpy, *args_], penv)[0] for _ in range(args.runs))
                print(f"{label + ':':<13}helm {t_h:.2f}s, helmpy {t_p:.2f}s (best of {args.runs}; "
                      f"ratio helm/helmpy {t_h / t_p:.2f}x)")
        finally:
            httpd.shutdown()
            httpd.server_close()

        print(f"{'keyword':<16}{'helm (median)':>15}{'helmpy (median)':>17}{'ratio helm/helmpy':>20}  results")
        ratios = []
        for kw in args.keywords:
            h_times, p_times = [], []
            h_out = p_out = ""
            for _ in range(args.runs):
                t, h_out = timed([helm, "search", "repo", kw, "-o", "json"], henv)
                h_times.append(t)
                t, p_out = timed([*helmpy, "search", "repo", kw, "-o", "json"], penv)
                p_times.append(t)
            same = "same" if h_out == p_out else "DIFFERENT"
            h_med, p_med = statistics.median(h_times), statistics.median(p_times)
            ratios.append(h_med / p_med)
            print(f"{kw:<16}{h_med:>14.3f}s{p_med:>16.3f}s{h_med / p_med:>19.2f}x  {same}")
        print(f"overall: helmpy is {statistics.median(ratios):.2f}x the speed of helm "
              f"({'faster' if statistics.median(ratios) > 1 else 'slower'})")


if __name__ == "__main__":
    main()
