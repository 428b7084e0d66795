"""Light, escaped highlighting for ``values.yaml`` and the rows of the ``values.schema.json`` table.

The highlighter is line based (comments, ``key:`` and list dashes; values as text): it never needs the file
to parse, so a values.yaml with odd YAML still shows, and every piece is HTML-escaped before it is wrapped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from typing import Any

_KEY_LINE = re.compile(r"^(?P<indent>\s*(?:-\s+)*)(?P<key>(?:\"[^\"]*\"|'[^']*'|[^\s#'\"\-][^:#]*?|-[^\s:#][^:#]*?))"
                       r"(?P<colon>:)(?P<rest>(?:\s.*)?)$")
_DASH_LINE = re.compile(r"^(?P<indent>\s*)(?P<dash>-)(?P<rest>(?:\s.*)?)$")
_COMMENT = re.compile(r"(?:^|\s)#")


def _value(text: str) -> str:
    """A value (and a trailing comment) as HTML."""
    m = _COMMENT.search(text)
    value, comment = (text[:m.start()], text[m.start():]) if m and not _quoted_hash(text, m.start()) else (text, "")
    out = f'<span class="v">{escape(value)}</span>' if value.strip() else escape(value)
    if comment:
        out += f'<span class="c">{escape(comment)}</span>'
    return out


def _quoted_hash(text: str, pos: int) -> bool:
    """True when the ``#`` at ``pos`` sits inside a quoted string (then it is no comment)."""
    before = text[:pos]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def highlight_yaml(text: str) -> str:
    """``text`` as escaped HTML lines with ``<span class="k|v|c|d">`` around keys, values, comments, dashes."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#"):
            lines.append(f'{escape(line[:len(line) - len(stripped)])}<span class="c">{escape(stripped)}</span>')
            continue
        m = _KEY_LINE.match(line)
        if m:
            lines.append(f'{_dashes(m["indent"])}<span class="k">{escape(m["key"])}</span>:{_value(m["rest"])}')
            continue
        m = _DASH_LINE.match(line)
        if m:
            lines.append(f'{escape(m["indent"])}<span class="d">-</span>{_value(m["rest"])}')
            continue
        lines.append(_value(line))
    return "\n".join(lines)


def _dashes(indent: str) -> str:
    return escape(indent).replace("-", '<span class="d">-</span>')


@dataclass(frozen=True)
class SchemaRow:
    """One property of values.schema.json: its dotted path and what the schema says about it."""

    path: str
    type: str
    required: bool
    default: str
    description: str


def schema_rows(raw: bytes, max_rows: int) -> tuple[list[SchemaRow], bool, str]:
    """The properties of a JSON schema, depth first: ``(rows, truncated, error)`` (error when it is not JSON)."""
    try:
        schema = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        return [], False, f"values.schema.json is not valid JSON: {err}"
    rows: list[SchemaRow] = []
    truncated = _walk(schema, "", rows, max_rows, depth=0)
    return rows, truncated, ""


def _walk(schema: Any, prefix: str, rows: list[SchemaRow], max_rows: int, depth: int) -> bool:
    if not isinstance(schema, dict) or depth > 32:
        return False
    props = schema.get("properties")
    if not isinstance(props, dict):
        return False
    required = schema.get("required")
    if not isinstance(required, list):
        required = []
    for name, sub in props.items():
        if len(rows) >= max_rows:
            return True
        path = f"{prefix}.{name}" if prefix else str(name)
        sub = sub if isinstance(sub, dict) else {}
        kind = sub.get("type", "")
        kind = " | ".join(map(str, kind)) if isinstance(kind, list) else str(kind)
        if not kind and isinstance(sub.get("enum"), list):
            kind = "enum: " + ", ".join(json.dumps(v) for v in sub["enum"][:10])
        default = json.dumps(sub["default"]) if "default" in sub else ""
        rows.append(SchemaRow(path, kind, name in required, default[:200], str(sub.get("description", ""))[:500]))
        if _walk(sub, path, rows, max_rows, depth + 1):
            return True
        items = sub.get("items")
        if isinstance(items, dict) and _walk(items, path + "[]", rows, max_rows, depth + 1):
            return True
    return False


__all__ = ["SchemaRow", "highlight_yaml", "schema_rows"]
