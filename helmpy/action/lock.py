"""One operation per release at a time: a Lease object in the cluster, not a bare status string.

Helm only refuses an upgrade when the latest revision is ``pending-*``; a crashed client leaves that status
behind forever and two racing clients can both pass the check. helmpy instead creates a
``coordination.k8s.io/v1`` Lease named ``helmpy.lock.<release>`` in the release namespace. ``create()`` is
atomic, so exactly one process wins; the holder (host, pid, command, start time) is written on the Lease and
a background thread renews it. The command keeps flag names but no flag values (``helmpy.redact.scrub_command``),
because everyone who can read the namespace reads the Lease. A Lease whose holder is gone (same host and the pid
is dead, or not renewed for ``leaseDurationSeconds``) is taken over with a warning; a live one is never broken.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from helmpy.errors import KubeConflict, KubeError, KubeNotFound, OperationInProgress
from helmpy.forkserver.client import command_pid
from helmpy.redact import scrub_command
from helmpy.release.model import now as _now
from helmpy.release.model import parse_time

logger = logging.getLogger(__name__)

LEASE_API = "coordination.k8s.io/v1"
LEASE_KIND = "Lease"
LEASE_PREFIX = "helmpy.lock."
DEFAULT_DURATION = 60
ANN = "helmpy.io/lock-"


def lease_name(release: str) -> str:
    return f"{LEASE_PREFIX}{release}"


def _micro(ts: datetime) -> str:
    """Kubernetes MicroTime."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _proc_start(pid: int) -> str:
    """The kernel's start tick of a process (guards against pid reuse); "" when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _proc_state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def pid_alive(pid: int, start: str = "") -> bool:
    """Whether ``pid`` runs on this host (a zombie or a reused pid counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if _proc_state(pid) == "Z":
        return False
    return not (start and _proc_start(pid) and _proc_start(pid) != start)


@dataclass
class LockInfo:
    """Who holds a release's lease, as read from the cluster."""

    release: str
    namespace: str
    host: str
    pid: int
    command: str
    started: datetime | None
    renewed: datetime | None
    duration: int
    pid_start: str = ""

    @property
    def identity(self) -> str:
        return f"{self.host}/{self.pid}"

    def expired(self, at: datetime) -> bool:
        last = self.renewed or self.started
        return last is None or at > last + timedelta(seconds=self.duration)

    def holder_gone(self, at: datetime) -> bool:
        """True when the holder can no longer be working (dead pid on this host, or lease expired)."""
        if self.host == socket.gethostname() and not pid_alive(self.pid, self.pid_start):
            return True
        return self.expired(at)

    def describe(self, at: datetime | None = None) -> str:
        started = _micro(self.started) if self.started else "unknown time"
        text = f"pid {self.pid} on {self.host} running {self.command!r} since {started}"
        if at is not None and self.holder_gone(at):
            text += " (that process is gone)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"holder": self.identity, "host": self.host, "pid": self.pid, "command": self.command,
                "started": _micro(self.started) if self.started else None,
                "renewed": _micro(self.renewed) if self.renewed else None, "leaseDurationSeconds": self.duration}

    @classmethod
    def from_lease(cls, lease: dict[str, Any]) -> LockInfo:
        meta = lease.get("metadata") or {}
        ann = meta.get("annotations") or {}
        spec = lease.get("spec") or {}
        try:
            pid = int(ann.get(ANN + "pid") or 0)
        except ValueError:
            pid = 0
        return cls(release=str((meta.get("labels") or {}).get("helmpy.io/release", "")),
                   namespace=str(meta.get("namespace") or ""), host=str(ann.get(ANN + "host", "")), pid=pid,
                   command=scrub_command(str(ann.get(ANN + "command", ""))),
                   started=parse_time(spec.get("acquireTime")),
                   renewed=parse_time(spec.get("renewTime")),
                   duration=int(spec.get("leaseDurationSeconds") or DEFAULT_DURATION),
                   pid_start=str(ann.get(ANN + "pid-start", "")))


def read_lock(kube: Any, namespace: str, release: str) -> LockInfo | None:
    """The current holder of a release's lease, or None."""
    try:
        lease = kube.get(LEASE_API, LEASE_KIND, lease_name(release), namespace)
    except KubeNotFound:
        return None
    return LockInfo.from_lease(lease) if lease else None


