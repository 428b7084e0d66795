"""Helm's template functions (Helm's own plus the commonly used Sprig ones) as Jinja filters and globals.

Rule of thumb, so charts read like Helm pipelines: a function that Sprig pipes the value into as its
*last* argument is a global with Sprig's argument order (``required("msg", x)``, ``trunc(63, s)``)
and a filter taking the piped value first (``x | required("msg")``, ``s | trunc(63)``). Functions that
take a map or list first (``hasKey``, ``merge``, ``append``) have the same order in both forms.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import hashlib
import json
import logging
import posixpath
import re
import secrets
import string
import urllib.parse
import uuid
import zlib
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any, Callable

from jinja2 import pass_context
from jinja2.runtime import Context, Macro, Undefined

from helmpy import yamlutil
from helmpy.engine.gofmt import go_quote, go_sprintf, go_str, go_time_format
from helmpy.errors import HelmpyError, RenderError, TemplateFailError

logger = logging.getLogger(__name__)

MACROS_KEY = "_helmpy_macros"
LookupFn = Callable[[str, str, str, str], dict]


def _missing(value: Any) -> bool:
    return value is None or isinstance(value, Undefined)


def _plain(value: Any) -> Any:
    """Undefined -> None, so serialisers see Helm's nil."""
    return None if isinstance(value, Undefined) else value


# --- emptiness and defaults -----------------------------------------------------------------------
def empty(value: Any) -> bool:
    """Sprig's notion of empty: missing, None, "", 0, false, empty list/map."""
    if _missing(value):
        return True
    if isinstance(value, (str, bytes, list, tuple, dict, set)):
        return len(value) == 0
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value == 0
    return False


def default(dflt: Any, value: Any = None) -> Any:
    """``default("a", x)`` / ``x | default("a")``: the default when ``x`` is empty."""
    return dflt if empty(value) else value


def coalesce(*values: Any) -> Any:
    """The first non-empty argument."""
    for v in values:
        if not empty(v):
            return v
    return None


def ternary(true_value: Any, false_value: Any, condition: Any) -> Any:
    return true_value if (not _missing(condition) and condition) else false_value


def required(message: str, value: Any = None) -> Any:
    """Fail rendering with ``message`` when ``value`` is missing, None or ""."""
    if _missing(value) or (isinstance(value, str) and value == ""):
        raise TemplateFailError(go_str(message))
    return value


def fail(message: Any) -> None:
    raise TemplateFailError(go_str(message))


# --- YAML / JSON ----------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """What Go's JSON round trip makes of a value: integral floats print as ints, keys as strings."""
    if isinstance(value, Undefined):
        return None
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else go_str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_YAML_CACHE: dict[Any, str] = {}
_YAML_CACHE_SIZE = 512


def _freeze(value: Any) -> Any:
    """A hashable snapshot of a plain value, types included (1, 1.0 and True differ); None if not plain.

    Charts call ``toYaml`` on the same small maps (labels, resources) for every object they render;
    dumping is ~50x dearer than this walk, so equal snapshots share one dump.
    """
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return (kind, value)
    if kind is dict:
        items = []
        for k, v in value.items():
            frozen = _freeze(v)
            if frozen is None or type(k) not in _PLAIN_TYPES:
                return None
            items.append((type(k), k, frozen))
        return (dict, tuple(items))
    if kind is list or kind is tuple:
        out = []
        for v in value:
            frozen = _freeze(v)
            if frozen is None:
                return None
            out.append(frozen)
        return (kind, tuple(out))
    return None


def must_to_yaml(value: Any) -> str:
    """YAML in Helm's style, trailing newline removed."""
    key = _freeze(value)
    if key is not None:
        cached = _YAML_CACHE.get(key)
        if cached is not None:
            return cached
    text = yamlutil.dump(_jsonable(value))
    if text.endswith("\n...\n"):
        text = text[:-4]
    text = text[:-1] if text.endswith("\n") else text
    if key is not None:
        if len(_YAML_CACHE) >= _YAML_CACHE_SIZE:
            _YAML_CACHE.clear()
        _YAML_CACHE[key] = text
    return text


