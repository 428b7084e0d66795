#!/usr/bin/env python3
"""Time ``helmpy push``/``pull oci://`` against ``helm push``/``helm pull`` on the same local registry.

The bench starts its own Debian ``docker-registry`` (plain HTTP on 127.0.0.1, the test fixture's
``tests/support/oci_registry.py``), packages two charts once (charts/web, and a "large" one carrying
``--large-mib`` MiB of incompressible files in 1 MiB pieces, under Helm's per-file limit) and gives both
tools the same archive. Every push goes to a fresh repository path, so each one uploads every blob; every
run uses fresh config/cache homes, so no pull is served from a content cache and no push mounts a blob
from another repository (both are timed on their own in the "again" rows: a second pull of the same chart
into the same homes, and a push of it to one more repository). Client start-up is timed; helmpy starts as
its console script does, with ``-S`` and the site directories on ``PYTHONPATH`` unless ``--site`` (as
bench_startup.py does: the machine's ``.pth`` files are not helmpy's). Run it from the repository root:

    python3 bench/bench_oci.py [--runs 5] [--large-mib 20] [--site]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import served  # noqa: E402
from bench.bench_startup import ENTRY  # noqa: E402
from tests.support.helm_binary import ensure_helm  # noqa: E402
from tests.support.oci_registry import Registry  # noqa: E402


def make_charts(work: Path, large_mib: int) -> dict[str, Path]:
    """Package charts/web and a large twin with helmpy; returns {label: archive}."""
    small_src = work / "src" / "web"
    shutil.copytree(ROOT / "charts" / "web", small_src)
    large_src = work / "src" / "big"
    shutil.copytree(ROOT / "charts" / "web", large_src)
    chart_yaml = large_src / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("name: web", "name: big"))
    (large_src / "files").mkdir()
    for i in range(large_mib):
        (large_src / "files" / f"blob-{i:03d}.bin").write_bytes(os.urandom(1 << 20))
    out = work / "pkg"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for src in (small_src, large_src):
        subprocess.run([sys.executable, "-m", "helmpy", "package", str(src), "-d", str(out)], check=True,
                       capture_output=True, env=env, cwd=ROOT, timeout=600)
    return {"web": out / "web-0.1.0.tgz", f"big ({large_mib} MiB)": out / "big-0.1.0.tgz"}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def homes(base: Path, pycache: Path, with_site: bool, runtime: Path, forkserver: bool) -> dict[str, str]:
    """Fresh config/cache/data homes for both tools (nothing cached from an earlier run).

    Bytecode is written (to ``pycache``, outside the tree) even where ``PYTHONDONTWRITEBYTECODE`` is set,
    as an installed helmpy has it; the untimed warm-up run fills it. helmpy's fork server (its sockets under
    ``runtime``, shared by every run) is on unless ``forkserver`` is False."""
    base.mkdir(parents=True)
    env = served.environment({k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, runtime,
                             forkserver)
    path = [str(ROOT)] if with_site else [str(ROOT), *site.getsitepackages(), site.getusersitepackages()]
    return {**env, "PYTHONPATH": os.pathsep.join(path), "HELMPY_QUIET": "1", "PYTHONPYCACHEPREFIX": str(pycache),
            "HELMPY_CONFIG_HOME": str(base / "hp-config"), "HELMPY_CACHE_HOME": str(base / "hp-cache"),
            "HELMPY_DATA_HOME": str(base / "hp-data"), "HELM_CONFIG_HOME": str(base / "h-config"),
            "HELM_CACHE_HOME": str(base / "h-cache"), "HELM_DATA_HOME": str(base / "h-data")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="pushes and pulls per tool and chart (default 5)")
    parser.add_argument("--large-mib", type=int, default=20, help="size of the large chart's files (default 20)")
    parser.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    parser.add_argument("--no-forkserver", action="store_true",
                        help="time helmpy without its fork server (as a first run or HELMPY_FORKSERVER=0)")
    args = parser.parse_args()
    helm = str(ensure_helm() / "helm")
    helmpy = [sys.executable, "-c", ENTRY] if args.site else [sys.executable, "-S", "-c", ENTRY]
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-oci-") as tmp:
        work = Path(tmp)
        charts = make_charts(work, args.large_mib)
        (work / "registry").mkdir()
        reg = Registry(work / "registry").start()
        try:
            results: list[tuple[str, str, list[float], list[float]]] = []
            rows = ("push", "pull", "pull again", "push again")
            for label, archive in charts.items():
                name = archive.name.rsplit("-", 1)[0]
                times: dict[str, dict[str, list[float]]] = {row: {"helmpy": [], "helm": []} for row in rows}
                for run in range(-1, args.runs):  # run -1: untimed warm-up (bytecode, page cache)
                    for tool, cmd in (("helmpy", helmpy), ("helm", [helm])):
                        env = homes(work / "homes" / f"{name}-{tool}-{run}", work / "pycache", args.site, work,
                                    not args.no_forkserver)
                        repo = f"oci://{reg.host}/{tool}-{run + 1}"
                        times["push"][tool].append(timed([*cmd, "push", str(archive), repo, "--plain-http"], env))
                        for row in ("pull", "pull again"):  # again: same homes, the content cache holds it
                            dest = work / "out" / f"{name}-{tool}-{run}-{row.replace(' ', '-')}"
                            dest.mkdir(parents=True)
                            times[row][tool].append(timed([*cmd, "pull", f"{repo}/{name}", "--version", "0.1.0",
                                                           "--plain-http", "-d", str(dest)], env))
                            if (dest / archive.name).read_bytes() != archive.read_bytes():
                                raise SystemExit(f"{tool} pull of {label}: not the pushed archive")
                        # again: to another repository of the registry, whose blobs the first push stored
                        times["push again"][tool].append(timed([*cmd, "push", str(archive), f"{repo}-again",
                                                                "--plain-http"], env))
                    if run < 0:
                        for by_tool in times.values():
                            for timings in by_tool.values():
                                timings.clear()
                        continue
                    print(f"{label} run {run + 1}: " + " | ".join(
                        f"{row} helmpy {times[row]['helmpy'][-1]:.2f}s helm {times[row]['helm'][-1]:.2f}s"
                        for row in rows), flush=True)
                results.extend((label, row, times[row]["helmpy"], times[row]["helm"]) for row in rows)
        finally:
            reg.stop()
            servers = served.stop(served.environment({}, work))
    print(f"\n{args.runs} runs each, docker-registry on 127.0.0.1 (plain HTTP), medians; "
          f"{served.describe(servers, not args.no_forkserver)}:")
    for label, what, ours, theirs in results:
        ours_med, helm_med = statistics.median(ours), statistics.median(theirs)
        print(f"  {what:<10} {label:<14} helmpy {ours_med:.2f}s  helm {helm_med:.2f}s  "
              f"ratio helmpy/helm: {ours_med / helm_med:.2f}x")


if __name__ == "__main__":
    main()
