"""Benchmark: `helmpy repo index` vs `helm repo index` on the same 2,000 small chart archives.

Run with ``python3 bench/bench_repo_index.py [--count N] [--rounds R]``. Prints the best wall time
of each tool over the rounds and the ratio (helm / helmpy; above 1 means helmpy is faster).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helmpy import yamlutil  # noqa: E402
from helmpy.chart.archive import write_archive  # noqa: E402


def make_archives(directory: Path, count: int) -> None:
    """``count`` small charts (Chart.yaml, values, two templates), spread over names and versions."""
    now = time.time()
    for i in range(count):
        name = f"chart{i % 200:03d}"
        version = f"1.{i // 200}.{i % 7}"
        meta = {"apiVersion": "v2", "name": name, "version": version, "appVersion": f"{i}.0",
                "description": f"benchmark chart number {i}", "keywords": ["bench", name], "type": "application"}
        entries = [
            (f"{name}/Chart.yaml", yamlutil.dump(meta).encode(), now),
            (f"{name}/values.yaml", b"replicaCount: 1\nimage:\n  repository: nginx\n  tag: stable\n", now),
            (f"{name}/templates/deployment.yaml", b"kind: Deployment\nmetadata:\n  name: x\n" * 20, now),
            (f"{name}/templates/service.yaml", b"kind: Service\nmetadata:\n  name: x\n" * 10, now),
        ]
        target = directory / (f"sub{i % 4}" if i % 2 else "")
        target.mkdir(exist_ok=True)
        (target / f"{name}-{version}.tgz").write_bytes(write_archive(entries))


def helmpy_command(directory: Path) -> list[str]:
    return [sys.executable, "-m", "helmpy", "repo", "index", str(directory)]


def helm_binary() -> Path:
    from tests.support.helm_binary import ensure_helm

    return ensure_helm() / "helm"


def best_time(cmd: list[str], rounds: int, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="helmpy-bench-index-"))
    try:
        charts = work / "charts"
        charts.mkdir()
        make_archives(charts, args.count)
        env = dict(os.environ, HOME=str(work / "home"), PYTHONPATH=str(ROOT))
        ours = best_time(helmpy_command(charts), args.rounds, env)
        n_ours = (charts / "index.yaml").read_text().count("digest:")
        theirs = best_time([str(helm_binary()), "repo", "index", str(charts)], args.rounds, env)
        n_theirs = (charts / "index.yaml").read_text().count("digest:")
        print(f"archives:          {args.count} (indexed: helmpy {n_ours}, helm {n_theirs})")
        print(f"helmpy repo index: {ours:.3f}s")
        print(f"helm repo index:   {theirs:.3f}s")
        print(f"ratio helm/helmpy: {theirs / ours:.2f}x ({'helmpy faster' if ours < theirs else 'helm faster'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
