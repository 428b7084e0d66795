"""Data functions for templates: YAML/JSON conversion, maps and lists, numbers (Helm's and Sprig's names)."""

from __future__ import annotations

import base64
import copy
import json
import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from jinja2.runtime import Undefined

from helmpy.engine import budget
from helmpy.engine.budget import ITEM_BYTES, reserve, reserve_items, ticking
from helmpy.engine.gofmt import go_str
from helmpy.engine.gotemplate import gojson, goyaml
from helmpy.engine.textfuncs import empty, is_missing, plain, to_int
from helmpy.errors import HelmpyError, RenderError, RenderLimitError
from helmpy.jsondepth import check_json_depth

logger = logging.getLogger(__name__)


# --- YAML / JSON ----------------------------------------------------------------------------------
class _Tree:
    """Sizes the tree :func:`_jsonable` builds as it goes: items and string lengths, each repeated reference
    counted again (the serialised text repeats it), so a value that shares one long string or list a
    million times is refused before it is copied or dumped."""

    __slots__ = ("size", "what")

    def __init__(self, what: str) -> None:
        self.size = 0
        self.what = what

    def add(self, size: int) -> None:
        self.size += size
        reserve(self.size, self.what)


def _jsonable(value: Any, tree: _Tree | None = None) -> Any:
    """A Jinja value as the plain tree Go's encoders take (missing values nil, keys strings, dates text),
    sized as it is built."""
    if isinstance(value, Undefined):
        return None
    if isinstance(value, str):
        if tree is not None and len(value) > ITEM_BYTES:
            tree.add(len(value))
        return value
    if isinstance(value, (dict, list, tuple)):
        tree = tree or _Tree("serialising a value")
        tree.add(len(value) * ITEM_BYTES)
        if isinstance(value, dict):
            return {(k if isinstance(k, str) else go_str(k)): _jsonable(v, tree) for k, v in value.items()}
        return [_jsonable(v, tree) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_YAML_CACHE: dict[Any, str] = {}
_YAML_CACHE_SIZE = 512


_FREEZE_MAX_ITEMS = 4096


def _freeze(value: Any, seen: list[int] | None = None) -> Any:
    """A hashable snapshot of a plain value, types included (1, 1.0 and True differ); None if not plain
    or larger than ``_FREEZE_MAX_ITEMS`` items (not worth caching, and a shared-reference tree could be huge).

    Charts call ``toYaml`` on the same small maps (labels, resources) for every object they render;
    dumping is ~50x dearer than this walk, so equal snapshots share one dump.
    """
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        seen = seen if seen is not None else [0]
        seen[0] += len(value)
        if seen[0] > _FREEZE_MAX_ITEMS:
            return None
    if kind in _PLAIN_TYPES:
        return (kind, value)
    if kind is dict:
        items = []
        for k, v in value.items():
            frozen = _freeze(v, seen)
            if frozen is None or type(k) not in _PLAIN_TYPES:
                return None
            items.append((type(k), k, frozen))
        return (dict, tuple(items))
    if kind is list or kind is tuple:
        out = []
        for v in value:
            frozen = _freeze(v, seen)
            if frozen is None:
                return None
            out.append(frozen)
        return (kind, tuple(out))
    return None


def must_to_yaml(value: Any) -> str:
    """Exactly Helm's toYaml text (go-yaml v2 after Go's JSON round trip), trailing newline removed."""
    key = _freeze(value)
    if key is not None:
        cached = _YAML_CACHE.get(key)
        if cached is not None:
            return cached
    try:
        text = goyaml.to_yaml(_jsonable(value, _Tree("toYaml")))
    except RenderLimitError:
        raise
    except RenderError as err:
        raise RenderError(f"error calling mustToYaml: {err}") from err
    if key is not None:
        if len(_YAML_CACHE) >= _YAML_CACHE_SIZE:
            _YAML_CACHE.clear()
        _YAML_CACHE[key] = text
    return text


def to_yaml(value: Any) -> str:
    """``toYaml``: like mustToYaml, but an unrepresentable value gives "" (Helm's behaviour)."""
    try:
        return must_to_yaml(value)
    except RenderLimitError:
        raise
    except Exception as err:  # noqa: BLE001 - Helm swallows marshal errors here
        logger.debug("toYaml failed: %s", err)
        return ""


def must_to_json(value: Any) -> str:
    """Go's ``json.Marshal``: sorted keys, no spaces, ``<>&`` escaped."""
    return gojson.to_json(_jsonable(value, _Tree("toJson")))


def to_json(value: Any) -> str:
    try:
        return must_to_json(value)
    except RenderLimitError:
        raise
    except Exception as err:  # noqa: BLE001 - Helm swallows marshal errors here
        logger.debug("toJson failed: %s", err)
        return ""


def to_pretty_json(value: Any) -> str:
    """Sprig's ``toPrettyJson``: ``json.MarshalIndent(v, "", "  ")``, "" on error."""
    try:
        return gojson.to_json(_jsonable(value, _Tree("toPrettyJson")), indent="  ")
    except RenderLimitError:
        raise
    except HelmpyError as err:
        logger.debug("toPrettyJson failed: %s", err)
        return ""


def to_raw_json(value: Any) -> str:
    """Sprig's ``toRawJson``: like toJson without HTML escaping."""
    return gojson.to_json(_jsonable(value, _Tree("toRawJson")), escape_html=False)


def from_yaml(text: Any) -> Any:
    """A map from YAML text; on error ``{"Error": message}`` like Helm."""
    from helmpy import yamlutil  # PyYAML only for charts that parse YAML

    try:
        data = yamlutil.load(go_str(text), "fromYaml")
    except HelmpyError as err:
        return {"Error": f"error converting YAML to JSON: {err}"}
    if data is None:
        return {}
    if not isinstance(data, dict):
        return {"Error": f"error unmarshaling JSON: cannot unmarshal {type(data).__name__} into a map"}
    return data


def from_yaml_array(text: Any) -> list[Any]:
    from helmpy import yamlutil

    try:
        data = yamlutil.load(go_str(text), "fromYamlArray")
    except HelmpyError as err:
        return [f"error converting YAML to JSON: {err}"]
    if data is None:
        return []
    if not isinstance(data, list):
        return [f"error unmarshaling JSON: cannot unmarshal {type(data).__name__} into a list"]
    return data


def _load_json(text: Any, fn: str) -> Any:
    """JSON text from a template, refused (RenderError) when nested deeper than the values limit (Go's
    encoding/json stops at 10000 levels with "exceeded max depth")."""
    source = go_str(text)
    check_json_depth(source, fn, RenderError)
    return json.loads(source)


def from_json(text: Any) -> Any:
    try:
        data = _load_json(text, "fromJson")
    except (ValueError, RenderError) as err:  # Helm answers a map with the error, as for fromYaml
        return {"Error": str(err)}
    return data if isinstance(data, dict) else {"Error": "json: cannot unmarshal into a map"}


def from_json_array(text: Any) -> list[Any]:
    try:
        data = _load_json(text, "fromJsonArray")
    except (ValueError, RenderError) as err:
        return [str(err)]
    return data if isinstance(data, list) else ["json: cannot unmarshal into a list"]


# --- collections ----------------------------------------------------------------------------------
def make_list(*values: Any) -> list[Any]:
    reserve_items(len(values), "list")
    return list(values)


def make_dict(*pairs: Any, **kwargs: Any) -> dict[str, Any]:
    """``dict("a", 1, "b", 2)`` (Sprig) or ``dict(a=1)`` (Jinja)."""
    reserve_items(len(pairs) // 2 + len(kwargs), "dict")
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[go_str(pairs[i])] = plain(pairs[i + 1]) if i + 1 < len(pairs) else ""
    out.update(kwargs)
    return out


def _as_dict(value: Any, fn: str) -> dict[Any, Any]:
    if is_missing(value):
        return {}
    if not isinstance(value, Mapping):
        raise RenderError(f"{fn}: expected a map, got {type(value).__name__}")
    return value  # type: ignore[return-value]


def has_key(mapping: Any, key: Any) -> bool:
    return key in _as_dict(mapping, "hasKey")


def get(mapping: Any, key: Any) -> Any:
    return _as_dict(mapping, "get").get(key, "")


def set_key(mapping: Any, key: Any, value: Any) -> Any:
    d = _as_dict(mapping, "set")
    d[key] = value
    return d


def unset(mapping: Any, key: Any) -> Any:
    d = _as_dict(mapping, "unset")
    d.pop(key, None)
    return d


def keys(*mappings: Any) -> list[Any]:
    out: list[Any] = []
    for m in mappings:
        out.extend(_as_dict(m, "keys").keys())
    return out


def values_of(mapping: Any) -> list[Any]:
    return list(_as_dict(mapping, "values").values())


def pluck(key: Any, *mappings: Any) -> list[Any]:
    return [m[key] for m in mappings if isinstance(m, Mapping) and key in m]


def pick(mapping: Any, *names: Any) -> dict[Any, Any]:
    d = _as_dict(mapping, "pick")
    return {k: d[k] for k in names if k in d}


def omit(mapping: Any, *names: Any) -> dict[Any, Any]:
    return {k: v for k, v in _as_dict(mapping, "omit").items() if k not in names}


def dig(*args: Any) -> Any:
    """``dig("a", "b", default, map)``: nested lookup with a default."""
    if len(args) < 3:
        raise RenderError("dig: needs at least one key, a default and a map")
    *path, dflt, mapping = args
    cur: Any = mapping
    for k in path:
        if not isinstance(cur, Mapping) or k not in cur:
            return dflt
        cur = cur[k]
    return cur


def _merge_into(dst: dict[Any, Any], src: Mapping[Any, Any], overwrite: bool) -> None:
    for k, v in src.items():
        if k in dst and isinstance(dst[k], dict) and isinstance(v, Mapping):
            _merge_into(dst[k], v, overwrite)
        elif k not in dst or (overwrite and not empty(v)) or (not overwrite and empty(dst[k]) and
                                                               not isinstance(dst[k], (dict, list))):
            dst[k] = copy.deepcopy(v)


def merge(dst: Any, *sources: Any) -> Any:
    """Deep-merge ``sources`` into ``dst`` (``dst`` wins), like Sprig; returns ``dst``."""
    d = _as_dict(dst, "merge")
    for s in sources:
        _merge_into(d, _as_dict(s, "merge"), overwrite=False)
    return d


def merge_overwrite(dst: Any, *sources: Any) -> Any:
    """Deep-merge ``sources`` into ``dst``, later sources winning; returns ``dst``."""
    d = _as_dict(dst, "mergeOverwrite")
    for s in sources:
        _merge_into(d, _as_dict(s, "mergeOverwrite"), overwrite=True)
    return d


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(plain(value))


def _as_list(value: Any, fn: str) -> list[Any]:
    if is_missing(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise RenderError(f"{fn}: expected a list, got {type(value).__name__}")


def append(values: Any, item: Any) -> list[Any]:
    items = _as_list(values, "append")
    reserve_items(len(items) + 1, "append")
    return items + [item]


def prepend(values: Any, item: Any) -> list[Any]:
    items = _as_list(values, "prepend")
    reserve_items(len(items) + 1, "prepend")
    return [item] + items


def concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        items = _as_list(lst, "concat")
        reserve_items(len(out) + len(items), "concat")
        out.extend(items)
    return out


def uniq(values: Any) -> list[Any]:
    """The items in order, first occurrence kept (equal items, as ``==`` sees them, are dropped)."""
    out: list[Any] = []
    seen: set[Any] = set()
    for v in ticking(_as_list(values, "uniq")):
        try:
            if v in seen:
                continue
            seen.add(v)
        except TypeError:  # a map or list: compare by value with the other unhashable ones
            if v in out:
                continue
        out.append(v)
    return out


def compact(values: Any) -> list[Any]:
    return [v for v in _as_list(values, "compact") if not empty(v)]


def without(values: Any, *remove: Any) -> list[Any]:
    return [v for v in _as_list(values, "without") if v not in remove]


def has(needle: Any, values: Any) -> bool:
    return needle in _as_list(values, "has")


def sort_alpha(values: Any) -> list[str]:
    return sorted(go_str(v) for v in _as_list(values, "sortAlpha"))


def until(count: int) -> list[int]:
    n = int(count)
    reserve_items(abs(n), "until")
    return list(range(n)) if n >= 0 else list(range(0, n, -1))


def kind_of(value: Any) -> str:
    v = plain(value)
    for typ, name in ((bool, "bool"), (int, "int"), (float, "float64"), (str, "string"), (dict, "map"),
                      (list, "slice"), (tuple, "slice")):
        if isinstance(v, typ):
            return name
    return "invalid" if v is None else type(v).__name__


def kind_is(kind: str, value: Any) -> bool:
    return kind_of(value) == kind


# --- numbers --------------------------------------------------------------------------------------
def add(*values: Any) -> Any:
    return sum(_num(v) for v in values)


def _num(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return to_int(value)


def sub(a: Any, b: Any) -> Any:
    return _num(a) - _num(b)


def mul(*values: Any) -> Any:
    out: Any = 1
    for v in values:
        n = _num(v)
        budget.check_product(out, n, "mul")
        out *= n
    return out


def div(a: Any, b: Any) -> Any:
    a, b = _num(a), _num(b)
    if b == 0:
        raise RenderError("div: division by zero")
    return a // b if isinstance(a, int) and isinstance(b, int) else a / b


def mod(a: Any, b: Any) -> Any:
    a, b = _num(a), _num(b)
    if b == 0:
        raise RenderError("mod: division by zero")
    return a % b
