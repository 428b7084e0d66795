"""Merging values the way Helm does.

Two operations: :func:`merge_maps` combines user-supplied sources (``-f`` files, ``--set``...)
where the later source replaces non-map values; :func:`coalesce_values` lays the user values over
a chart's defaults, recursing into sub-charts with ``global`` propagation, where ``null`` deletes a
default (helm-reference 4.2/4.3). :func:`merge_values` is the same walk but keeps nulls; Helm uses
it while processing dependencies so that a later coalesce can still delete with them.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from helmpy.errors import ValuesError

logger = logging.getLogger(__name__)

GLOBAL_KEY = "global"
_SHARED = frozenset((str, int, float, bool, type(None), bytes))  # immutable: a copy may share them


def copy_values(value: Any) -> Any:
    """A deep copy of a values tree, as ``copy.deepcopy`` makes it (equal, no mutable part shared with the
    original) at a few times its speed: maps, lists and scalars copied directly, anything else by deepcopy.

    One difference: a map or list that appears twice in the original (a YAML alias) is copied twice, not
    shared in the copy - as Helm has it, whose YAML goes through JSON.
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _SHARED else copy_values(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _SHARED else copy_values(v) for v in value]
    if kind in _SHARED:
        return value
    return copy.deepcopy(value)


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
    values = copy_values(user_values or {})
    return _coalesce(chart, values, "", merge=False)


def merge_values(chart: Any, user_values: dict[str, Any] | None) -> dict[str, Any]:
    """Like :func:`coalesce_values` but nulls are kept (Helm's ``MergeValues``)."""
    values = copy_values(user_values or {})
    return _coalesce(chart, values, "", merge=True)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _coalesce(chart: Any, dest: dict[str, Any], prefix: str, merge: bool) -> dict[str, Any]:
    _coalesce_chart_values(chart, dest, prefix, merge)
    _coalesce_deps(chart, dest, prefix, merge)
    return dest


def _coalesce_deps(chart: Any, dest: dict[str, Any], prefix: str, merge: bool) -> None:
    sub_prefix = _join(prefix, chart.name)
    for sub in chart.subcharts:
        name = sub.name
        if name not in dest:
            dest[name] = {}
        elif not isinstance(dest[name], dict):
            raise ValuesError(f"type mismatch on {name}: values for a sub-chart must be a map, got "
                              f"{_type_name(dest[name])} {dest[name]!r}")
        sub_dest = dest[name]
        _push_globals(sub_dest, dest, sub_prefix)
        dest[name] = _coalesce(sub, sub_dest, sub_prefix, merge)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _push_globals(child: dict[str, Any], parent: dict[str, Any], prefix: str) -> None:
    """Copy the parent's ``global`` into the child's before the child's defaults go underneath.

    Parent keys win; a map merges with the child's map; a scalar never replaces a child map.
    (Helm shares nested maps between parent and child here, which lets child globals leak up;
    helmpy deep-copies instead.)
    """
    cg = child.get(GLOBAL_KEY, {})
    if not isinstance(cg, dict):
        logger.warning("warning: skipping globals because destination %s is not a table.", GLOBAL_KEY)
        return
    pg = parent.get(GLOBAL_KEY, {})
    if not isinstance(pg, dict):
        logger.warning("warning: skipping globals because source %s is not a table.", GLOBAL_KEY)
        return
    for key, value in pg.items():
        if isinstance(value, dict):
            copied = copy_values(value)
            if key not in cg:
                cg[key] = copied
            elif not isinstance(cg[key], dict):
                logger.warning("Conflict: cannot merge map onto non-map for %r. Skipping.", key)
            else:
                _coalesce_tables(copied, cg[key], _join(prefix, key), merge=True)
                cg[key] = copied
        elif isinstance(cg.get(key), dict):
            logger.info("key %s is table. Skipping", key)
        else:
            cg[key] = copy_values(value)
    child[GLOBAL_KEY] = cg


def _coalesce_chart_values(chart: Any, dest: dict[str, Any], prefix: str, merge: bool) -> None:
    """Fill ``dest`` (higher priority) with the chart's defaults in place; null deletes unless merging."""
    sub_prefix = _join(prefix, chart.name)
    subchart_names = {sub.name for sub in chart.subcharts}
    for key, default in copy_values(chart.values).items():
        if key in dest:
            value = dest[key]
            if value is None and not merge:
                del dest[key]
            elif isinstance(value, dict):
                if isinstance(default, dict):
                    # a sub-chart's section keeps its nulls: they delete the sub-chart's own defaults later
                    _coalesce_tables(value, default, _join(sub_prefix, key), merge or key in subchart_names)
                elif default is not None:
                    logger.warning("warning: skipped value for %s.%s: Not a table.", sub_prefix, key)
        else:
            dest[key] = default


def _coalesce_tables(dst: dict[str, Any], src: dict[str, Any], prefix: str, merge: bool) -> dict[str, Any]:
    """Merge ``src`` (lower priority) under ``dst`` in place.

    A null in ``dst`` removes a non-null ``src`` value when coalescing; a null on both sides (or only
    in ``dst``) stays null.
    """
    src_non_null = {key for key, value in src.items() if value is not None}
    keys = list(src) + [key for key, value in dst.items() if value is None and key not in src]
    for key in keys:
        sval = src.get(key)
        full_key = _join(prefix, key)
        if key not in dst:
            dst[key] = sval
            continue
        dval = dst[key]
        if dval is None:
            if not merge and key in src_non_null:
                del dst[key]
        elif isinstance(sval, dict):
            if isinstance(dval, dict):
                _coalesce_tables(dval, sval, full_key, merge)
            else:
                logger.warning("warning: cannot overwrite table with non table for %s (%s)", full_key, _go_fmt(sval))
        elif isinstance(dval, dict) and sval is not None:
            logger.warning("warning: destination for %s is a table. Ignoring non-table value (%s)", full_key,
                        _go_fmt(sval))
    return dst


def _go_fmt(value: Any) -> str:
    """Rough Go ``%v`` for log messages (``map[a:1]``)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_fmt(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_fmt(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def coalesce_tables(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """``src`` merged under ``dst`` (in place, returned); nulls in ``dst`` delete. Used for --reuse-values."""
    return _coalesce_tables(dst, copy_values(src), "", merge=False)


def merge_tables(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """``src`` merged under ``dst`` (in place, returned), keeping nulls."""
    return _coalesce_tables(dst, copy_values(src), "", merge=True)


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
