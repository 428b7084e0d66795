"""Which plain strings go-yaml v2 would read back as something else, so its encoder must quote them.

A port of ``resolve`` in go.yaml.in/yaml/v2 ``resolve.go`` (the v2.4.3 Helm 4 links): the first character picks
a hint, a table holds the YAML 1.1 words (``y``, ``Yes``, ``on``, ``~``, ``null``, ``.inf`` ...), and numbers are
whatever Go's ``strconv.ParseInt(s, 0, 64)`` / ``ParseUint`` / ``ParseFloat`` accept once ``_`` is dropped
(so the YAML 1.2 forms ``0o17``, ``0x1F`` and ``0b101`` count too), plus the timestamps ``time.Parse`` accepts
in go-yaml's four layouts and YAML 1.1's base-60 floats (``1:20``).
"""

from __future__ import annotations

import calendar
import re

from helmpy.engine.gotemplate.strconv import NumError, parse_float, parse_int, parse_uint

_WORDS = frozenset((
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
    "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
))  # and "<<", which the table holds but never reaches: "<" gives no hint
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
# go-yaml's layouts "2006-1-2T15:4:5.999999999Z07:00" (also with "t"), "2006-1-2 15:4:5.999999999", "2006-1-2"
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d))"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?)?\Z", re.ASCII)


def _is_timestamp(text: str) -> bool:
    m = _TIMESTAMP.match(text)
    if m is None:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    clock = (m[5], m[6], m[7]) if m[4] else (m[10], m[11], m[12])
    if clock[0] is not None and (int(clock[0]) > 23 or int(clock[1]) > 59 or int(clock[2]) > 59):
        return False
    return not (m[8] is not None and (int(m[8]) > 24 or int(m[9]) > 60))


def _is_number(plain: str) -> bool:
    """ParseInt, then ParseUint, then a YAML-style float, then go-yaml's own ``0b`` forms (``0b-101``)."""
    for parse in (parse_int, parse_uint):
        try:
            parse(plain)
            return True
        except NumError:
            pass
    if _YAML_FLOAT.match(plain):
        try:
            parse_float(plain)
            return True
        except NumError:  # out of range: go-yaml keeps the string
            pass
    if plain.startswith("0b") or plain.startswith("-0b"):
        digits = plain[2:] if plain[0] == "0" else "-" + plain[3:]
        return _binary(digits)
    return False


def _binary(digits: str) -> bool:
    body = digits[1:] if digits[:1] in ("+", "-") else digits
    if not body or any(ch not in "01" for ch in body):
        return False
    value = int(body, 2)
    limit = {"-": 1 << 63, "+": (1 << 63) - 1}.get(digits[:1], (1 << 64) - 1)  # ParseInt, else ParseUint
    return value <= limit


def resolves_to_string(text: str) -> bool:
    """Whether go-yaml v2 reads ``text``, written plain, back as the same string (no quotes needed)."""
    if not text:
        return False
    first = text[0]
    if first in "yYnNtTfFoO~":
        return text not in _WORDS
    if first == ".":
        if text in _WORDS:
            return False
        try:
            parse_float(text)
            return False
        except NumError:
            return True
    if first in "+-0123456789":
        if text in _WORDS or _is_timestamp(text):
            return False
        if _is_number(text.replace("_", "")):
            return False
        return not (":" in text and _BASE60.match(text))
    return True
