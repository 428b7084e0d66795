"""Helm 4's built-in objects as Go templates see them: ``.Chart``, ``.Release``, ``.Capabilities``, ``.Files``.

Helm 4 hands templates maps for ``.Chart`` (the Chart.yaml metadata turned into a map by reflection,
Go field names, plus ``IsRoot``), ``.Release`` and ``.Template``, so they print as ``map[...]``; ``.Capabilities``
is a ``*common.Capabilities`` struct and ``.Files`` a map type with methods, so they are
:class:`~helmpy.engine.gotemplate.values.GoObject` s here, printing as Go prints them
(``{{ .Capabilities.KubeVersion }}`` is ``v1.35.0`` through its ``String`` method; ``{{ .Capabilities }}``
is the struct form ``{{v1.35.0 v1.35.0 1 35} [v1 ...] {v4.1.4 ...}}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from helmpy.engine.files import Files
from helmpy.engine.gotemplate.fmt import format_value
from helmpy.engine.gotemplate.funcs._goval import from_bytes
from helmpy.engine.gotemplate.values import GoMethod
from helmpy.errors import SandboxViolation
from helmpy.semverutil import try_parse

if TYPE_CHECKING:
    from helmpy.chart.model import Chart, Metadata
    from helmpy.engine.context import Capabilities

STRING = "string"

# The build Helm 4.1.4 reports as ``.Capabilities.HelmVersion`` (``helm version``).
HELM_BUILD = {"Version": "v4.1.4", "GitCommit": "05fa37973dc9e42b76e1d2883494c87174b6074f",
              "GitTreeState": "clean", "GoVersion": "go1.25.9", "KubeClientVersion": "v1.35"}
_BUILD_FIELDS = ("Version", "GitCommit", "GitTreeState", "GoVersion", "KubeClientVersion")


class KubeVersion:
    """``common.KubeVersion``: fields Version/Major/Minor, methods String and GitVersion."""

    go_type = "common.KubeVersion"

    def __init__(self, version: str) -> None:
        v = try_parse(version)
        self.version = version if version.startswith("v") else f"v{version}"
        self.normalized = f"v{v.major}.{v.minor}.{v.patch}" if v else ""
        self.major = str(v.major) if v else ""
        self.minor = str(v.minor) if v else ""

    def go_member(self, name: str) -> object:
        if name == "Version":
            return self.version
        if name == "Major":
            return self.major
        if name == "Minor":
            return self.minor
        if name == "GitVersion":
            return GoMethod(lambda: self.version, name, ())
        if name == "String":
            return GoMethod(self.go_string, name, ())
        raise KeyError(name)

    def go_string(self) -> str:
        return self.normalized or self.version

    def go_fmt_string(self) -> str:
        """How fmt prints the struct value (``String`` is a method of the pointer type only)."""
        return f"{{{self.version} {self.normalized} {self.major} {self.minor}}}"


class VersionSet(list):  # type: ignore[type-arg]
    """``common.VersionSet`` (a ``[]string``) with its ``Has`` method."""

    go_type = "common.VersionSet"

    def go_member(self, name: str) -> object:
        if name == "Has":
            return GoMethod(lambda version: version in self, name, (STRING,))
        raise KeyError(name)

    def go_string(self) -> str:
        return format_value(list(self))


class BuildInfo:
    """``version.BuildInfo``: Helm's own version, a plain struct."""

    go_type = "version.BuildInfo"

    def __init__(self, info: dict[str, str]) -> None:
        self.info = info

    def go_member(self, name: str) -> object:
        if name in _BUILD_FIELDS:
            return self.info.get(name, "")
        raise KeyError(name)

    def go_string(self) -> str:
        return "{" + " ".join(self.info.get(f, "") for f in _BUILD_FIELDS) + "}"


