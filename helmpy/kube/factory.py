"""Choose the cluster helmpy talks to: ``local:PATH`` (embedded), a kubeconfig, or the default
embedded cluster when there is no kubeconfig at all."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from helmpy import paths, settings
from helmpy.errors import KubeError
from helmpy.kube.client import KubeClient

logger = logging.getLogger(__name__)

CLUSTER_ENV = "HELMPY_CLUSTER"
QUIET_ENV = "HELMPY_QUIET"
LOCAL_PREFIX = "local:"


def embedded_notice(path: Path) -> str:
    """The one stderr line of every command that falls back to the embedded cluster."""
    return f"helmpy: using the embedded cluster at {path} (no kubeconfig found)"


def _announce_default(path: Path) -> None:
    """Say - on every command, in one stderr line - that the embedded cluster is used for lack of a kubeconfig.

    Once per machine (when the file was created) was not enough: a later command with a forgotten kubeconfig
    would deploy locally in silence. stdout stays clean for scripts; ``HELMPY_QUIET=1`` silences the line.
    """
    if not quiet():
        sys.stderr.write(embedded_notice(path) + "\n")


def quiet() -> bool:
    """``HELMPY_QUIET`` (not empty or ``0``): no embedded-cluster line, printed or handed to a callback."""
    return settings.get("QUIET", "") not in ("", "0")


@dataclass(frozen=True)
class Selection:
    """Which cluster a command will use, decided without connecting (``helmpy env`` prints it)."""

    embedded: Path | None  # the embedded cluster's SQLite file, or None for a real cluster
    implicit: bool = False  # the embedded cluster was chosen because no kubeconfig is configured at all
    kubeconfig: tuple[Path, ...] = ()  # the kubeconfig files of a real cluster (none: flags or in-cluster)


def select(cluster: str | None = None, kubeconfig: str | None = None, *, apiserver: bool = False) -> Selection:
    """``cluster``/``HELMPY_CLUSTER`` = ``local:PATH`` selects an embedded cluster file; otherwise a
    kubeconfig (``kubeconfig``, ``KUBECONFIG``, ``~/.kube/config``), ``--kube-apiserver`` or a Pod's service
    account selects a real cluster; otherwise - only when no kubeconfig is configured at all - the embedded
    cluster at ``helmpy.paths.embedded_cluster_db()``.

    A configured kubeconfig that is missing or unreadable raises :class:`helmpy.errors.ClusterUnreachable`.
    """
    from helmpy.kube.kubeconfig import configured_but_missing, kubeconfig_files

    target = cluster or settings.get("CLUSTER") or ""
    if target:
        if not target.startswith(LOCAL_PREFIX) or not target[len(LOCAL_PREFIX):]:
            raise KubeError(f"invalid cluster {target!r}: expected local:PATH",
                            hint="e.g. --cluster local:./cluster.db")
        return Selection(Path(target[len(LOCAL_PREFIX):]).expanduser())
    found = kubeconfig_files(kubeconfig)
    if found or apiserver or settings.environ().get("KUBERNETES_SERVICE_HOST"):
        return Selection(None, kubeconfig=tuple(found))
    missing = configured_but_missing()
    if missing is not None:
        raise missing
    return Selection(paths.embedded_cluster_db(), implicit=True)


def make_kube_client(cluster: str | None = None, kubeconfig: str | None = None,
                     context: str | None = None, *, notice: Callable[[str], None] | None = None,
                     progress: TextIO | None = None, **overrides: Any) -> KubeClient:
    """The client of :func:`select`'s cluster; the implicit embedded cluster is announced on stderr (or to
    ``notice``, a library caller's or the CLI's callback) unless ``HELMPY_QUIET``. ``progress`` gets what
    waits report (None: stderr)."""
    chosen = select(cluster, kubeconfig, apiserver=bool(overrides.get("apiserver")))
    if chosen.embedded is None:
        from helmpy.kube import remote  # the HTTP client is imported only for real clusters

        logger.debug("using kubeconfig %s context=%s", chosen.kubeconfig[0] if chosen.kubeconfig else "-", context)
        if progress is not None:
            overrides["progress"] = progress
        return remote.connect(kubeconfig=kubeconfig, context=context, **overrides)
    from helmpy.kube.embedded import EmbeddedCluster

    _check_unused(overrides)
    if chosen.implicit:
        if notice is None:
            _announce_default(chosen.embedded)
        elif not quiet():
            notice(embedded_notice(chosen.embedded))
    return EmbeddedCluster(chosen.embedded, progress=progress)


def _check_unused(overrides: dict[str, Any]) -> None:
    """Settings only a real cluster's client uses are still checked, so a mistake in them is reported at once
    and not first when the same command is pointed at a real cluster."""
    from helmpy.kube import ratelimit
    from helmpy.kube.impersonation import Impersonation

    ratelimit.from_settings()  # --qps / --burst-limit / HELM_QPS / HELM_BURST_LIMIT
    Impersonation().overridden(overrides.get("as_user"), overrides.get("as_groups")).check("--kube-as-group")


def describe(kube: KubeClient) -> str:
    """Which cluster a client talks to, for ``status``: ``embedded (PATH)`` or the kubeconfig context."""
    from helmpy.kube.embedded import EmbeddedCluster

    if isinstance(kube, EmbeddedCluster):
        return f"embedded ({kube.path})"
    connection = getattr(kube, "connection", None)
    return connection.describe() if connection is not None else type(kube).__name__
