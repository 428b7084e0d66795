"""Helm's ``toToml``: BurntSushi/toml's ``Encoder.Encode`` of a template value, byte for byte.

The encoder writes a map's plain keys first, then its tables, each group sorted; a table is ``[a.b]``
indented two spaces per level below the top, an array whose every element is a map is ``[[key]]``
blocks; nil map values are skipped (a nil in an array is an error); floats print in fixed notation with at
least one decimal. Helm returns the encoder's error text as the result (``toml: top-level values must be Go
maps or structs``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from helmpy.engine.gotemplate.funcs._sig import ANY, go
from helmpy.engine.gotemplate.funcs.errors import FuncError

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_INDENT = "  "


class _TomlError(Exception):
    pass


def _quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key_part(part: str) -> str:
    return part if _BARE.fullmatch(part) else _quote(part)


def _is_table(v: object) -> bool:
    return isinstance(v, Mapping)


def _is_table_array(v: object) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(_is_table(x) for x in v)


def _float(f: float) -> str:
    if f != f:
        return "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    text = format(Decimal(repr(f)), "f")
    return text if "." in text else text + ".0"


def _element(v: object) -> str:
    if isinstance(v, str):
        return _quote(v)
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, (list, tuple)):
        if any(x is None for x in v):
            raise _TomlError("toml: cannot encode array with nil element")
        return "[" + ", ".join(_element(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key_part(str(k))} = {_element(x)}" for k, x in sorted(v.items())
                               if x is not None) + "}"
    raise _TomlError(f"toml: cannot encode a value of type {type(v).__name__}")


class _Encoder:
    def __init__(self) -> None:
        self.out: list[str] = []

    def newline(self) -> None:
        if self.out:
            self.out.append("\n")

    def table(self, key: list[str], value: Mapping[object, object]) -> None:
        items = {str(k): v for k, v in value.items() if v is not None}
        direct = sorted(k for k, v in items.items() if not (_is_table(v) or _is_table_array(v)))
        sub = sorted(k for k, v in items.items() if _is_table(v) or _is_table_array(v))
        for k in direct:
            self.out.append(f"{_INDENT * len(key)}{_key_part(k)} = {_element(items[k])}")
            self.newline()
        for k in sub:
            self.encode([*key, k], items[k])

    def encode(self, key: list[str], value: object) -> None:
        name = ".".join(_key_part(p) for p in key)
        indent = _INDENT * (len(key) - 1)
        if _is_table(value):
            if len(key) == 1:
                self.newline()
            self.out.append(f"{indent}[{name}]")
            self.newline()
            self.table(key, value)  # type: ignore[arg-type]
            return
        for item in value:  # type: ignore[attr-defined]  # an array of tables
            self.newline()
            self.out.append(f"{indent}[[{name}]]")
            self.newline()
            self.table(key, item)


@go(ANY)
def to_toml(value: object) -> str:
    """Helm's ``toToml``: the TOML text, or the encoder's error text (a top-level scalar or array is
    written as a bare value, as the encoder does; an array of tables needs a key)."""
    if value is None:  # Go panics on the nil interface
        raise FuncError("reflect: call of reflect.Value.Type on zero Value", panic=True)
    try:
        if _is_table(value):
            enc = _Encoder()
            enc.table([], value)  # type: ignore[arg-type]
            return "".join(enc.out)
        if _is_table_array(value):
            return "toml: top-level values must be Go maps or structs"
        return _element(value)
    except _TomlError as err:
        return str(err)
