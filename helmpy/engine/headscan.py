"""A fast, conservative reader of a rendered document's head (apiVersion, kind, metadata).

Fully constructing every rendered document with PyYAML costs ~0.1-0.3 ms each (the resolver and
constructor run in Python) although only a handful of keys is needed. :func:`scan_head` instead

1. validates the whole document with libyaml's C parser without building any Python objects
   (``CParser.raw_parse``), and
2. reads the head straight from the text with a few regular expressions, but only for the common,
   simple layout it can prove it understands (block mappings, one-line scalars); anything else - tags, anchors,
   aliases, merge keys, complex keys, quoted scalars or flow collections that might span lines, tabs, multi-line
   values in the head - makes it return ``None`` so the caller falls back to the full parse.

The result must always equal what the full parse would give: ``tests/engine/test_headscan.py``
checks that on a corpus of documents, tricky ones included.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from helmpy import yamlutil

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover
    _CParser = None  # type: ignore[assignment,misc]

# Anything that could make construction fail or change meaning where a line-based reading cannot see it:
# tags (!), anchors/aliases (& *), merge keys (<<), complex keys (? ), collections used as keys (]: }:),
# tabs/CR/BOM, directives and document markers. (Plain substring tests: much faster than one regex.)
_UNSAFE_CHARS = re.compile(r"[!&*\t\r\ufeff]")
_COLLECTION_KEY = re.compile(r"[\]}][ ]*:")
_MARKERS = ("%", "...", "---")
# A quote or bracket, and the one-line shapes a line holding one may have: a simple quoted value or an
# empty flow collection after optional dashes and key. Any other such line might open a scalar or a
# collection spanning several lines.
_QUOTEY = re.compile(r"[\"'\[\]{}]")
_SIMPLE_QUOTED_LINE = re.compile(
    r"[ ]*(?:-[ ]+)*(?:[^\s\"'\[\]{}#][^\"'\[\]{}#\n]*?:[ ]+)?"
    r"(?:\"[^\"\\\n]*\"|'[^'\n]*'|\[\]|\{\})[ ]*(?:[ ]#[^\n]*)?")


def _unsafe(doc: str) -> bool:
    if _UNSAFE_CHARS.search(doc) or "<<" in doc or "? " in doc or "?\n" in doc or doc.endswith("?"):
        return True
    if doc.startswith(_MARKERS) or "\n%" in doc or "\n..." in doc or "\n---" in doc:
        return True
    if ("]" in doc or "}" in doc) and _COLLECTION_KEY.search(doc):
        return True
    pos = 0
    while True:
        m = _QUOTEY.search(doc, pos)
        if m is None:
            return False
        start = doc.rfind("\n", 0, m.start()) + 1
        pos = doc.find("\n", m.start())
        if pos < 0:
            pos = len(doc)
        if not _SIMPLE_QUOTED_LINE.fullmatch(doc, start, pos):
            return True


# The first significant line, and every column-0 line that is not a comment.
_FIRST = re.compile(r"^([ ]*)[^ \n#]", re.M)
_TOP = re.compile(r"^[^ \n#][^\n]*", re.M)
# After a line: the indentation of the next non-blank line ("" at column 0 or at the end).
_NEXT_INDENT = re.compile(r"(?:\n[ ]*(?=\n))*(?:\n([ ]*))?")
# key: rest   (a plain key at the start of the line content)
_KEY_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]*):(?:[ ]+(.*))?$")
_PLAIN = re.compile(r"([^\s\"'\[\]{}#&*!|>%@`,?:-][^\s#]*(?:[ ]+[^\s#]+)*)[ ]*(?:[ ]#.*)?$")
_DQ = re.compile(r"\"([^\"\\]*)\"[ ]*(?:[ ]#.*)?$")
_SQ = re.compile(r"'([^']*)'[ ]*(?:[ ]#.*)?$")
_EMPTY = re.compile(r"[ ]*(?:#.*)?$")
_STR_TAG = "tag:yaml.org,2002:str"


class _Unknown(Exception):
    """The layout is beyond this scanner: use the full parse."""


# Plain scalars starting with a letter are strings for go-yaml unless they are one of these words.
_WORDY = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_NOT_STR_WORDS = frozenset(["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
                            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"])


def _is_str_plain(text: str) -> bool:
    if _WORDY.fullmatch(text):
        return text not in _NOT_STR_WORDS
    tag: str = yamlutil._HelmLoader.resolve(yamlutil._HelmLoader, yaml.ScalarNode, text, (True, False))
    return tag == _STR_TAG


def _string(rest: str | None) -> str | None:
    """A one-line scalar that is certainly a string (or None for an empty value); else _Unknown."""
    if not rest:
        return None
    m = _PLAIN.match(rest)
    if m:
        if _is_str_plain(m.group(1)):
            return m.group(1)
        raise _Unknown
    m = _DQ.match(rest) or _SQ.match(rest)
    if m:
        return m.group(1)
    if _EMPTY.match(rest):
        return None
    raise _Unknown


def _ends_here(doc: str, end: int, indent: int) -> None:
    """The value of the line ending at ``end`` (a key at ``indent``) must not continue below it."""
    m = _NEXT_INDENT.match(doc, end)
    if m and m.group(1) is not None and len(m.group(1)) > indent and m.end() < len(doc):
        raise _Unknown


def _scan(doc: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "", "namespace": "", "annotations": {}}
    head: dict[str, Any] = {"apiVersion": "", "kind": "", "metadata": meta}
    first = _FIRST.search(doc)
    if first is None:
        return head  # only comments: an empty document
    if first.group(1):
        raise _Unknown  # an indented root
    seen: set[str] = set()
    tops = list(_TOP.finditer(doc))
    for n, line in enumerate(tops):
        text = line.group(0)
        if text[:2] == "- " or text == "-":
            if n == 0:
                raise _Unknown  # the document is a list
            continue
        m = _KEY_LINE.match(text)
        if m is None:
            raise _Unknown
        key = m.group(1)
        if key not in ("apiVersion", "kind", "metadata"):
            continue
        if key in seen:
            raise _Unknown
        seen.add(key)
        if key == "metadata":
            if _string(m.group(2)) is not None:
                raise _Unknown  # metadata: <scalar>
            stop = tops[n + 1].start() if n + 1 < len(tops) else len(doc)
            if stop < len(doc) and doc.startswith("-", stop):
                raise _Unknown  # metadata: followed by an indentless sequence
            _scan_metadata(doc[line.end():stop].split("\n")[1:], meta)
            continue
        value = _string(m.group(2))
        if value is None:
            raise _Unknown
        _ends_here(doc, line.end(), 0)
        head[key] = value
    return head


def _block(lines: list[tuple[int, str]], i: int) -> tuple[int, int]:
    """The lines nested under line ``i``: (their indentation, index after the last one)."""
    parent = lines[i][0]
    j = i + 1
    while j < len(lines) and lines[j][0] > parent:
        j += 1
    if j == i + 1:
        if j < len(lines) and lines[j][0] == parent and lines[j][1][:1] == "-":
            raise _Unknown  # an indentless sequence
        return -1, j
    return lines[i + 1][0], j


def _significant(raw: list[str]) -> list[tuple[int, str]]:
    out = []
    for line in raw:
        content = line.lstrip(" ")
        if content and content[0] != "#":
            out.append((len(line) - len(content), content))
    return out


def _scan_metadata(raw: list[str], meta: dict[str, Any]) -> None:
    """The lines below ``metadata:`` (up to the next top-level line)."""
    lines = _significant(raw)
    if not lines:
        return  # metadata: (null)
    if lines[0][1][:1] == "-":
        raise _Unknown  # metadata is a list
    child = lines[0][0]
    seen: set[str] = set()
    for j, (indent, content) in enumerate(lines):
        if indent != child:
            if indent < child:
                raise _Unknown
            continue
        m = _KEY_LINE.match(content)
        if m is None:
            if j > 0 and (content[:2] == "- " or content == "-"):
                continue  # an indentless sequence under the previous key
            raise _Unknown
        key, rest = m.group(1), m.group(2)
        if key not in ("name", "namespace", "annotations"):
            continue
        if key in seen:
            raise _Unknown
        seen.add(key)
        if key == "annotations":
            meta["annotations"] = _scan_annotations(lines, j, rest)
            continue
        value = _string(rest)
        if value is None or (j + 1 < len(lines) and lines[j + 1][0] > indent):
            raise _Unknown  # empty, or continued on the next lines
        meta[key] = value


def _scan_annotations(lines: list[tuple[int, str]], i: int, rest: str | None) -> dict[str, str]:
    if rest is not None and rest.strip() == "{}":
        if i + 1 < len(lines) and lines[i + 1][0] > lines[i][0]:
            raise _Unknown
        return {}
    if rest is not None and not _EMPTY.match(rest):
        raise _Unknown
    child, end = _block(lines, i)
    out: dict[str, str] = {}
    for j in range(i + 1, end):
        indent, content = lines[j]
        m = _KEY_LINE.match(content) if indent == child else None
        if m is None or not _is_str_plain(m.group(1)):
            raise _Unknown
        value = _string(m.group(2))
        if value is None:
            raise _Unknown
        out[m.group(1)] = value
    return out


def scan_head(doc: str) -> dict[str, Any] | None:
    """The head of ``doc`` as ``parse_head`` returns it, or ``None`` when only the full parse can tell.

    ``None`` is also returned for invalid YAML, so that the full parse reports the error its way.
    """
    if _CParser is None or _unsafe(doc):
        return None
    try:
        _CParser(doc).raw_parse()
    except yaml.YAMLError:
        return None
    try:
        return _scan(doc)
    except _Unknown:
        return None
