"""Helm 4's template function map: Sprig v3.3's ``TxtFuncMap`` minus ``env``/``expandenv``, plus Helm's own.

The table names every function by where it lives (``"module:attribute"`` in this package), so the map is
known without importing the function modules: :func:`lazy_funcs` imports a module when one of its
functions is first looked up. :func:`build_funcs` is the whole map made at once, with the clock/random
functions bound to a :class:`Seams`; :data:`FUNCS` (made on first access) is the map with the real clock
and randomness. ``include``, ``tpl``, ``required``, ``lookup`` and the YAML/TOML functions belong to other
parts of the engine: they are :func:`placeholder` entries here (so the parser's "function not defined"
check knows every name) that the wiring replaces.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from helmpy.engine.gotemplate.funcs._sig import ANY, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.seams import Seams
from helmpy.engine.gotemplate.lazyfuncs import LazyFuncs

Func = Callable[..., object]
_PACKAGE = "helmpy.engine.gotemplate.funcs"


def placeholder(name: str, *params: str) -> Func:
    """A function another part of the engine provides; calling it before wiring is an error."""

    @go(*params)
    def missing(*_args: object) -> object:
        raise FuncError(f"{name} is not wired into this engine")

    missing.placeholder = name  # type: ignore[attr-defined]
    return missing


# Context-bound or YAML/TOML functions supplied by the wiring slice (Helm's signatures).
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "include": (STR, ANY), "tpl": (STR, ANY), "required": (STR, ANY),
    "lookup": (STR, STR, STR, STR), "toYaml": (ANY,), "mustToYaml": (ANY,), "toYamlPretty": (ANY,),
    "fromYaml": (STR,), "fromYamlArray": (STR,), "toToml": (ANY,), "fromToml": (STR,),
}

# The functions that are a module's attribute: name -> "module:attribute".
_PURE: dict[str, str] = {
    # strings
    "abbrev": "strings:abbrev", "abbrevboth": "strings:abbrevboth", "trunc": "strings:trunc", "trim": "strings:trim",
    "upper": "strings:upper", "lower": "strings:lower", "title": "strings:title", "untitle": "strings:untitle",
    "substr": "strings:substr", "repeat": "strings:repeat", "trimall": "strings:trim_all",
    "trimAll": "strings:trim_all", "trimSuffix": "strings:trim_suffix", "trimPrefix": "strings:trim_prefix",
    "nospace": "strings:nospace", "initials": "strings:initials", "swapcase": "strings:swapcase",
    "snakecase": "casing:snakecase", "camelcase": "casing:camelcase", "kebabcase": "casing:kebabcase",
    "wrap": "strings:wrap", "wrapWith": "strings:wrap_with", "contains": "strings:contains",
    "hasPrefix": "strings:has_prefix", "hasSuffix": "strings:has_suffix", "quote": "strings:quote",
    "squote": "strings:squote", "cat": "strings:cat", "indent": "strings:indent", "nindent": "strings:nindent",
    "replace": "strings:replace", "plural": "strings:plural", "split": "strings:split",
    "splitList": "strings:split_list", "splitn": "strings:splitn", "join": "strings:join",
    "sortAlpha": "strings:sort_alpha",
    # hashes
    "sha1sum": "crypto:sha1sum", "sha256sum": "crypto:sha256sum", "sha512sum": "crypto:sha512sum",
    "adler32sum": "crypto:adler32sum", "bcrypt": "crypto:bcrypt_hash", "htpasswd": "crypto:htpasswd",
    "derivePassword": "crypto:derive_password", "genPrivateKey": "crypto:gen_private_key",
    # conversion and defaults
    "toString": "conversion:to_string", "toStrings": "conversion:to_strings", "atoi": "conversion:atoi",
    "int64": "conversion:to_int64", "int": "conversion:to_int", "float64": "conversion:to_float64",
    "toDecimal": "conversion:to_decimal", "default": "conversion:default", "empty": "conversion:is_empty",
    "coalesce": "conversion:coalesce", "all": "conversion:all_of", "any": "conversion:any_of",
    "ternary": "conversion:ternary",
    # math
    "add1": "numeric:add1", "add": "numeric:add", "sub": "numeric:sub", "div": "numeric:div", "mod": "numeric:mod",
    "mul": "numeric:mul", "add1f": "numeric:add1f", "addf": "numeric:addf", "subf": "numeric:subf",
    "divf": "numeric:divf", "mulf": "numeric:mulf", "biggest": "numeric:max_", "max": "numeric:max_",
    "min": "numeric:min_", "maxf": "numeric:maxf", "minf": "numeric:minf", "ceil": "numeric:ceil",
    "floor": "numeric:floor", "round": "numeric:round_", "seq": "numeric:seq", "until": "numeric:until",
    "untilStep": "numeric:until_step",
    # JSON (Helm's toJson/mustToJson/fromJson/fromJsonArray replace Sprig's)
    "toJson": "encoding:to_json", "mustToJson": "encoding:must_to_json", "toPrettyJson": "encoding:to_pretty_json",
    "mustToPrettyJson": "encoding:must_to_pretty_json", "toRawJson": "encoding:to_raw_json",
    "mustToRawJson": "encoding:must_to_raw_json", "fromJson": "encoding:from_json",
    "fromJsonArray": "encoding:from_json_array", "mustFromJson": "encoding:must_from_json",
    "b64enc": "encoding:b64enc", "b64dec": "encoding:b64dec", "b32enc": "encoding:b32enc", "b32dec": "encoding:b32dec",
    # lists
    "list": "lists:make_list", "tuple": "lists:make_list", "append": "lists:push", "push": "lists:push",
    "mustAppend": "lists:must_push", "mustPush": "lists:must_push", "prepend": "lists:prepend",
    "mustPrepend": "lists:must_prepend", "first": "lists:first", "mustFirst": "lists:must_first", "rest": "lists:rest",
    "mustRest": "lists:must_rest", "last": "lists:last", "mustLast": "lists:must_last", "initial": "lists:initial",
    "mustInitial": "lists:must_initial", "reverse": "lists:reverse", "mustReverse": "lists:must_reverse",
    "uniq": "lists:uniq", "mustUniq": "lists:must_uniq", "without": "lists:without",
    "mustWithout": "lists:must_without", "has": "lists:has", "mustHas": "lists:must_has", "slice": "lists:slice_",
    "mustSlice": "lists:must_slice", "concat": "lists:concat", "chunk": "lists:chunk", "mustChunk": "lists:must_chunk",
    "compact": "lists:compact", "mustCompact": "lists:must_compact",
    # dicts
    "dict": "dicts:make_dict", "get": "dicts:get", "set": "dicts:set_", "unset": "dicts:unset",
    "hasKey": "dicts:has_key", "pluck": "dicts:pluck", "keys": "dicts:keys", "pick": "dicts:pick",
    "omit": "dicts:omit", "merge": "dicts:merge", "mergeOverwrite": "dicts:merge_overwrite",
    "mustMerge": "dicts:must_merge", "mustMergeOverwrite": "dicts:must_merge_overwrite", "values": "dicts:values",
    "deepCopy": "dicts:deep_copy", "mustDeepCopy": "dicts:must_deep_copy", "dig": "dicts:dig",
    # reflection
    "typeOf": "reflection:type_of", "typeIs": "reflection:type_is", "typeIsLike": "reflection:type_is_like",
    "kindOf": "reflection:kind_of", "kindIs": "reflection:kind_is", "deepEqual": "reflection:deep_equal_fn",
    # paths
    "base": "paths:base", "dir": "paths:dir_", "clean": "paths:clean_fn", "ext": "paths:ext", "isAbs": "paths:is_abs",
    "osBase": "paths:base", "osClean": "paths:clean_fn", "osDir": "paths:dir_", "osExt": "paths:ext",
    "osIsAbs": "paths:is_abs",
    # dates without a clock
    "dateModify": "date:date_modify", "date_modify": "date:date_modify", "mustDateModify": "date:must_date_modify",
    "must_date_modify": "date:must_date_modify", "duration": "date:duration", "unixEpoch": "date:unix_epoch",
    # semver, flow, network, URLs
    "semver": "semver:semver", "semverCompare": "semver:semver_compare", "fail": "flow:fail",
    "getHostByName": "flow:get_host_by_name", "urlParse": "urls:url_parse", "urlJoin": "urls:url_join",
    "hello": "flow:hello",
}

# The functions in a table a module builds at import: name -> "module:TABLE" (the function is TABLE[name]).
_TABLED: dict[str, str] = dict.fromkeys(
    [f"{prefix}{k}" for prefix in ("regex", "mustRegex")
     for k in ("Match", "FindAll", "Find", "ReplaceAll", "ReplaceAllLiteral", "Split")] + ["regexQuoteMeta"],
    "regex:REGEX_FUNCS")

# The functions bound to a Seams: name -> "module:factory" (the function is factory(seams)[name]).
_SEAMED: dict[str, str] = {
    **dict.fromkeys(("date", "dateInZone", "date_in_zone", "htmlDate", "htmlDateInZone", "now", "ago",
                     "durationRound", "toDate", "mustToDate"), "date:make_date_funcs"),
    **dict.fromkeys(("randAlphaNum", "randAlpha", "randNumeric", "randAscii", "randInt", "randBytes", "uuidv4",
                     "shuffle"), "randomness:make_random_funcs"),
    **dict.fromkeys(("genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert",
                     "genSignedCertWithKey", "buildCustomCert", "encryptAES", "decryptAES"),
                    "crypto:make_cert_funcs"),
}


def _attribute(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(f"{_PACKAGE}.{module}"), attr)


def _load_pure(name: str) -> Func:
    fn: Func = _attribute(_PURE[name])
    return fn


def _load_tabled(name: str) -> Func:
    fn: Func = _attribute(_TABLED[name])[name]
    return fn


@functools.cache
def _load_placeholder(name: str) -> Func:
    return placeholder(name, *PLACEHOLDERS[name])


class _Bound:
    """The seam-bound functions of one :class:`Seams` (``None``: a default one, made when first needed):
    each factory runs once, on the first lookup of one of its functions."""

    __slots__ = ("_made", "_seams")

    def __init__(self, seams: Seams | None) -> None:
        self._seams = seams
        self._made: dict[str, dict[str, Func]] = {}

    def __call__(self, name: str) -> Func:
        ref = _SEAMED[name]
        made = self._made.get(ref)
        if made is None:
            if self._seams is None:
                self._seams = Seams()
            made = self._made.setdefault(ref, _attribute(ref)(self._seams))
        return made[name]


_DEFAULT_BOUND = _Bound(None)
_BOUND: dict[int, tuple[Seams, _Bound]] = {}  # by id(seams); the Seams is kept so its id stays its own
_BOUND_MAX = 16


def _bound(seams: Seams | None) -> _Bound:
    if seams is None:
        return _DEFAULT_BOUND
    hit = _BOUND.get(id(seams))
    if hit is not None and hit[0] is seams:
        return hit[1]
    if len(_BOUND) >= _BOUND_MAX:
        _BOUND.pop(next(iter(_BOUND)))
    bound = _BOUND[id(seams)] = (seams, _Bound(seams))
    return bound[1]


def lazy_funcs(seams: Seams | None = None) -> LazyFuncs:
    """Helm's whole function map as :func:`build_funcs` makes it, each function made on its first lookup.

    The clock/random functions of one ``seams`` (``None``: the real clock and randomness, one process-wide
    :class:`Seams` as :data:`FUNCS` has) are made once, however many maps share it."""
    lazy: dict[str, Callable[[str], Func]] = dict.fromkeys(_PURE, _load_pure)
    lazy.update(dict.fromkeys(_TABLED, _load_tabled))
    lazy.update(dict.fromkeys(_SEAMED, _bound(seams)))
    lazy.update(dict.fromkeys(PLACEHOLDERS, _load_placeholder))
    return LazyFuncs(lazy=lazy)


def build_funcs(seams: Seams | None = None) -> dict[str, Func]:
    """Helm's whole function map, with clock and randomness from ``seams``."""
    s = seams or Seams()
    out = {name: _load_pure(name) for name in _PURE}
    out.update({name: _load_tabled(name) for name in _TABLED})
    for factory in dict.fromkeys(_SEAMED.values()):
        out.update(_attribute(factory)(s))
    for name, params in PLACEHOLDERS.items():
        out[name] = placeholder(name, *params)
    return out


def __getattr__(name: str) -> object:
    if name == "FUNCS":  # Every function name Helm 4.1 defines for templates (placeholders included).
        funcs = globals()["FUNCS"] = build_funcs()
        return funcs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
