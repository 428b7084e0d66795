"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch (kube-api.md §6).

Strategic merge is a merge patch in which lists with a merge key (``containers`` by ``name``, container
``ports`` by ``containerPort`` ...) merge element by element, plus the ``$patch``, ``$setElementOrder``,
``$retainKeys`` and ``$deleteFromPrimitiveList`` directives. Merge keys come from a table by field name,
which covers the common built-in kinds; any other list is replaced.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from helmpy.errors import KubeApiStatus
from helmpy.kube.client import clone


def bad_request(message: str) -> KubeApiStatus:
    """400 for a patch that cannot be applied as written."""
    return KubeApiStatus(message, code=400, reason="BadRequest")


# field name -> merge key (container "ports" and Service "ports" are told apart by their elements)
MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "ownerReferences": "uid", "hostAliases": "ip", "conditions": "type", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name", "envFrom": "", "tolerations": "",
}


def merge_key(field: str, *lists: Any) -> str | None:
    """The merge key of a list field, or None for an atomic list."""
    if field == "ports":
        for items in lists:
            for item in items or []:
                if isinstance(item, dict) and "containerPort" in item:
                    return "containerPort"
                if isinstance(item, dict) and "port" in item:
                    return "port"
        return None
    key = MERGE_KEYS.get(field)
    if not key:
        return None
    for items in lists:
        for item in items or []:
            if not isinstance(item, dict):
                return None
    return key


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: ``null`` deletes, objects merge, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _strip(value: Any) -> Any:
    """Remove directives from a value that is inserted as is."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _merge_list(result: list[Any], patch: list[Any], key: str) -> list[Any]:
    """Merge keyed ``patch`` items into ``result`` (a fresh copy this merge owns, changed in place)."""
    for item in patch:
        if not isinstance(item, dict):
            raise bad_request(f"strategic merge patch: list elements keyed by {key!r} must be objects")
        directive = item.get("$patch")
        index = next((i for i, o in enumerate(result) if isinstance(o, dict) and o.get(key) == item.get(key)), None)
        if directive == "delete":
            if index is not None:
                del result[index]
        elif directive == "replace":
            return [_strip(i) for i in patch if isinstance(i, dict) and i.get("$patch") != "replace"]
        elif index is None:
            result.append(_strip(item))
        else:
            result[index] = _merge(result[index], item)
    return result


def _order(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def ident(v: Any) -> Any:
        return json.dumps(v.get(key) if key and isinstance(v, dict) else v, sort_keys=True)

    rank = {ident(o): i for i, o in enumerate(order)}
    listed = sorted((i for i in items if ident(i) in rank), key=lambda i: rank[ident(i)])
    return listed + [i for i in items if ident(i) not in rank]


def strategic_merge(orig: Any, patch: Any, *, owned: bool = False) -> Any:
    """Apply a strategic merge patch to ``orig``; None as a result means ``$patch: delete``. ``patch`` is not
    changed, and the result shares nothing with it; nor with ``orig``, which is not changed either unless
    ``owned`` (a fresh copy of the caller's own, merged into in place instead of copied once more)."""
    if not isinstance(patch, dict):
        return clone(patch)
    if not isinstance(orig, dict):
        orig = None
    elif not owned:
        orig = clone(orig)  # copied once at the top: the merge changes it in place
    return _merge(orig, patch)


def _merge(result: Any, patch: Any) -> Any:
    """:func:`strategic_merge` into ``result``, a fresh copy the merge owns: copied once at the top instead of
    once per level (which made a merge cost the object's size times its depth)."""
    if not isinstance(patch, dict):
        return clone(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return _strip(patch)
    if not isinstance(result, dict):
        result = {}
    retain = patch.get("$retainKeys")
    orders: dict[str, list[Any]] = {}
    for name, value in patch.items():
        if name in ("$patch", "$retainKeys"):
            continue
        if name.startswith("$setElementOrder/"):
            orders[name.split("/", 1)[1]] = value
        elif name.startswith("$deleteFromPrimitiveList/"):
            field = name.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in (value or [])]
        elif not name.startswith("$"):
            _merge_field(result, name, value)
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _order(result[field], order, merge_key(field, result[field], order))
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_field(result: dict[str, Any], name: str, value: Any) -> None:
    """Merge one field of a strategic merge patch into ``result`` (null deletes; maps and keyed lists merge)."""
    if value is None:
        result.pop(name, None)
    elif isinstance(value, dict):
        merged = _merge(result.get(name), value)  # ``result`` is the merge's own copy: no copy per level
        if merged is None:
            result.pop(name, None)
        else:
            result[name] = merged
    elif isinstance(value, list):
        key = merge_key(name, result.get(name), value)
        if key and isinstance(result.get(name), list):
            result[name] = _merge_list(result[name], value, key)
        else:
            result[name] = [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch"))]
    else:
        result[name] = value


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"json patch: invalid path {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    for part in parts:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            raise KubeApiStatus(f"json patch: path {path!r} does not exist", code=422, reason="Invalid")
    return doc


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, last = _walk(doc, parts[:-1], path), parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise KubeApiStatus(f"json patch: invalid index in {path!r}", code=422, reason="Invalid")
    else:
        raise KubeApiStatus(f"json patch: cannot add at {path!r}", code=422, reason="Invalid")
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        raise KubeApiStatus("json patch: cannot remove the whole document", code=422, reason="Invalid")
    parent = _walk(doc, parts[:-1], path)
    _walk(parent, parts[-1:], path)
    if isinstance(parent, dict):
        return parent.pop(parts[-1])
    return parent.pop(int(parts[-1]))


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902: add, remove, replace, move, copy and test."""
    if not isinstance(operations, list):
        raise bad_request("json patch: the body must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise bad_request(f"json patch: malformed operation {op!r}")
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            if path:
                _remove(doc, path)
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            source = op.get("from", "")
            value = _remove(doc, source) if kind == "move" else copy.deepcopy(_walk(doc, _pointer(source), source))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _walk(doc, _pointer(path), path) != op.get("value"):
                raise KubeApiStatus(f"json patch: test failed at {path!r}", code=422, reason="Invalid")
        else:
            raise bad_request(f"json patch: unknown operation {kind!r}")
    return doc
