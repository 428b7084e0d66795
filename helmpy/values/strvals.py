"""Helm's ``--set`` grammar (strvals): ``a.b=c,list[0]=x,l={x,y}`` into a values map.

Behaviour follows Helm's ``pkg/strvals`` parser rule by rule (see helm-reference 4.6), including its
quirks: values are written *into* the destination map (so ``--set l[1]=x`` edits a list from a
``-f`` file), a key path that meets a scalar reports Go's ``interface conversion`` text, and an
input that ends in the middle of a key or index is silently accepted.

Each public function parses one command-line argument, writes into ``dest`` and returns it; errors
raise :class:`~helmpy.errors.StrvalsError` worded like Helm's (``failed parsing --set data: ...``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from helmpy import limits
from helmpy.errors import StrvalsError
from helmpy.values.numbers import Int64

logger = logging.getLogger(__name__)

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_INT_RE = re.compile(r"[+-]?[0-9]+\Z")


class _Err:
    """A Go-style error value; ``eof`` marks errors that (possibly wrapped) mean end of input."""

    __slots__ = ("eof", "msg")

    def __init__(self, msg: str, eof: bool = False) -> None:
        self.msg = msg
        self.eof = eof

    def wrap(self, prefix: str) -> _Err:
        return _Err(f"{prefix}: {self.msg}", self.eof)


_EOF = _Err("EOF", eof=True)
_NOT_LIST = _Err("not a list")


class _Panic(Exception):
    """What Go reports as a recovered panic (a failed type assertion)."""


Reader = Callable[[str], "tuple[Any, _Err | None]"]


def _go_type(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__


def _conversion_panic(value: Any, want: str) -> _Panic:
    return _Panic(f"interface conversion: interface {{}} is {_go_type(value)}, not {want}")


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _go_char(ch: str, quote: str) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if ch in _GO_ESCAPES:
        return _GO_ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x80:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def go_quote(text: str) -> str:
    """Go's ``%q`` of a string (what Helm puts around key names in messages)."""
    return '"' + "".join(_go_char(c, '"') for c in text) + '"'


def _go_quote_runes(text: str) -> str:
    """Go's ``%q`` of a rune slice: ``['x' 'y']``."""
    return "[" + " ".join("'" + _go_char(c, "'") + "'" for c in text) + "]"


def _atoi(text: str) -> tuple[int, _Err | None]:
    """Go's ``strconv.Atoi`` including its error wording."""
    if not _INT_RE.match(text):
        return 0, _Err(f"strconv.Atoi: parsing {go_quote(limits.excerpt(text))}: invalid syntax")
    value = int(text)
    if not _INT64_MIN <= value <= _INT64_MAX:
        return 0, _Err(f"strconv.Atoi: parsing {go_quote(limits.excerpt(text))}: value out of range")
    return value, None


def typed_value(text: str, as_string: bool = False) -> Any:
    """Helm's type inference for ``--set`` values: bool, null, int64, else string."""
    if as_string:
        return text
    folded = text.casefold()
    if folded == "true":
        return True
    if folded == "false":
        return False
    if folded == "null":
        return None
    if text == "0":
        return Int64(0)
    if text and text[0] != "0" and _INT_RE.match(text):
        value = int(text)
        if _INT64_MIN <= value <= _INT64_MAX:
            return Int64(value)
    return text


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:  # Helm silently ignores empty keys ("=1")
        data[key] = value