def to_yaml(value: Any) -> str:
    """``toYaml``: like mustToYaml, but an unrepresentable value gives "" (Helm's behaviour)."""
    try:
        return must_to_yaml(value)
    except Exception as err:  # noqa: BLE001 - Helm swallows marshal errors here
        logger.debug("toYaml failed: %s", err)
        return ""


def must_to_json(value: Any) -> str:
    return yamlutil.dump_json(_jsonable(value))


def to_json(value: Any) -> str:
    try:
        return must_to_json(value)
    except Exception as err:  # noqa: BLE001
        logger.debug("toJson failed: %s", err)
        return ""


def to_pretty_json(value: Any) -> str:
    return yamlutil.dump_json(_jsonable(value), indent=2)


def to_raw_json(value: Any) -> str:
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_yaml(text: Any) -> Any:
    """A map from YAML text; on error ``{"Error": message}`` like Helm."""
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
    try:
        data = yamlutil.load(go_str(text), "fromYamlArray")
    except HelmpyError as err:
        return [f"error converting YAML to JSON: {err}"]
    if data is None:
        return []
    if not isinstance(data, list):
        return [f"error unmarshaling JSON: cannot unmarshal {type(data).__name__} into a list"]
    return data


def from_json(text: Any) -> Any:
    try:
        data = json.loads(go_str(text))
    except ValueError as err:
        return {"Error": str(err)}
    return data if isinstance(data, dict) else {"Error": "json: cannot unmarshal into a map"}


def from_json_array(text: Any) -> list[Any]:
    try:
        data = json.loads(go_str(text))
    except ValueError as err:
        return [str(err)]
    return data if isinstance(data, list) else ["json: cannot unmarshal into a list"]


# --- strings --------------------------------------------------------------------------------------
def quote(*values: Any) -> str:
    """Go-quoted strings joined by spaces; missing values are skipped (so a missing value gives "")."""
    return " ".join(go_quote(go_str(v)) for v in values if not _missing(v))


def squote(*values: Any) -> str:
    return " ".join(f"'{go_str(v)}'" for v in values if not _missing(v))


def indent(spaces: int, text: Any) -> str:
    """Every line (the first too) prefixed with ``spaces`` spaces."""
    pad = " " * int(spaces)
    return pad + go_str(text).replace("\n", "\n" + pad)


def nindent(spaces: int, text: Any) -> str:
    """A newline, then ``indent``: ``{{ x | toYaml | nindent(4) }}``."""
    return "\n" + indent(spaces, text)


def trunc(length: int, text: Any) -> str:
    s = go_str(text)
    n = int(length)
    if n < 0 and len(s) + n > 0:
        return s[len(s) + n:]
    if n >= 0 and len(s) > n:
        return s[:n]
    return s


def trim_suffix(suffix: str, text: Any) -> str:
    s, suf = go_str(text), go_str(suffix)
    return s[: -len(suf)] if suf and s.endswith(suf) else s


def trim_prefix(prefix: str, text: Any) -> str:
    s, pre = go_str(text), go_str(prefix)
    return s[len(pre):] if pre and s.startswith(pre) else s


def trim_all(cutset: str, text: Any) -> str:
    return go_str(text).strip(go_str(cutset))


def trim(text: Any) -> str:
    return go_str(text).strip()


def title(text: Any) -> str:
    """Go's ``strings.Title``: upper-case the first letter of each word, leave the rest."""
    out = []
    prev = " "
    for ch in go_str(text):
        out.append(ch.upper() if not (prev.isalnum() or prev == "_" or prev == "'") else ch)
        prev = ch
    return "".join(out)


def upper(text: Any) -> str:
    return go_str(text).upper()


def lower(text: Any) -> str:
    return go_str(text).lower()


