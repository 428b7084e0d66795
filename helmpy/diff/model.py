"""The result of a diff: one :class:`Change` per object that differs, grouped in a :class:`Report`.

The JSON form (:meth:`Report.to_dict`, ``helmpy diff ... -o json``) is a stable, versioned schema documented
in docs/diff.md: fields are only ever added, never renamed or removed, under ``apiVersion: helmpy.io/diff/v1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helmpy.kube.client import sub_map

SCHEMA_VERSION = "helmpy.io/diff/v1"

ADDED, CHANGED, REMOVED, KEPT = "added", "changed", "removed", "kept"
CHANGE_KINDS = (CHANGED, ADDED, REMOVED, KEPT)
# helm-diff's change names (its ``-o template``/``simple`` outputs); a kept object has none there
HELM_DIFF_CHANGE = {ADDED: "ADD", CHANGED: "MODIFY", REMOVED: "REMOVE", KEPT: "KEEP"}
RESOURCES, CRDS, HOOKS = "resources", "crds", "hooks"
SECTIONS = (RESOURCES, CRDS, HOOKS)

Record = tuple[str, str]  # (" " | "-" | "+", line)


def format_record(record: Record) -> str:
    """helm-diff's line: ``+ added``, ``- removed``, ``  common`` (an empty common line stays empty)."""
    op, text = record
    if op == " ":
        return f"  {text}" if text else ""
    return f"{op} {text}"


@dataclass(frozen=True)
class ObjectId:
    """Which object: helm-diff names it ``namespace, name, Kind (group)`` (the core group is ``v1``)."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @property
    def api(self) -> str:
        """The apiVersion without its version (``apps``), or the whole of it for the core group (``v1``)."""
        return self.api_version.rsplit("/", 1)[0] if "/" in self.api_version else self.api_version

    def header(self) -> str:
        return f"{self.namespace}, {self.name}, {self.kind} ({self.api})"

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ObjectId:
        meta = sub_map(obj, "metadata")
        return cls(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""), str(meta.get("namespace") or ""),
                   str(meta.get("name") or meta.get("generateName") or ""))


@dataclass
class Change:
    """One object that differs. ``records`` is the whole line diff (masked); renderers cut the context."""

    id: ObjectId
    change: str  # added | changed | removed | kept
    section: str = RESOURCES  # resources | crds | hooks
    records: list[Record] = field(default_factory=list)
    source: str = ""  # the template it came from
    note: str = ""  # e.g. why a crds/ CRD is not applied, or that an object is missing from the cluster
    suppressed: bool = False  # --suppress KIND: the lines are not shown
    label: str = ""  # the header when objects are matched by template (diff release), else id.header()

    @property
    def header(self) -> str:
        return self.label or self.id.header()

    def diff_text(self) -> str:
        """The diff lines as ``- old`` / ``+ new`` / ``  same``, without colour."""
        return "".join(f"{line}\n" for line in (format_record(r) for r in self.records))

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "change": self.change, "apiVersion": self.id.api_version,
                "api": self.id.api, "kind": self.id.kind, "namespace": self.id.namespace, "name": self.id.name,
                "source": self.source, "note": self.note, "suppressed": self.suppressed,
                "diff": "" if self.suppressed else self.diff_text()}


@dataclass
class Report:
    """Every change between two states of a release, plus what was compared."""

    release: str
    namespace: str
    before: str  # what was compared: "live", "revision 3", "release web (staging)"
    after: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        out = {kind: 0 for kind in CHANGE_KINDS}
        for change in self.changes:
            out[change.change] += 1
        return out

    @property
    def has_changes(self) -> bool:
        """What ``--detailed-exitcode`` asks: anything but objects kept by policy."""
        return any(c.change != KEPT for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": SCHEMA_VERSION, "kind": "DiffReport", "release": self.release,
                "namespace": self.namespace, "before": self.before, "after": self.after,
                "summary": {**self.counts(), "unchanged": self.unchanged},
                "changes": [c.to_dict() for c in self.changes]}
