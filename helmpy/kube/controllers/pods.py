"""Pods "run" and Jobs "complete" - honestly: no container runs, and their status says so.

A Pod whose restartPolicy is ``Always`` is Running and Ready on the simulated Node with a Pod IP. One that
runs to completion (``Never``/``OnFailure``: test Pods, hook Pods, a Job's Pods) is Succeeded, its
containers ``terminated`` with ``reason: Simulated`` and :data:`NOT_RUN` as the message, and the Pod's own
``reason``/``message`` say the same, so ``kubectl describe``, ``helmpy status`` and anyone reading the object
can tell a simulated success from a real one. A Job gets its selector and labels as the API server gives
them (``batch.kubernetes.io/controller-uid``, ``job-name``), ``completions`` Succeeded Pods and the
``SuccessCriteriaMet``/``Complete`` conditions, their message naming the simulation.
"""

from __future__ import annotations

from typing import Any

from helmpy.kube.client import KubeObject, clone, sub_map
from helmpy.kube.controllers import NODE_IP, NODE_NAME, Store, now, owner_reference, suffix

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


def pod(store: Store, obj: KubeObject, old: KubeObject | None) -> None:
    """The kubelet's status of a new Pod (an update keeps what the Pod has)."""
    store.touch_endpoints(obj["metadata"]["namespace"])
    if old is not None and old.get("status"):
        obj["status"] = clone(old["status"])
        return
    spec = sub_map(obj, "spec")
    spec.setdefault("nodeName", NODE_NAME)
    stamp = now()
    done = spec.get("restartPolicy") in ("Never", "OnFailure")
    ip = store.next_ip("pod")
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    if done:
        state: dict[str, Any] = {"terminated": {"exitCode": 0, "reason": SIMULATED, "message": NOT_RUN,
                                                "startedAt": stamp, "finishedAt": stamp}}
    else:
        state = {"running": {"startedAt": stamp}}
    ready = "False" if done else "True"
    status: dict[str, Any] = {
        "phase": "Succeeded" if done else "Running",
        "conditions": [{"type": t, "status": s, "lastProbeTime": None, "lastTransitionTime": stamp,
                        **({"reason": "PodCompleted"} if done and s == "False" else {})}
                       for t, s in (("PodReadyToStartContainers", ready), ("Initialized", "True"),
                                    ("Ready", ready), ("ContainersReady", ready), ("PodScheduled", "True"))],
        "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": stamp, "qosClass": _qos(spec),
        "containerStatuses": [{"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": not done,
                               "restartCount": 0, "started": not done, "state": clone(state)}
                              for c in containers]}
    if done:
        status.update(reason=SIMULATED, message=NOT_RUN)
    obj["status"] = status


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
    """``completions`` Pods, all Succeeded at once; a suspended Job makes none."""
    spec = sub_map(obj, "spec")
    if old is not None and old.get("status", {}).get("completionTime"):
        obj["status"] = clone(old["status"])
        return
    if spec.get("suspend"):
        obj["status"] = {"active": 0, "ready": 0, "terminating": 0}
        return
    meta = obj["metadata"]
    template = clone(spec.get("template") or {})
    completions = int(spec.get("completions") or 1)
    pod_type = store.kind("v1", "Pod")
    for i in range(completions):
        pod_spec = clone(template.get("spec") or {})
        pod_meta = {"name": f"{meta['name']}-{suffix(meta['name'] + '/' + str(i))}", "namespace": meta["namespace"],
                    "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                    "ownerReferences": [owner_reference(obj)]}
        if spec.get("completionMode") == "Indexed":
            pod_meta["labels"]["batch.kubernetes.io/job-completion-index"] = str(i)
        store.save(pod_type, {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": pod_spec})
    stamp = now()
    done = [{"type": t, "status": "True", "reason": "CompletionsReached", "message": JOB_DONE,
             "lastProbeTime": stamp, "lastTransitionTime": stamp} for t in ("SuccessCriteriaMet", "Complete")]
    obj["status"] = {"startTime": stamp, "completionTime": stamp, "succeeded": completions, "active": 0,
                     "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}, "conditions": done}


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
