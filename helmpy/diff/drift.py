"""Drift: the fields a release sets, compared with the live object, and who changed them.

Only what the release's manifest sets is compared (the API server's defaults, a controller's annotations and
``status`` are not the release's); lists of named items (containers, ports, env, volumes) are matched by
their merge key, so another container added by hand is drift, a reordering is not. The field manager of a
differing field is read from ``metadata.managedFields``: the manager whose ``fieldsV1`` reaches deepest into
the field's path (``kubectl-edit``, ``kubectl-patch``, a controller), the newest on a tie, Helm's own manager
(``helm``) excluded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from helmpy.diff.mask import MASKED
from helmpy.diff.model import SCHEMA_VERSION, ObjectId

RELEASE_MANAGERS = frozenset({"helm", "helmpy"})
MERGE_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip", "topologyKey")
DRIFTED, MISSING, IN_SYNC = "drifted", "missing", "in-sync"


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()
Token = tuple[str, Any]  # ("f", key) | ("k", {merge key: value}) | ("i", index)


@dataclass
class FieldDrift:
    """One field whose live value is not the release's."""

    path: str
    release: Any
    live: Any
    manager: str = ""
    operation: str = ""
    time: str = ""

    def to_dict(self) -> dict[str, Any]:
        def value(v: Any) -> Any:
            return None if v is ABSENT else v
        return {"path": self.path, "release": value(self.release), "live": value(self.live),
                "releaseSet": self.release is not ABSENT, "liveSet": self.live is not ABSENT,
                "manager": self.manager, "operation": self.operation, "time": self.time}


@dataclass
class ObjectDrift:
    id: ObjectId
    state: str  # drifted | missing | in-sync
    fields: list[FieldDrift] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": self.id.api_version, "api": self.id.api, "kind": self.id.kind,
                "namespace": self.id.namespace, "name": self.id.name, "source": self.source, "state": self.state,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass
class DriftReport:
    release: str
    namespace: str
    revision: int
    objects: list[ObjectDrift] = field(default_factory=list)

    @property
    def has_drift(self) -> bool:
        return any(o.state != IN_SYNC for o in self.objects)

    def counts(self) -> dict[str, int]:
        out = {DRIFTED: 0, MISSING: 0, IN_SYNC: 0}
        for o in self.objects:
            out[o.state] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": SCHEMA_VERSION, "kind": "DriftReport", "release": self.release,
                "namespace": self.namespace, "revision": self.revision, "summary": self.counts(),
                "objects": [o.to_dict() for o in self.objects if o.state != IN_SYNC]}


