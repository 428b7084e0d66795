"""What a render is given, for both template engines: the release, the cluster's capabilities, and what it reports.

:class:`ReleaseContext` is ``.Release``, :class:`Capabilities` is ``.Capabilities`` (Helm 4's offline
defaults unless a cluster or flags say otherwise), :class:`MissingValue` is one missing value a template
used (what ``lint --strict`` reports) and :data:`LookupFn` is the signature of an injected ``lookup``. The
Jinja2 renderer (:mod:`helmpy.engine.jinjarender`) and the Go one (:mod:`helmpy.engine.gorender`) both take
these, so nothing here imports either engine.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmpy.semverutil import try_parse

if TYPE_CHECKING:
    from helmpy.chart.model import Chart

__all__ = ["DEFAULT_API_VERSIONS", "HELM_VERSION", "Capabilities", "KubeVersionView", "LookupFn", "MissingValue",
           "ReleaseContext", "VersionSet", "chart_tree", "is_partial"]

# Helm 4.1.4's built-in API versions for offline rendering (helm template without a cluster).
DEFAULT_API_VERSIONS: tuple[str, ...] = (
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
    "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1", "autoscaling/v2",
    "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1", "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
    "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
)
# The Helm release whose template behaviour helmpy follows (reported as Capabilities.HelmVersion).
HELM_VERSION = {"Version": "v4.1.4", "GitCommit": "", "GitTreeState": "", "GoVersion": "",
                "KubeClientVersion": "v1.35"}

LookupFn = Callable[[str, str, str, str], dict[str, Any]]


@dataclass
class ReleaseContext:
    """What ``Release`` shows templates."""

    name: str = "release-name"
    namespace: str = "default"
    revision: int = 1
    is_install: bool = True
    is_upgrade: bool = False
    service: str = "Helm"

    def template_view(self) -> dict[str, Any]:
        return {"Name": self.name, "Namespace": self.namespace, "IsInstall": self.is_install,
                "IsUpgrade": self.is_upgrade, "Revision": self.revision, "Service": self.service}


@dataclass
class Capabilities:
    """The cluster as templates see it (Helm's offline defaults unless a cluster or flags say otherwise)."""

    kube_version: str = "v1.35.0"
    api_versions: list[str] = field(default_factory=lambda: list(DEFAULT_API_VERSIONS))

    def normalized_kube_version(self) -> str:
        """``v<major>.<minor>.<patch>`` (what Helm 4 prints and compares against ``kubeVersion``)."""
        v = try_parse(self.kube_version)
        return f"v{v.major}.{v.minor}.{v.patch}" if v else self.kube_version

    def template_view(self) -> _CapabilitiesView:
        return _CapabilitiesView(self)


class KubeVersionView:
    """``Capabilities.KubeVersion``: prints as the normalised version."""

    def __init__(self, caps: Capabilities) -> None:
        v = try_parse(caps.kube_version)
        self.Version = caps.kube_version
        self.GitVersion = caps.kube_version
        self.Major = str(v.major) if v else ""
        self.Minor = str(v.minor) if v else ""
        self._text = caps.normalized_kube_version()

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text


class VersionSet(list):  # type: ignore[type-arg]
    """``Capabilities.APIVersions``: a list with Helm's ``Has``."""

    def Has(self, version: str) -> bool:  # noqa: N802 - Helm's spelling
        return version in self


class _CapabilitiesView:
    def __init__(self, caps: Capabilities) -> None:
        self.KubeVersion = KubeVersionView(caps)
        self.APIVersions = VersionSet(caps.api_versions)
        self.HelmVersion = dict(HELM_VERSION)


@dataclass(frozen=True)
class MissingValue:
    """A missing value a template used (printed, tested, iterated): what ``lint --strict`` reports."""

    template: str
    path: str

    def __str__(self) -> str:
        return f"{self.template}: {self.path}"


def chart_tree(chart: Chart) -> list[Chart]:
    """``chart`` and every sub-chart under it, parents before children (the order a render walks them)."""
    out = [chart]
    for sub in chart.subcharts:
        out.extend(chart_tree(sub))
    return out


def is_partial(name: str) -> bool:
    """A template file that only defines (``templates/_helpers.tpl``): never rendered on its own."""
    return posixpath.basename(name).startswith("_")
