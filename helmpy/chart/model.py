"""The chart model: Chart.yaml metadata, dependencies and the in-memory chart tree.

Field names and validation messages follow Helm's ``Metadata.Validate`` so charts behave the same in
both tools. Serialisation (``to_dict``) omits empty fields, which is what Helm writes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from helmpy.errors import ChartValidationError
from helmpy.lazyre import LazyPattern

TEMPLATE_ENGINE_ANNOTATION = "helmpy.io/template-engine"
JINJA2 = "jinja2"

_ALIAS_RE = LazyPattern(r"^[a-zA-Z0-9_-]+$")
# SemVer 2.0.0 (strict); the lenient form Helm accepts is helmpy.semverutil's.
_SEMVER_STRICT = LazyPattern(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def is_strict_semver(version: str) -> bool:
    """SemVer 2.0.0 exactly (what `helmpy` requires of chart versions)."""
    return bool(_SEMVER_STRICT.match(version))


def is_semver(version: str) -> bool:
    """Helm's lenient SemVer (``v1.2``, ``1``, ``01.2.3``) - accepted when reading other people's charts."""
    from helmpy.semverutil import try_parse

    return try_parse(version) is not None


def _sanitize(text: str) -> str:
    """Helm replaces unicode whitespace with spaces and drops non-printable runes."""
    if text.isprintable():  # the common case: nothing to do (ASCII space is printable, other spaces are not)
        return text
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif ch.isprintable() or unicodedata.category(ch) in ("Mn", "Mc"):
            out.append(ch)
    return "".join(out)


@dataclass
class Maintainer:
    """One entry of Chart.yaml ``maintainers``."""

    name: str = ""
    email: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("name", self.name), ("email", self.email), ("url", self.url)) if v}


@dataclass
class Dependency:
    """One entry of Chart.yaml ``dependencies``."""

    name: str = ""
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool | None = None
    import_values: list[Any] = field(default_factory=list)
    alias: str = ""

    @property
    def effective_name(self) -> str:
        return self.alias or self.name

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON field order, with its omitempty rules (name/repository always present)."""
        out: dict[str, Any] = {"name": self.name}
        if self.version:
            out["version"] = self.version
        out["repository"] = self.repository
        if self.condition:
            out["condition"] = self.condition
        if self.tags:
            out["tags"] = list(self.tags)
        if self.enabled:
            out["enabled"] = True
        if self.import_values:
            out["import-values"] = list(self.import_values)
        if self.alias:
            out["alias"] = self.alias
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Dependency:
        if not isinstance(data, dict):
            raise ChartValidationError(f"{where}: dependencies must not contain empty or null nodes")
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list):
            raise ChartValidationError(f"{where}: dependency {data.get('name')!r}: tags must be a list")
        iv = data.get("import-values") or []
        if not isinstance(iv, list):
            raise ChartValidationError(f"{where}: dependency {data.get('name')!r}: import-values must be a list")
        return cls(
            name=_str(data.get("name")),
            version=_str(data.get("version")),
            repository=_str(data.get("repository")),
            condition=_str(data.get("condition")),
            tags=[_str(t) for t in tags],
            enabled=data.get("enabled") if isinstance(data.get("enabled"), bool) else None,
            import_values=list(iv),
            alias=_str(data.get("alias")),
        )


