"""JSON as Go's ``encoding/json`` writes it - the one encoder of every ``-o json`` and of Helm's JSON digests.

Go keeps a struct's field order and sorts a map's keys; a Python dict carries its order, so the caller builds the
data in Go's order (:mod:`helmpy.release.shapes` sorts the maps of a release). What this adds is Go's
``HTMLEscape``: ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c``-style escapes, and the text is compact.
Only :mod:`json` is imported (the CLI's start-up path uses it).
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(data: Any) -> str:
    """``json.Marshal(data)``: compact, the given key order, HTML-escaped, no trailing newline.

    A value JSON has no type for is written as its ``str()`` (Go would refuse it; a command's output should not).
    The escapes are safe on the whole text: ``<``, ``>``, ``&`` and the two separators occur only inside strings.
    """
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str).translate(_ESCAPES)
