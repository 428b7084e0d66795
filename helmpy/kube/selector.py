"""Kubernetes label selectors: parse ``k=v,k!=v,k in (a,b),k notin (a),k,!k`` and match label maps.

One parser for every place helmpy filters by labels: the embedded cluster's ``list`` and
``helmpy list -l/--selector`` over release labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from helmpy.errors import KubeError


@dataclass(frozen=True)
class Requirement:
    """One term of a label selector: ``op`` is one of = != in notin exists !."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has, value = self.key in labels, labels.get(self.key)
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        if self.op in ("=", "in"):
            return has and value in self.values
        return not has or value not in self.values  # != and notin


_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SET_RE = re.compile(rf"^({_KEY})\s+(in|notin)\s*\(([^)]*)\)$")
_EQ_RE = re.compile(rf"^({_KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)$")
_EXISTS_RE = re.compile(rf"^(!?)\s*({_KEY})$")


def _split(selector: str) -> list[str]:
    """Split on commas outside parentheses."""
    terms, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += ch
    terms.append(current)
    return terms


def parse_selector(selector: str | None) -> list[Requirement]:
    """Parse Kubernetes' label selector syntax; KubeError naming the bad term."""
    terms = _split(selector or "")
    out = []
    for raw in terms:
        term = raw.strip()
        if not term:
            if len(terms) > 1:
                raise KubeError(f"invalid label selector {selector!r}: empty requirement")
            continue
        if m := _SET_RE.match(term):
            values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
            out.append(Requirement(m.group(1), m.group(2), values))
        elif m := _EQ_RE.match(term):
            out.append(Requirement(m.group(1), "!=" if m.group(2) == "!=" else "=", (m.group(3),)))
        elif m := _EXISTS_RE.match(term):
            out.append(Requirement(m.group(2), "!" if m.group(1) else "exists"))
        else:
            raise KubeError(f"invalid label selector {selector!r}: cannot parse requirement {term!r}")
    return out


def selector_matches(requirements: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    """Whether ``labels`` satisfy every requirement (an empty selector matches everything)."""
    return all(r.matches(labels or {}) for r in requirements)


def selector_text(selector: object) -> str:
    """A LabelSelector (or a ReplicationController's plain map) as text: ``a=b,c in (d,e),!f``.

    What Scale's ``status.selector`` reports and ``kubectl get`` prints; "" for an empty selector.
    """
    if not isinstance(selector, dict):
        return ""
    labels = selector.get("matchLabels") if "matchLabels" in selector or "matchExpressions" in selector else selector
    parts = [f"{k}={v}" for k, v in sorted((labels or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), ",".join(expr.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key,
                      "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts)
