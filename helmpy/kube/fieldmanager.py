"""Server-side apply with field managers and conflicts, tracked in ``metadata.managedFields``.

The one implementation of field ownership for the embedded cluster: its in-process ``apply``/``create``/
``replace`` and ``helmpy cluster serve``'s apply patches and writes all come through here, so objects end
up the same whichever way they were written (and mixing helmpy, Helm and kubectl gives a real cluster's result).

Each manager's fields are stored in the ``FieldsV1`` shape (``f:spec`` / ``k:{"name":"web"}``), so the
ownership travels with the object in the shared SQLite file. Apply = the live object, minus fields this
manager applied before and no longer sets (unless another manager owns them), merged with the new
configuration (keyed lists by key, other lists replaced). A field another manager owns with a different
value is a 409 Conflict (``FieldManagerConflict`` causes) unless ``force``. Plain writes (create, update,
other patches) hand the fields they change to their manager with ``operation: Update``.
"""

from __future__ import annotations

import json
from typing import Any

from helmpy.errors import FieldConflict
from helmpy.kube.client import clone, timestamp
from helmpy.kube.patch import merge_key, strategic_merge

Path = tuple[str, ...]
# metadata fields that are identity or bookkeeping, never owned
_SYSTEM_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}


_now = timestamp


def _key_token(item: dict[str, Any], key: str) -> str:
    return "k:" + json.dumps({key: item.get(key)}, separators=(",", ":"), sort_keys=True)


def leaf_paths(value: Any, prefix: Path = (), field: str = "") -> set[Path]:
    """The owned leaf paths of a value, in FieldsV1 tokens."""
    out: set[Path] = set()
    if isinstance(value, dict) and value:
        for name, sub in value.items():
            if not prefix and name in ("apiVersion", "kind", "status"):
                continue
            if prefix == ("f:metadata",) and name in _SYSTEM_META:
                continue
            out |= leaf_paths(sub, prefix + (f"f:{name}",), name)
    elif isinstance(value, list) and value and merge_key(field, value):
        key = merge_key(field, value) or ""
        for item in value:
            token = _key_token(item, key)
            out.add(prefix + (token, "."))
            out |= leaf_paths({k: v for k, v in item.items() if k != key}, prefix + (token,), "")
    elif prefix:
        out.add(prefix)
    return out


def _lookup(obj: Any, path: Path) -> tuple[bool, Any]:
    """Follow a token path through an object; (found, value)."""
    for token in path:
        if token == ".":
            continue
        if token.startswith("f:") and isinstance(obj, dict) and token[2:] in obj:
            obj = obj[token[2:]]
        elif token.startswith("k:") and isinstance(obj, list):
            want = json.loads(token[2:])
            match = [i for i in obj if isinstance(i, dict) and all(i.get(k) == v for k, v in want.items())]
            if not match:
                return False, None
            obj = match[0]
        else:
            return False, None
    return True, obj


def _remove(obj: Any, path: Path) -> None:
    parent_found, parent = _lookup(obj, path[:-1])
    if not parent_found:
        return
    token = path[-1]
    if token.startswith("f:") and isinstance(parent, dict):
        parent.pop(token[2:], None)
    elif token.startswith("k:") and isinstance(parent, list):
        want = json.loads(token[2:])
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k) == v for k, v in want.items()))]


