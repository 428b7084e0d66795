""""Did you mean ...?" for a values key a chart's schema does not have.

Two kinds of mistake are common: a typo in a key (``server.replcas``), and a key from another chart's layout
(``image.tag`` where this chart wants ``global.imageTag``). The first is caught among the key's siblings by
similarity (:func:`difflib.get_close_matches`); the second by comparing the whole path the user set with every
path the schema declares, ignoring case and separators: a declared path that ends with the user's path
(``global.imageTag`` ends with ``imagetag``), or is very close to it, is suggested, the shortest first. Only
the ``properties`` a schema spells out are known; ``$ref``, ``patternProperties`` and combinators are not
followed (no suggestion is better than a wrong one).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

_SIBLING_CUTOFF = 0.75
_PATH_CUTOFF = 0.85
_MAX_PATHS = 10_000  # a schema with more declared paths than this is not searched (time, not correctness)


def _norm(path: str) -> str:
    return re.sub(r"[^0-9a-z]", "", path.lower())


def declared_paths(schema: Any, prefix: str = "", budget: list[int] | None = None) -> Iterator[str]:
    """Dotted paths of every property ``schema`` declares (``a``, ``a.b``, ...)."""
    budget = budget if budget is not None else [_MAX_PATHS]
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        return
    for key, sub in props.items():
        budget[0] -= 1
        if budget[0] < 0:
            return
        path = f"{prefix}{key}"
        yield path
        yield from declared_paths(sub, f"{path}.", budget)


def _leaf_paths(value: Any, prefix: str) -> list[str]:
    """``prefix`` and the dotted paths below it in ``value`` (what ``--set`` or a values file spelled out)."""
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in _leaf_paths(v, f"{prefix}.{k}")]
    return [prefix]


def suggestion(key: str, value: Any, siblings: list[str], location: list[str], root: dict[str, Any]) -> str | None:
    """The key or path to suggest for unknown ``key`` (holding ``value``) at ``location``, or None."""
    close = difflib.get_close_matches(key, siblings, n=1, cutoff=_SIBLING_CUTOFF)
    if close:
        return close[0]
    known = list(declared_paths(root))
    base = ".".join([*location, key])
    best: tuple[int, int, str] | None = None
    for typed in _leaf_paths(value, base):
        want = _norm(typed)
        for path in known:
            have = _norm(path)
            if path == typed or not want:
                continue
            if have.endswith(want) or difflib.SequenceMatcher(None, have, want).ratio() >= _PATH_CUTOFF:
                rank = (path.count("."), len(path), path)
                best = rank if best is None or rank < best else best
    return best[2] if best else None
