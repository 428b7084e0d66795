"""Build small in-memory Jinja2 charts and render them."""

from __future__ import annotations

from typing import Any

import pytest

from helmpy.chart.model import JINJA2, TEMPLATE_ENGINE_ANNOTATION, Chart, File, Metadata
from helmpy.engine.render import Capabilities, Limits, ReleaseContext, render
from helmpy.values.coalesce import coalesce_values


def make_chart(name: str = "web", templates: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               files: dict[str, bytes] | None = None, jinja: bool = True, **meta: Any) -> Chart:
    annotations = {TEMPLATE_ENGINE_ANNOTATION: JINJA2} if jinja else {}
    metadata = Metadata(name=name, version=meta.pop("version", "0.1.0"), api_version="v2",
                        annotations=annotations, **meta)
    return Chart(metadata=metadata, values=values or {},
                 templates=[File(f"templates/{k}", v.encode()) for k, v in (templates or {}).items()],
                 files=[File(k, v) for k, v in (files or {}).items()])


def render_chart(chart: Chart, user_values: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, str]:
    release = kwargs.pop("release", ReleaseContext())
    caps = kwargs.pop("caps", Capabilities())
    return render(chart, coalesce_values(chart, user_values or {}), release, caps, **kwargs)


def render_one(source: str, values: dict[str, Any] | None = None, **kwargs: Any) -> str:
    """Render a single template ``templates/t.yaml`` of a chart ``web`` and return its text."""
    extra = kwargs.pop("templates", {})
    chart = make_chart(templates={"t.yaml": source, **extra}, values=values or {},
                       files=kwargs.pop("files", None))
    return render_chart(chart, kwargs.pop("user_values", None), **kwargs)["web/templates/t.yaml"]


@pytest.fixture
def r():
    return render_one


@pytest.fixture
def fast_limits() -> Limits:
    return Limits(timeout_seconds=1.0, max_output_bytes=1_000_000, max_recursion=20)
