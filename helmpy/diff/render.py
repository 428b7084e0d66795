"""A :class:`~helmpy.diff.model.Report` as text: helm-diff's ``diff``, ``simple`` and ``template`` outputs,
and helmpy's versioned ``json``.

``diff``: per object ``namespace, name, Kind (group) has changed:`` (``has been added:``, ``has been
removed:``), then its lines (``+``/``-``/two spaces) cut to ``--context N`` with ``...`` between, in colour
when asked (yellow/green/red headers, green/red lines, as helm-diff). Objects kept by
``helm.sh/resource-policy: keep`` get a header only. CRDs and hooks follow under their own ``CRDs:`` and
``Hooks:`` lines; a summary line ends the output. ``simple``: one line per object and helm-diff's
``Plan:`` line. ``template``: helm-diff's default template (a JSON list of api/kind/namespace/name/change).
"""

from __future__ import annotations

import json

from helmpy.diff.compute import with_context
from helmpy.diff.model import (
    ADDED,
    CHANGED,
    CRDS,
    HELM_DIFF_CHANGE,
    HOOKS,
    KEPT,
    REMOVED,
    RESOURCES,
    Change,
    Report,
    format_record,
)

FORMATS = ("diff", "simple", "template", "json")
_COLOURS = {"green": "\x1b[32m", "red": "\x1b[31m", "yellow": "\x1b[33m", "blue": "\x1b[94m",
            "cyan": "\x1b[36m"}
_RESET = "\x1b[0m"
_DIFF_STYLE = {ADDED: ("green", "has been added:"), REMOVED: ("red", "has been removed:"),
               CHANGED: ("yellow", "has changed:"), KEPT: ("cyan", "is kept (helm.sh/resource-policy: keep)")}
_SIMPLE_STYLE = {ADDED: ("green", "to be added."), REMOVED: ("red", "to be removed."),
                 CHANGED: ("yellow", "to be changed."), KEPT: ("cyan", "to be kept (helm.sh/resource-policy: keep).")}
_SECTION_TITLES = {CRDS: "CRDs:", HOOKS: "Hooks:"}
SUPPRESSED_AFTER_REGEX = "has changed, but diff is empty after suppression."


def paint(text: str, colour: str, enabled: bool) -> str:
    return f"{_COLOURS[colour]}{text}{_RESET}" if enabled and text else text


def _ordered(report: Report) -> list[tuple[str, list[Change]]]:
    return [(section, [c for c in report.changes if c.section == section])
            for section in (RESOURCES, CRDS, HOOKS)]


def _object_lines(change: Change, context: int, colour: bool) -> list[str]:
    if change.suppressed:
        return [paint(f"+ Changes suppressed on sensitive content of type {change.id.kind}", "yellow", colour)]
    out = []
    for record in with_context(change.records, context):
        if record is None:
            out.append("...")
            continue
        line = format_record(record)
        out.append(paint(line, "green", colour) if record[0] == "+" else
                   paint(line, "red", colour) if record[0] == "-" else line)
    return out


def summary_line(report: Report) -> str:
    counts = report.counts()
    text = f"{counts[CHANGED]} changed, {counts[ADDED]} added, {counts[REMOVED]} removed"
    return text + (f", {counts[KEPT]} kept" if counts[KEPT] else "")


def diff_text(report: Report, *, context: int = -1, colour: bool = False, summary: bool = True) -> str:
    """helm-diff's ``diff`` output, then the summary line."""
    lines: list[str] = []
    for section, changes in _ordered(report):
        if not changes:
            continue
        if section in _SECTION_TITLES:
            lines += ([""] if lines else []) + [_SECTION_TITLES[section]]
        for change in changes:
            colour_name, message = _DIFF_STYLE[change.change]
            if change.change == CHANGED and not change.records and not change.suppressed:
                colour_name, message = "blue", SUPPRESSED_AFTER_REGEX
            if change.note:  # "has changed (why):"
                colon = message.endswith(":")
                message = f"{message.rstrip(':')} ({change.note}){':' if colon else ''}"
            lines.append(paint(f"{change.header} {message}", colour_name, colour))
            if change.change != KEPT:
                lines += _object_lines(change, context, colour)
    if summary:
        lines.append(summary_line(report))
    return "".join(line + "\n" for line in lines)


def simple_text(report: Report, *, colour: bool = False) -> str:
    """helm-diff's ``simple`` output: one line per object, then ``Plan: ...``."""
    lines = []
    for _section, changes in _ordered(report):
        for change in changes:
            colour_name, message = _SIMPLE_STYLE[change.change]
            lines.append(paint(f"{change.header} {message}", colour_name, colour))
    counts = report.counts()
    lines.append(f"Plan: {counts[ADDED]} to add, {counts[CHANGED]} to change, {counts[REMOVED]} to destroy, "
                 f"0 to change ownership.")
    return "".join(line + "\n" for line in lines)


def template_text(report: Report) -> str:
    """helm-diff's default ``template`` output: a JSON list, one entry per added, changed or removed object."""
    entries = []
    for _section, changes in _ordered(report):
        for change in changes:
            if change.change == KEPT:
                continue
            fields = {"api": change.id.api, "kind": change.id.kind, "namespace": change.id.namespace,
                      "name": change.id.name, "change": HELM_DIFF_CHANGE[change.change]}
            entries.append("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in fields.items())
                           + "\n}")
    return "[" + ",".join(entries) + "]\n"


def json_text(report: Report) -> str:
    """``-o json``: :meth:`Report.to_dict` (schema ``helmpy.io/diff/v1``, docs/diff.md), indented."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str, *, context: int = -1, colour: bool = False) -> str:
    if fmt == "simple":
        return simple_text(report, colour=colour)
    if fmt == "template":
        return template_text(report)
    if fmt == "json":
        return json_text(report)
    return diff_text(report, context=context, colour=colour)
