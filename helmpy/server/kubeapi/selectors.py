"""Label and field selectors of list and watch requests (kube-api.md §5.2).

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``, comma-joined.
Field selectors: ``metadata.name`` / ``metadata.namespace`` (plus any dotted path) with ``=``, ``==``, ``!=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from helmpy.server.kubeapi.status import bad_request

_SET = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_EQ = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)\s*$")


@dataclass(frozen=True)
class Requirement:
    """One clause: ``key op values``; op is one of = != in notin exists !exists."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a label map satisfies the clause."""
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return present and value == self.values[0]
        if self.op == "!=":
            return not present or value != self.values[0]
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        return not present


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_labels(selector: str | None) -> list[Requirement]:
    """Parse a label selector; 400 on bad syntax."""
    reqs: list[Requirement] = []
    for part in _split(selector or ""):
        m = _EQ.match(part)
        if m:
            op = "=" if m.group(2) in ("=", "==") else "!="
            reqs.append(Requirement(m.group(1), op, (m.group(3),)))
            continue
        m = _SET.match(part)
        if not m:
            raise bad_request(f"unable to parse requirement: {part.strip()!r} in label selector {selector!r}")
        negate, key, op, values = m.groups()
        if op:
            if negate:
                raise bad_request(f"unable to parse requirement: {part.strip()!r}")
            vals = tuple(v.strip() for v in values.split(",") if v.strip())
            reqs.append(Requirement(key, op, vals))
        else:
            reqs.append(Requirement(key, "!exists" if negate else "exists"))
    return reqs


def parse_fields(selector: str | None) -> list[Requirement]:
    """Parse a field selector (equality only, as the API server supports); 400 on bad syntax."""
    reqs: list[Requirement] = []
    for part in _split(selector or ""):
        m = _EQ.match(part)
        if not m:
            raise bad_request(f"invalid field selector: {part.strip()!r}")
        reqs.append(Requirement(m.group(1), "=" if m.group(2) in ("=", "==") else "!=", (m.group(3),)))
    return reqs


def _field(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def matches(obj: dict[str, Any], labels: list[Requirement], fields: list[Requirement]) -> bool:
    """Whether an object satisfies both selectors."""
    meta = obj.get("metadata") or {}
    if not all(r.matches(meta.get("labels") or {}) for r in labels):
        return False
    return all(Requirement("v", r.op, r.values).matches({"v": _field(obj, r.key)}) for r in fields)
