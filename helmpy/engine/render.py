"""Render a chart's templates into files, each (sub-)chart with its own engine: Jinja2 or Go.

``render(chart, values, release, caps)`` returns ``{"<chart path>/templates/<file>": text}`` for every
enabled (sub-)chart. A chart annotated ``helmpy.io/template-engine: jinja2`` renders in
:mod:`helmpy.engine.jinjarender`, any other (as in Helm) in :mod:`helmpy.engine.gorender`; one release may
mix both, under one budget. Each engine is imported only when the chart tree has a chart of its kind, so a
Go chart's render never imports Jinja2 and a Jinja2 chart's never the Go engine. The engines are pure: no
file system, no network (``lookup`` is injected).

The engine-neutral types live in :mod:`helmpy.engine.context` (release, capabilities, missing values) and
:mod:`helmpy.engine.guard` (limits); they are importable from here too.
"""

from __future__ import annotations

from typing import Any

from helmpy.chart.model import Chart
from helmpy.engine import budget
from helmpy.engine.context import (
    DEFAULT_API_VERSIONS,
    HELM_VERSION,
    Capabilities,
    LookupFn,
    MissingValue,
    ReleaseContext,
    chart_tree,
    is_partial,
)
from helmpy.engine.guard import Guard, Limits

__all__ = [
    "DEFAULT_API_VERSIONS",
    "HELM_VERSION",
    "NOTES_SUFFIX",
    "Capabilities",
    "Limits",
    "LookupFn",
    "MissingValue",
    "ReleaseContext",
    "Renderer",
    "is_partial",
    "render",
]

NOTES_SUFFIX = "NOTES.txt"


class Renderer:
    """One render: shared limits budget, strict-mode policy and the record of missing values used."""

    def __init__(self, release: ReleaseContext | None = None, caps: Capabilities | None = None, *,
                 lookup: LookupFn | None = None, limits: Limits | None = None, strict: bool = False,
                 lint_mode: bool = False) -> None:
        self.release = release or ReleaseContext()
        self.lint_mode = lint_mode
        self.caps = caps or Capabilities()
        self.lookup = lookup
        self.limits = limits or Limits()
        self.strict = strict
        self.missing: list[MissingValue] = []

    def render(self, chart: Chart, values: dict[str, Any]) -> dict[str, str]:
        """Render every template of ``chart`` and its sub-charts; ``values`` are the root's coalesced values.

        Jinja2 charts (annotated ``helmpy.io/template-engine: jinja2``) render in
        :class:`helmpy.engine.jinjarender.JinjaRenderer`, Go charts in
        :class:`helmpy.engine.gorender.GoRenderer`; one release may mix both, under one budget.
        """
        charts = chart_tree(chart)
        guard = Guard(self.limits)
        with budget.active(guard), budget.deadline_alarm(guard):
            out: dict[str, str] = {}
            if any(c.uses_jinja() and c.templates for c in charts):
                from helmpy.engine.jinjarender import JinjaRenderer  # only Jinja2 charts pay for importing Jinja2

                jinja = JinjaRenderer(self.release, self.caps, lookup=self.lookup, strict=self.strict,
                                      missing=self.missing)
                out.update(jinja.render(chart, values, guard))
            if any(not c.uses_jinja() and c.templates for c in charts):
                from helmpy.engine.gorender import GoRenderer  # only Go charts pay for importing the engine

                go = GoRenderer(self.release, self.caps, lookup=self.lookup, limits=self.limits,
                                strict=self.strict, lint_mode=self.lint_mode)
                out.update(go.render(chart, values, guard))
            return out


def render(chart: Chart, values: dict[str, Any], release: ReleaseContext, caps: Capabilities, *,
           lookup: LookupFn | None = None, limits: Limits | None = None, strict: bool = False,
           missing: list[MissingValue] | None = None) -> dict[str, str]:
    """Render all templates of ``chart`` (and enabled sub-charts) into ``{path: text}``.

    ``missing``, when given, receives the missing values templates used (for ``lint``).
    """
    renderer = Renderer(release, caps, lookup=lookup, limits=limits, strict=strict)
    try:
        return renderer.render(chart, values)
    finally:
        if missing is not None:
            missing.extend(renderer.missing)
