"""Built-in Kubernetes kinds: apiVersion/kind -> plural and scope, as discovery would report them.

The embedded cluster (and later ``helmpy cluster serve``) answers discovery and routes objects from
this table; CustomResourceDefinitions add entries at run time (``from_crd``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    """One served resource: where it lives and what it is called."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = field(default=ALL_VERBS)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> (``apps``, ``v1``); ``v1`` -> (``""``, ``v1``)."""
    group, _, version = api_version.rpartition("/")
    return group, version


def _r(group: str, version: str, kind: str, plural: str, namespaced: bool = True,
       short: Iterable[str] = (), all_cat: bool = False) -> ResourceType:
    return ResourceType(group, version, kind, plural, namespaced, tuple(short), ("all",) if all_cat else ())


BUILTIN: tuple[ResourceType, ...] = (
    _r("", "v1", "Pod", "pods", short=["po"], all_cat=True),
    _r("", "v1", "Service", "services", short=["svc"], all_cat=True),
    _r("", "v1", "ConfigMap", "configmaps", short=["cm"]),
    _r("", "v1", "Secret", "secrets"),
    _r("", "v1", "ServiceAccount", "serviceaccounts", short=["sa"]),
    _r("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=["pvc"]),
    _r("", "v1", "PersistentVolume", "persistentvolumes", False, ["pv"]),
    _r("", "v1", "Namespace", "namespaces", False, ["ns"]),
    _r("", "v1", "Node", "nodes", False, ["no"]),
    _r("", "v1", "Endpoints", "endpoints", short=["ep"]),
    _r("", "v1", "Event", "events", short=["ev"]),
    _r("", "v1", "LimitRange", "limitranges", short=["limits"]),
    _r("", "v1", "ResourceQuota", "resourcequotas", short=["quota"]),
    _r("", "v1", "ReplicationController", "replicationcontrollers", short=["rc"], all_cat=True),
    _r("", "v1", "PodTemplate", "podtemplates"),
    _r("apps", "v1", "Deployment", "deployments", short=["deploy"], all_cat=True),
    _r("apps", "v1", "StatefulSet", "statefulsets", short=["sts"], all_cat=True),
    _r("apps", "v1", "DaemonSet", "daemonsets", short=["ds"], all_cat=True),
    _r("apps", "v1", "ReplicaSet", "replicasets", short=["rs"], all_cat=True),
    _r("apps", "v1", "ControllerRevision", "controllerrevisions"),
    _r("batch", "v1", "Job", "jobs", all_cat=True),
    _r("batch", "v1", "CronJob", "cronjobs", short=["cj"], all_cat=True),
    _r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=["hpa"], all_cat=True),
    _r("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=["hpa"], all_cat=True),
    _r("networking.k8s.io", "v1", "Ingress", "ingresses", short=["ing"]),
    _r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    _r("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=["netpol"]),
    _r("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=["pdb"]),
    _r("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _r("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _r("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    _r("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _r("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
       ["crd", "crds"]),
    _r("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ["sc"]),
    _r("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
    _r("storage.k8s.io", "v1", "CSINode", "csinodes", False),
    _r("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False),
    _r("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, ["pc"]),
    _r("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
       "mutatingwebhookconfigurations", False),
    _r("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
       "validatingwebhookconfigurations", False),
    _r("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", False),
    _r("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
       "validatingadmissionpolicybindings", False),
    _r("coordination.k8s.io", "v1", "Lease", "leases"),
    _r("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    _r("events.k8s.io", "v1", "Event", "events", short=["ev"]),
    _r("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", False, ["csr"]),
    _r("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False),
    _r("apiregistration.k8s.io", "v1", "APIService", "apiservices", False),
    _r("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "flowschemas", False),
    _r("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration", "prioritylevelconfigurations", False),
)


def from_crd(crd: dict[str, Any]) -> list[ResourceType]:
    """The resource types a CustomResourceDefinition serves (one per served version)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    kind, plural = names.get("kind"), names.get("plural")
    if not kind or not plural or not spec.get("group"):
        return []
    return [ResourceType(spec["group"], v["name"], kind, plural, spec.get("scope", "Namespaced") == "Namespaced",
                         tuple(names.get("shortNames") or ()), tuple(names.get("categories") or ()))
            for v in spec.get("versions") or [] if v.get("name") and v.get("served", True)]


def lookup(api_version: str, kind: str, extra: Iterable[ResourceType] = ()) -> ResourceType | None:
    """The type serving ``api_version``/``kind`` among the built-ins and ``extra`` (CRDs)."""
    found = _builtin_index().get((api_version, kind))
    if found is not None:
        return found
    group, version = split_api_version(api_version)
    for rt in (*BUILTIN, *extra):  # spellings the index does not hold (``/v1``), and CRDs
        if rt.kind == kind and rt.group == group and rt.version == version:
            return rt
    return None


_BY_API_KIND: dict[tuple[str, str], ResourceType] = {}


def _builtin_index() -> dict[tuple[str, str], ResourceType]:
    """(apiVersion, kind) -> the first built-in serving it: every object read or written asks (1,000-object
    releases ask thousands of times), and the table has dozens of rows."""
    if not _BY_API_KIND:
        for rt in reversed(BUILTIN):  # the first row wins, as in a scan
            _BY_API_KIND[(rt.api_version, rt.kind)] = rt
    return _BY_API_KIND


def api_versions(extra: Iterable[ResourceType] = ()) -> list[str]:
    """``group/version`` and ``group/version/Kind`` strings, sorted (Helm's Capabilities.APIVersions)."""
    out: set[str] = set()
    for rt in (*BUILTIN, *extra):
        out.add(rt.api_version)
        out.add(f"{rt.api_version}/{rt.kind}")
    return sorted(out)
