#!/usr/bin/env python3
"""Time helmpy against Helm on a real Kubernetes API (``helmpy cluster serve`` over HTTPS, bearer token).

Rows (helmpy and Helm alternate, so both see the same machine load; each prints medians of wall and CPU
seconds (the client's user+sys), the ratio helmpy/helm of the wall medians and each tool's peak RSS):

* ``install`` of the same 1,000 objects (bench_template.py's Jinja2 chart for helmpy, its Go-template twin for
  Helm, which render identical objects), each run on a fresh server so both start from an empty cluster;
* ``upgrade`` of that release on the same server, changing ``config.LOG_LEVEL`` (every ConfigMap changes);
* ``list -A`` of 200 releases with 250 revisions in three namespaces (the records are copies of one
  ``create``d chart's release, stored as Helm stores them), against one server.

Server start-up is not timed, client start-up is. helmpy starts as ``bench_startup.py`` starts it (the console
script's entry, ``-S`` unless ``--site``, bytecode in a cache of the bench's own, one untimed warm-up run). Run
it from the repository root:

    python3 bench/bench_install_remote.py [--objects 1000] [--runs 3] [--list-runs 9] [--only list]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import served  # noqa: E402
from bench.bench_startup import ENTRY, environment, timed  # noqa: E402
from bench.bench_template import write_charts  # noqa: E402
from tests.support import kubeapi_server  # noqa: E402
from tests.support.helm_binary import ensure_helm  # noqa: E402

RELEASES, MULTI = 200, 50  # 200 releases, the first 50 with two revisions: 250 records


def count_objects(env: dict[str, str], objects: int, what: str) -> None:
    listed = subprocess.run([str(ensure_helm() / "kubectl"), "get", "configmaps,secrets,services,deployments",
                             "-o", "name"], capture_output=True, text=True, env=env, timeout=300)
    if len(listed.stdout.split()) < objects:
        raise SystemExit(f"{what}: only {len(listed.stdout.split())} objects in the cluster, wanted {objects}")


def populate(db: Path, work: Path, helmpy: list[str], env: dict[str, str]) -> None:
    """RELEASES releases (MULTI with a second revision) in ``db``, copies of one installed ``create``d chart."""
    from helmpy.kube.embedded import EmbeddedCluster
    from helmpy.release.model import Status
    from helmpy.storage.secrets import SecretsDriver

    seed_db = work / "seed.db"
    timed([*helmpy, "create", "web"], env, work)
    timed([*helmpy, "install", "seed", "web", "--cluster", f"local:{seed_db}"], {**env, "HELMPY_QUIET": "1"}, work)
    seed = SecretsDriver(EmbeddedCluster(seed_db), "default").get("sh.helm.release.v1.seed.v1")
    kube = EmbeddedCluster(db)
    with kube.transaction():
        for ns in ("team-a", "team-b"):
            kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i in range(RELEASES):
            ns, revisions = ("default", "team-a", "team-b")[i % 3], 2 if i < MULTI else 1
            for version in range(1, revisions + 1):
                rls = copy.deepcopy(seed)
                rls.name, rls.namespace, rls.version = f"rel-{i:03d}", ns, version
                rls.info.status = Status.SUPERSEDED if version < revisions else Status.DEPLOYED
                SecretsDriver(kube, ns).create(f"sh.helm.release.v1.{rls.name}.v{version}", rls)
    kube.close()


def client_env(server: kubeapi_server.KubeApiServer, base_env: dict[str, str]) -> dict[str, str]:
    """Both tools' environment against ``server``: its kubeconfig and homes, the bench's own, and bytecode written
    (``server.env()`` copies this process's environment, where PYTHONDONTWRITEBYTECODE may be set: helmpy would
    then compile every module the local warm-up did not, on every run)."""
    env = {**server.env(), **base_env, "KUBECONFIG": str(server.kubeconfig)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def report(label: str, times: dict[str, list[float]], peaks: dict[str, int], cpus: dict[str, list[float]],
           goal: str) -> str:
    ours, theirs = statistics.median(times["helmpy"]), statistics.median(times["helm"])
    our_cpu, their_cpu = statistics.median(cpus["helmpy"]), statistics.median(cpus["helm"])
    return (f"  {label:<28} helmpy {ours:6.2f}s (cpu {our_cpu:5.2f}s, {peaks['helmpy'] / 1024:4.0f} MiB)   "
            f"helm {theirs:6.2f}s (cpu {their_cpu:5.2f}s, {peaks['helm'] / 1024:4.0f} MiB)   "
            f"ratio {ours / theirs:.2f}x   goal {goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="objects in the chart (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="install/upgrade runs per tool (default 3)")
    parser.add_argument("--list-runs", type=int, default=9, help="list -A runs per tool (default 9)")
    parser.add_argument("--only", choices=("install", "list"), help="run only these rows")
    parser.add_argument("--site", action="store_true", help="start Python with its site module (.pth files run)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the helmpy checkout to time (default: this one)")
    args = parser.parse_args()
    helm = [str(ensure_helm() / "helm")]
    helmpy = [sys.executable, "-c", ENTRY] if args.site else [sys.executable, "-S", "-c", ENTRY]
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    lines = []
    with tempfile.TemporaryDirectory(prefix="helmpy-bench-remote-") as tmp:
        work = Path(tmp)
        base_env = {**environment(work, args.root.resolve(), args.site), "HELMPY_QUIET": "1"}
        if args.only in (None, "install"):
            jinja_chart, go_chart = write_charts(work, args.objects)
            times = {f"{tool} {verb}": [] for tool in ("helmpy", "helm") for verb in ("install", "upgrade")}
            peaks = {key: 0 for key in times}
            cpus: dict[str, list[float]] = {key: [] for key in times}
            for run in range(-1, args.runs):  # run -1: untimed warm-up (bytecode, page cache)
                for tool, cmd, chart in (("helmpy", helmpy, jinja_chart), ("helm", helm, go_chart)):
                    server = kubeapi_server.start(work / f"{tool}-{run}")
                    try:
                        env = client_env(server, base_env)
                        for verb, extra in (("install", []), ("upgrade", ["--set", "config.LOG_LEVEL=debug"])):
                            elapsed, rss, cpu = timed([*cmd, verb, "bench", str(chart), *extra], env, ROOT)
                            if run >= 0:
                                times[f"{tool} {verb}"].append(elapsed)
                                cpus[f"{tool} {verb}"].append(cpu)
                                peaks[f"{tool} {verb}"] = max(peaks[f"{tool} {verb}"], rss)
                        count_objects(env, args.objects, tool)
                    finally:
                        server.stop()
                if run >= 0:
                    print(f"run {run + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
            for verb, goal in (("install", "<= 0.5x"), ("upgrade", "<= 0.3x")):
                lines.append(report(f"{verb}, {args.objects} objects",
                                    {t: times[f"{t} {verb}"] for t in ("helmpy", "helm")},
                                    {t: peaks[f"{t} {verb}"] for t in ("helmpy", "helm")},
                                    {t: cpus[f"{t} {verb}"] for t in ("helmpy", "helm")}, goal))
        if args.only in (None, "list"):
            db = work / "list" / "cluster.db"
            db.parent.mkdir()
            populate(db, work, helmpy, base_env)
            server = kubeapi_server.start(db.parent)
            try:
                env = client_env(server, base_env)
                ltimes: dict[str, list[float]] = {"helmpy": [], "helm": []}
                lpeaks = {"helmpy": 0, "helm": 0}
                lcpus: dict[str, list[float]] = {"helmpy": [], "helm": []}
                for run in range(-1, args.list_runs):
                    for tool, cmd in (("helmpy", helmpy), ("helm", helm)):
                        elapsed, rss, cpu = timed([*cmd, "list", "-A"], env, work)
                        if run >= 0:
                            ltimes[tool].append(elapsed)
                            lcpus[tool].append(cpu)
                            lpeaks[tool] = max(lpeaks[tool], rss)
                lines.append(report(f"list -A, {RELEASES} rel/{RELEASES + MULTI} rev", ltimes, lpeaks, lcpus,
                                    "<= 1.0x"))
            finally:
                server.stop()
        served.stop(base_env)  # the fork servers its runs started
    print(f"against helmpy cluster serve (HTTPS, bearer token), medians; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}:")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