def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    """Nest token paths into the FieldsV1 JSON shape."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for token in path:
            node = node.setdefault(token, {})
    return root


def from_fields_v1(fields: Any, prefix: Path = ()) -> set[Path]:
    """Flatten FieldsV1 back into leaf token paths."""
    out: set[Path] = set()
    if not isinstance(fields, dict):
        return out
    for token, sub in fields.items():
        if isinstance(sub, dict) and sub:
            out |= from_fields_v1(sub, prefix + (token,))
        else:
            out.add(prefix + (token,))
    return out


def _managers(obj: dict[str, Any]) -> dict[tuple[str, str], set[Path]]:
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    return {(e.get("manager", ""), e.get("operation", "Update")): from_fields_v1(e.get("fieldsV1"))
            for e in entries if isinstance(e, dict)}


def _set_managers(obj: dict[str, Any], managers: dict[tuple[str, str], set[Path]], api_version: str) -> None:
    entries = [{"manager": m, "operation": op, "apiVersion": api_version, "time": _now(), "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(paths)}
               for (m, op), paths in sorted(managers.items()) if paths]
    meta = obj.setdefault("metadata", {})
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def _prefixes(paths: set[Path]) -> set[Path]:
    return {p[:i] for p in paths for i in range(1, len(p) + 1)}


class ApplyConflict(Exception):
    """Fields owned by other managers would change; ``causes`` are FieldManagerConflict entries."""

    def __init__(self, causes: list[dict[str, str]]) -> None:
        super().__init__(f"{len(causes)} conflicts")
        self.causes = causes


def conflict_error(plural: str, group: str, name: str, causes: list[dict[str, str]]) -> FieldConflict:
    """The API server's 409 for apply conflicts (``Apply failed with 1 conflict: conflict with "kubectl" ...``)."""
    if len(causes) == 1:
        message = f"Apply failed with 1 conflict: {causes[0]['message']}: {causes[0]['field']}"
    else:
        lines = "\n".join(f"- {c['message']}: {c['field']}" for c in causes)
        message = f"Apply failed with {len(causes)} conflicts:\n{lines}"
    return FieldConflict(message, code=409, reason="Conflict", details={"name": name, "group": group, "kind": plural,
                                                                        "causes": causes},
                         hint="use --force-conflicts to take the fields over")


def _field_name(path: Path) -> str:
    return "." + ".".join(t[2:] if t.startswith("f:") else f"[{t[2:]}]" for t in path if t != ".")


def server_side_apply(live: dict[str, Any] | None, config: dict[str, Any], manager: str, force: bool
                      ) -> dict[str, Any]:
    """The object after ``manager`` applies ``config`` to ``live`` (None when creating)."""
    new_paths = leaf_paths(config)
    if live is None:
        result = clone(config)
        result.pop("status", None)
        result.setdefault("metadata", {}).pop("managedFields", None)
        _set_managers(result, {(manager, "Apply"): new_paths}, config.get("apiVersion", ""))
        return result
    managers = _managers(live)
    previous = managers.pop((manager, "Apply"), set())
    causes: list[dict[str, str]] = []
    for (other, op), owned in managers.items():
        if other == manager:
            continue
        for path in new_paths & owned:
            if path[-1] == ".":  # a list element's own entry: both managers keep it, shared, never a conflict
                continue
            found, value = _lookup(live, path)
            _, wanted = _lookup(config, path)
            if found and value != wanted:
                causes.append({"type": "FieldManagerConflict", "field": _field_name(path),
                               "message": f'conflict with "{other}"' + (" using " + live.get("apiVersion", "")
                                                                         if op == "Update" else "")})
    if causes and not force:
        raise ApplyConflict(causes)
    others = set().union(*managers.values()) if managers else set()
    result = clone(live)
    keep = _prefixes(new_paths) | _prefixes(others) | {("f:metadata",)}
    for path in sorted(previous - new_paths - others, key=len):
        for i in range(1, len(path) + 1):
            if path[:i] not in keep:
                _remove(result, path[:i])
                break
    body = {k: v for k, v in config.items() if k != "status"}  # the merge copies what it takes from it
    if isinstance(body.get("metadata"), dict):
        body["metadata"] = {k: v for k, v in body["metadata"].items() if k != "managedFields"}
    result = strategic_merge(result, body, owned=True)  # result: the clone of live above
    if force:  # forced fields move to this manager; equal values stay shared, as on a real server
        for key in managers:
            managers[key] -= {p for p in new_paths if _lookup(live, p) != _lookup(config, p)}
    managers[(manager, "Apply")] = new_paths
    _set_managers(result, managers, config.get("apiVersion", ""))
    return result


def record_update(before: dict[str, Any] | None, after: dict[str, Any], manager: str) -> None:
    """Give ``manager`` (operation Update) the fields a plain write changed, taking them from others."""
    if not manager:
        return
    managers = _managers(before) if before is not None else {}
    after_paths = leaf_paths(after)
    if before is None:
        changed = after_paths
    else:
        changed = {p for p in after_paths if _lookup(before, p) != _lookup(after, p)}
    gone = leaf_paths(before) - after_paths if before is not None else set()
    for key in list(managers):
        if key != (manager, "Update"):
            managers[key] -= changed | gone
    managers[(manager, "Update")] = (managers.get((manager, "Update"), set()) - gone) | changed
    _set_managers(after, managers, after.get("apiVersion", ""))
