"""Pods "run" and Jobs "complete" - honestly: no container runs, and their status says so.

A new Pod is bound to the simulated Node and, as while a kubelet pulls images and starts containers, is
``Pending`` with its containers ``waiting: ContainerCreating`` and ``Ready=False``; after the cluster's
``pod_ready_delay`` (``HELMPY_EMBEDDED_POD_READY_DELAY``; 0: at once) :func:`start` gives it its final status
(the embedded cluster promotes it from a due-time table, on the next read after that time). A Pod whose
restartPolicy is ``Always`` is then Running and Ready with a Pod IP. One that runs to completion
(``Never``/``OnFailure``: test Pods, hook Pods, a Job's Pods) is Succeeded, its containers ``terminated`` with
``reason: Simulated`` and :data:`NOT_RUN` as the message, and the Pod's own ``reason``/``message`` say the
same, so ``kubectl describe``, ``helmpy status`` and anyone reading the object can tell a simulated success
from a real one. A Job gets its selector and labels as the API server gives them (``batch.kubernetes.io/
controller-uid``, ``job-name``), runs ``parallelism`` Pods at a time until ``completions`` have Succeeded, and
then gets the ``SuccessCriteriaMet``/``Complete`` conditions, their message naming the simulation.
"""

from __future__ import annotations

from typing import Any

from helmpy.kube.client import KubeObject, clone
from helmpy.kube.controllers import NODE_IP, NODE_NAME, Store, now, owner_reference, pod_ready, suffix
from helmpy.kube.resources import ResourceType

SIMULATED = "Simulated"
NOT_RUN = "helmpy's embedded cluster runs no containers: marked as succeeded without running"
JOB_DONE = f"Reached expected number of succeeded pods (simulated: {NOT_RUN})"
_JOB_LABELS = ("batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name")


def _qos(spec: dict[str, Any]) -> str:
    resources = [c.get("resources") or {} for c in spec.get("containers") or [] if isinstance(c, dict)]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    if all(r.get("limits") and (not r.get("requests") or r["requests"] == r["limits"]) for r in resources):
        return "Guaranteed"
    return "Burstable"


