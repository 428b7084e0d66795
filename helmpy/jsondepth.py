"""Refusing JSON nested deeper than the limit before ``json`` recurses into it.

Its own module (no PyYAML): the registry client checks every manifest, config blob, token answer and
credentials file it reads, and ``pull oci://`` should not load a YAML library for that.
"""

from __future__ import annotations

import re

from helmpy import limits
from helmpy.errors import HelmpyError, ValuesError
from helmpy.lazyre import LazyPattern

_JSON_TOKEN = LazyPattern(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def json_too_deep(text: str, max_depth: int) -> bool:
    """True when the JSON ``text`` nests arrays/objects deeper than ``max_depth`` (strings skipped).

    Python's ``json`` recurses per level; checking first turns a hostile document into a clear error
    instead of a ``RecursionError`` (or values too deep for the code that walks them later).
    """
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def check_json_depth(text: str | bytes, source: str, exc: type[HelmpyError] = ValuesError, extra: int = 0) -> None:
    """Refuse JSON nested deeper than the limit (plus ``extra`` levels of an envelope around values, as in a
    release record) before ``json`` recurses into it; errors name ``source``."""
    if isinstance(text, bytes):
        import json  # here: only bytes need their encoding detected (the callers that parse import it anyway)

        try:
            text = text.decode(json.detect_encoding(text))
        except (UnicodeDecodeError, LookupError):
            return  # not JSON text: json.loads refuses it before nesting matters
    limit = limits.nesting_depth() + extra
    if json_too_deep(text, limit):
        raise exc(f"{source}: JSON nested deeper than {limit} levels (limit {limits.MAX_NESTING_DEPTH_ENV})")
