"""Which sub-charts take part in a render: aliases, tags, conditions and import-values.

This is Helm's ``ProcessDependencies`` (helm-reference 4.4/4.5), run on a loaded chart before
values are coalesced for rendering. It changes the chart tree in place: aliased sub-charts become
renamed copies, disabled sub-charts and their Chart.yaml entries disappear, kept entries get
``enabled: true``, and each chart with dependencies gets its values replaced by its merged values
with imported child tables underneath.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from helmpy.chart.model import Chart, Dependency
from helmpy.errors import DependencyError
from helmpy.semverutil import satisfies
from helmpy.values.coalesce import coalesce_values, merge_tables, merge_values

logger = logging.getLogger(__name__)

TAGS_KEY = "tags"


class _NoValue(Exception):
    """A dotted path does not lead to a value."""


def check_dependencies(chart: Chart) -> None:
    """Fail when a Chart.yaml dependency has no sub-chart under ``charts/`` (by name or alias)."""
    present = {sub.name for sub in chart.subcharts}
    missing = [dep.name for dep in chart.metadata.dependencies
               if dep.name not in present and not (dep.alias and dep.alias in present)]
    if missing:
        raise DependencyError(
            f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}",
            hint="run 'helmpy dependency build' (or 'update') to fetch them")


def process_dependencies(chart: Chart, user_values: dict[str, Any]) -> None:
    """Enable/disable, alias and import sub-chart values in place, like Helm before rendering."""
    _process_enabled(chart, user_values or {}, "")
    _process_imports_tree(chart)


def is_compatible_range(constraint: str, version: str) -> bool:
    """Helm's ``IsCompatibleRange``: an empty or invalid constraint matches nothing."""
    if not constraint.strip():
        return False  # Masterminds semver refuses an empty constraint; Helm then treats it as no match
    try:
        return satisfies(version, constraint)
    except ValueError:
        return False


def _copy_tree(chart: Chart) -> Chart:
    """A copy whose metadata and sub-chart list can change without touching the original.

    Helm copies one level and shares deeper metadata between aliases; copying the whole tree
    keeps two aliases of one chart independent.
    """
    out = copy.copy(chart)
    out.metadata = copy.deepcopy(chart.metadata)
    out.parent = None
    out.subcharts = []
    for sub in chart.subcharts:
        out.add_subchart(_copy_tree(sub))
    return out


def _alias_copy(subcharts: list[Chart], dep: Dependency) -> Chart | None:
    for sub in subcharts:
        if sub.name != dep.name or not is_compatible_range(dep.version, sub.metadata.version):
            continue
        out = _copy_tree(sub)
        if dep.alias:
            out.metadata.name = dep.alias
        return out
    return None


def _set_subcharts(chart: Chart, subcharts: list[Chart]) -> None:
    chart.subcharts = []
    for sub in subcharts:
        chart.add_subchart(sub)


def _process_enabled(chart: Chart, values: dict[str, Any], path: str) -> None:
    deps = chart.metadata.dependencies
    if not deps:
        return
    originals = list(chart.subcharts)
    kept = [sub for sub in originals
            if not any(sub.name == dep.name and is_compatible_range(dep.version, sub.metadata.version)
                       for dep in deps)]
    for dep in deps:
        aliased = _alias_copy(originals, dep)
        if aliased is not None:
            kept.append(aliased)
        if dep.alias:
            dep.name = dep.alias
    _set_subcharts(chart, kept)

    for dep in deps:
        dep.enabled = True
    cvals = coalesce_values(chart, values)
    _apply_tags(deps, cvals)
    _apply_conditions(deps, cvals, path)

    removed = {dep.name for dep in deps if not dep.enabled}
    if removed:
        logger.debug("disabled sub-charts chart=%s removed=%s", chart.name, sorted(removed))
    subcharts = [sub for sub in chart.subcharts if sub.name not in removed]
    declared = [dep for dep in deps if dep.name not in removed]
    for sub in subcharts:
        _process_enabled(sub, cvals, f"{path}{sub.name}.")
    chart.metadata.dependencies = declared
    _set_subcharts(chart, subcharts)


def _apply_tags(deps: list[Dependency], cvals: dict[str, Any]) -> None:
    """A dependency is off when one of its tags is false and none is true."""
    tags = cvals.get(TAGS_KEY)
    if not isinstance(tags, dict):
        return
    for dep in deps:
        has_true = has_false = False
        for tag in dep.tags:
            if tag not in tags:
                continue
            value = tags[tag]
            if isinstance(value, bool):
                has_true = has_true or value
                has_false = has_false or not value
            else:
                logger.warning("returned non-bool value tag=%s chart=%s", tag, dep.name)
        dep.enabled = has_true or not has_false


def _apply_conditions(deps: list[Dependency], cvals: dict[str, Any], path: str) -> None:
    """The first condition path holding a bool decides (and overrides tags)."""
    for dep in deps:
        for cond in dep.condition.strip().split(","):
            if not cond:
                continue
            try:
                value = path_value(cvals, path + cond)
            except _NoValue:
                continue
            if isinstance(value, bool):
                dep.enabled = value
                break
            logger.warning("returned non-bool value path=%s chart=%s", cond, dep.name)


def table(values: dict[str, Any], dotted: str) -> dict[str, Any]:
    """The map at a dotted path (Helm's ``Values.Table``); raise _NoValue when it is not a map."""
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, dict) or not isinstance(current.get(part), dict):
            raise _NoValue(f"{part!r} is not a table")
        current = current[part]
    return current  # type: ignore[no-any-return]


def path_value(values: dict[str, Any], dotted: str) -> Any:
    """The non-map value at a dotted path (Helm's ``Values.PathValue``)."""
    parts = dotted.split(".")
    key = parts[-1]
    holder = table(values, ".".join(parts[:-1])) if len(parts) > 1 else values
    if key in holder and not isinstance(holder[key], dict):
        return holder[key]
    raise _NoValue(f"no value for {key!r}")


def _path_to_map(dotted: str, data: dict[str, Any]) -> dict[str, Any]:
    if dotted == ".":
        return data
    out = data
    for part in reversed(dotted.split(".")):
        out = {part: out}
    return out


def _go_str(value: Any) -> str:
    """Go's ``%v`` for the scalar a user wrote as child/parent."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _process_imports_tree(chart: Chart) -> None:
    for sub in chart.subcharts:
        _process_imports_tree(sub)
    _process_imports(chart)


def _process_imports(chart: Chart) -> None:
    """Import child tables, then lay them under the chart's own (merged) values."""
    deps = chart.metadata.dependencies
    if not deps:
        return
    cvals = merge_values(chart, None)
    imported: dict[str, Any] = {}
    for dep in deps:
        normalised: list[Any] = []
        for item in dep.import_values:
            if isinstance(item, dict):
                child, parent = _go_str(item.get("child")), _go_str(item.get("parent"))
            elif isinstance(item, str):
                child, parent = f"exports.{item}", "."
            else:
                continue
            normalised.append({"child": child, "parent": parent})
            try:
                source = table(cvals, f"{dep.name}.{child}")
            except _NoValue as err:
                logger.warning("ImportValues missing table chart=%s error=%s", dep.name, err)
                continue
            imported = merge_tables(imported, _path_to_map(parent, copy.deepcopy(source)))
        dep.import_values = normalised
    chart.values = merge_tables(cvals, imported)
