"""What the API server refuses to change on an update (its ``Validate*Update`` functions and strategies).

Called by :func:`helmpy.kube.validation.validate` with the live object on every update, replace, patch and
apply of the embedded cluster, in-process and through ``helmpy cluster serve`` alike. The causes carry
kube-apiserver v1.35's wording (``field is immutable``, ``may not change once set``, the StatefulSet and PVC
``Forbidden`` texts) and field paths. Values are printed as v1.34+ prints them: JSON for lists and objects
(``Invalid value: {"matchLabels":{"app":"b"}}``). Two values cannot be byte-identical: a Job's template
(the API server marshals its internal Go struct; here it is the v1 object's JSON) and the PVC's go-cmp diff
(here a list of the changed fields) - the reason, the field and the first line of the message are the same.

Each check returns (causes before the create-time validation, causes after it), the order in which the
API server reports them for that kind.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

Cause = dict[str, str]
Obj = dict[str, Any]
IMMUTABLE = "field is immutable"
WHEN_IMMUTABLE = "field is immutable when `immutable` is set"
# ValidateStatefulSetUpdate: the spec fields an update may change
STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
STATEFULSET_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                         "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                         "'minReadySeconds' are forbidden")
PVC_FORBIDDEN = ("spec is immutable after creation except resources.requests and volumeAttributesClassName"
                 " for bound claims")
# ValidateJobSpecUpdate, in its order (completions and template have their own rules)
JOB_IMMUTABLE = ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy")


def shown(value: Any) -> str:
    """A bad value as ``field.Error`` prints it: numbers and booleans bare, strings quoted, the rest as JSON."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _selector_json(selector: Any) -> Any:
    """A LabelSelector in Go's field order (matchLabels, then matchExpressions), empty fields omitted."""
    if not isinstance(selector, dict):
        return selector
    out: dict[str, Any] = {}
    if selector.get("matchLabels"):
        out["matchLabels"] = dict(sorted(selector["matchLabels"].items()))
    if selector.get("matchExpressions"):
        out["matchExpressions"] = [{k: e[k] for k in ("key", "operator", "values") if isinstance(e, dict) and e.get(k)}
                                   for e in selector["matchExpressions"]]
    return out


