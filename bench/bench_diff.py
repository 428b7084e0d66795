#!/usr/bin/env python3
"""Time ``helmpy diff upgrade`` against ``helmpy upgrade --dry-run`` of a 1,000-object chart (embedded cluster).

The chart is bench_install.py's; it is installed once, then both commands are timed alternately with the same
change (``--set generation=1``, which changes a tenth of the objects). ``diff upgrade`` does what the dry run
does (render, parse, ownership check) plus one read and one dry-run apply per object (in a rolled-back
transaction) and the diff; the goal is at most 1.5x the dry run. Each is a real ``python3 -m helmpy``
process, so the times include start-up. Run it from the repository root:

    python3 bench/bench_diff.py [--objects 1000] [--runs 5]
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
sys.path.insert(0, str(ROOT / "bench"))

from bench_install import make_chart  # noqa: E402 - the same generated chart as the install bench


def helmpy(db: Path, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    # bytecode as an installed helmpy has it (this machine sets PYTHONDONTWRITEBYTECODE: every run would recompile
    # the modules, and diff imports more of them than the dry run)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # Pods start at once (on the next read): the install's Pods are started by the check below, not by
    # whichever timed run happens to come first after their ready delay
    env.update(PYTHONPATH=str(ROOT), HELMPY_CLUSTER=f"local:{db}", HELMPY_QUIET="1",
               PYTHONPYCACHEPREFIX=str(db.parent / "pycache"), HELMPY_EMBEDDED_POD_READY_DELAY="0")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"helmpy {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    diffs, dry_runs = [], []
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-") as tmp:
        chart = make_chart(Path(tmp), args.objects)
        db = Path(tmp) / "cluster.db"
        helmpy(db, "install", "bench", str(chart))
        change = ("--set", "generation=1")
        _, out = helmpy(db, "diff", "upgrade", "bench", str(chart), *change, "--detailed-exitcode", ok=(2,))
        expected = sum(1 for i in range(args.objects) if i % 20 in (0, 3))
        if not out.endswith(f"{expected} changed, 0 added, 0 removed\n"):
            raise SystemExit(f"diff upgrade did not find the {expected} changed objects: {out[-200:]}")
        for run in range(args.runs):
            dry_runs.append(helmpy(db, "upgrade", "bench", str(chart), *change, "--dry-run")[0])
            diffs.append(helmpy(db, "diff", "upgrade", "bench", str(chart), *change, ok=(0,))[0])
            print(f"run {run + 1}: upgrade --dry-run {dry_runs[-1]:.2f}s  diff upgrade {diffs[-1]:.2f}s", flush=True)
    ratio = statistics.median(diffs) / statistics.median(dry_runs)
    print(f"{args.objects} objects, {args.runs} runs on the embedded cluster (load {os.getloadavg()[0]:.1f}):")
    print(f"  helmpy upgrade --dry-run  median {statistics.median(dry_runs):.2f}s  min {min(dry_runs):.2f}s")
    print(f"  helmpy diff upgrade       median {statistics.median(diffs):.2f}s  min {min(diffs):.2f}s")
    print(f"  diff / dry run: {ratio:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
