"""Label and field selectors of list and watch requests (kube-api.md §5.2).

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``, comma-joined,
parsed and matched by ``helmpy.kube.selector`` (the one parser helmpy has).
Field selectors: ``metadata.name`` / ``metadata.namespace`` (plus any dotted path) with ``=``, ``==``, ``!=``.
"""

from __future__ import annotations

import re
from typing import Any

from helmpy.errors import KubeError
from helmpy.kube.selector import Requirement, parse_selector, selector_matches
from helmpy.server.kubeapi.status import bad_request

__all__ = ["Requirement", "matches", "parse_fields", "parse_labels"]

_EQ = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)\s*$")


def parse_labels(selector: str | None) -> list[Requirement]:
    """Parse a label selector with the shared parser (``kube/selector.py``); 400 on bad syntax."""
    try:
        return parse_selector(selector)
    except KubeError as err:
        raise bad_request(str(err)) from err


def parse_fields(selector: str | None) -> list[Requirement]:
    """Parse a field selector (equality only, as the API server supports); 400 on bad syntax."""
    reqs: list[Requirement] = []
    for part in (p for p in (selector or "").split(",") if p.strip()):
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
    if not selector_matches(labels, meta.get("labels")):
        return False
    return all(Requirement("v", r.op, r.values).matches({"v": _field(obj, r.key)}) for r in fields)
