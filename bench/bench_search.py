#!/usr/bin/env python3
"""Benchmark ``helmpy search repo`` against ``helm search repo`` on a 20,000-version index.

Generates an index (2,000 charts x 10 versions), serves it from a local HTTP server on 127.0.0.1,
``repo add``s it in both tools (isolated homes), then times ``repo add``, ``repo update`` (best of the runs)
and several searches (medians) of each tool and prints the ratio helmpy/helm and each side's peak RSS.
helmpy starts as bench_startup.py starts it (the console script's entry, ``-S`` with the site directories on
``PYTHONPATH`` unless ``--site``; its fork server on, in a socket directory of the bench's own, stopped at
the end). Run: ``python3 bench/bench_search.py [--charts N --versions M --runs R] [--site]``.
"""

from __future__ import annotations

import argparse
import http.server
import os
import site
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

from bench import served  # noqa: E402
from bench.bench_startup import ENTRY  # noqa: E402

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


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB; a served command's own process too) and stdout of one run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{text}\n{err.read().decode('utf-8', 'replace')}")
    command = served.usage(env)
    return elapsed, max(usage.ru_maxrss, command[0] if command else 0), text


def best(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    """The fastest of ``runs`` runs and the largest peak RSS."""
    results = [timed(cmd, env) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--charts", type=int, default=2000)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keywords", nargs="*", default=["database", "chart-01", "zzz-no-match"])
    ap.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    args = ap.parse_args()

    from tests.support.helm_binary import ensure_helm

    helm = str(ensure_helm() / "helm")
    with tempfile.TemporaryDirectory() as work_s:
        work = Path(work_s)
        docroot = work / "served"
        docroot.mkdir()
        t0 = time.perf_counter()
        (docroot / "index.yaml").write_text(make_index(args.charts, args.versions))
        size = (docroot / "index.yaml").stat().st_size
        print(f"index: {args.charts} charts x {args.versions} versions = {args.charts * args.versions} versions, "
              f"{size / 1e6:.1f} MB (generated in {time.perf_counter() - t0:.1f}s)")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

        handler = partial(Quiet, directory=str(docroot))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            base = {k: v for k, v in os.environ.items()
                    if not k.startswith(("HELM_", "HELMPY_")) and k != "PYTHONDONTWRITEBYTECODE"}
            henv = dict(base, HELM_CONFIG_HOME=str(work / "h/c"), HELM_CACHE_HOME=str(work / "h/ca"),
                        HELM_DATA_HOME=str(work / "h/d"), HOME=str(work / "h"))
            path = [str(ROOT)] if args.site else [str(ROOT), *site.getsitepackages(), site.getusersitepackages()]
            penv = dict(served.environment(base, work), HELMPY_CONFIG_HOME=str(work / "p/c"),
                        HELMPY_CACHE_HOME=str(work / "p/ca"), HELMPY_DATA_HOME=str(work / "p/d"),
                        PYTHONPATH=os.pathsep.join(path), PYTHONPYCACHEPREFIX=str(work / "pycache"))
            helmpy = [sys.executable, "-c", ENTRY] if args.site else [sys.executable, "-S", "-c", ENTRY]
            print(f"{'command':<24}{'helmpy':>9}{'helm':>9}{'helmpy/helm':>13}{'RSS helmpy':>12}{'helm':>9}")
            for label, args_ in (("repo add (best)", ["repo", "add", "bench", url, "--force-update"]),
                                 ("repo update (best)", ["repo", "update"])):
                t_h, r_h = best([helm, *args_], henv, args.runs)
                t_p, r_p = best([*helmpy, *args_], penv, args.runs)
                print(f"{label:<24}{t_p:>8.3f}s{t_h:>8.3f}s{t_p / t_h:>12.2f}x"
                      f"{r_p // 1024:>8d} MiB{r_h // 1024:>5d} MiB")
        finally:
            httpd.shutdown()
            httpd.server_close()

        ratios = []
        try:
            for kw in args.keywords:
                h_runs, p_runs = [], []
                for _ in range(args.runs):
                    h_runs.append(timed([helm, "search", "repo", kw, "-o", "json"], henv))
                    p_runs.append(timed([*helmpy, "search", "repo", kw, "-o", "json"], penv))
                same = "same output" if h_runs[-1][2] == p_runs[-1][2] else "DIFFERENT OUTPUT"
                h_med, p_med = (statistics.median(r[0] for r in runs) for runs in (h_runs, p_runs))
                ratios.append(p_med / h_med)
                print(f"{'search ' + kw + ' (median)':<24}{p_med:>8.3f}s{h_med:>8.3f}s{p_med / h_med:>12.2f}x"
                      f"{max(r[1] for r in p_runs) // 1024:>8d} MiB{max(r[1] for r in h_runs) // 1024:>5d} MiB"
                      f"  {same}")
        finally:
            servers = served.stop(penv)
        print(f"search: helmpy/helm {statistics.median(ratios):.2f}x (median of the keywords); "
              f"{served.describe(servers, True)}")


if __name__ == "__main__":
    main()
