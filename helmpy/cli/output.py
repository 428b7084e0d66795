"""``-o table|json|yaml`` for every command that has it, written one way.

Commands build plain data (lists of dicts, or one dict, in Go's field order) and hand it to :func:`write`
together with a function that turns the same data into table rows or text. JSON is :func:`helmpy.gojson.dumps`
(Go's encoder: the given order, compact, HTML-escaped) plus a newline; YAML goes through
:func:`helmpy.yamlutil.dump` so keys come out in Helm's order (or the command's own writer, ``yaml=``); tables
are padded like Helm's ``uitable`` (cells padded to the column width, joined with a tab).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

FORMATS = ("table", "json", "yaml")
MAX_COL_WIDTH = 60

F = TypeVar("F", bound=Callable[..., Any])

# A table is a header row plus data rows; every cell is rendered with str().
Table = tuple[Sequence[str], Sequence[Sequence[Any]]]


def output_option(func: F) -> F:
    """Add ``-o/--output table|json|yaml`` (default table), passed to the command as ``output``."""
    return click.option(
        "-o", "--output", "output", type=click.Choice(FORMATS, case_sensitive=False), default="table",
        show_default=True, help="Prints the output in the specified format.",
    )(func)


def _width(text: str) -> int:
    """Display width of a cell (East Asian wide characters count twice, like runewidth)."""
    if text.isascii():  # every ASCII character is one column wide (narrow or neutral)
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Truncate with ``...`` or pad right to ``width`` (uitable's Resize)."""
    w = _width(text)
    if w > width:
        out, used = "", 0
        for ch in text:
            cw = _width(ch)
            if used + cw > width - 3:
                break
            out += ch
            used += cw
        return out + "..."
    return text + " " * (width - w)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_col_width: int = MAX_COL_WIDTH) -> str:
    """Helm's table layout: each column as wide as its widest cell (capped), tab-separated, with a final newline."""
    all_rows = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    ncols = max(len(r) for r in all_rows)
    widths = [0] * ncols
    for row in all_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], min(_width(cell), max_col_width))
    lines = ["\t".join(_fit(cell, widths[i]) for i, cell in enumerate(row)) for row in all_rows]
    return "\n".join(lines) + "\n"


def render(data: Any, fmt: str, table_fn: Callable[[Any], Table | str] | None = None, *,
           yaml: Callable[[Any], str] | None = None) -> str:
    """The text for ``data`` in ``fmt``; ``table_fn`` gives (headers, rows) or ready-made text (none: YAML);
    ``yaml`` replaces :func:`helmpy.yamlutil.dump` (``search``'s sigs.k8s.io/yaml text)."""
    fmt = fmt.lower()
    if fmt == "json":
        from helmpy import gojson

        return gojson.dumps(data) + "\n"
    if fmt == "yaml" or table_fn is None:
        if yaml is not None:
            return yaml(data)
        from helmpy import yamlutil  # imported when used: YAML stays out of ``--help`` and ``-o json``

        return yamlutil.dump(data)
    table = table_fn(data)
    if isinstance(table, str):
        return table
    headers, rows = table
    return format_table(headers, rows)


def write(data: Any, fmt: str, table_fn: Callable[[Any], Table | str] | None = None, *,
          yaml: Callable[[Any], str] | None = None) -> None:
    """Print ``data`` in ``fmt`` on stdout (through click, so tests capture it): the one way ``-o`` output
    is written."""
    click.echo(render(data, fmt, table_fn, yaml=yaml), nl=False)