def replace(old: str, new: str, text: Any) -> str:
    return go_str(text).replace(go_str(old), go_str(new))


def contains(substr: str, text: Any) -> bool:
    return go_str(substr) in go_str(text)


def has_prefix(prefix: str, text: Any) -> bool:
    return go_str(text).startswith(go_str(prefix))


def has_suffix(suffix: str, text: Any) -> bool:
    return go_str(text).endswith(go_str(suffix))


def repeat(count: int, text: Any) -> str:
    return go_str(text) * max(int(count), 0)


def substr(start: int, end: int, text: Any) -> str:
    s = go_str(text)
    start, end = int(start), int(end)
    if start < 0:
        return s[:end] if end >= 0 else s
    if end < 0 or end > len(s):
        return s[start:]
    return s[start:end] if start <= end else ""


def nospace(text: Any) -> str:
    return re.sub(r"\s+", "", go_str(text))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", text) if w]


def snakecase(text: Any) -> str:
    return "_".join(w.lower() for w in _words(go_str(text)))


def kebabcase(text: Any) -> str:
    return "-".join(w.lower() for w in _words(go_str(text)))


def camelcase(text: Any) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s-]+", go_str(text)) if w)


def cat(*values: Any) -> str:
    return " ".join(go_str(v) for v in values if not _missing(v))


def split_list(sep: str, text: Any) -> list[str]:
    return go_str(text).split(go_str(sep))


def split(sep: str, text: Any) -> dict[str, str]:
    return {f"_{i}": part for i, part in enumerate(go_str(text).split(go_str(sep)))}


def join(sep: str, values: Any) -> str:
    if _missing(values):
        return ""
    if isinstance(values, str):
        return values
    return go_str(sep).join(go_str(v) for v in values)


def to_string(value: Any) -> str:
    return go_str(value)


def to_strings(values: Any) -> list[str]:
    return [go_str(v) for v in (values or [])]


def to_int(value: Any) -> int:
    """Sprig's ``int``: numbers truncate, numeric strings parse, anything else is 0."""
    if _missing(value):
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    try:
        s = go_str(value).strip()
        return int(s, 0) if s.lower().startswith(("0x", "0o", "0b")) else int(s)
    except ValueError:
        try:
            return int(float(go_str(value)))
        except ValueError:
            return 0


def to_float(value: Any) -> float:
    if _missing(value):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def regex_match(regex: str, text: Any) -> bool:
    return re.search(go_str(regex), go_str(text)) is not None


def _go_repl(repl: str) -> str:
    """Go's ``$1``/``${name}`` replacement syntax -> Python's."""
    repl = repl.replace("\\", "\\\\")
    return re.sub(r"\$\{(\w+)\}|\$(\d+|[A-Za-z_]\w*)", lambda m: f"\\g<{m.group(1) or m.group(2)}>", repl)


def regex_replace_all(regex: str, text: Any, repl: str) -> str:
    return re.sub(go_str(regex), _go_repl(go_str(repl)), go_str(text))


def regex_replace_all_literal(regex: str, text: Any, repl: str) -> str:
    return re.sub(go_str(regex), lambda _m: go_str(repl), go_str(text))


def regex_find(regex: str, text: Any) -> str:
    m = re.search(go_str(regex), go_str(text))
    return m.group(0) if m else ""


def regex_find_all(regex: str, text: Any, n: int = -1) -> list[str]:
    found = [m.group(0) for m in re.finditer(go_str(regex), go_str(text))]
    return found if int(n) < 0 else found[: int(n)]


def regex_split(regex: str, text: Any, n: int = -1) -> list[str]:
    n = int(n)
    if n == 0:
        return []
    return re.split(go_str(regex), go_str(text), maxsplit=0 if n < 0 else n - 1)


# --- encodings and hashes -------------------------------------------------------------------------
def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else go_str(value).encode()


def b64enc(value: Any) -> str:
    return base64.b64encode(_bytes(value)).decode()


