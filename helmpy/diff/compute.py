"""Objects without server-set noise, as YAML, and the line diff between two of them.

What the API server writes on its own (``status``, ``metadata.managedFields``, ``resourceVersion``, ``uid``,
``creationTimestamp``, ``generation``, ``selfLink``) is never a change an upgrade makes, so it is dropped
before comparing. Defaulted fields need no rule: the live object and the predicted one (a dry-run apply)
both carry them. Objects are written with sorted keys, so formatting never shows as a change (as
``yamlutil.dump`` writes them; :mod:`helmpy.diff.yamlwrite` writes the usual ones without PyYAML).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from helmpy.diff.mask import SHOW_MASKED, SHOW_RAW, is_secret, mask_pair, reveal_marks
from helmpy.diff.model import ADDED, CHANGED, REMOVED, RESOURCES, Change, ObjectId, Record

SERVER_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")


def clean(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` without status and server-set metadata (nested values are shared, not copied)."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
        for key in ("labels", "annotations"):
            if key in meta and not meta[key]:
                del meta[key]
        out["metadata"] = meta
    return out


def to_text(obj: dict[str, Any] | None) -> str:
    """The object as YAML with sorted keys ("" for no object)."""
    if obj is None:
        return ""
    from helmpy.diff import yamlwrite

    return yamlwrite.dump(obj)


def normalize_manifest(text: str) -> str:
    """``--normalize-manifests``: a document re-written from its parsed form (comments, quoting, key order
    and indentation no longer show); text that does not parse is kept as it is."""
    from helmpy import yamlutil
    from helmpy.errors import HelmpyError

    try:
        docs = yamlutil.load_all(text, "manifest")
    except HelmpyError:
        return text
    return "".join(yamlutil.dump(doc) for doc in docs if doc is not None)


def _parsed(text: str) -> dict[str, Any] | None:
    from helmpy import yamlutil

    docs = [d for d in yamlutil.load_all(text, "manifest") if isinstance(d, dict)]
    return clean(docs[0]) if docs else None


def _lines(text: str, strip_trailing_cr: bool) -> list[str]:
    if not text:
        return []
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    return [line.removesuffix("\r") for line in lines] if strip_trailing_cr else lines


def line_diff(before: str, after: str, *, strip_trailing_cr: bool = False) -> list[Record]:
    """Every line of both texts, marked common (`` ``), removed (``-``) or added (``+``), in order."""
    a, b = _lines(before, strip_trailing_cr), _lines(after, strip_trailing_cr)
    out: list[Record] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend((" ", line) for line in a[i1:i2])
            continue
        out.extend(("-", line) for line in a[i1:i2])
        out.extend(("+", line) for line in b[j1:j2])
    return out


def has_change(records: list[Record]) -> bool:
    return any(op != " " for op, _ in records)


def with_context(records: list[Record], context: int) -> list[Record | None]:
    """helm-diff's ``--context N``: lines more than N lines away from a change become one ``None`` (printed
    ``...``) per run; a negative N keeps every line."""
    if context < 0:
        return list(records)
    n = len(records)
    far = n + context + 1
    distance = [far] * n
    last = -far
    for i, (op, _) in enumerate(records):
        if op != " ":
            last = i
        distance[i] = i - last
    last = n + far
    for i in range(n - 1, -1, -1):
        if records[i][0] != " ":
            last = i
        distance[i] = min(distance[i], last - i)
    out: list[Record | None] = []
    for i, record in enumerate(records):
        if distance[i] > context:
            if not out or out[-1] is not None:
                out.append(None)
        else:
            out.append(record)
    return out


def suppress_lines(records: list[Record], patterns: list[Any]) -> list[Record]:
    """``--suppress-output-line-regex``: drop lines matching any compiled pattern."""
    if not patterns:
        return records
    return [r for r in records if not any(p.search(r[1]) for p in patterns)]


@dataclass
class Options:
    """How two objects are compared and shown (the helm-diff flags)."""

    show_secrets: str = SHOW_MASKED  # masked | raw (--show-secrets) | decoded (--show-secrets-decoded)
    suppress_kinds: tuple[str, ...] = ()  # --suppress KIND (repeatable); --suppress-secrets adds Secret
    suppress_patterns: list[re.Pattern[str]] = field(default_factory=list)  # --suppress-output-line-regex
    strip_trailing_cr: bool = False
    normalize_manifests: bool = False  # manifest texts are compared re-written (live objects always are)


@dataclass
class Side:
    """One side of a comparison: the object, and the text it was stored as (manifests) or None (live)."""

    obj: dict[str, Any] | None
    text: str | None = None


def compare(oid: ObjectId, before: Side, after: Side, opts: Options, *, section: str = RESOURCES,
            source: str = "", note: str = "", change: str | None = None) -> Change | None:
    """The Change from ``before`` to ``after`` (None when they are the same).

    Objects from the cluster are compared cleaned and written as YAML; stored manifest texts are compared as
    text (re-written with ``normalize_manifests``), except Secrets, which are always parsed to be masked.
    """
    b_obj = clean(before.obj) if before.obj is not None else None
    a_obj = clean(after.obj) if after.obj is not None else None
    secret = is_secret(b_obj) or is_secret(a_obj)
    as_text = (before.text is not None or before.obj is None) and (after.text is not None or after.obj is None) \
        and not (secret and opts.show_secrets != SHOW_RAW)
    if as_text:
        b_text, a_text = before.text or "", after.text or ""
        if opts.normalize_manifests:
            b_text, a_text = normalize_manifest(b_text), normalize_manifest(a_text)
        if b_text == a_text and before.obj is not None and after.obj is not None:
            return None
    else:
        if before.text is not None and after.text is not None:  # stored Secrets: as written, not as defaulted
            b_obj, a_obj = _parsed(before.text), _parsed(after.text)
        if b_obj == a_obj and b_obj is not None:
            return None
        shown_b, shown_a = mask_pair(b_obj, a_obj, opts.show_secrets)
        b_text, a_text = reveal_marks(to_text(shown_b)), reveal_marks(to_text(shown_a))
    kind = change or (ADDED if before.obj is None else REMOVED if after.obj is None else CHANGED)
    records = line_diff(b_text, a_text, strip_trailing_cr=opts.strip_trailing_cr)
    if kind == CHANGED and not has_change(records):
        return None  # equal once written (e.g. only trailing CRs differed under --strip-trailing-cr)
    records = suppress_lines(records, opts.suppress_patterns)
    if kind == CHANGED and not has_change(records):
        records = []  # shown as "diff is empty after suppression"
    return Change(oid, kind, section, records, source=source, note=note, suppressed=oid.kind in opts.suppress_kinds)
