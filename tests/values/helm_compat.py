"""Helpers comparing helmpy's values pipeline with what the real Helm renders.

Test charts use Go templates that print ``.Values`` as JSON; Helm renders them, and helmpy computes
the same views (merge user values, process dependencies, coalesce, scope per chart) without a
template engine, so the comparison isolates the values logic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helmpy.chart.dependencies import check_dependencies, process_dependencies
from helmpy.chart.loader import load
from helmpy.chart.model import Chart
from helmpy.values.coalesce import coalesce_values, scoped_values
from helmpy.values.options import ValueOptions

VALUES_TEMPLATE = '{{ toJson (dict "chart" .Chart.Name "values" .Values) }}\n'


def write_chart(root: Path, name: str = "c", values: str = "", schema: str | None = None) -> Path:
    """A minimal Go-template chart whose only template prints its values as JSON."""
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "values.yaml").write_text(VALUES_TEMPLATE)
    if schema is not None:
        (chart / "values.schema.json").write_text(schema)
    return chart


def options_from_flags(flags: list[str]) -> ValueOptions:
    """Helm-style flag list -> ValueOptions (the same flags go to the real Helm)."""
    names = {"-f": "values_files", "--values": "values_files", "--set": "set_values",
             "--set-string": "set_string", "--set-json": "set_json", "--set-file": "set_file",
             "--set-literal": "set_literal"}
    opts = ValueOptions()
    it = iter(flags)
    for flag in it:
        getattr(opts, names[flag]).append(next(it))
    return opts


def helm_views(helm: Callable[..., Any], chart: Path, flags: list[str]) -> dict[str, Any]:
    """``{template source path: parsed JSON}`` from ``helm template``."""
    out = helm("template", "r", str(chart), *flags).stdout
    views: dict[str, Any] = {}
    for doc in out.split("---\n"):
        lines = doc.strip().splitlines()
        if not lines or not lines[0].startswith("# Source: "):
            continue
        views[lines[0][len("# Source: "):]] = json.loads("\n".join(lines[1:]))
    return views


def _walk(chart: Chart) -> list[Chart]:
    out = [chart]
    for sub in chart.subcharts:
        out.extend(_walk(sub))
    return out


def helmpy_chart_values(chart_dir: Path, flags: list[str]) -> tuple[Chart, dict[str, Any]]:
    """The processed chart tree and its final coalesced values, computed by helmpy."""
    chart = load(chart_dir)
    user = options_from_flags(flags).merge()
    check_dependencies(chart)
    process_dependencies(chart, user)
    return chart, coalesce_values(chart, user)


def helmpy_views(chart_dir: Path, flags: list[str]) -> dict[str, Any]:
    """What each chart's ``{chart, values}`` template would print, computed by helmpy."""
    chart, values = helmpy_chart_values(chart_dir, flags)
    return {f"{c.full_path()}/templates/values.yaml": {"chart": c.name, "values": scoped_values(values, c)}
            for c in _walk(chart)}
