"""go-yaml v2's key order (``keyList.Less``): letters by code point, runs of digits by their number.

Helm writes every YAML map in this order (through sigs.k8s.io/yaml), so helmpy's writers sort with it too.
"""

from __future__ import annotations

import functools

_INT64_WRAP = 1 << 64


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or (ch > "\x7f" and ch.isdecimal())


def _digit_run(text: str, i: int, start: int) -> tuple[int, int]:
    """The number a run of digits spells from ``i`` (Go's int64 arithmetic, wrapping) and where it ends."""
    value = start
    while i < len(text) and _is_digit(text[i]):
        value = (value * 10 + ord(text[i]) - 48 + (1 << 63)) % _INT64_WRAP - (1 << 63)
        i += 1
    return value, i


def _key_cmp(a: str, b: str) -> int:
    """yaml/v2's ``keyList.Less`` for two string keys, as a three-way compare."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return -1 if ca < cb else 1
        if al or bl:
            return -1 if bl else 1
        start = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and _is_digit(a[j]):
                if a[j] != "0":
                    start = 1
                    break
                j -= 1
        an, ai = _digit_run(a, i, start)
        bn, bi = _digit_run(b, i, start)
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ca < cb else 1
    return (len(a) > len(b)) - (len(a) < len(b))


natural_key = functools.cmp_to_key(_key_cmp)
