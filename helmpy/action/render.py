"""The render pipeline shared by install, upgrade, template and lint.

Helm's order: enable/alias/import dependencies, check the chart's ``kubeVersion`` against the
cluster, coalesce values, validate them against the schemas, render, pull out NOTES, then split the
rendered files into hooks and install-ordered manifests. CRDs (``crds/``) are passed through raw.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmpy.chart.model import Chart
from helmpy.diskcache import ValueCache
from helmpy.engine.codestore import set_code_store
from helmpy.engine.manifests import (
    HookDoc,
    Manifest,
    collect_documents,
    in_install_order,
    manifest_text,
    rendered_files_text,
)
from helmpy.engine.render import NOTES_SUFFIX, Capabilities, Limits, MissingValue, ReleaseContext, Renderer
from helmpy.errors import ChartError, HelmpyError, RenderError
from helmpy.gctune import paused_collection
from helmpy.values.coalesce import coalesce_values
from helmpy.yamlcache import YAML_PARSER_MODULES, yaml_settings

if TYPE_CHECKING:
    from helmpy.action.postrender import PostRenderer

logger = logging.getLogger(__name__)

_HEADS = ValueCache("rendered-heads", 1, depends_on=("helmpy.engine.manifests", "helmpy.engine.headscan",
                                                     *YAML_PARSER_MODULES), settings=yaml_settings)


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


@dataclass
class PartialRender:
    """What a render that failed after the release was built leaves behind (Helm's partial release).

    ``manifest`` holds the raw rendered files when only the YAML split failed ("" for template or kubeVersion
    errors), ``hooks`` the hooks found before the failing file. ``helmpy template --debug`` prints both so the
    author can see the line a YAML error names.
    """

    manifest: str = ""
    hooks: list[HookDoc] = field(default_factory=list)


_PARTIAL_ATTR = "partial_render"


def partial_render(err: BaseException) -> PartialRender | None:
    """The partial release a :func:`render_release` error carries; None for errors before rendering started
    (dependencies, values, schema)."""
    value = getattr(err, _PARTIAL_ATTR, None)
    return value if isinstance(value, PartialRender) else None


def use_template_cache() -> None:
    """Install the on-disk compiled-template cache (unless HELMPY_TEMPLATE_CACHE=0) for the next renders.

    Compiling a chart costs 20-70 ms per run (a large Go chart's parse seconds); entries are keyed by content
    hashes and verified when read (:class:`helmpy.action.codecache.TemplateCodeCache`).
    """
    from helmpy import limits

    if not limits.env_switch(limits.TEMPLATE_CACHE_ENV):
        set_code_store(None)
        return
    from helmpy.action.codecache import TemplateCodeCache

    set_code_store(TemplateCodeCache())


def head_store() -> ValueCache | None:
    """The parsed-inputs cache of rendered documents' heads (None when ``HELMPY_PARSE_CACHE=0``): scanning the
    1,000 documents of a large chart costs ~0.2 s, reading their heads back one small file per template."""
    from helmpy.diskcache import parse_cache_store

    return _HEADS if parse_cache_store() is not None else None


def _has_schema(chart: Chart) -> bool:
    return chart.schema is not None or any(_has_schema(sub) for sub in chart.subcharts)


def _declares_dependencies(chart: Chart) -> bool:
    return bool(chart.metadata.dependencies) or any(_declares_dependencies(sub) for sub in chart.subcharts)


def check_kube_version(chart: Chart, caps: Capabilities) -> None:
    """Helm's gate: the chart's ``kubeVersion`` constraint must accept the cluster's version."""
    constraint = chart.metadata.kube_version
    if not constraint:
        return
    from helmpy.semverutil import satisfies  # here: only a chart with a kubeVersion constraint needs it

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


def compute_values(chart: Chart, user_values: dict[str, Any], caps: Capabilities, *,
                   skip_schema: bool = False, check_kube: bool = True) -> dict[str, Any]:
    """The first half of the pipeline: dependencies enabled, kubeVersion checked, values coalesced and validated.

    ``chart`` is modified in place (disabled sub-charts removed, aliases applied), as Helm does.
    ``check_kube=False`` leaves the kubeVersion gate to the caller (:func:`render_release` runs it while
    rendering, after the schema, as Helm does).
    """
    if _declares_dependencies(chart):  # nothing to enable, alias or import otherwise
        from helmpy.chart.dependencies import process_dependencies

        process_dependencies(chart, user_values)
    if check_kube:
        check_kube_version(chart, caps)
    values = coalesce_values(chart, user_values)
    if not skip_schema and _has_schema(chart):
        from helmpy.values.schema import validate_chart_values  # jsonschema is slow to import: only when needed

        validate_chart_values(chart, values)
    return values


@paused_collection()  # a render keeps what it builds: the cyclic collector would only re-scan it
def render_release(chart: Chart, user_values: dict[str, Any], release: ReleaseContext, caps: Capabilities, *,
                   lookup: Callable[[str, str, str, str], dict] | None = None, skip_schema: bool = False,
                   strict: bool = False, subchart_notes: bool = False,
                   limits: Limits | None = None, post_renderer: PostRenderer | None = None) -> RenderedRelease:
    """Render ``chart`` with ``user_values`` for ``release`` into manifests, hooks, notes and CRDs.

    ``post_renderer`` gets every rendered manifest and hook before they are split and sorted (Helm's place).

    An error from the render stage (kubeVersion gate, templates, rendered YAML) carries a
    :class:`PartialRender` (see :func:`partial_render`), like the partial release Helm returns.
    """
    values = compute_values(chart, user_values, caps, skip_schema=skip_schema, check_kube=False)
    use_template_cache()
    renderer = Renderer(release, caps, lookup=lookup, limits=limits, strict=strict)
    partial = PartialRender()
    hooks: list[HookDoc] = partial.hooks
    manifests: list[Manifest] = []
    try:
        check_kube_version(chart, caps)
        files = renderer.render(chart, values)
    except HelmpyError as err:
        setattr(err, _PARTIAL_ATTR, partial)
        raise
    if post_renderer is not None:  # its errors are the user's tool's, not the chart's: no partial render
        files = post_renderer.run(files)
    try:
        collect_documents(files, hooks, manifests, head_store())
    except RenderError as err:
        partial.manifest = rendered_files_text(files)
        setattr(err, _PARTIAL_ATTR, partial)
        raise
    notes = collect_notes(chart, files, subchart_notes)
    hooks, manifests = in_install_order(hooks, manifests)
    crds = [(path, f.data) for path, f in chart.crd_objects()]
    return RenderedRelease(values=values, manifest=manifest_text(manifests), manifests=manifests, hooks=hooks,
                           notes=notes, crds=crds, files=files, missing_values=list(renderer.missing))
