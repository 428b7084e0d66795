"""The render pipeline shared by install, upgrade, template and lint.

Helm's order: enable/alias/import dependencies, check the chart's ``kubeVersion`` against the
cluster, coalesce values, validate them against the schemas, render, pull out NOTES, then split the
rendered files into hooks and install-ordered manifests. CRDs (``crds/``) are passed through raw.
"""

from __future__ import annotations

import importlib
import logging
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable

from helmpy.chart.model import Chart
from helmpy.engine.manifests import HookDoc, Manifest, manifest_text, sort_manifests
from helmpy.engine.render import NOTES_SUFFIX, Capabilities, Limits, MissingValue, ReleaseContext, Renderer
from helmpy.errors import ChartError
from helmpy.semverutil import satisfies
from helmpy.values.coalesce import coalesce_values

logger = logging.getLogger(__name__)


@dataclass
class RenderedRelease:
    """What a render produced, ready to print (template) or apply (install/upgrade)."""

    values: dict[str, Any]
    manifest: str
    manifests: list[Manifest]
    hooks: list[HookDoc]
    notes: str
    crds: list[tuple[str, bytes]]
    files: dict[str, str] = field(default_factory=dict)
    missing_values: list[MissingValue] = field(default_factory=list)


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    """A pipeline step written elsewhere; absent modules are skipped (so partial trees still render)."""
    try:
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
    except ModuleNotFoundError as err:
        if err.name != module:
            raise
        logger.debug("%s not available; skipping that step", module)
        return None


def check_kube_version(chart: Chart, caps: Capabilities) -> None:
    """Helm's gate: the chart's ``kubeVersion`` constraint must accept the cluster's version."""
    constraint = chart.metadata.kube_version
    if not constraint:
        return
    version = caps.normalized_kube_version()
    try:
        ok = satisfies(version, constraint)
    except ValueError:
        ok = False
    if not ok:
        raise ChartError(f"chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {version}")


def collect_notes(chart: Chart, files: dict[str, str], subchart_notes: bool) -> str:
    """The root chart's NOTES.txt (all charts' NOTES, newline-separated, with ``subchart_notes``)."""
    root_notes = posixpath.join(chart.name, "templates", NOTES_SUFFIX)
    parts = [text for name, text in files.items()
             if name.endswith(NOTES_SUFFIX) and (subchart_notes or name == root_notes)]
    return "\n".join(parts)


def render_release(chart: Chart, user_values: dict[str, Any], release: ReleaseContext, caps: Capabilities, *,
                   lookup: Callable[[str, str, str, str], dict] | None = None, skip_schema: bool = False,
                   strict: bool = False, subchart_notes: bool = False,
                   limits: Limits | None = None) -> RenderedRelease:
    """Render ``chart`` with ``user_values`` for ``release`` into manifests, hooks, notes and CRDs."""
    process_dependencies = _optional("helmpy.chart.dependencies", "process_dependencies")
    if process_dependencies is not None:
        result = process_dependencies(chart, user_values)
        if isinstance(result, Chart):
            chart = result
    check_kube_version(chart, caps)
    values = coalesce_values(chart, user_values)
    if not skip_schema:
        validate = _optional("helmpy.values.schema", "validate_chart_values")
        if validate is not None:
            validate(chart, values)
    renderer = Renderer(release, caps, lookup=lookup, limits=limits, strict=strict)
    files = renderer.render(chart, values)
    notes = collect_notes(chart, files, subchart_notes)
    hooks, manifests = sort_manifests(files)
    crds = [(path, f.data) for path, f in chart.crd_objects()]
    return RenderedRelease(values=values, manifest=manifest_text(manifests), manifests=manifests, hooks=hooks,
                           notes=notes, crds=crds, files=files, missing_values=list(renderer.missing))
