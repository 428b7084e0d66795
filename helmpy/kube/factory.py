"""Choose the cluster helmpy talks to: ``local:PATH`` (embedded), a kubeconfig, or the default
embedded cluster when there is no kubeconfig at all."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from helmpy import paths
from helmpy.errors import KubeError
from helmpy.kube.client import KubeClient

logger = logging.getLogger(__name__)

CLUSTER_ENV = "HELMPY_CLUSTER"
LOCAL_PREFIX = "local:"
_announced = False


def _kubeconfig_paths(kubeconfig: str | None) -> list[Path]:
    if kubeconfig:
        return [Path(kubeconfig).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _announce_default(path: Path) -> None:
    """Say once - when the default embedded cluster is first created - that it is used for lack of a kubeconfig.

    Repeating it on every command would be noise in scripts; ``helmpy env`` shows the path at any time.
    """
    global _announced
    if _announced or path.exists() or os.environ.get("HELMPY_QUIET", "") not in ("", "0"):
        return
    _announced = True
    sys.stderr.write(f"helmpy: no kubeconfig found; using the embedded cluster at {path}\n")


def make_kube_client(cluster: str | None = None, kubeconfig: str | None = None,
                     context: str | None = None, **overrides: Any) -> KubeClient:
    """``cluster``/``HELMPY_CLUSTER`` = ``local:PATH`` selects an embedded cluster file; otherwise a
    kubeconfig (``kubeconfig``, ``KUBECONFIG``, ``~/.kube/config``) selects a real cluster; otherwise the
    embedded cluster at ``helmpy.paths.embedded_cluster_db()``."""
    from helmpy.kube.embedded import EmbeddedCluster

    target = cluster or os.environ.get(CLUSTER_ENV) or ""
    if target:
        if not target.startswith(LOCAL_PREFIX) or not target[len(LOCAL_PREFIX):]:
            raise KubeError(f"invalid cluster {target!r}: expected local:PATH",
                            hint="e.g. --cluster local:./cluster.db")
        return EmbeddedCluster(Path(target[len(LOCAL_PREFIX):]).expanduser())
    found = [p for p in _kubeconfig_paths(kubeconfig) if p.is_file()]
    if kubeconfig and not found:
        raise KubeError(f"kubeconfig {kubeconfig}: no such file")
    in_cluster = bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
    if found or overrides.get("apiserver") or in_cluster:
        from helmpy.kube import remote  # the kubernetes client is imported only for real clusters

        logger.debug("using kubeconfig %s context=%s", found[0] if found else "-", context)
        return remote.connect(kubeconfig=kubeconfig, context=context, **overrides)
    path = paths.embedded_cluster_db()
    _announce_default(path)
    return EmbeddedCluster(path)
