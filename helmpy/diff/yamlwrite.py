"""Objects written exactly as :func:`helmpy.yamlutil.dump` writes them, without PyYAML for the usual ones.

``helmpy diff`` writes both sides of every changed object as YAML before the line diff; through PyYAML's
representer (Python code per node) that was a fifth of a 1,000-object plan. Kubernetes objects are maps,
lists, integers, booleans and short ASCII strings, so this writer emits those itself - block style, go-yaml's
key order, the scalar styles libyaml picks for them (plain, double-quoted where the string would read back as
another type, literal ``|``/``|-`` for multi-line text) - and hands anything else (floats, non-ASCII text,
strings libyaml would single-quote or escape, long keys) to ``yamlutil.dump`` for the whole object. The
property test in tests/diff/test_yamlwrite.py holds the two to the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

from helmpy import yamlutil

_SORTED: dict[tuple[str, ...], list[str]] = {}  # a map's keys -> in go-yaml's order (objects share key sets)
_SCALARS: dict[str, str | None] = {}  # a string -> how it is written as a value (None: not by this writer)
_CACHE_MAX = 1 << 16
_MAX_KEY = 100  # libyaml writes keys over 128 characters as "? key"; stay well below

# characters a plain or double-quoted ASCII scalar may hold without libyaml escaping or quoting it for them
_SAFE = re.compile(r"[A-Za-z0-9 _./:=@+,()~$^;<>!%&*?|'`\[\]{}#\"\\-]*\Z")
_INDICATOR_FIRST = frozenset("#,[]{}&*!|>'\"%@`?:-")


class _Unsupported(Exception):
    """A value this writer leaves to PyYAML."""


def dump(obj: dict[str, Any]) -> str:
    """``yamlutil.dump(obj)``, the same text."""
    text = write(obj)
    return yamlutil.dump(obj) if text is None else text


def write(obj: dict[str, Any]) -> str | None:
    """``yamlutil.dump(obj)`` when this writer can produce it, else None."""
    try:
        lines = _block(obj, 0) if obj else ["{}"]
    except _Unsupported:
        return None
    return "\n".join(lines) + "\n"


def _plain_ok(text: str) -> bool:
    """Whether libyaml writes ``text`` plain in block context (the checks of its ``analyze_scalar``)."""
    if not text or text[0] == " " or text[-1] == " " or ": " in text or " #" in text or text[-1] == ":":
        return False
    if text.startswith(("---", "...")):
        return False
    first = text[0]
    if first in _INDICATOR_FIRST:
        # these start an indicator only when followed by a blank; the rest always do
        return first in "-?:" and len(text) > 1 and text[1] != " " and first != "?" and first != ":"
    return True


def _scalar(text: str) -> str:
    """The value ``text`` as written (plain or double-quoted, one line); _Unsupported otherwise."""
    known = _SCALARS.get(text, "")
    if known is None:
        raise _Unsupported
    if known:
        return known
    out: str | None = None
    if text.isascii() and _SAFE.match(text):
        if yamlutil.reads_as_non_string(text):
            out = None if '"' in text or "\\" in text else f'"{text}"'
        elif _plain_ok(text) and yamlutil.plain_is_string(text):
            out = text
    if len(_SCALARS) >= _CACHE_MAX:
        _SCALARS.clear()
    _SCALARS[text] = out
    if out is None:
        raise _Unsupported
    return out


def _literal(text: str, indent: int) -> list[str]:
    """A multi-line string as libyaml writes it in literal style: ``|`` (one final newline) or ``|-`` (none),
    the lines indented, empty lines left empty; _Unsupported for the cases with hints or other styles."""
    if not text.isascii() or text[0] in " \n" or text.endswith("\n\n") or text.endswith(" ") or " \n" in text:
        raise _Unsupported
    if any((c < " " and c != "\n") or c == "\x7f" for c in text):
        raise _Unsupported
    body = text[:-1] if text.endswith("\n") else text
    pad = " " * indent
    return ["|" if text.endswith("\n") else "|-", *(pad + line if line else "" for line in body.split("\n"))]


def _keys(obj: dict[Any, Any]) -> list[str]:
    keys = tuple(obj)
    order = _SORTED.get(keys)
    if order is None:
        for key in keys:
            if type(key) is not str or len(key) > _MAX_KEY or "\n" in key:
                raise _Unsupported
        order = sorted(keys, key=yamlutil.go_key)
        if len(_SORTED) >= _CACHE_MAX:
            _SORTED.clear()
        _SORTED[keys] = order
    return order


def _inline(value: Any, indent: int) -> list[str] | None:
    """A value that goes on its key's (or dash's) line: its lines (more for a literal), else None."""
    if value is None:
        return ["null"]
    kind = type(value)
    if kind is str:
        if "\n" in value:
            return _literal(value, indent)
        return [_scalar(value)]
    if kind is bool:
        return ["true" if value else "false"]
    if isinstance(value, int) and kind is not bool:
        return [str(value)]
    if kind is dict or kind is list:
        return None if value else ["{}" if kind is dict else "[]"]
    raise _Unsupported  # floats, bytes, subclasses of dict/list/str...


def _block(value: Any, indent: int) -> list[str]:
    """A non-empty map or list whose first line follows what is already written (a key, ``- `` or nothing),
    the others indented to ``indent``."""
    pad = " " * indent
    out: list[str] = []
    if type(value) is dict:
        for key in _keys(value):
            head = _scalar(key) + ":"
            child = value[key]
            inline = _inline(child, indent + 2)
            if inline is not None:
                lines = [f"{head} {inline[0]}", *inline[1:]]
            elif type(child) is dict:
                nested = _block(child, indent + 2)
                lines = [head, " " * (indent + 2) + nested[0], *nested[1:]]
            else:  # a list under a key is not indented
                nested = _block(child, indent)
                lines = [head, pad + nested[0], *nested[1:]]
            out.append(lines[0] if not out else pad + lines[0])
            out.extend(lines[1:])
        return out
    for item in value:
        inline = _inline(item, indent + 2)
        if inline is not None:
            lines = [f"- {inline[0]}", *inline[1:]]
        else:
            nested = _block(item, indent + 2)
            lines = [f"- {nested[0]}", *nested[1:]]
        out.append(lines[0] if not out else pad + lines[0])
        out.extend(lines[1:])
    return out
