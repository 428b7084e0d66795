"""Helm's template functions (Helm's own plus the commonly used Sprig ones) as Jinja filters and globals.

Rule of thumb, so charts read like Helm pipelines: a function that Sprig pipes the value into as its
*last* argument is a global with Sprig's argument order (``required("msg", x)``, ``trunc(63, s)``)
and a filter taking the piped value first (``x | required("msg")``, ``s | trunc(63)``). Functions that
take a map or list first (``hasKey``, ``merge``, ``append``) have the same order in both forms.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import string
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import filters as jinja_filters
from jinja2 import pass_context, pass_environment
from jinja2.runtime import Context, Macro
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup

from helmpy.engine.budget import format_size, reserve, reserve_items, ticking
from helmpy.engine.context import LookupFn
from helmpy.engine.datafuncs import (
    _num,
    add,
    append,
    compact,
    concat,
    deep_copy,
    dig,
    div,
    from_json,
    from_json_array,
    from_yaml,
    from_yaml_array,
    get,
    has,
    has_key,
    keys,
    kind_is,
    kind_of,
    make_dict,
    make_list,
    merge,
    merge_overwrite,
    mod,
    mul,
    must_to_json,
    must_to_yaml,
    omit,
    pick,
    pluck,
    prepend,
    set_key,
    sort_alpha,
    sub,
    to_json,
    to_pretty_json,
    to_raw_json,
    to_yaml,
    uniq,
    unset,
    until,
    values_of,
    without,
)
from helmpy.engine.gofmt import go_sprintf, go_str, go_time_format
from helmpy.engine.textfuncs import (
    adler32sum,
    b32dec,
    b32enc,
    b64dec,
    b64enc,
    camelcase,
    cat,
    contains,
    empty,
    has_prefix,
    has_suffix,
    indent,
    is_missing,
    join,
    kebabcase,
    lower,
    nindent,
    nospace,
    quote,
    regex_find,
    regex_find_all,
    regex_match,
    regex_replace_all,
    regex_replace_all_literal,
    regex_split,
    repeat,
    replace,
    sha1sum,
    sha256sum,
    sha512sum,
    snakecase,
    split,
    split_list,
    squote,
    substr,
    title,
    to_float,
    to_int,
    to_string,
    to_strings,
    trim,
    trim_all,
    trim_prefix,
    trim_suffix,
    trunc,
    upper,
    urlquery,
)
from helmpy.errors import RenderError, TemplateFailError

logger = logging.getLogger(__name__)

MACROS_KEY = "_helmpy_macros"


# --- emptiness and defaults -----------------------------------------------------------------------


def default(dflt: Any, value: Any = None, boolean: Any = None) -> Any:
    """``default("a", x)`` / ``x | default("a")``: the default when ``x`` is empty (Sprig's rule).

    Jinja2's own signature works too, ``x | default("a", true)`` (falsy ``x``: the same as Sprig's empty) and
    ``x | default("a", false)`` (only a missing or null ``x``, so ``0``, ``false`` and ``""`` are kept).
    """
    if boolean is None or boolean:
        return dflt if empty(value) else value
    return dflt if is_missing(value) else value


def default_filter(value: Any, default_value: Any = "", boolean: Any = None) -> Any:
    """The filter form: the piped value first, then Jinja2's ``default_value`` and ``boolean`` (by name too)."""
    return default(default_value, value, boolean)


def coalesce(*values: Any) -> Any:
    """The first non-empty argument."""
    for v in values:
        if not empty(v):
            return v
    return None


def ternary(true_value: Any, false_value: Any, condition: Any) -> Any:
    return true_value if (not is_missing(condition) and condition) else false_value


def required(message: str, value: Any = None) -> Any:
    """Fail rendering with ``message`` when ``value`` is missing, None or ""."""
    if is_missing(value) or (isinstance(value, str) and value == ""):
        raise TemplateFailError(go_str(message))
    return value


def fail(message: Any) -> None:
    raise TemplateFailError(go_str(message))



# --- random, time, versions -----------------------------------------------------------------------
def _rand(chars: str, count: Any) -> str:
    n = int(count)
    if n < 0 or n > 1_000_000:
        raise RenderError(f"random string length {n} is out of range")
    import secrets  # here: only the random functions need the CSPRNG

    return "".join(secrets.choice(chars) for _ in range(n))


def rand_alpha_num(count: Any) -> str:
    return _rand(string.ascii_letters + string.digits, count)


def rand_alpha(count: Any) -> str:
    return _rand(string.ascii_letters, count)


def rand_numeric(count: Any) -> str:
    return _rand(string.digits, count)


def uuidv4() -> str:
    import uuid

    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC).astimezone()


def _as_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.astimezone()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).astimezone()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).astimezone()
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


# --- Jinja's own functions that can build a large value from small arguments, sized first -------------
_LOREM_WORD_BYTES = 8  # an average lorem-ipsum word and its separator


def lipsum(n: Any = 5, html: Any = True, min: Any = 20, max: Any = 100) -> str:  # noqa: A002 - Jinja's names
    """Jinja's ``lipsum``, refused up front when ``n`` paragraphs of ``max`` words would be too large."""
    count, low, high = int(n), int(min), int(max)
    reserve(count * high * _LOREM_WORD_BYTES, "lipsum")
    paragraphs = [generate_lorem_ipsum(1, bool(html), low, high) for _ in ticking(range(count))]
    return Markup("\n".join(paragraphs)) if html else "\n\n".join(paragraphs)


def center(value: Any, width: Any = 80) -> str:
    reserve(int(width), "center")
    return jinja_filters.do_center(go_str(value), int(width))


def format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    text = go_str(value)
    reserve(format_size(text, args + tuple(kwargs.values())), "format")
    return jinja_filters.do_format(text, *args, **kwargs)


@pass_environment
def wordwrap(environment: Any, value: Any, width: Any = 79, break_long_words: bool = True,
             wrapstring: Any = None, break_on_hyphens: bool = True) -> str:
    text, sep = go_str(value), go_str(wrapstring) if wrapstring is not None else "\n"
    reserve(len(text) + len(sep) * (len(text) // max(int(width), 1) + 1), "wordwrap")
    return jinja_filters.do_wordwrap(environment, text, int(width), break_long_words,
                                     wrapstring, break_on_hyphens)


def batch(value: Any, linecount: Any, fill_with: Any = None) -> Any:
    if fill_with is not None:
        reserve_items(int(linecount), "batch")
    return jinja_filters.do_batch(value, int(linecount), fill_with)


def slice_filter(value: Any, slices: Any, fill_with: Any = None) -> Any:
    reserve_items(int(slices), "slice")
    return jinja_filters.sync_do_slice(value, int(slices), fill_with)


def list_filter(value: Any) -> list[Any]:
    if isinstance(value, str):
        reserve_items(len(value), "list")
    return jinja_filters.sync_do_list(value)


def make_lookup(lookup: LookupFn | None) -> Callable[..., dict[str, Any]]:
    def lookup_fn(api_version: str, kind: str, namespace: str = "", name: str = "") -> dict[str, Any]:
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
    "regexSplit": regex_split, "getHostByName": lambda _name: "", "float": to_float, "lipsum": lipsum,
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
    "center": center, "format": format_filter, "wordwrap": wordwrap, "batch": batch, "slice": slice_filter,
    "list": list_filter, "default": default_filter,
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
    env.trust_globals()