def _set_index(lst: list[Any], index: int, value: Any) -> tuple[list[Any], _Err | None]:
    if index < 0:
        return lst, _Err(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        return lst, _Err(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    if len(lst) <= index:
        lst.extend([None] * (index + 1 - len(lst)))
    lst[index] = value
    return lst, None


class _Parser:
    """One pass over one argument; the structure mirrors Helm's recursive-descent parser."""

    def __init__(self, text: str, dest: dict[str, Any], reader: Reader | None, *, json_mode: bool = False,
                 literal: bool = False) -> None:
        self.text = text
        self.pos = 0
        self.dest = dest
        self.reader = reader
        self.json_mode = json_mode
        self.literal = literal
        self.lists = 0  # list levels open on the current key path (``a[0][1]``: 2)
        self.max_depth = limits.nesting_depth()

    # --- scanning ---------------------------------------------------------------------------------
    def _read(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def _until(self, stop: str) -> tuple[str, str | None, _Err | None]:
        """Characters up to one of ``stop`` (consumed); backslash escapes unless literal."""
        out: list[str] = []
        while True:
            ch = self._read()
            if ch is None:
                return "".join(out), None, _EOF
            if ch in stop:
                return "".join(out), ch, None
            if ch == "\\" and not self.literal:
                nxt = self._read()
                if nxt is None:
                    return "".join(out), None, _EOF
                out.append(nxt)
            else:
                out.append(ch)

    # --- grammar ----------------------------------------------------------------------------------
    def parse(self) -> _Err | None:
        while True:
            err = self._key(self.dest, 0)
            if err is None:
                continue
            return None if err.eof else err

    def _key(self, data: dict[str, Any], level: int) -> _Err | None:
        try:
            return self._key_inner(data, level)
        except _Panic as panic:
            return _Err(f"unable to parse key: {panic}")

    def _key_inner(self, data: dict[str, Any], level: int) -> _Err | None:
        key, last, err = self._until("=[." if self.literal else "=[,.")
        if err is not None:
            if not key:
                return err
            return _Err(f"key {go_quote(limits.excerpt(key))} has no value")
        if last == "[":
            index, err = self._key_index()
            if err is not None:
                return err.wrap("error parsing index")
            lst: list[Any] = []
            if key in data:
                existing = data[key]
                if not isinstance(existing, list):
                    raise _conversion_panic(existing, "[]interface {}")
                lst = existing
            lst, err = self._list_item(lst, index, level)
            _set(data, key, lst)
            return err
        if last == "=":
            value, err = self._value()
            _set(data, key, value)
            return err
        if last == ",":
            _set(data, key, "")
            return _Err(f"key {go_quote(limits.excerpt(key))} has no value (cannot end with ,)")
        # last == "."
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            return _Err(f"value name nested level is greater than maximum supported nested level of "
                        f"{MAX_NESTED_NAME_LEVEL}")
        inner: dict[str, Any] = {}
        if key in data:
            existing = data[key]
            if not isinstance(existing, dict):
                raise _conversion_panic(existing, "map[string]interface {}")
            inner = existing
        err = self._key(inner, level)
        if err is None and not inner:
            return _Err(f"key map {go_quote(limits.excerpt(key))} has no value")
        if inner:
            _set(data, key, inner)
        return err

    def _value(self) -> tuple[Any, _Err | None]:
        """The value after ``=``: JSON, literal rest, ``{a,b}`` list or a plain value."""
        if self.literal:
            rest = self.text[self.pos:]
            self.pos = len(self.text)
            return rest, None
        if self.json_mode:
            return self._json_value()
        items, err = self._value_list()
        if err is None:
            return items, None
        if err is _EOF:
            return "", _EOF
        if err is _NOT_LIST:
            assert self.reader is not None
            return self.reader(self._until(",")[0])
        return None, err

    def _json_value(self) -> tuple[Any, _Err | None]:
        if self._empty_value():
            return None, None
        try:
            value, end = _JSON.raw_decode(self.text, self.pos)
        except ValueError as exc:
            return None, _Err(f"invalid JSON value at offset {self.pos}: {exc.args[0] if exc.args else exc}")
        self.pos = end
        self._empty_value()  # skip blanks and one comma
        return value, None

    def _empty_value(self) -> bool:
        """Skip blanks; True at end of input or after a comma (both consumed)."""
        while True:
            ch = self._read()
            if ch is None or ch == ",":
                return True
            if not ch.isspace():
                self.pos -= 1
                return False

    def _value_list(self) -> tuple[list[Any], _Err | None]:
        ch = self._read()
        if ch is None:
            return [], _EOF
        if ch != "{":
            self.pos -= 1
            return [], _NOT_LIST
        items: list[Any] = []
        assert self.reader is not None
        while True:
            raw, last, err = self._until(",}")
            if err is not None:
                return items, _Err("list must terminate with '}'")
            value, err = self.reader(raw)
            if last == "}":
                if self.pos < len(self.text) and self.text[self.pos] == ",":
                    self.pos += 1
                items.append(value)
                return items, err
            if err is not None:
                return items, err
            items.append(value)

    def _key_index(self) -> tuple[int, _Err | None]:
        raw, _, err = self._until("]")
        if err is not None:
            return 0, err
        return _atoi(raw)

    def _list_item(self, lst: list[Any], index: int, level: int) -> tuple[list[Any], _Err | None]:
        # Helm bounds only the dotted names (MAX_NESTED_NAME_LEVEL); nested indexes recurse here too
        if self.lists + level >= self.max_depth:
            return lst, _Err(f"value nesting level is greater than the maximum of {self.max_depth} "
                             f"(limit {limits.MAX_NESTING_DEPTH_ENV})")
        self.lists += 1
        try:
            return self._list_item_inner(lst, index, level)
        finally:
            self.lists -= 1

    def _list_item_inner(self, lst: list[Any], index: int, level: int) -> tuple[list[Any], _Err | None]:
        if index < 0:
            return lst, _Err(f"negative {index} index not allowed")
        rest, last, err = self._until("[.=")
        if rest:
            return lst, _Err(f"unexpected data at end of array index: {_go_quote_runes(limits.excerpt(rest))}")
        if err is not None:
            return lst, err
        if last == "=":
            value, err = self._value()
            if err is not None and not err.eof:
                return lst, err
            return _set_index(lst, index, value)
        if last == "[":
            next_index, err = self._key_index()
            if err is not None:
                return lst, err.wrap("error parsing index")
            current: list[Any] = []
            if len(lst) > index and lst[index] is not None:
                if not isinstance(lst[index], list):
                    raise _conversion_panic(lst[index], "[]interface {}")
                current = lst[index]
            inner_list, err = self._list_item(current, next_index, level)
            if err is not None:
                return lst, err
            return _set_index(lst, index, inner_list)
        # last == "."
        inner: dict[str, Any] = {}
        if len(lst) > index:
            if isinstance(lst[index], dict):
                inner = lst[index]
            else:  # indices out of order: start a fresh map
                lst[index] = inner
        err = self._key(inner, level)
        if err is not None:
            return lst, err
        return _set_index(lst, index, inner)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _typed_reader(as_string: bool) -> Reader:
    def read(raw: str) -> tuple[Any, _Err | None]:
        return typed_value(raw, as_string), None

    return read


def _run(parser: _Parser, flag: str, arg: str) -> None:
    err = parser.parse()
    if err is not None:
        logger.debug("strvals error flag=%s arg=%r err=%s", flag, limits.excerpt(arg), err.msg)
        raise StrvalsError(f"failed parsing {flag} data: {err.msg}", hint=f"in {flag} {limits.excerpt(arg)!r}")


def parse_set(arg: str, dest: dict[str, Any]) -> dict[str, Any]:
    """``--set``: typed values (int64, bool, null, else string)."""
    _run(_Parser(arg, dest, _typed_reader(False)), "--set", arg)
    return dest


def parse_set_string(arg: str, dest: dict[str, Any]) -> dict[str, Any]:
    """``--set-string``: every value stays a string."""
    _run(_Parser(arg, dest, _typed_reader(True)), "--set-string", arg)
    return dest


def parse_set_literal(arg: str, dest: dict[str, Any]) -> dict[str, Any]:
    """``--set-literal``: key path without escapes, value = the rest of the argument verbatim."""
    _run(_Parser(arg, dest, None, literal=True), "--set-literal", arg)
    return dest


def parse_set_file(arg: str, dest: dict[str, Any], read: Callable[[str], str]) -> dict[str, Any]:
    """``--set-file``: each value names a file whose content (a string) becomes the value.

    ``read`` loads one path (or ``-``/URL); it raises :class:`~helmpy.errors.HelmpyError`
    subclasses whose message is used as Helm's inner error text.
    """
    from helmpy.errors import HelmpyError

    def reader(raw: str) -> tuple[Any, _Err | None]:
        try:
            return read(raw), None
        except HelmpyError as exc:
            return None, _Err(exc.message)

    _run(_Parser(arg, dest, reader), "--set-file", arg)
    return dest


def parse_set_json(arg: str, dest: dict[str, Any]) -> dict[str, Any]:
    """``--set-json``: a whole JSON object (merged in) or ``key=<JSON>[,key=<JSON>...]``."""
    from helmpy import yamlutil
    from helmpy.values.coalesce import merge_maps

    shown = limits.excerpt(arg)
    yamlutil.check_json_depth(arg, f"failed parsing --set-json data {shown!r}", StrvalsError)
    trimmed = arg.strip()
    if trimmed.startswith("{"):
        try:
            obj = json.loads(trimmed, parse_constant=_reject_constant)
        except ValueError as exc:
            raise StrvalsError(f"failed parsing --set-json data JSON: {shown}", hint=str(exc)) from exc
        if not isinstance(obj, dict):  # pragma: no cover - "{" always decodes to an object
            raise StrvalsError(f"failed parsing --set-json data JSON: {shown}")
        merged = merge_maps(dest, obj)
        dest.clear()
        dest.update(merged)
        return dest
    err = _Parser(arg, dest, None, json_mode=True).parse()
    if err is not None:
        raise StrvalsError(f"failed parsing --set-json data {shown}", hint=err.msg)
    return dest