def _str(value: Any) -> str:
    """Helm coerces scalars into string fields (``version: 1.0`` becomes ``"1"``... close enough)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Go struct field order of Helm's Metadata, used for JSON output.
_METADATA_ORDER = (
    "name", "home", "sources", "version", "description", "keywords", "maintainers", "icon",
    "apiVersion", "condition", "tags", "appVersion", "deprecated", "annotations", "kubeVersion",
    "dependencies", "type",
)
KNOWN_METADATA_KEYS = frozenset(_METADATA_ORDER)


@dataclass
class Metadata:
    """Chart.yaml (apiVersion v2 schema)."""

    name: str = ""
    version: str = ""
    api_version: str = ""
    app_version: str = ""
    description: str = ""
    type: str = ""
    keywords: list[str] = field(default_factory=list)
    home: str = ""
    sources: list[str] = field(default_factory=list)
    maintainers: list[Maintainer] = field(default_factory=list)
    icon: str = ""
    kube_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    dependencies: list[Dependency] = field(default_factory=list)
    condition: str = ""
    tags: str = ""
    unknown_keys: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Any, where: str = "Chart.yaml") -> Metadata:
        """Build from parsed YAML; shape errors name the key."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ChartValidationError(f"{where}: must be a map of keys, got {type(data).__name__}")

        def str_list(key: str) -> list[str]:
            value = data.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise ChartValidationError(f"{where}: key {key!r} must be a list of strings")
            return [_str(v) for v in value if v is not None]

        maint_raw = data.get("maintainers") or []
        if not isinstance(maint_raw, list):
            raise ChartValidationError(f"{where}: key 'maintainers' must be a list")
        maintainers = []
        for m in maint_raw:
            if not isinstance(m, dict):
                raise ChartValidationError(f"{where}: maintainers must not contain empty or null nodes")
            maintainers.append(Maintainer(_str(m.get("name")), _str(m.get("email")), _str(m.get("url"))))
        deps_raw = data.get("dependencies") or []
        if not isinstance(deps_raw, list):
            raise ChartValidationError(f"{where}: key 'dependencies' must be a list")
        annotations = data.get("annotations") or {}
        if not isinstance(annotations, dict):
            raise ChartValidationError(f"{where}: key 'annotations' must be a map of strings")
        return cls(
            name=_str(data.get("name")),
            version=_str(data.get("version")),
            api_version=_str(data.get("apiVersion")),
            app_version=_str(data.get("appVersion")),
            description=_str(data.get("description")),
            type=_str(data.get("type")),
            keywords=str_list("keywords"),
            home=_str(data.get("home")),
            sources=str_list("sources"),
            maintainers=maintainers,
            icon=_str(data.get("icon")),
            kube_version=_str(data.get("kubeVersion")),
            deprecated=bool(data.get("deprecated") or False),
            annotations={str(k): _str(v) for k, v in annotations.items()},
            dependencies=[Dependency.from_dict(d, where) for d in deps_raw],
            condition=_str(data.get("condition")),
            tags=_str(data.get("tags")),
            unknown_keys=sorted(str(k) for k in data if k not in KNOWN_METADATA_KEYS),
        )

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON form: struct field order, empty fields omitted."""
        values: dict[str, Any] = {
            "name": self.name,
            "home": self.home,
            "sources": list(self.sources),
            "version": self.version,
            "description": self.description,
            "keywords": list(self.keywords),
            "maintainers": [m.to_dict() for m in self.maintainers],
            "icon": self.icon,
            "apiVersion": self.api_version,
            "condition": self.condition,
            "tags": self.tags,
            "appVersion": self.app_version,
            "deprecated": self.deprecated,
            "annotations": dict(self.annotations),
            "kubeVersion": self.kube_version,
            "dependencies": [d.to_dict() for d in self.dependencies],
            "type": self.type,
        }
        return {k: values[k] for k in _METADATA_ORDER if values[k]}

    def template_view(self, is_root: bool) -> dict[str, Any]:
        """``.Chart`` as templates see it: Go field names, like Helm 4's map."""
        return {
            "Name": self.name, "Home": self.home, "Sources": list(self.sources), "Version": self.version,
            "Description": self.description, "Keywords": list(self.keywords),
            "Maintainers": [{"Name": m.name, "Email": m.email, "URL": m.url} for m in self.maintainers],
            "Icon": self.icon, "APIVersion": self.api_version, "Condition": self.condition,
            "Tags": self.tags, "AppVersion": self.app_version, "Deprecated": self.deprecated,
            "Annotations": dict(self.annotations) or None, "KubeVersion": self.kube_version,
            "Dependencies": [d.to_dict() for d in self.dependencies], "Type": self.type,
            "IsRoot": is_root,
        }

    @property
    def template_engine(self) -> str:
        return self.annotations.get(TEMPLATE_ENGINE_ANNOTATION, "go")

    def validate(self, where: str = "Chart.yaml") -> None:
        """Helm's load-time checks, in Helm's order; first failure wins."""
        for attr in ("name", "description", "home", "icon", "condition", "tags", "app_version", "kube_version"):
            setattr(self, attr, _sanitize(getattr(self, attr)))
        self.sources = [_sanitize(s) for s in self.sources]
        self.keywords = [_sanitize(k) for k in self.keywords]
        if not self.api_version:
            raise ChartValidationError(f"{where}: validation: chart.metadata.apiVersion is required")
        if self.api_version not in ("v1", "v2"):
            raise ChartValidationError(
                f"{where}: apiVersion {self.api_version!r} is not valid. The value must be either \"v1\" or \"v2\"")
        if not self.name:
            raise ChartValidationError(f"{where}: validation: chart.metadata.name is required")
        if self.name in (".", ".."):
            raise ChartValidationError(f"{where}: validation: chart.metadata.name {self.name!r} is not allowed")
        if "/" in self.name or "\\" in self.name:
            raise ChartValidationError(f"{where}: validation: chart.metadata.name {self.name!r} is invalid")
        if not self.version:
            raise ChartValidationError(f"{where}: validation: chart.metadata.version is required")
        if not is_semver(self.version):
            raise ChartValidationError(
                f"{where}: validation: chart.metadata.version {self.version!r} is invalid"
                " (must be SemVer 2, e.g. 1.2.3)")
        if self.type not in ("", "application", "library"):
            raise ChartValidationError(
                f"{where}: validation: chart.metadata.type must be application or library, got {self.type!r}")
        seen: set[str] = set()
        for dep in self.dependencies:
            if not dep.name:
                raise ChartValidationError(f"{where}: validation: dependency name is required")
            if dep.alias and not _ALIAS_RE.match(dep.alias):
                raise ChartValidationError(
                    f"{where}: validation: dependency {dep.name!r} has disallowed characters in the alias")
            if dep.effective_name in seen:
                raise ChartValidationError(
                    f"{where}: validation: more than one dependency with name or alias {dep.effective_name!r}")
            seen.add(dep.effective_name)
            if dep.version and not _valid_constraint(dep.version):
                raise ChartValidationError(
                    f"{where}: validation: dependency {dep.name!r} has an invalid version constraint {dep.version!r}")


def _valid_constraint(text: str) -> bool:
    from helmpy.semverutil import parse_constraint

    try:
        parse_constraint(text)
    except ValueError:
        return False
    return True


@dataclass
class File:
    """A file of a chart, path relative to the chart root with ``/`` separators."""

    name: str
    data: bytes
    modtime: datetime | None = None


@dataclass
class Lock:
    """Chart.lock."""

    generated: str = ""
    digest: str = ""
    dependencies: list[Dependency] = field(default_factory=list)


@dataclass
class Chart:
    """A loaded chart: metadata, values, templates, files and sub-charts (a tree)."""

    metadata: Metadata
    values: dict[str, Any] = field(default_factory=dict)
    raw_values: bytes = b""
    schema: bytes | None = None
    templates: list[File] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    lock: Lock | None = None
    raw_lock: bytes | None = None
    subcharts: list[Chart] = field(default_factory=list)
    parent: Chart | None = field(default=None, repr=False)
    modtime: datetime | None = None
    schema_modtime: datetime | None = None
    has_values_file: bool = False  # the source had a values.yaml (Helm saves one only then)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def full_path(self) -> str:
        """``parent/charts/child`` - the prefix Helm gives template names."""
        if self.parent is None:
            return self.name
        return f"{self.parent.full_path()}/charts/{self.name}"

    def add_subchart(self, child: Chart) -> None:
        child.parent = self
        self.subcharts.append(child)

    def crds(self) -> list[File]:
        """Files under ``crds/`` ending in .yaml/.yml/.json (never templated)."""
        return [f for f in self.files if f.name.startswith("crds/")
                and f.name.lower().rsplit(".", 1)[-1] in ("yaml", "yml", "json")]

    def crd_objects(self) -> list[tuple[str, File]]:
        """CRD files of this chart and its sub-charts, with their full display path."""
        out = [(f"{self.full_path()}/{f.name}", f) for f in self.crds()]
        for sub in self.subcharts:
            out.extend(sub.crd_objects())
        return out

    def uses_jinja(self) -> bool:
        return self.metadata.template_engine == JINJA2
