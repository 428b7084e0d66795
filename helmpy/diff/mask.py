"""Secret values out of diffs: each key of a Secret's ``data``/``stringData`` is shown as ``*****``, and on
the new side as ``***** (changed)`` or ``***** (added)`` when its value differs, so the diff says *which*
keys change and never *what* they hold (``--show-secrets`` shows them as stored, base64;
``--show-secrets-decoded`` decoded). Values are compared decoded, ``stringData`` folded into ``data`` as the
API server does, so a value moved from ``stringData`` to ``data`` is not a change. kubectl's
``last-applied-configuration`` annotation repeats the data in clear, so on a Secret it is masked too.

Masking puts plain tokens in the objects (they survive YAML quoting) and :func:`reveal_marks` turns them
into the marks once the YAML is written.
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

MASKED = "*****"
_TOKENS = {"HELMPYMASKsame": MASKED, "HELMPYMASKchanged": f"{MASKED} (changed)",
           "HELMPYMASKadded": f"{MASKED} (added)"}
SAME, CHANGED, ADDED = _TOKENS
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SHOW_MASKED, SHOW_RAW, SHOW_DECODED = "masked", "raw", "decoded"

Obj = dict[str, Any]


def is_secret(obj: Obj | None) -> bool:
    return obj is not None and obj.get("kind") == "Secret" and str(obj.get("apiVersion") or "") == "v1"


def _decoded(obj: Obj | None) -> dict[str, bytes]:
    """Key -> bytes, from ``data`` (base64; text that is not base64 counts as itself) and ``stringData``."""
    out: dict[str, bytes] = {}
    if obj is None:
        return out
    data = obj.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            text = "" if value is None else str(value)
            try:
                out[str(key)] = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                out[str(key)] = text.encode()
    string_data = obj.get("stringData")
    if isinstance(string_data, dict):
        for key, value in string_data.items():
            out[str(key)] = ("" if value is None else str(value)).encode()
    return out


def _annotation(obj: Obj | None) -> Any:
    return (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)


def _masked(obj: Obj, data: dict[str, str], other_annotation: Any, new_side: bool) -> Obj:
    out = copy.deepcopy(obj)
    out.pop("stringData", None)
    out.pop("data", None)
    if data:
        out["data"] = data
    annotations = (out.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        same = annotations[LAST_APPLIED] == other_annotation
        annotations[LAST_APPLIED] = SAME if same or not new_side else CHANGED
    return out


def mask_pair(before: Obj | None, after: Obj | None, show: str = SHOW_MASKED) -> tuple[Obj | None, Obj | None]:
    """``before`` and ``after`` as they may be shown; objects that are not ``v1`` Secrets are returned as given."""
    if show == SHOW_RAW or not (is_secret(before) or is_secret(after)):
        return before, after
    old, new = _decoded(before), _decoded(after)
    if show == SHOW_DECODED:
        def decoded(obj: Obj | None, values: dict[str, bytes]) -> Obj | None:
            if obj is None:
                return None
            out = copy.deepcopy(obj)
            out.pop("data", None)
            out.pop("stringData", None)
            if values:
                out["stringData"] = {k: v.decode("utf-8", "replace") for k, v in values.items()}
            return out
        return decoded(before, old), decoded(after, new)
    masked_before = None if before is None else _masked(
        before, {k: SAME for k in old}, _annotation(after), new_side=False)
    masked_after = None if after is None else _masked(
        after, {k: (SAME if k in old and old[k] == v else CHANGED if k in old else ADDED) for k, v in new.items()},
        _annotation(before), new_side=before is not None)
    if before is None and masked_after is not None:  # a new Secret: nothing to compare with
        masked_after["data"] = {k: SAME for k in new} if new else masked_after.get("data")
        if not new:
            masked_after.pop("data", None)
    return masked_before, masked_after


def reveal_marks(text: str) -> str:
    """The written YAML with the masking tokens turned into their marks (``*****``, ``***** (changed)``)."""
    if "HELMPYMASK" not in text:
        return text
    for token, mark in _TOKENS.items():
        text = text.replace(token, mark)
    return text
