"""Helm's lint rules: pure checks that turn a chart directory (and its rendered templates) into messages.

Messages and their order follow ``helm lint`` (v4): Chart.yaml rules, values.yaml, templates,
dependencies, crds. Rendering is not done here: the caller passes the rendered text of every template
file (``{"templates/x.yaml": text}``) or the render error, so this module stays free of the engine.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from helmpy import yamlutil
from helmpy.chart.loader import read_chart_file
from helmpy.chart.model import KNOWN_METADATA_KEYS, Chart, Metadata, is_semver, is_strict_semver
from helmpy.errors import HelmpyError

logger = logging.getLogger(__name__)

VALID_TEMPLATE_EXTENSIONS = (".yaml", ".yml", ".tpl", ".txt")
WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")


class Severity(IntEnum):
    """Helm's severities (the numbers are Helm's, so ``>=`` comparisons carry over)."""

    INFO = 1
    WARNING = 2
    ERROR = 4


@dataclass
class LintMessage:
    """One finding: ``[SEVERITY] path: text``."""

    severity: Severity
    path: str
    text: str

    def __str__(self) -> str:
        return f"[{self.severity.name}] {self.path}: {self.text}"


@dataclass
class Linter:
    """Collects the messages for one chart directory."""

    chart_dir: Path
    messages: list[LintMessage] = field(default_factory=list)

    def rule(self, severity: Severity, path: str, problem: str | None) -> bool:
        """Record ``problem`` (if any); True when the rule passed."""
        if problem is None:
            return True
        self.messages.append(LintMessage(severity, path, problem))
        return False


# --- Chart.yaml ---------------------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_url(text: str) -> bool:
    parsed = urlparse(text if "://" in text else "")
    return bool(parsed.scheme and parsed.netloc)


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if value is None:
        return "<nil>"
    return "string"


def lint_chartfile(linter: Linter) -> Metadata | None:
    """Chart.yaml rules; returns the parsed metadata when the file could be parsed."""
    name = "Chart.yaml"
    parsed = _parse_chartfile(linter, name)
    if parsed is None:
        return None
    raw, meta = parsed
    _lint_identity(linter, name, raw, meta)
    _lint_links(linter, name, meta)
    if meta.type and meta.api_version != "v2":
        linter.rule(Severity.ERROR, name,
                    f"chart type is not valid in apiVersion '{meta.api_version}'. It is valid in apiVersion 'v2'")
    if meta.dependencies and meta.api_version != "v2":
        linter.rule(Severity.ERROR, name, f"dependencies are not valid in the Chart file with apiVersion "
                    f"'{meta.api_version}'. They are valid in apiVersion 'v2'")
    if not is_strict_semver(meta.version):
        linter.rule(Severity.WARNING, name, f"version '{meta.version}' is not a valid SemVerV2")
    return meta


def _parse_chartfile(linter: Linter, name: str) -> tuple[dict[str, Any], Metadata] | None:
    """The raw map and the metadata of Chart.yaml, or None (with the rule recorded) when it cannot be read."""
    path = linter.chart_dir / name
    if path.is_dir():
        linter.rule(Severity.ERROR, name, "should be a file, not a directory")
        return None
    try:
        raw = yamlutil.load(read_chart_file(path), name, HelmpyError)
        if raw is not None and not isinstance(raw, dict):
            raise HelmpyError(f"{name}: must be a map of keys")
        meta = Metadata.from_dict(raw or {}, name)
    except (OSError, HelmpyError) as err:
        linter.rule(Severity.ERROR, name, f"unable to parse YAML\n\t{err}")
        return None
    return raw or {}, meta


def _lint_identity(linter: Linter, name: str, raw: dict[str, Any], meta: Metadata) -> None:
    """Unknown keys, name, apiVersion, and the types of version and appVersion."""
    unknown = sorted(str(k) for k in raw if k not in KNOWN_METADATA_KEYS)
    if unknown:  # Go's strict decoder stops at the first unknown key (keys sorted on the way to JSON)
        linter.rule(Severity.WARNING, name, "failed to strictly parse chart metadata file\n\terror unmarshaling "
                    f'JSON: while decoding JSON: json: unknown field "{unknown[0]}"')
    if not meta.name:
        linter.rule(Severity.ERROR, name, "name is required")
    elif "/" in meta.name or "\\" in meta.name or meta.name in (".", ".."):
        linter.rule(Severity.ERROR, name, f'chart name "{meta.name}" is invalid')
    if not meta.api_version:
        linter.rule(Severity.ERROR, name, 'apiVersion is required. The value must be either "v1" or "v2"')
    elif meta.api_version not in ("v1", "v2"):
        linter.rule(Severity.ERROR, name,
                    f"apiVersion '{meta.api_version}' is not valid. The value must be either \"v1\" or \"v2\"")
    for key in ("version", "appVersion"):
        if key in raw and _go_type(raw[key]) != "string":
            linter.rule(Severity.ERROR, name, f"{key} should be of type string but it's of type {_go_type(raw[key])}")
        if key == "version":
            _check_version(linter, meta.version)


def _lint_links(linter: Linter, name: str, meta: Metadata) -> None:
    """Maintainers (name, email, url), source URLs and the icon: the first bad one of each list is reported."""
    for m in meta.maintainers:
        if not m.name:
            linter.rule(Severity.ERROR, name, "each maintainer requires a name")
            break
        if m.email and not _EMAIL_RE.match(m.email):
            linter.rule(Severity.ERROR, name, f"invalid email '{m.email}' for maintainer '{m.name}'")
            break
        if m.url and not _is_url(m.url):
            linter.rule(Severity.ERROR, name, f"invalid url '{m.url}' for maintainer '{m.name}'")
            break
    for src in meta.sources:
        if not _is_url(src):
            linter.rule(Severity.ERROR, name, f"invalid source URL '{src}'")
            break
    if not meta.icon:
        linter.rule(Severity.INFO, name, "icon is recommended")
    elif not _is_url(meta.icon):
        linter.rule(Severity.ERROR, name, f"invalid icon URL '{meta.icon}'")


def _check_version(linter: Linter, version: str) -> None:
    if not version:
        linter.rule(Severity.ERROR, "Chart.yaml", "version is required")
    elif not is_semver(version):
        linter.rule(Severity.ERROR, "Chart.yaml", f"version '{version}' is not a valid SemVer")
    else:
        from helmpy.semverutil import parse_version

        if parse_version(version) <= parse_version("0.0.0-0"):
            linter.rule(Severity.ERROR, "Chart.yaml", f"version {version} is less than or equal to 0.0.0-0")


# --- values.yaml ----------------------------------------------------------------------------------------
def lint_values_file(linter: Linter, overrides: dict[str, Any] | None = None, skip_schema: bool = False) -> bool:
    """values.yaml exists (INFO otherwise), parses, and - overrides laid over it - meets values.schema.json."""
    from helmpy.values.coalesce import merge_maps
    from helmpy.values.schema import validate_against_schema

    name = "values.yaml"
    path = linter.chart_dir / name
    if not linter.rule(Severity.INFO, name, None if path.exists() else "file does not exist"):
        return False
    try:
        values = yamlutil.load_values(read_chart_file(path), name)
    except (OSError, HelmpyError) as err:
        linter.rule(Severity.ERROR, name, f"unable to parse YAML: {err}")
        return False
    schema_path = linter.chart_dir / "values.schema.json"
    if skip_schema or not schema_path.is_file():
        return True
    try:
        schema = read_chart_file(schema_path)
        if not schema.strip():
            return True
        problems = validate_against_schema(merge_maps(values, overrides or {}), schema)
    except HelmpyError as err:
        problems = [str(err)]
    return linter.rule(Severity.ERROR, name, "\n".join(problems) if problems else None)


# --- templates ----------------------------------------------------------------------------------------
def _name_problems(kind: str, name: str) -> list[str]:
    """Kubernetes' name rules for the kind; Helm's linter skips CertificateSigningRequests."""
    from helmpy.kube.names import name_problems

    return [] if kind.lower() == "certificatesigningrequest" else name_problems(kind, name)


def _metadata_name_problem(kind: str, name: str) -> str | None:
    problems = [f'metadata.name: Invalid value: "{name}": {p}' for p in _name_problems(kind, name)]
    if not problems:
        return None
    agg = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
    return f'object name does not conform to Kubernetes naming requirements: "{name}": {agg}'


def _top_indent_problem(content: str) -> str | None:
    for line in content.split("\n"):
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            return f'document starts with an illegal indent: "{line}", which may cause parsing problems'
        return None
    return None


def _yaml_docs(content: str, name: str) -> list[Any]:
    return [d for d in yamlutil.load_all(content, name, HelmpyError) if d is not None]


def lint_rendered_templates(linter: Linter, chart: Chart, rendered: dict[str, str]) -> None:
    """Per template file: extension, then for YAML files indent, parse, name and selector rules."""
    for tmpl in chart.templates:
        fname = tmpl.name
        ext = Path(fname).suffix
        if ext not in VALID_TEMPLATE_EXTENSIONS:
            linter.rule(Severity.ERROR, fname, f"file extension '{ext}' not valid. Valid extensions are .yaml, "
                        ".yml, .tpl, or .txt")
        if ext.lower() not in (".yaml", ".yml"):
            continue
        content = rendered.get(fname, "")
        if not content.strip():
            continue
        linter.rule(Severity.WARNING, fname, _top_indent_problem(content))
        try:
            docs = _yaml_docs(content, fname)
        except HelmpyError as err:
            linter.rule(Severity.ERROR, fname, f"unable to parse YAML: {err}")
            return
        for doc in docs:
            if not isinstance(doc, dict):
                linter.rule(Severity.ERROR, fname, f"unable to parse YAML: document is a {type(doc).__name__}, "
                            "not an object with apiVersion, kind and metadata")
                continue
            kind = str(doc.get("kind") or "")
            meta = doc.get("metadata")
            if not isinstance(meta, dict):
                meta = {}
            obj_name = str(meta.get("name") or "")
            if not doc.get("apiVersion") or not kind:
                linter.rule(Severity.ERROR, fname, f"object {obj_name!r} is missing apiVersion or kind")
            linter.rule(Severity.WARNING, fname, _metadata_name_problem(kind, obj_name))
            if kind in WORKLOAD_KINDS and "matchLabels" not in content and "matchExpressions" not in content:
                linter.rule(Severity.ERROR, fname,
                            f'a {kind} must contain matchLabels or matchExpressions, and "{obj_name}" does not')
            if kind == "List":
                for item in doc.get("items") or []:
                    ann = ((item or {}).get("metadata") or {}).get("annotations") or {}
                    if "helm.sh/resource-policy" in ann:
                        linter.rule(Severity.ERROR, fname,
                                    "annotation 'helm.sh/resource-policy' within List objects are ignored")
                        break


def lint_templates_dir(linter: Linter) -> bool:
    """``templates/`` exists (WARNING otherwise) and is a directory; True when templates can be linted."""
    path = linter.chart_dir / "templates"
    if not path.exists():
        linter.rule(Severity.WARNING, "templates/", "directory does not exist")
        return False
    return linter.rule(Severity.ERROR, "templates/", None if path.is_dir() else "not a directory")


# --- dependencies and crds ------------------------------------------------------------------------------
def lint_dependencies(linter: Linter, chart: Chart) -> None:
    """Declared vs present sub-charts (paths are the chart directory, as in Helm)."""
    where = str(linter.chart_dir)
    declared = [d.name for d in chart.metadata.dependencies]
    present = [c.name for c in chart.subcharts]
    undeclared = [n for n in present if n not in declared]
    if undeclared:
        linter.rule(Severity.ERROR, where, "chart metadata is missing these dependencies: " + ",".join(undeclared))
    seen: set[str] = set()
    dupes = []
    for d in chart.metadata.dependencies:
        if d.effective_name in seen:
            dupes.append(d.effective_name)
        seen.add(d.effective_name)
    if dupes:
        linter.rule(Severity.ERROR, where, "multiple dependencies with name or alias: " + ",".join(dupes))
    missing = [n for n in declared if n not in present]
    if missing:
        linter.rule(Severity.WARNING, where, "chart directory is missing these dependencies: " + ",".join(missing))


def lint_crds(linter: Linter, chart: Chart) -> None:
    """Every CRD file holds CustomResourceDefinitions of apiextensions.k8s.io."""
    crd_dir = linter.chart_dir / "crds"
    if not crd_dir.exists():
        return
    if not linter.rule(Severity.ERROR, "crds/", None if crd_dir.is_dir() else "not a directory"):
        return
    for f in chart.crds():
        try:
            docs = _yaml_docs(f.data.decode("utf-8", "replace"), f.name)
        except HelmpyError as err:
            linter.rule(Severity.ERROR, f.name, f"unable to parse YAML: {err}")
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            if not str(doc.get("apiVersion", "")).startswith("apiextensions.k8s.io"):
                linter.rule(Severity.ERROR, f.name, "apiVersion is not in 'apiextensions.k8s.io'")
            if doc.get("kind") != "CustomResourceDefinition":
                linter.rule(Severity.ERROR, f.name, "object kind is not 'CustomResourceDefinition'")
