"""When is an object "ready"?  kstatus-like rules shared by every KubeClient's ``wait_ready``.

Each rule reads only the object (spec, status, metadata.generation), so the same rules judge objects
from the embedded cluster and from a real API server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from helmpy.kube.client import KubeObject, object_ref


@dataclass(frozen=True)
class Readiness:
    """The verdict on one object; ``failed`` means it will never become ready (a failed Job/Pod)."""

    ready: bool
    message: str = ""
    failed: bool = False


READY = Readiness(True)


def conditions(obj: KubeObject) -> dict[str, dict[str, Any]]:
    """``status.conditions`` by type."""
    return {c.get("type", ""): c for c in ((obj.get("status") or {}).get("conditions") or []) if isinstance(c, dict)}


def condition_true(obj: KubeObject, ctype: str) -> bool:
    return str(conditions(obj).get(ctype, {}).get("status")) == "True"


def describe_conditions(obj: KubeObject) -> str:
    """``Available=False (MinimumReplicasUnavailable: ...)``, joined by "; "; "no conditions" when none."""
    parts = []
    for c in ((obj.get("status") or {}).get("conditions") or []):
        text = f"{c.get('type')}={c.get('status')}"
        extra = ": ".join(x for x in (c.get("reason"), c.get("message")) if x)
        parts.append(f"{text} ({extra})" if extra else text)
    return "; ".join(parts) or "no conditions"


def _generation_observed(obj: KubeObject) -> bool:
    generation = (obj.get("metadata") or {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return generation is None or (observed is not None and int(observed) >= int(generation))


def _desired(obj: KubeObject) -> int:
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def _replicas(obj: KubeObject, *, need_available: bool) -> Readiness:
    status = obj.get("status") or {}
    want = _desired(obj)
    ready = int(status.get("readyReplicas") or 0)
    counts = [ready, int(status.get("updatedReplicas", ready) or 0)]
    if need_available:
        counts.append(int(status.get("availableReplicas") or 0))
    if min(counts) < want:
        return Readiness(False, f"Replicas: {ready}/{want}")
    if not _generation_observed(obj):
        return Readiness(False, "observedGeneration is behind generation")
    return READY


def _deployment(obj: KubeObject) -> Readiness:
    """As kstatus (Helm 4) and ``kubectl rollout status``: the new Pods counted, the old ones gone, the
    ``Progressing`` condition (when the controller sets one) at ``NewReplicaSetAvailable``."""
    verdict = _replicas(obj, need_available=True)
    if not verdict.ready:
        return verdict
    status = obj.get("status") or {}
    old = int(status.get("replicas") or 0) - int(status.get("updatedReplicas", status.get("replicas")) or 0)
    if old > 0:  # readyReplicas counts old Pods too: a rolling update is not done while they run
        return Readiness(False, f"{old} old replicas are pending termination")
    progressing = conditions(obj).get("Progressing")
    if progressing is not None and progressing.get("reason") != "NewReplicaSetAvailable":
        return Readiness(False, f"rollout in progress ({progressing.get('reason')})")
    if _desired(obj) > 0 and not condition_true(obj, "Available"):
        return Readiness(False, "Deployment is not Available")
    return verdict


def _statefulset(obj: KubeObject) -> Readiness:
    verdict = _replicas(obj, need_available=False)
    status = obj.get("status") or {}
    if verdict.ready and status.get("updateRevision") and status.get("currentRevision") != status["updateRevision"]:
        return Readiness(False, "StatefulSet rollout in progress")
    return verdict


def _daemonset(obj: KubeObject) -> Readiness:
    status = obj.get("status") or {}
    if not _generation_observed(obj) or "desiredNumberScheduled" not in status:
        return Readiness(False, "DaemonSet not yet scheduled")
    want = int(status.get("desiredNumberScheduled") or 0)
    ready = int(status.get("numberReady") or 0)
    if min(ready, int(status.get("updatedNumberScheduled") or 0), int(status.get("numberAvailable") or 0)) < want:
        return Readiness(False, f"Ready: {ready}/{want}")
    return READY


def _job(obj: KubeObject) -> Readiness:
    if condition_true(obj, "Failed"):
        return Readiness(False, "Job failed", failed=True)
    if condition_true(obj, "Complete"):
        return READY
    return Readiness(False, "Job in progress")


def _pod(obj: KubeObject) -> Readiness:
    phase = (obj.get("status") or {}).get("phase") or "Pending"
    if phase == "Succeeded":
        return READY
    if phase == "Failed":
        return Readiness(False, "Pod failed", failed=True)
    if phase == "Running" and condition_true(obj, "Ready"):
        return READY
    return Readiness(False, f"Pod phase {phase}")


def _pvc(obj: KubeObject) -> Readiness:
    phase = (obj.get("status") or {}).get("phase") or "Pending"
    return READY if phase == "Bound" else Readiness(False, f"PVC phase {phase}")


def _service(obj: KubeObject) -> Readiness:
    if (obj.get("spec") or {}).get("type") != "LoadBalancer":
        return READY
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    return READY if ingress else Readiness(False, "LoadBalancer has no ingress address")


def _crd(obj: KubeObject) -> Readiness:
    return READY if condition_true(obj, "Established") else Readiness(False, "CRD is not Established")


def _generic(obj: KubeObject) -> Readiness:
    if not _generation_observed(obj) and obj.get("status"):
        return Readiness(False, "observedGeneration is behind generation")
    cond = conditions(obj).get("Ready")
    if cond is not None and str(cond.get("status")) != "True":
        return Readiness(False, "Ready condition is not True")
    return READY


RULES: dict[str, Callable[[KubeObject], Readiness]] = {
    "Deployment": _deployment,
    "ReplicaSet": lambda o: _replicas(o, need_available=True),
    "ReplicationController": lambda o: _replicas(o, need_available=True),
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "Job": _job,
    "Pod": _pod,
    "PersistentVolumeClaim": _pvc,
    "Service": _service,
    "CustomResourceDefinition": _crd,
}


def check(obj: KubeObject) -> Readiness:
    """Judge one live object by its kind's rule (generic conditions for anything else)."""
    return RULES.get(str(obj.get("kind")), _generic)(obj)