class GoCapabilities:
    """``*common.Capabilities``: KubeVersion, APIVersions and HelmVersion."""

    go_type = "*common.Capabilities"

    def __init__(self, caps: Capabilities) -> None:
        self.kube_version = KubeVersion(caps.kube_version)
        self.api_versions = VersionSet(caps.api_versions)
        self.helm_version = BuildInfo(HELM_BUILD)

    def go_member(self, name: str) -> object:
        if name == "KubeVersion":
            return self.kube_version
        if name == "APIVersions":
            return self.api_versions
        if name == "HelmVersion":
            return self.helm_version
        raise KeyError(name)

    def go_string(self) -> str:
        return (f"{{{self.kube_version.go_fmt_string()} {self.api_versions.go_string()} "
                f"{self.helm_version.go_string()}}}")

    def go_fmt_string(self) -> str:
        """fmt prints a pointer to a struct as ``&{...}`` (an action dereferences it first)."""
        return "&" + self.go_string()


class GoFiles(dict):  # type: ignore[type-arg]
    """Helm's ``files`` (``map[string][]byte`` with methods) over :class:`helmpy.engine.files.Files`.

    A map, so ``range $path, $bytes := .Files.Glob "x/*"`` and ``len`` work and it prints as Go prints
    the map; its methods are reached before its keys, as in Go. A path that could leave the chart
    names no file of the map, so it reads as a missing file (Helm: empty), never as a look at the disk.
    """

    go_type = "engine.files"

    def __init__(self, files: Files) -> None:
        super().__init__((name, files.GetBytes(name)) for name in files.names())
        self.files = files

    @staticmethod
    def _safe(fn: Callable[[str], object], empty: object) -> Callable[[str], object]:
        def call(name: str) -> object:
            try:
                return fn(name)
            except SandboxViolation:
                return empty
        return call

    def go_member(self, name: str) -> object:
        f = self.files
        if name == "Get":  # Go's string(bytes): bytes that are not UTF-8 stay as they are (b64enc of a .bz2)
            return GoMethod(self._safe(lambda path: from_bytes(f.GetBytes(path)), ""), name, (STRING,))
        if name == "GetBytes":
            return GoMethod(self._safe(f.GetBytes, b""), name, (STRING,))
        if name == "Lines":
            return GoMethod(self._safe(f.Lines, []), name, (STRING,))
        if name == "Glob":
            return GoMethod(lambda pattern: GoFiles(f.Glob(pattern)), name, (STRING,))
        if name == "AsConfig":
            return GoMethod(f.AsConfig, name, ())  # Helm 4: an empty set is "{}" too
        if name == "AsSecrets":
            return GoMethod(f.AsSecrets, name, ())
        raise KeyError(name)

    def go_string(self) -> str:
        return format_value(dict(self))


def chart_map(chart: Chart) -> dict[str, object]:
    """``.Chart``: Helm 4's ``MetadataAsMap`` (every Metadata field by Go name, lists never nil) + ``IsRoot``."""
    md: Metadata = chart.metadata
    return {
        "Name": md.name, "Home": md.home, "Sources": list(md.sources), "Version": md.version,
        "Description": md.description, "Keywords": list(md.keywords),
        "Maintainers": [{"Name": m.name, "Email": m.email, "URL": m.url} for m in md.maintainers],
        "Icon": md.icon, "APIVersion": md.api_version, "Condition": md.condition, "Tags": md.tags,
        "AppVersion": md.app_version, "Deprecated": md.deprecated, "Annotations": dict(md.annotations),
        "KubeVersion": md.kube_version,
        "Dependencies": [{"Name": d.name, "Version": d.version, "Repository": d.repository,
                          "Condition": d.condition, "Tags": list(d.tags), "Enabled": bool(d.enabled),
                          "ImportValues": list(d.import_values), "Alias": d.alias} for d in md.dependencies],
        "Type": md.type, "IsRoot": chart.is_root,
    }


def files_object(chart: Chart) -> GoFiles:
    """``.Files``: the chart's non-template files."""
    return GoFiles(Files({f.name: f.data for f in chart.files}))
