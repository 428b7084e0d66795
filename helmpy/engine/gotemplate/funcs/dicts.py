"""Sprig's dict functions, with mergo's merge rules and Go's mutation semantics.

``set``/``unset``/``merge``/``mergeOverwrite`` change their first argument and return it, as in Helm
(a chart that does ``$_ := set .Values "x" 1`` sees the change everywhere). ``keys``/``values`` list a
map in its insertion order; Go's order is random, so charts that need an order ``sortAlpha`` them.
"""

from __future__ import annotations

import copy

from helmpy.engine.gotemplate.funcs._goval import NilMap, StringSlice, strval, type_of
from helmpy.engine.gotemplate.funcs._sig import ANY, MAP, STR, go
from helmpy.engine.gotemplate.funcs.conversion import empty
from helmpy.engine.gotemplate.funcs.errors import FuncError


@go(MAP, STR)
def get(d: dict[str, object], key: str) -> object:
    """``get D KEY``: the value, or ``""`` when the key is absent."""
    return d[key] if key in d else ""  # noqa: SIM401 - a nil map (a dict subclass) answers through __getitem__


@go(MAP, STR, ANY)
def set_(d: dict[str, object], key: str, value: object) -> dict[str, object]:
    d[key] = value
    return d


@go(MAP, STR)
def unset(d: dict[str, object], key: str) -> dict[str, object]:
    d.pop(key, None)
    return d


@go(MAP, STR)
def has_key(d: dict[str, object], key: str) -> bool:
    return key in d


@go(STR, variadic=MAP)
def pluck(key: str, *dicts: dict[str, object]) -> list[object]:
    """``pluck KEY D1 D2 ...``: KEY's value from every map that has it."""
    return [d[key] for d in dicts if key in d]


@go(variadic=MAP)
def keys(*dicts: dict[str, object]) -> list[str]:
    """``keys D ...``: the keys of every map, in insertion order (Go's is random)."""
    return StringSlice(k for d in dicts for k in d)


@go(MAP)
def values(d: dict[str, object]) -> list[object]:
    return list(d.values())


@go(MAP, variadic=STR)
def pick(d: dict[str, object], *names: str) -> dict[str, object]:
    return {k: d[k] for k in names if k in d}


@go(MAP, variadic=STR)
def omit(d: dict[str, object], *names: str) -> dict[str, object]:
    drop = set(names)
    return {k: v for k, v in d.items() if k not in drop}


@go(variadic=ANY)
def make_dict(*args: object) -> dict[str, object]:
    """``dict K1 V1 K2 V2 ...``: keys as strings; an odd last key maps to ``""``."""
    out: dict[str, object] = {}
    for i in range(0, len(args), 2):
        out[strval(args[i])] = args[i + 1] if i + 1 < len(args) else ""
    return out


def _is_map(v: object) -> bool:
    return isinstance(v, dict)


def merge_into(dst: dict[str, object], src: dict[str, object], overwrite: bool) -> None:
    """mergo's ``deepMerge`` of two ``map[string]interface{}``.

    Maps merge key by key, recursively into dst's own nested maps. Other values (lists included)
    are taken whole from src when dst lacks the key or holds an empty value, or always with
    ``overwrite`` (even empty src values; a nil in src overwrites only with ``overwrite`` and is
    otherwise skipped, even for keys dst lacks).
    """
    for key, sv in src.items():
        has = key in dst
        dv = dst.get(key)
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        if _is_map(sv):
            if has and _is_map(dv):
                merge_into(dv, sv, overwrite)  # type: ignore[arg-type]
                if not empty(dv):
                    continue
        elif isinstance(sv, (list, tuple)) and has and not empty(dv):
            if overwrite:
                dst[key] = sv
            continue
        if overwrite or not has or empty(dv):
            dst[key] = sv


def _merge(dst: dict[str, object], srcs: tuple[dict[str, object], ...], overwrite: bool) -> dict[str, object]:
    if isinstance(dst, NilMap) and srcs:  # mergo makes a map for a nil destination
        dst = {}
    for src in srcs:
        merge_into(dst, src, overwrite)
    return dst


@go(MAP, variadic=MAP)
def merge(dst: dict[str, object], *srcs: dict[str, object]) -> object:
    """``merge DST SRC ...``: DST's values win; nested maps merge deeply; DST is changed and returned."""
    return _merge(dst, srcs, False)


@go(MAP, variadic=MAP)
def merge_overwrite(dst: dict[str, object], *srcs: dict[str, object]) -> object:
    """``mergeOverwrite DST SRC ...``: later maps win."""
    return _merge(dst, srcs, True)


must_merge = go(MAP, variadic=MAP)(lambda dst, *srcs: _merge(dst, srcs, False))
must_merge_overwrite = go(MAP, variadic=MAP)(lambda dst, *srcs: _merge(dst, srcs, True))


def _deep_copy(v: object) -> object:
    if v is None:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value", panic=True)
    return _copy(v)


def _copy(v: object) -> object:
    if type(v) is dict:
        return {k: _copy(x) for k, x in v.items()}
    if type(v) is list:
        return [_copy(x) for x in v]
    if isinstance(v, (dict, list)):  # a typed map or slice (``.Files``, ``[]string``): same type, copied items
        c = copy.copy(v)
        if isinstance(c, dict):
            dict.clear(c)
            dict.update(c, ((k, _copy(x)) for k, x in v.items()))  # type: ignore[union-attr]
        else:
            list.__setitem__(c, slice(None), [_copy(x) for x in v])
        return c
    return copy.copy(v) if not isinstance(v, (str, int, float, bool, type(None))) else v


@go(ANY)
def deep_copy(v: object) -> object:
    """``deepCopy``."""
    return _deep_copy(v)


must_deep_copy = go(ANY)(lambda v: _deep_copy(v))


@go(variadic=ANY)
def dig(*args: object) -> object:
    """``dig K1 K2 ... DEFAULT D``: the nested value, or DEFAULT when a key is absent."""
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments", panic=True)
    d = args[-1]
    default = args[-2]
    path = args[:-2]
    for k in path:
        if not isinstance(k, str):
            raise FuncError(f"interface conversion: interface {{}} is {_conv_name(k)}, not string", panic=True)
    for k in path:
        if not isinstance(d, dict) or type(d) is not dict:
            raise FuncError(f"interface conversion: interface {{}} is {_conv_name(d)}, not map[string]interface {{}}",
                            panic=True)
        if k not in d:
            return default
        d = d[k]
    return d


def _conv_name(v: object) -> str:
    return "nil" if v is None else type_of(v)