# --- comparing ------------------------------------------------------------------------------------
def _merge_key(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in MERGE_KEYS:
        if all(key in i for i in items):
            return key
    return None


def differences(want: Any, have: Any, path: tuple[Token, ...] = ()) -> list[tuple[tuple[Token, ...], Any, Any]]:
    """(path, release value, live value) for every field of ``want`` that ``have`` does not match."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return [(path, want, have)]
        out = []
        for key, value in want.items():
            if key not in have:
                out.append((path + (("f", key),), value, ABSENT))
            else:
                out += differences(value, have[key], path + (("f", key),))
        return out
    if isinstance(want, list):
        if not isinstance(have, list):
            return [(path, want, have)]
        key = _merge_key(want)
        if key is not None and _merge_key(have) == key:
            live = {json.dumps(i[key], sort_keys=True): i for i in have}
            wanted = {json.dumps(i[key], sort_keys=True) for i in want}
            out = []
            for item in want:
                token = ("k", {key: item[key]})
                match = live.get(json.dumps(item[key], sort_keys=True))
                out += ([(path + (token,), item, ABSENT)] if match is None
                        else differences(item, match, path + (token,)))
            out += [(path + (("k", {key: i[key]}),), ABSENT, i) for k, i in live.items() if k not in wanted]
            return out
        if len(want) == len(have):
            return [d for i, (w, h) in enumerate(zip(want, have, strict=True))
                    for d in differences(w, h, path + (("i", i),))]
        return [(path, want, have)]
    return [] if want == have else [(path, want, have)]


def differs(want: Any, have: Any) -> bool:
    """``bool(differences(want, have))`` without building the list: stops at the first difference (a plan asks
    this of every object it does not dry-run, and most objects match)."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return True
        return any(key not in have or differs(value, have[key]) for key, value in want.items())
    if isinstance(want, list):
        if not isinstance(have, list):
            return True
        key = _merge_key(want)
        if key is not None and _merge_key(have) == key:
            live = {json.dumps(i[key], sort_keys=True): i for i in have}
            wanted = set()
            for item in want:
                ident = json.dumps(item[key], sort_keys=True)
                match = live.get(ident)
                if match is None or differs(item, match):
                    return True
                wanted.add(ident)
            return any(k not in wanted for k in live)
        if len(want) != len(have):
            return True
        return any(differs(w, h) for w, h in zip(want, have, strict=True))
    return bool(want != have)


def path_text(path: tuple[Token, ...]) -> str:
    """``spec.template.spec.containers[name=web].image``."""
    out = ""
    for kind, value in path:
        if kind == "f":
            out += f".{value}" if out else str(value)
        elif kind == "k":
            (k, v), = value.items()
            out += f"[{k}={v}]"
        else:
            out += f"[{value}]"
    return out


def _fields_tokens(path: tuple[Token, ...]) -> list[str]:
    out = []
    for kind, value in path:
        if kind == "f":
            out.append(f"f:{value}")
        elif kind == "k":
            out.append("k:" + json.dumps(value, separators=(",", ":"), sort_keys=True))
        else:
            out.append(f"i:{value}")
    return out


def _depth(fields: Any, tokens: list[str]) -> int:
    """How deep a FieldsV1 tree owns ``tokens``: all of them when it reaches the field (or something below it),
    the depth of an atomic ancestor it owns whole (an empty ``{}``), 0 when it owns neither."""
    node = fields
    for depth, token in enumerate(tokens):
        if not isinstance(node, dict) or token not in node:
            return 0
        node = node[token]
        if node == {} and depth + 1 < len(tokens):
            return depth + 1  # owns the whole of an ancestor
    return len(tokens)


def who_changed(live: dict[str, Any], path: tuple[Token, ...]) -> tuple[str, str, str]:
    """(manager, operation, time) of the manager that owns ``path`` in the live object ("" when unknown)."""
    tokens = _fields_tokens(path)
    best: tuple[int, str, dict[str, Any]] | None = None
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if not isinstance(entry, dict) or entry.get("manager") in RELEASE_MANAGERS:
            continue
        depth = _depth(entry.get("fieldsV1") or {}, tokens)
        if depth == 0:
            continue
        rank = (depth, str(entry.get("time") or ""))
        if best is None or rank > best[:2]:
            best = (*rank, entry)
    if best is None:
        return "", "", ""
    entry = best[2]
    return str(entry.get("manager") or ""), str(entry.get("operation") or ""), str(entry.get("time") or "")


def _shown(value: Any, secret: bool, path: tuple[Token, ...], mark: str = "") -> Any:
    if secret and path and path[0][1] in ("data", "stringData") and value is not ABSENT:
        return MASKED + mark
    return value


def object_drift(oid: ObjectId, want: dict[str, Any], live: dict[str, Any] | None, *, show_secrets: bool = False,
                 source: str = "") -> ObjectDrift:
    """``want`` (the release's object, with the server's defaults for what it leaves out) against ``live``."""
    if live is None:
        return ObjectDrift(oid, MISSING, source=source)
    secret = oid.kind == "Secret" and not show_secrets
    fields = []
    for path, release, current in differences(want, live):
        manager, operation, time = who_changed(live, path)
        fields.append(FieldDrift(path_text(path), _shown(release, secret, path),
                                 _shown(current, secret, path, " (changed)"), manager, operation, time))
    return ObjectDrift(oid, DRIFTED if fields else IN_SYNC, fields, source)


# --- showing --------------------------------------------------------------------------------------
def _value(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if not isinstance(value, str) else value


def drift_text(report: DriftReport, *, colour: bool = False) -> str:
    from helmpy.diff.render import paint

    lines = []
    for obj in report.objects:
        if obj.state == MISSING:
            lines.append(paint(f"{obj.id.header()} is missing from the cluster", "red", colour))
        elif obj.state == DRIFTED:
            lines.append(paint(f"{obj.id.header()} has drifted:", "yellow", colour))
            for f in obj.fields:
                who = f"{f.manager} ({f.operation}{', ' + f.time if f.time else ''})" if f.manager else \
                    "an unknown manager"
                lines.append(f"  {f.path}: release {paint(_value(f.release), 'green', colour)}, "
                             f"live {paint(_value(f.live), 'red', colour)} - changed by {who}")
    counts = report.counts()
    lines.append(f"{counts[DRIFTED]} drifted, {counts[MISSING]} missing, {counts[IN_SYNC]} in sync "
                 f"(release {report.release}, revision {report.revision})")
    return "".join(line + "\n" for line in lines)


def render(report: DriftReport, fmt: str, *, colour: bool = False) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
    return drift_text(report, colour=colour)