def b64dec(value: Any) -> str:
    try:
        return base64.b64decode(_bytes(value), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as err:
        return f"illegal base64 data: {err}"


def b32enc(value: Any) -> str:
    return base64.b32encode(_bytes(value)).decode()


def b32dec(value: Any) -> str:
    try:
        return base64.b32decode(_bytes(value)).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as err:
        return f"illegal base32 data: {err}"


def sha256sum(value: Any) -> str:
    return hashlib.sha256(_bytes(value)).hexdigest()


def sha1sum(value: Any) -> str:
    return hashlib.sha1(_bytes(value)).hexdigest()  # noqa: S324 - a checksum, as in Helm


def sha512sum(value: Any) -> str:
    return hashlib.sha512(_bytes(value)).hexdigest()


def adler32sum(value: Any) -> str:
    return str(zlib.adler32(_bytes(value)))


def urlquery(*values: Any) -> str:
    return urllib.parse.quote_plus(" ".join(go_str(v) for v in values))


# --- collections ----------------------------------------------------------------------------------
def make_list(*values: Any) -> list[Any]:
    return list(values)


def make_dict(*pairs: Any, **kwargs: Any) -> dict[str, Any]:
    """``dict("a", 1, "b", 2)`` (Sprig) or ``dict(a=1)`` (Jinja)."""
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[go_str(pairs[i])] = _plain(pairs[i + 1]) if i + 1 < len(pairs) else ""
    out.update(kwargs)
    return out


def _as_dict(value: Any, fn: str) -> dict[Any, Any]:
    if _missing(value):
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
    return copy.deepcopy(_plain(value))


def _as_list(value: Any, fn: str) -> list[Any]:
    if _missing(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise RenderError(f"{fn}: expected a list, got {type(value).__name__}")


def append(values: Any, item: Any) -> list[Any]:
    return _as_list(values, "append") + [item]


def prepend(values: Any, item: Any) -> list[Any]:
    return [item] + _as_list(values, "prepend")


def concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(_as_list(lst, "concat"))
    return out


def uniq(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in _as_list(values, "uniq"):
        if v not in out:
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
    return list(range(n)) if n >= 0 else list(range(0, n, -1))


def kind_of(value: Any) -> str:
    v = _plain(value)
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
        out *= _num(v)
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


# --- random, time, versions -----------------------------------------------------------------------
def _rand(chars: str, count: Any) -> str:
    n = int(count)
    if n < 0 or n > 1_000_000:
        raise RenderError(f"random string length {n} is out of range")
    return "".join(secrets.choice(chars) for _ in range(n))


def rand_alpha_num(count: Any) -> str:
    return _rand(string.ascii_letters + string.digits, count)


def rand_alpha(count: Any) -> str:
    return _rand(string.ascii_letters, count)


def rand_numeric(count: Any) -> str:
    return _rand(string.digits, count)


def uuidv4() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def _as_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.astimezone()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).astimezone()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc).astimezone()
    if isinstance(value, str):
        try:
            return _as_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            pass
    return now()


def date_format(layout: Any, when: Any = None) -> str:
    """``date("2006-01-02", now())`` / ``now() | date("2006-01-02")`` (Go layouts); either order works."""
    if isinstance(when, str) and not isinstance(layout, str):
        layout, when = when, layout
    return go_time_format(_as_time(when), go_str(layout))


def date_in_zone(layout: Any, when: Any, zone: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(go_str(zone) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return go_time_format(_as_time(when).astimezone(tz), go_str(layout))


def unix_epoch(when: Any) -> str:
    return str(int(_as_time(when).timestamp()))


def semver_compare(constraint: Any, version: Any) -> bool:
    """True when ``version`` satisfies the Masterminds constraint (``>=1.20.0-0``)."""
    from helmpy.semverutil import parse_constraint, parse_version

    try:
        c = parse_constraint(go_str(constraint))
    except ValueError as err:
        raise RenderError(f"semverCompare: {err}") from err
    try:
        v = parse_version(go_str(version))
    except ValueError as err:
        raise RenderError(f"semverCompare: {err}") from err
    return c.check(v)


def base(path: Any) -> str:
    return posixpath.basename(go_str(path)) or "."


def dirname(path: Any) -> str:
    return posixpath.dirname(go_str(path)) or "."


def ext(path: Any) -> str:
    return posixpath.splitext(go_str(path))[1]


# --- template-aware functions ---------------------------------------------------------------------
@pass_context
def include(context: Context, name: str, *args: Any, **kwargs: Any) -> str:
    """Call a named template (a macro of a partial) and return its text, so it can be piped."""
    macros = context.resolve_or_missing(MACROS_KEY)
    macro = macros.get(name) if isinstance(macros, dict) else None
    if not isinstance(macro, Macro):
        raise RenderError(f"include: no named template {name!r} in this chart "
                          "(named templates are macros in templates/_*.tpl)")
    if not (macro.arguments or macro.catch_varargs):
        args = ()  # Helm style include("name", ctx): the macro reads Values/Release itself
    guard = context.environment.guard  # type: ignore[attr-defined]
    guard.enter(f"include {name!r}")
    try:
        out = str(macro(*args, **kwargs))
    finally:
        guard.leave()
    guard.check_size(len(out))
    return out


@pass_context
def tpl(context: Context, text: Any, extra: Any = None) -> str:
    """Render ``text`` as a template in the current context (plus ``extra`` names when a map)."""
    source = go_str(text)
    if "{" not in source:
        return source
    env = context.environment
    cache: dict[str, Any] = env.__dict__.setdefault("_tpl_cache", {})
    key = (context.name, source)
    tmpl = cache.get(key)  # type: ignore[call-overload]
    if tmpl is None:
        code = env.compile(source, name=context.name, filename=context.name)
        tmpl = env.template_class.from_code(env, code, env.make_globals(None), None)
        cache[key] = tmpl  # type: ignore[index]
    variables = dict(context.get_all())
    if isinstance(extra, Mapping):
        variables.update(extra)
    out = "".join(tmpl.root_render_func(tmpl.new_context(variables)))
    env.guard.check_size(len(out))  # type: ignore[attr-defined]
    return out


def make_lookup(lookup: LookupFn | None) -> Callable[..., dict]:
    def lookup_fn(api_version: str, kind: str, namespace: str = "", name: str = "") -> dict:
        """Query the cluster (empty map when rendering offline or when nothing is found)."""
        if lookup is None:
            return {}
        result = lookup(go_str(api_version), go_str(kind), go_str(namespace), go_str(name))
        return result if result is not None else {}

    return lookup_fn


# --- registration ---------------------------------------------------------------------------------
def _pipe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Filter form of a Sprig function that takes the piped value last."""

    @functools.wraps(fn)
    def filt(value: Any, *args: Any) -> Any:
        return fn(*args, value)

    return filt


# Sprig functions whose piped value is the last argument: global = Sprig order, filter = value first.
PIPE_LAST: dict[str, Callable[..., Any]] = {
    "default": default, "required": required, "trunc": trunc, "trimSuffix": trim_suffix,
    "trimPrefix": trim_prefix, "trimAll": trim_all, "indent": indent, "nindent": nindent,
    "contains": contains, "hasPrefix": has_prefix, "hasSuffix": has_suffix, "ternary": ternary,
    "semverCompare": semver_compare, "splitList": split_list, "split": split, "repeat": repeat,
    "substr": substr, "regexMatch": regex_match, "regexFind": regex_find, "has": has,
    "kindIs": kind_is, "replace": replace, "join": join,
}

# Same argument order in both forms (single argument, or map/list first).
SAME_ORDER: dict[str, Callable[..., Any]] = {
    "toYaml": to_yaml, "mustToYaml": must_to_yaml, "toYamlPretty": to_yaml, "toJson": to_json,
    "mustToJson": must_to_json, "toPrettyJson": to_pretty_json, "toRawJson": to_raw_json,
    "fromYaml": from_yaml, "fromYamlArray": from_yaml_array, "fromJson": from_json,
    "fromJsonArray": from_json_array, "b64enc": b64enc, "b64dec": b64dec, "b32enc": b32enc,
    "b32dec": b32dec, "sha256sum": sha256sum, "sha1sum": sha1sum, "sha512sum": sha512sum,
    "adler32sum": adler32sum, "quote": quote, "squote": squote, "upper": upper, "lower": lower,
    "title": title, "trim": trim, "nospace": nospace, "snakecase": snakecase, "kebabcase": kebabcase,
    "camelcase": camelcase, "toString": to_string, "toStrings": to_strings, "int": to_int, "int64": to_int,
    "atoi": to_int, "float64": to_float, "empty": empty, "hasKey": has_key, "get": get, "unset": unset,
    "keys": keys, "values": values_of, "pick": pick, "omit": omit, "merge": merge,
    "mergeOverwrite": merge_overwrite, "deepCopy": deep_copy, "append": append, "prepend": prepend,
    "uniq": uniq, "compact": compact, "without": without, "sortAlpha": sort_alpha, "kindOf": kind_of,
    "typeOf": kind_of, "base": base, "dir": dirname, "ext": ext, "urlquery": urlquery,
    "unixEpoch": unix_epoch, "toDate": _as_time, "date": date_format, "dateFormat": date_format,
    "dateInZone": date_in_zone, "add1": lambda v: _num(v) + 1,
}

# Globals only.
GLOBALS: dict[str, Callable[..., Any]] = {
    "fail": fail, "tpl": tpl, "include": include, "list": make_list, "dict": make_dict,
    "coalesce": coalesce, "concat": concat, "pluck": pluck, "dig": dig, "set": set_key, "cat": cat,
    "printf": go_sprintf, "randAlphaNum": rand_alpha_num, "randAlpha": rand_alpha,
    "randNumeric": rand_numeric, "uuidv4": uuidv4, "now": now, "until": until, "add": add, "sub": sub,
    "mul": mul, "div": div, "mod": mod, "max": lambda *v: max(_num(x) for x in v),
    "min": lambda *v: min(_num(x) for x in v), "regexReplaceAll": regex_replace_all,
    "regexReplaceAllLiteral": regex_replace_all_literal, "regexFindAll": regex_find_all,
    "regexSplit": regex_split, "getHostByName": lambda _name: "", "float": to_float,
}

# Filters only (value first, no Sprig counterpart order to keep).
FILTERS: dict[str, Callable[..., Any]] = {
    "regexReplaceAll": lambda s, rx, repl: regex_replace_all(rx, s, repl),
    "regexReplaceAllLiteral": lambda s, rx, repl: regex_replace_all_literal(rx, s, repl),
    "printf": lambda value, fmt: go_sprintf(fmt, value),
    "date": lambda when, layout: date_format(layout, when),
    "dateFormat": lambda when, layout: date_format(layout, when),
    "dateInZone": lambda when, layout, zone="UTC": date_in_zone(layout, when, zone),
    "add1": lambda v: _num(v) + 1, "float64": to_float, "toDecimal": to_int,
}


def install(env: Any, lookup: LookupFn | None) -> None:
    """Register every filter, global and test on a chart environment."""
    for name, fn in PIPE_LAST.items():
        env.globals[name] = fn
        env.filters[name] = _pipe(fn)
    for name, fn in SAME_ORDER.items():
        env.globals[name] = fn
        env.filters[name] = fn
    env.globals.update(GLOBALS)
    env.filters.update(FILTERS)
    env.filters["tpl"] = tpl
    env.globals["lookup"] = make_lookup(lookup)
    env.globals["range"] = env.guard.range
    env.tests["empty"] = empty
    env.tests["string"] = lambda v: isinstance(v, str)