def _conditions(spec_ready: str, stamp: str, done: bool, names: str,
                old: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The kubelet's five Pod conditions; one whose status is unchanged keeps its ``lastTransitionTime``."""
    before = {c.get("type"): c for c in old or [] if isinstance(c, dict)}
    out = []
    for ctype, value in (("PodReadyToStartContainers", spec_ready), ("Initialized", "True"), ("Ready", spec_ready),
                         ("ContainersReady", spec_ready), ("PodScheduled", "True")):
        kept = before.get(ctype)
        cond: dict[str, Any] = {"type": ctype, "status": value, "lastProbeTime": None,
                                "lastTransitionTime": kept["lastTransitionTime"]
                                if kept and kept.get("status") == value and kept.get("lastTransitionTime") else stamp}
        if value == "False" and ctype in ("Ready", "ContainersReady"):
            cond.update({"reason": "PodCompleted"} if done else
                        {"reason": "ContainersNotReady", "message": f"containers with unready status: [{names}]"})
        out.append(cond)
    return out


def _field(obj: KubeObject, key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in spec.get("containers") or [] if isinstance(c, dict)]


def _runs_to_completion(spec: dict[str, Any]) -> bool:
    return spec.get("restartPolicy") in ("Never", "OnFailure")


def pod(store: Store, obj: KubeObject, old: KubeObject | None) -> None:
    """The kubelet's status of a new Pod (an update keeps what the Pod has): ContainerCreating, or final at once."""
    store.touch_endpoints(obj["metadata"]["namespace"])
    if old is not None and old.get("status"):
        obj["status"] = clone(old["status"])
        return
    spec = obj["spec"] = _field(obj, "spec")
    spec.setdefault("nodeName", NODE_NAME)
    stamp = now()
    containers = _containers(spec)
    obj["status"] = {
        "phase": "Pending",
        "conditions": _conditions("False", stamp, False, " ".join(str(c.get("name")) for c in containers)),
        "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "startTime": stamp, "qosClass": _qos(spec),
        "containerStatuses": [{"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": False,
                               "restartCount": 0, "started": False,
                               "state": {"waiting": {"reason": "ContainerCreating"}}} for c in containers]}
    if store.pod_ready_delay > 0:
        store.schedule(obj)
    else:
        start(store, obj)


def start(store: Store, obj: KubeObject) -> None:
    """The simulated kubelet is done starting ``obj`` (a Pending Pod): Running and Ready, or Succeeded."""
    spec, status = _field(obj, "spec"), _field(obj, "status")
    stamp = now()
    started = status.get("startTime") or stamp
    done = _runs_to_completion(spec)
    ip = store.next_ip("pod")
    if done:
        state: dict[str, Any] = {"terminated": {"exitCode": 0, "reason": SIMULATED, "message": NOT_RUN,
                                                "startedAt": stamp, "finishedAt": stamp}}
    else:
        state = {"running": {"startedAt": stamp}}
    ready = "False" if done else "True"
    obj["status"] = {
        "phase": "Succeeded" if done else "Running",
        "conditions": _conditions(ready, stamp, done, "", status.get("conditions")),
        "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": started, "qosClass": status.get("qosClass") or _qos(spec),
        "containerStatuses": [{"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": not done,
                               "restartCount": 0, "started": not done, "state": clone(state)}
                              for c in _containers(spec)]}
    if done:
        obj["status"].update(reason=SIMULATED, message=NOT_RUN)


def prepare_job(job: KubeObject) -> None:
    """What the API server adds to a new Job without ``manualSelector``: a selector on its uid, template labels."""
    spec = job.get("spec")
    if not isinstance(spec, dict) or spec.get("manualSelector"):
        return
    meta = job["metadata"]
    values = (meta["uid"], meta["name"], meta["uid"], meta["name"])
    template = spec.setdefault("template", {})
    labels = template.setdefault("metadata", {}).setdefault("labels", {})
    labels.update(dict(zip(_JOB_LABELS, values, strict=True)))
    spec.setdefault("selector", {"matchLabels": {_JOB_LABELS[0]: meta["uid"]}})


def job(store: Store, obj: KubeObject, old: KubeObject | None) -> None:
    """``parallelism`` Pods at a time until ``completions`` Succeeded; a suspended Job makes none."""
    spec = _field(obj, "spec")
    before = _field(old or {}, "status")
    if before.get("completionTime"):
        obj["status"] = clone(before)
        return
    if spec.get("suspend"):
        obj["status"] = {"active": 0, "ready": 0, "terminating": 0}
        return
    meta = obj["metadata"]
    template = clone(spec.get("template") or {})
    completions = int(spec.get("completions") or 1)
    parallelism = 1 if spec.get("parallelism") is None else int(spec["parallelism"])
    pod_type = store.kind("v1", "Pod")
    pods = store.owned(pod_type, meta["namespace"], meta["uid"]) if old is not None else []
    taken = {p["metadata"]["name"] for p in pods}
    index = 0
    while True:  # with no delay, each Pod succeeds as it is made and the next batch follows at once
        succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
        active = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        room = min(parallelism - len(active), completions - succeeded - len(active))
        if room <= 0:
            break
        for _ in range(room):
            while f"{meta['name']}-{suffix(meta['name'] + '/' + str(index))}" in taken:
                index += 1
            pods.append(_job_pod(store, pod_type, obj, template, index))
            taken.add(pods[-1]["metadata"]["name"])
    stamp = now()
    status: dict[str, Any] = {"startTime": before.get("startTime") or stamp, "active": len(active),
                              "ready": sum(1 for p in active if pod_ready(p)), "terminating": 0,
                              "uncountedTerminatedPods": {}}
    if succeeded:
        status["succeeded"] = succeeded
    if succeeded >= completions:
        status["completionTime"] = stamp
        status["conditions"] = [{"type": t, "status": "True", "reason": "CompletionsReached", "message": JOB_DONE,
                                 "lastProbeTime": stamp, "lastTransitionTime": stamp}
                                for t in ("SuccessCriteriaMet", "Complete")]
    obj["status"] = status


def _job_pod(store: Store, pod_type: ResourceType, job: KubeObject, template: dict[str, Any], index: int
             ) -> KubeObject:
    meta, spec = job["metadata"], job.get("spec") or {}
    pod_meta = {"name": f"{meta['name']}-{suffix(meta['name'] + '/' + str(index))}", "namespace": meta["namespace"],
                "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                "ownerReferences": [owner_reference(job)]}
    if spec.get("completionMode") == "Indexed":
        pod_meta["labels"]["batch.kubernetes.io/job-completion-index"] = str(index)
    return store.save(pod_type, {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
                                 "spec": clone(template.get("spec") or {})})


def simulated(obj: KubeObject | None) -> bool:
    """Whether ``obj`` (a Pod or Job read back from a cluster) "completed" only by this simulation.

    What :func:`pod` and :func:`job` write, and nothing a kubelet or Job controller ever writes: a Pod with
    ``status.reason: Simulated``, a Job whose ``Complete`` condition carries :data:`JOB_DONE`. Read from the
    object, not from which cluster is in use, so it holds through ``helmpy cluster serve`` too.
    """
    status = (obj or {}).get("status")
    if not isinstance(status, dict):
        return False
    if obj is not None and obj.get("kind") == "Job":
        return any(isinstance(c, dict) and c.get("type") == "Complete" and c.get("message") == JOB_DONE
                   for c in status.get("conditions") or [])
    return status.get("reason") == SIMULATED
