#!/usr/bin/env python3
"""Time helmpy's small commands against Helm's: start-up is most of what a user waits for.

Rows: ``--help``, ``version``, ``pull URL`` of an archive served over loopback with no repository
configured, ``template`` of a chart each tool has just scaffolded with its own ``create`` (helmpy's is a
Jinja2 chart) and ``template`` of Helm's scaffold on both (``helmpy create --engine go``). helmpy and
Helm run alternately in one loop so both see the same machine load; each row prints the medians, the ratio
helmpy/helm and each tool's peak memory (max RSS of the process).

helmpy runs as its console script does (``from helmpy.cli.main import main; main()``, no ``runpy``).

Bytecode: a user's installed helmpy has its ``__pycache__``, so the bench unsets ``PYTHONDONTWRITEBYTECODE``
(set on some machines, which would recompile every module on every run) and writes bytecode to a
``PYTHONPYCACHEPREFIX`` of its own; one untimed warm-up run per row fills it (and the page cache).

``site``: by default the interpreter starts with ``-S`` and the site directories on ``PYTHONPATH``, so the
figures are helmpy's own and not those of the machine's ``.pth`` files (an editable install's finder, a
sandbox's certifi hook: ~80 ms here before helmpy's first import); ``--site`` times a plain start-up instead.
The interpreter's floor (``python -c pass``, started the same way) is printed with the results.
``--root DIR`` times another checkout of helmpy (a before/after comparison). Run it from the repository root:

    python3 bench/bench_startup.py [--runs 15] [--site] [--root DIR] [--no-forkserver]

helmpy's fork server (helmpy/forkserver/) is on, as for a user: the untimed warm-up run of each row starts it
(a first command runs by itself), the timed runs are served, and CPU and peak RSS are those of the process
that ran the command as well as the console process's (bench/served.py). ``--no-forkserver`` times every run as
a first run (``HELMPY_FORKSERVER=0``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import site
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import served  # noqa: E402
from tests.support.helm_binary import ensure_helm  # noqa: E402


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (user+sys) of one run; a failing run stops the bench. A
    command a fork server ran counts its own process's CPU and peak RSS too (bench/served.py)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out.read()[-2000:].decode()}")
    rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    command = served.usage(env)
    if command is not None:
        rss, cpu = max(rss, command[0]), cpu + command[1]
    return elapsed, rss, cpu


ENTRY = "import sys; from helmpy.cli.main import main; sys.argv[0] = 'helmpy'; main()"  # the console script


def environment(base: Path, root: Path, with_site: bool, forkserver: bool = True) -> dict[str, str]:
    """Fresh, empty homes for both tools (no repository configured); bytecode written outside the tree; helmpy's
    fork server on (its sockets under ``base``) unless ``forkserver`` is False."""
    env = served.environment({k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, base,
                             forkserver)
    path = [str(root)] if with_site else [str(root), *site.getsitepackages(), site.getusersitepackages()]
    return {**env, "PYTHONPATH": os.pathsep.join(path), "PYTHONPYCACHEPREFIX": str(base / "pycache"),
            "HELMPY_CONFIG_HOME": str(base / "hp-config"), "HELMPY_CACHE_HOME": str(base / "hp-cache"),
            "HELMPY_DATA_HOME": str(base / "hp-data"), "HELM_CONFIG_HOME": str(base / "h-config"),
            "HELM_CACHE_HOME": str(base / "h-cache"), "HELM_DATA_HOME": str(base / "h-data")}


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per tool and row (default 15)")
    parser.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the helmpy checkout to time (default: this one)")
    parser.add_argument("--no-forkserver", action="store_true",
                        help="time helmpy without its fork server (as a first run or HELMPY_FORKSERVER=0)")
    args = parser.parse_args()
    helm = [str(ensure_helm() / "helm")]
    python = [sys.executable] if args.site else [sys.executable, "-S"]
    helmpy = [*python, "-c", ENTRY]
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-startup-") as tmp:
        work = Path(tmp)
        env = environment(work, args.root.resolve(), args.site, not args.no_forkserver)
        (work / "served").mkdir()
        timed([*helmpy, "create", str(work / "served" / "web")], env, ROOT)
        timed([*helmpy, "package", str(work / "served" / "web"), "-d", str(work / "served")], env, ROOT)
        timed([*helmpy, "create", "hp-chart"], env, work)
        timed([*helmpy, "create", "--engine", "go", "hp-go-chart"], env, work)  # byte-identical to helm create's
        timed([*helm, "create", "h-chart"], env, work)
        server, base_url = serve(work / "served")
        url = f"{base_url}/web-0.1.0.tgz"
        rows: list[tuple[str, list[str], list[str]]] = [
            ("--help", ["--help"], ["--help"]),
            ("version", ["version"], ["version"]),
            ("pull URL (no repos)", ["pull", url, "-d", "{out}"], ["pull", url, "-d", "{out}"]),
            ("template (created chart)", ["template", "rel", "hp-chart"], ["template", "rel", "h-chart"]),
            ("template (Go scaffold)", ["template", "rel", "hp-go-chart"], ["template", "rel", "h-chart"]),
        ]
        floor = [timed([*python, "-c", "pass"], env, work)[0] for _ in range(args.runs)]
        results = []
        try:
            for index, (label, ours, theirs) in enumerate(rows):
                times: dict[str, list[float]] = {"helmpy": [], "helm": []}
                cpu: dict[str, list[float]] = {"helmpy": [], "helm": []}
                peaks: dict[str, int] = {"helmpy": 0, "helm": 0}
                for run in range(-1, args.runs):  # run -1: untimed warm-up (bytecode, page cache)
                    for tool, cmd, tail in (("helmpy", helmpy, ours), ("helm", helm, theirs)):
                        out = work / "out" / f"{tool}-{index}-{run}"
                        out.mkdir(parents=True)
                        elapsed, rss, used = timed([*cmd, *(a.replace("{out}", str(out)) for a in tail)], env, work)
                        if run >= 0:
                            times[tool].append(elapsed)
                            cpu[tool].append(used)
                            peaks[tool] = max(peaks[tool], rss)
                results.append((label, times, peaks))
                ours_med, helm_med = statistics.median(times["helmpy"]), statistics.median(times["helm"])
                print(f"{label:<26} helmpy {ours_med * 1000:6.0f} ms  helm {helm_med * 1000:6.0f} ms  "
                      f"ratio {ours_med / helm_med:.2f}x  CPU helmpy {statistics.median(cpu['helmpy']) * 1000:.0f} ms "
                      f"helm {statistics.median(cpu['helm']) * 1000:.0f} ms  "
                      f"peak RSS helmpy {peaks['helmpy'] / 1024:.0f} MiB "
                      f"helm {peaks['helm'] / 1024:.0f} MiB", flush=True)
        finally:
            server.shutdown()
            servers = served.stop(env)
        print(f"\n{args.runs} runs each, medians; interpreter floor ({' '.join(python[1:] + ['-c pass'])}): "
              f"{statistics.median(floor) * 1000:.0f} ms; helmpy from {args.root}; "
              f"{served.describe(servers, not args.no_forkserver)}; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")


if __name__ == "__main__":
    main()