def wait_for(objects: list[KubeObject], timeout: float, get: Callable[[KubeObject], KubeObject | None],
             progress: TextIO | None = None, *, first_interval: float = 0.1, max_interval: float = 2.0,
             report_every: float = 10.0) -> None:
    """Poll ``get(obj)`` (the live object or None) until every object is ready.

    While something is pending, one ``helmpy: waiting for N of M resource(s) ...`` line goes to
    ``progress`` (stderr by default) whenever the pending set changes and at least every
    ``report_every`` seconds, so a long ``--wait`` is never silent. A failed Job/Pod ends the wait at
    once; the timeout's WaitTimeout names every pending object with its conditions.
    """
    import sys

    from helmpy.errors import WaitTimeout

    stream = progress if progress is not None else sys.stderr
    deadline = time.monotonic() + max(timeout, 0)
    interval, last_report, reported = first_interval, 0.0, ""
    while True:
        pending: list[str] = []
        for obj in objects:
            live = get(obj)
            ref = object_ref(live or obj)
            if live is None:
                pending.append(f"{ref} not found")
                continue
            verdict = check(live)
            if verdict.failed:
                raise WaitTimeout(f"resource {ref} failed: {verdict.message}; "
                                  f"conditions: {describe_conditions(live)}")
            if not verdict.ready:
                pending.append(f"{ref} not ready: {verdict.message}; conditions: {describe_conditions(live)}")
        if not pending:
            if reported:
                stream.write(f"helmpy: all {len(objects)} resource(s) are ready\n")
                stream.flush()
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {len(pending)} resource(s): "
                              + " | ".join(pending))
        summary = ", ".join(p.split(" not ")[0] for p in pending)
        now = time.monotonic()
        if summary != reported or now - last_report >= report_every:
            stream.write(f"helmpy: waiting for {len(pending)} of {len(objects)} resource(s) to be ready "
                         f"({remaining:.0f}s left): {summary}\n")
            stream.flush()
            reported, last_report = summary, now
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, max_interval)
