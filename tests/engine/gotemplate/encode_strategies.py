"""Hypothesis strategies for values a chart's values file can hold, biased towards what trips YAML emitters."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_PIECES = st.sampled_from([
    " ", "  ", "\n", "\t", ":", ": ", "-", "- ", "#", " #", "'", '"', "\\", "é", "日本", "😀", "\x85", "\u2028",
    "\r", "\x00", "\x07", "\ufeff", "\xa0", "0", "1", "12", "e", "E3", ".", "+", "_", "0x", "0o", "0b", "x",
    "y", "yes", "on", "no", "null", "~", "true", "2001-12-14", "1:20", "<", ">", "&", "[", "{", ",", "!", "*",
    "|", "%", "@", "`", "---", "...", "word", "verylongwordwithoutspaces", "\U0010ffff",
])
_WORDS = st.lists(st.sampled_from(["a", "bb", "word", "x" * 12, "é", "😀", " ", "  ", "\n", "\t", ": "]),
                  min_size=10, max_size=60).map("".join)


def strings(max_pieces: int = 8) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(_PIECES, max_size=max_pieces).map("".join),
        _WORDS,
        st.text(max_size=12).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)),
    )


def numbers() -> st.SearchStrategy[int | float]:
    return st.one_of(
        st.integers(-(2 ** 64), 2 ** 64),
        st.sampled_from([0, 1, -1, 2 ** 53, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 10 ** 20, 10 ** 21]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.1, 1e6, 1.5e6, 1e-7, 1e21, 1e20, 123456.7, -0.0, 5e-324]),
    )


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), numbers(), strings())


def values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON-like trees: maps with string keys, lists, scalars."""
    return st.recursive(
        scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(strings(4), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )
