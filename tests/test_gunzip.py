"""Bounded gzip inflation: whole (gunzip_limited), in blocks as they arrive (inflate) and pulled (GunzipReader)."""

from __future__ import annotations

import gzip
import itertools
import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.gunzip import GunzipReader, gunzip_limited, inflate


class TooLarge(Exception):
    pass


def too_large(limit: int) -> TooLarge:
    return TooLarge(limit)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets (any order, repeats allowed): empty blocks included."""
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)] + [b""]


payloads = st.lists(st.binary(max_size=3000), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(payloads, st.lists(st.integers(min_value=0), max_size=12), st.sampled_from([b"", b"\0\0\0", b"garbage!"]))
def test_any_blocks_of_multi_member_gzip_inflate_to_the_members(members, cuts, trailer):
    stream = b"".join(gzip.compress(m, mtime=0) for m in members) + trailer
    expected = b"".join(members)
    assert b"".join(inflate(split(stream, cuts), 1 << 20, too_large)) == expected
    assert gunzip_limited(stream, 1 << 20, too_large) == expected


# members whose output passes zlib's per-call block (1 MiB): the rest of a piece waits in unconsumed_tail, and at a
# member's end zlib leaves it there as well as in unused_data
big_payloads = st.lists(st.tuples(st.binary(min_size=1, max_size=64), st.integers(0, 3 << 20)).map(
    lambda bn: (bn[0] * (bn[1] // len(bn[0]) + 1))[:bn[1]]), min_size=1, max_size=3)


@settings(max_examples=25, deadline=None)
@given(big_payloads, st.lists(st.integers(min_value=0), max_size=6))
def test_large_members_in_any_blocks_inflate_to_the_members(members, cuts):
    stream = b"".join(gzip.compress(m, compresslevel=1, mtime=0) for m in members)
    expected = b"".join(members)
    assert b"".join(inflate(split(stream, cuts), 16 << 20, too_large)) == expected
    assert gunzip_limited(stream, 16 << 20, too_large) == expected


def test_a_many_member_bomb_stops_at_the_limit_at_once():
    """Eleven 64 MiB members of zeros (the release-record bomb): the limit holds across members."""
    member = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    with pytest.raises(TooLarge):
        gunzip_limited(member * 11, 200 << 20, too_large)
    assert gunzip_limited(member * 2, 200 << 20, too_large) == b"\0" * (128 << 20)


@settings(max_examples=100, deadline=None)
@given(payloads, st.lists(st.integers(min_value=0), max_size=8), st.lists(st.integers(0, 700), max_size=20))
def test_the_reader_returns_the_stream_in_any_read_sizes(members, cuts, sizes):
    stream = b"".join(gzip.compress(m, mtime=0) for m in members)
    reader = GunzipReader(split(stream, cuts), 1 << 20, too_large)
    got = b"".join(reader.read(n) for n in sizes) + reader.read()
    assert got == b"".join(members)
    assert reader.read(10) == b""


def test_the_limit_is_enforced_and_a_bomb_is_cut_early():
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    produced = 0
    with pytest.raises(TooLarge):
        for block in inflate([bomb], 4 << 20, too_large):
            produced += len(block)
    assert produced <= 4 << 20  # stopped within one block of the limit, never 64 MiB
    assert gunzip_limited(gzip.compress(b"x" * 100), 100, too_large) == b"x" * 100
    with pytest.raises(TooLarge):
        gunzip_limited(gzip.compress(b"x" * 101), 100, too_large)
    reader = GunzipReader([bomb], 1 << 20, too_large)
    with pytest.raises(TooLarge):
        reader.drain()


def test_a_cut_stream_yields_what_it_held_and_garbage_is_a_zlib_error():
    data = os.urandom(200_000)
    cut = gzip.compress(data)[:100_000]
    assert data.startswith(gunzip_limited(cut, 1 << 20, too_large))
    with pytest.raises(zlib.error):
        gunzip_limited(b"\x1f\x8b" + b"\xff" * 64, 1 << 20, too_large)
    assert gunzip_limited(b"", 10, too_large) == b""
