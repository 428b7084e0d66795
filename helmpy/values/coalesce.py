"""Merging values the way Helm does.

Two operations: :func:`merge_maps` combines user-supplied sources (``-f`` files, ``--set``...)
where the later source replaces non-map values; :func:`coalesce_values` lays the user values over
a chart's defaults, recursing into sub-charts with ``global`` propagation, where ``null`` deletes a
default.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from helmpy.errors import ValuesError

logger = logging.getLogger(__name__)

GLOBAL_KEY = "global"


def merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` into a copy of ``base``: maps merge, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def coalesce_values(chart: Any, user_values: dict[str, Any] | None) -> dict[str, Any]:
    """Final values for ``chart``: user values over chart defaults, sub-charts included."""
    values = copy.deepcopy(user_values or {})
    return _coalesce(chart, values, chart.name)


def _coalesce(chart: Any, dest: dict[str, Any], prefix: str) -> dict[str, Any]:
    _coalesce_values(chart.values, dest, prefix)
    _coalesce_deps(chart, dest, prefix)
    return dest


def _coalesce_deps(chart: Any, dest: dict[str, Any], prefix: str) -> None:
    for sub in chart.subcharts:
        name = sub.name
        existing = dest.get(name)
        if existing is None:
            dest[name] = {}
        elif not isinstance(existing, dict):
            raise ValuesError(f"type mismatch on {name}: values for sub-chart must be a map, got "
                              f"{type(existing).__name__}")
        sub_dest = dest[name]
        _push_globals(dest, sub_dest, f"{prefix}.{name}")
        _coalesce(sub, sub_dest, f"{prefix}.{name}")


def _push_globals(parent: dict[str, Any], child: dict[str, Any], prefix: str) -> None:
    """Copy the parent's ``global`` into the child's; the parent's keys win."""
    pg = parent.get(GLOBAL_KEY)
    if not isinstance(pg, dict):
        pg = {}
    cg = child.get(GLOBAL_KEY)
    if not isinstance(cg, dict):
        cg = {}
    cg = copy.deepcopy(cg)
    for key, value in pg.items():
        if isinstance(value, dict):
            if isinstance(cg.get(key), dict):
                merged = copy.deepcopy(value)
                _coalesce_tables(merged, cg[key], f"{prefix}.global.{key}")  # parent wins
                cg[key] = merged
            else:
                cg[key] = copy.deepcopy(value)
        else:
            if isinstance(cg.get(key), dict):
                logger.info("key %s is table. Skipping", key)
                continue
            cg[key] = copy.deepcopy(value)
    child[GLOBAL_KEY] = cg


def _coalesce_values(defaults: dict[str, Any], dest: dict[str, Any], prefix: str) -> None:
    """Fill ``dest`` (user values) with ``defaults`` in place; user wins, null deletes."""
    for key, default in defaults.items():
        if key in dest:
            value = dest[key]
            if value is None:
                del dest[key]
            elif isinstance(value, dict):
                if isinstance(default, dict):
                    _coalesce_tables(value, default, f"{prefix}.{key}")
                elif default is not None:
                    logger.warning("warning: skipped value for %s.%s: Not a table.", prefix, key)
        else:
            dest[key] = copy.deepcopy(default)
    # nulls with nothing to delete stay as null (Helm keeps them)


def _coalesce_tables(dst: dict[str, Any], src: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Merge ``src`` (lower priority) under ``dst``; a null in ``dst`` deletes the default."""
    for key, sval in src.items():
        if key in dst:
            dval = dst[key]
            if dval is None:
                del dst[key]
            elif isinstance(dval, dict):
                if isinstance(sval, dict):
                    _coalesce_tables(dval, sval, f"{prefix}.{key}")
                elif sval is not None:
                    logger.warning("warning: destination for %s.%s is a table. Ignoring non-table value (%r)",
                                   prefix, key, sval)
            elif isinstance(sval, dict):
                logger.warning("warning: cannot overwrite table with non table for %s.%s (%r)", prefix, key, sval)
        else:
            dst[key] = copy.deepcopy(sval)
    return dst


def coalesce_tables(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """Public form of the table merge (``src`` under ``dst``), used for --reuse-values."""
    return _coalesce_tables(dst, src, "")


def scoped_values(values: dict[str, Any], chart: Any) -> dict[str, Any]:
    """The part of the root's values a (sub-)chart sees: its own key, found by walking parents."""
    path = []
    c = chart
    while c.parent is not None:
        path.append(c.name)
        c = c.parent
    scoped = values
    for name in reversed(path):
        nxt = scoped.get(name)
        scoped = nxt if isinstance(nxt, dict) else {}
    return scoped
