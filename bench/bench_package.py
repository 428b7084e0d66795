#!/usr/bin/env python3
"""Time ``helmpy package`` against ``helm package`` of a 20 MiB chart, with each tool's peak memory.

The chart is charts/web plus ``files/`` holding ``--mib`` MiB: half incompressible (random bytes), half text,
so the compressor does real work on both kinds. Both archives must hold the same files with the same bytes
(checked after the warm-up run). helmpy is started as bench_startup.py starts it (the console script's entry,
bytecode written, ``-S`` with the site directories on ``PYTHONPATH`` unless ``--site``); the tools alternate in
one loop. Run it from the repository root:

    python3 bench/bench_package.py [--mib 20] [--runs 5] [--site] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import served  # noqa: E402
from bench.bench_startup import ENTRY, environment, timed  # noqa: E402
from tests.support.helm_binary import ensure_helm  # noqa: E402


def make_chart(work: Path, mib: int) -> Path:
    src = work / "src" / "big"
    shutil.copytree(ROOT / "charts" / "web", src)
    chart_yaml = src / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("name: web", "name: big"))
    (src / "files").mkdir()
    rng = random.Random(17)
    words = [f"word{i}" for i in range(5000)]
    for i in range(mib):
        if i % 2 == 0:
            data = os.urandom(1 << 20)
        else:
            text = " ".join(rng.choice(words) for _ in range(200_000)).encode()
            data = (text * (1 + (1 << 20) // len(text)))[: 1 << 20]
        (src / "files" / f"blob-{i:03d}.bin").write_bytes(data)
    return src


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=20, help="MiB of files in the chart (default 20)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (default 5)")
    parser.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the helmpy checkout to time (default: this one)")
    args = parser.parse_args()
    helm = str(ensure_helm() / "helm")
    helmpy = [sys.executable, "-c", ENTRY] if args.site else [sys.executable, "-S", "-c", ENTRY]
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-package-") as tmp:
        work = Path(tmp)
        src = make_chart(work, args.mib)
        env = environment(work, args.root, args.site)
        times: dict[str, list[float]] = {"helmpy": [], "helm": []}
        peaks: dict[str, list[int]] = {"helmpy": [], "helm": []}
        for run in range(-1, args.runs):  # run -1: untimed warm-up (bytecode, page cache), then the check
            for tool, cmd in (("helmpy", helmpy), ("helm", [helm])):
                dest = work / "out" / f"{tool}-{run}"
                dest.mkdir(parents=True)
                elapsed, peak_kib, _ = timed([*cmd, "package", str(src), "-d", str(dest)], env, work)
                if run >= 0:
                    times[tool].append(elapsed)
                    peaks[tool].append(peak_kib)
            if run < 0:
                ours = members(work / "out/helmpy--1/big-0.1.0.tgz")
                theirs = members(work / "out/helm--1/big-0.1.0.tgz")
                if ours != theirs:
                    raise SystemExit("the two archives hold different files - the benchmark would be meaningless")
        served.stop(env)  # the fork servers its runs started
    ours_med, helm_med = statistics.median(times["helmpy"]), statistics.median(times["helm"])
    print(f"package of a {args.mib} MiB chart, {args.runs} runs each, medians:")
    print(f"  helmpy {ours_med:.2f}s (peak RSS {max(peaks['helmpy']) / 1024:.0f} MiB)  "
          f"helm {helm_med:.2f}s (peak RSS {max(peaks['helm']) / 1024:.0f} MiB)  ratio helmpy/helm: "
          f"{ours_med / helm_med:.2f}x")


if __name__ == "__main__":
    main()