def _invalid(field: str, value: str, why: str) -> Cause:
    return {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {why}", "field": field}


def _forbidden(field: str, why: str) -> Cause:
    return {"reason": "FieldValueForbidden", "message": f"Forbidden: {why}", "field": field}


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _selector(new: Obj, old: Obj) -> list[Cause]:
    """The workload strategies' ``ValidateImmutableField(spec.selector)`` (apps/v1 forbids selector changes)."""
    now, before = _spec(new).get("selector"), _spec(old).get("selector")
    if _selector_json(now) == _selector_json(before):
        return []
    return [_invalid("spec.selector", shown(_selector_json(now)), IMMUTABLE)]


def _workload(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    return [], _selector(new, old)


def _statefulset(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    now = {k: v for k, v in _spec(new).items() if k not in STATEFULSET_MUTABLE}
    before = {k: v for k, v in _spec(old).items() if k not in STATEFULSET_MUTABLE}
    return [], [] if now == before else [_forbidden("spec", STATEFULSET_FORBIDDEN)]


def _job(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    spec, before = _spec(new), _spec(old)
    causes: list[Cause] = []
    if spec.get("completions") != before.get("completions") and spec.get("completionMode") != "Indexed":
        causes.append(_invalid("spec.completions", shown(spec.get("completions")), IMMUTABLE))
    causes += _selector(new, old)
    if spec.get("template") != before.get("template") and not (spec.get("suspend") and before.get("suspend")):
        causes.append(_invalid("spec.template", shown(spec.get("template")), IMMUTABLE))
    causes += [_invalid(f"spec.{key}", shown(spec.get(key)), IMMUTABLE) for key in JOB_IMMUTABLE
               if spec.get(key) != before.get(key)]
    return [], causes


def _service(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    """``validateUpgradeDowngradeClusterIPs``: the primary cluster IP never changes (unless to/from ExternalName)."""
    spec, before = _spec(new), _spec(old)
    if "ExternalName" in (spec.get("type"), before.get("type")):
        return [], []
    old_ips = before.get("clusterIPs") or []
    new_ips = spec.get("clusterIPs") or []
    if old_ips and (not new_ips or new_ips[0] != old_ips[0]):
        return [_invalid("spec.clusterIPs[0]", shown(new_ips or None), "may not change once set")], []
    return [], []


def _config(kind: str) -> Callable[[Obj, Obj], tuple[list[Cause], list[Cause]]]:
    """ConfigMap/Secret ``immutable: true``; a Secret's ``type`` never changes."""
    sections = ("data", "binaryData") if kind == "ConfigMap" else ("data",)

    def check(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
        causes: list[Cause] = []
        if kind == "Secret" and new.get("type") != old.get("type"):
            causes.append(_invalid("type", shown(new.get("type")), IMMUTABLE))
        if old.get("immutable") is True:
            if new.get("immutable") is not True:
                causes.append(_forbidden("immutable", WHEN_IMMUTABLE))
            causes += [_forbidden(section, WHEN_IMMUTABLE) for section in sections
                       if (new.get(section) or None) != (old.get(section) or None)]
        return causes, []

    return check


_SUFFIXES = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "m": 0.001}


def quantity(value: Any) -> float | None:
    """A resource.Quantity (``10Gi``, ``500M``, ``1e3``) as a number; None when it is not one."""
    text = str(value).strip() if value is not None else ""
    digits = text.rstrip("kMGTPEimn")
    try:
        return float(digits) * _SUFFIXES[text[len(digits):]]
    except (KeyError, ValueError):
        return None


def _storage(spec: Obj) -> Any:
    return ((spec.get("resources") or {}).get("requests") or {}).get("storage")


def _pvc(new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    """``ValidatePersistentVolumeClaimUpdate``: volumeName may be set once; a bound claim may change its storage
    request (never below the old one) and volumeAttributesClassName; nothing else."""
    now, before = copy.deepcopy(_spec(new)), copy.deepcopy(_spec(old))
    if not before.get("volumeName"):
        before["volumeName"] = now.get("volumeName")
    if (old.get("status") or {}).get("phase") == "Bound":
        for spec in (now, before):
            spec.pop("volumeAttributesClassName", None)
            requests = (spec.get("resources") or {}).get("requests")
            if isinstance(requests, dict):
                requests.pop("storage", None)
    causes: list[Cause] = []
    if now != before:
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
        diff = "\n".join(f"  {k}: {shown(before.get(k))} -> {shown(now.get(k))}" for k in changed)
        causes.append(_forbidden("spec", f"{PVC_FORBIDDEN}\n{diff}"))
    new_size, old_size = quantity(_storage(_spec(new))), quantity(_storage(_spec(old)))
    if new_size is not None and old_size is not None and new_size < old_size:
        causes.append(_forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
    return [], causes


CHECKS: dict[tuple[str, str], Callable[[Obj, Obj], tuple[list[Cause], list[Cause]]]] = {
    ("apps", "Deployment"): _workload, ("apps", "ReplicaSet"): _workload, ("apps", "DaemonSet"): _workload,
    ("apps", "StatefulSet"): _statefulset, ("batch", "Job"): _job, ("", "Service"): _service,
    ("", "ConfigMap"): _config("ConfigMap"), ("", "Secret"): _config("Secret"),
    ("", "PersistentVolumeClaim"): _pvc,
}


def update_causes(group: str, kind: str, new: Obj, old: Obj) -> tuple[list[Cause], list[Cause]]:
    """(causes the API server lists before the create-time ones, causes it lists after them) for ``old`` -> ``new``."""
    check = CHECKS.get((group, kind))
    return check(new, old) if check is not None else ([], [])
