"""``helmpy cluster``: serve the embedded cluster as a Kubernetes API for kubectl, Helm and other tools."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

import click

from helmpy.cli.root import debug_option
from helmpy.errors import UsageError
from helmpy.server.limits import KUBE_API_LIMITS

logger = logging.getLogger(__name__)


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) -> (host, port); port 0 picks a free one."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--address {address!r}: expected HOST:PORT, e.g. 127.0.0.1:6443 (port 0 picks one)")
    return host.strip("[]") or "127.0.0.1", int(port)


def parse_cluster(spec: str | None) -> Path:
    """``local:PATH`` -> the SQLite file of the embedded cluster (the default file when not given)."""
    from helmpy import paths

    if not spec:
        return paths.embedded_cluster_db()
    scheme, sep, rest = spec.partition(":")
    if scheme != "local" or not sep or not rest:
        raise UsageError(f"--cluster {spec!r}: only the embedded cluster can be served; use local:PATH")
    return Path(rest).expanduser()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cluster() -> None:
    """Work with helmpy's embedded cluster.

    \b
    Examples:
      helmpy cluster serve --write-kubeconfig kc.yaml
    """


@cluster.command()
@debug_option
@click.option("--address", default="127.0.0.1:6443", show_default=True, metavar="HOST:PORT",
              help="Where to listen; port 0 picks a free port (printed on start).")
@click.option("--cluster", "cluster_spec", envvar="HELMPY_CLUSTER", metavar="local:PATH",
              help="The embedded cluster's SQLite file (default: helmpy's data dir).")
@click.option("--write-kubeconfig", type=click.Path(dir_okay=False), metavar="FILE",
              help="Merge this server's cluster, user and context (all named 'helmpy') into the kubeconfig FILE "
                   "(created when missing; mode 0600) and make it the current context. Other clusters, users "
                   "and contexts in FILE are kept.")
@click.option("--no-controller", is_flag=True,
              help="Turn off the simulated controllers: no ReplicaSets, Pods, Endpoints or volumes are made, "
                   "Deployments never become ready, Jobs never complete.")
@click.option("--pod-ready-delay", type=click.FloatRange(min=0, max=86400), default=None, metavar="SECONDS",
              help="Seconds a new Pod stays Pending (ContainerCreating) before the simulation runs it; 0: at once "
                   "[default: HELMPY_EMBEDDED_POD_READY_DELAY, else 1].")
@click.option("--insecure-http", is_flag=True,
              help="Serve plain HTTP without authentication (debugging only; clients send no token over HTTP).")
@click.option("--namespace", "-n", default="default", show_default=True,
              help="Default namespace of the written kubeconfig's context.")
@click.option("--read-header-timeout", default=f"{KUBE_API_LIMITS.header_timeout:g}s", show_default=True,
              metavar="DURATION", help="Time a client has to send a complete request header; idle connections are "
                                       "closed after it, and every write to a client must finish within it.")
@click.option("--read-timeout", default=f"{KUBE_API_LIMITS.read_timeout:g}s", show_default=True, metavar="DURATION",
              help="Time a client has to send a request body once it is being served (watches are not cut: they "
                   "last their timeoutSeconds, at most 30m).")
@click.option("--workers", default=KUBE_API_LIMITS.workers, show_default=True, type=click.IntRange(min=4, max=1024),
              help="Threads serving requests; each open watch holds one, and watches may use all but 1/8 of them "
                   "(at least 2 stay for other requests). Slow or idle clients hold none.")
@click.option("--max-connections", default=KUBE_API_LIMITS.max_connections, show_default=True,
              type=click.IntRange(min=1), help="Open connections at most; further ones are closed at once.")
def serve(address: str, cluster_spec: str | None, write_kubeconfig: str | None, no_controller: bool,
          pod_ready_delay: float | None, insecure_http: bool, namespace: str, read_header_timeout: str,
          read_timeout: str, workers: int, max_connections: int) -> None:
    """Serve the embedded cluster as a Kubernetes API (HTTPS, bearer token) until interrupted.

    Real kubectl and Helm work against it, and share its SQLite file with in-process helmpy commands.

    \b
    Examples:
      helmpy cluster serve --write-kubeconfig kc.yaml &
      KUBECONFIG=kc.yaml kubectl apply -f deploy.yaml
      KUBECONFIG=kc.yaml helm install web ./mychart --wait
      helmpy cluster serve --address 127.0.0.1:0 --cluster local:./dev.db --no-controller
      helmpy cluster serve --pod-ready-delay 5   # watch rollouts happen: Pods run 5s after they are made
      helmpy cluster serve --write-kubeconfig ~/.kube/config   # adds context 'helmpy', keeps the others
    """
    from dataclasses import replace

    from helmpy.cli.duration import parse_duration
    from helmpy.kube.embedded import EmbeddedCluster
    from helmpy.server.kubeapi.server import KubeApiServer
    from helmpy.server.kubeapi.tls import CONTEXT_NAME

    host, port = parse_address(address)
    db = parse_cluster(cluster_spec)
    header_timeout, body_timeout = parse_duration(read_header_timeout), parse_duration(read_timeout)
    if header_timeout <= 0 or body_timeout <= 0:
        raise UsageError("--read-header-timeout and --read-timeout must be more than 0")
    limits = replace(KUBE_API_LIMITS, header_timeout=header_timeout, read_timeout=body_timeout, workers=workers,
                     max_connections=max_connections)
    embedded = EmbeddedCluster(db, controller=not no_controller, pod_ready_delay=pod_ready_delay)
    server = KubeApiServer(embedded, host, port, use_tls=not insecure_http, limits=limits)
    server.start()
    if write_kubeconfig:
        try:
            server.write_kubeconfig(write_kubeconfig, namespace)
        except BaseException:
            server.stop()
            raise
    click.echo(f"Serving the embedded cluster {db} as a Kubernetes API at {server.url}")
    if write_kubeconfig:
        click.echo(f"Kubeconfig written to {write_kubeconfig}, context {CONTEXT_NAME!r} "
                   f"(export KUBECONFIG={write_kubeconfig})")
    click.echo("Press Ctrl-C to stop.")
    stop = threading.Event()

    def _terminate(_signum: int, _frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