class ReleaseLock:
    """Context manager holding a release's Lease for the duration of one operation."""

    def __init__(self, kube: Any, namespace: str, release: str, command: str = "helmpy", *,
                 clock: Callable[[], datetime] = _now, duration: int = DEFAULT_DURATION,
                 renew_every: float | None = None) -> None:
        self.kube = kube
        self.namespace = namespace
        self.release = release
        self.command = scrub_command(command)  # the holder record is public: names, never flag values
        self.clock = clock
        self.duration = duration
        self.renew_every = renew_every if renew_every is not None else max(duration / 3.0, 0.5)
        self.host = socket.gethostname()
        self.pid = command_pid()  # the helmpy process the user started (a fork server's client: helmpy/forkserver/)
        self.took_over: LockInfo | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._acquired_at: datetime | None = None

    # --- the Lease object ------------------------------------------------------------------------------
    def _lease(self, at: datetime, resource_version: str | None = None, transitions: int = 0) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "name": lease_name(self.release), "namespace": self.namespace,
            "labels": {"app.kubernetes.io/managed-by": "helmpy", "helmpy.io/release": self.release},
            "annotations": {ANN + "host": self.host, ANN + "pid": str(self.pid),
                            ANN + "pid-start": _proc_start(self.pid), ANN + "command": self.command},
        }
        if resource_version:
            meta["resourceVersion"] = resource_version
        return {"apiVersion": LEASE_API, "kind": LEASE_KIND, "metadata": meta,
                "spec": {"holderIdentity": f"{self.host}/{self.pid}", "leaseDurationSeconds": self.duration,
                         "acquireTime": _micro(self._acquired_at or at), "renewTime": _micro(at),
                         "leaseTransitions": transitions}}

    def acquire(self) -> None:
        """Create the Lease, or take over a dead holder's; OperationInProgress when someone live holds it."""
        at = self.clock()
        self._acquired_at = at
        try:
            self.kube.create(self._lease(at))
        except KubeConflict:
            self._take_over(at)
        except KubeNotFound as err:
            raise KubeError(f"cannot lock release \"{self.release}\" in namespace \"{self.namespace}\": {err}",
                            hint="create the namespace first, or pass --create-namespace") from err
        logger.debug("lock acquired release=%s namespace=%s", self.release, self.namespace)
        self._thread = threading.Thread(target=self._renew_loop, name=f"helmpy-lease-{self.release}", daemon=True)
        self._thread.start()

    def _take_over(self, at: datetime) -> None:
        live = self.kube.get(LEASE_API, LEASE_KIND, lease_name(self.release), self.namespace)
        if live is None:  # released between our create and get: try once more
            try:
                self.kube.create(self._lease(at))
                return
            except KubeConflict:
                live = self.kube.get(LEASE_API, LEASE_KIND, lease_name(self.release), self.namespace)
        if live is None:
            raise self._busy(None, at)
        info = LockInfo.from_lease(live)
        if not info.holder_gone(at):
            raise self._busy(info, at)
        meta = live.get("metadata") or {}
        transitions = int((live.get("spec") or {}).get("leaseTransitions") or 0) + 1
        try:
            self.kube.replace(self._lease(at, str(meta.get("resourceVersion") or ""), transitions))
        except (KubeConflict, KubeNotFound) as err:  # another process took it over first
            raise self._busy(info, at) from err
        self.took_over = info
        logger.warning("taking over the lock of release %s from a holder that is gone: %s", self.release,
                       info.describe())

    def _busy(self, info: LockInfo | None, at: datetime) -> OperationInProgress:
        who = f": held by {info.describe(at)}" if info else ""
        return OperationInProgress(
            f"another operation (install/upgrade/rollback/uninstall) is in progress for release "
            f"\"{self.release}\" in namespace \"{self.namespace}\"{who}",
            hint=f"wait for it to finish; the lock is the Lease {LEASE_PREFIX}{self.release} and expires "
                 f"{self.duration}s after its holder stops renewing it")

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.renew_every):
            try:
                self.renew()
            except Exception as err:  # keep the operation going; the next renewal may succeed
                logger.warning("could not renew the lock of release %s: %s", self.release, err)

    def renew(self) -> None:
        """Push renewTime forward (only while we are still the holder)."""
        live = self.kube.get(LEASE_API, LEASE_KIND, lease_name(self.release), self.namespace)
        if live is None or (live.get("spec") or {}).get("holderIdentity") != f"{self.host}/{self.pid}":
            logger.warning("lost the lock of release %s", self.release)
            self._stop.set()
            return
        live = dict(live)
        live["spec"] = dict(live.get("spec") or {}, renewTime=_micro(self.clock()))
        self.kube.replace(live)

    def release_lock(self) -> None:
        """Stop renewing and delete the Lease if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            live = self.kube.get(LEASE_API, LEASE_KIND, lease_name(self.release), self.namespace)
            if live is not None and (live.get("spec") or {}).get("holderIdentity") == f"{self.host}/{self.pid}":
                self.kube.delete(LEASE_API, LEASE_KIND, lease_name(self.release), self.namespace)
        except Exception as err:  # the lease will expire on its own
            logger.warning("could not release the lock of release %s: %s", self.release, err)

    def __enter__(self) -> ReleaseLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release_lock()


def recover_stale_pending(storage: Any, name: str, command: str) -> Any:
    """Mark a ``pending-*`` latest revision failed; call only while holding the lock.

    Holding the Lease proves nobody is working on the release, so a pending revision is the leftover of a
    process that died mid-way (kill -9, power loss). It is kept (never lost) and marked failed so the next
    operation can proceed; returns the recovered release or None.
    """
    from helmpy.errors import ReleaseNotFound
    from helmpy.release.model import Status

    try:
        last = storage.last(name)
    except ReleaseNotFound:
        return None
    if last is None or not last.info.status.is_pending:
        return None
    was = last.info.status.value
    last.info.status = Status.FAILED
    last.info.description = (f"{was} interrupted: the operation that started revision {last.version} ended "
                             f"without finishing; recovered by {scrub_command(command)!r}")
    storage.update(last)
    logger.warning("release %s: revision %d was left %s by an operation that died; marked it failed", name,
                   last.version, was)
    return last
