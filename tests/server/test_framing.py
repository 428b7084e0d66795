"""The strict request-body framing of `helmpy serve`: the chunked decoder and the Content-Length rules."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.errors import RequestBodyTooLarge, ServerRequestError
from helmpy.server.framing import ChunkedBody, check_framing


def _encode(pieces: list[bytes], extensions: list[bytes]) -> bytes:
    out = b""
    for i, piece in enumerate(pieces):
        ext = extensions[i % len(extensions)] if extensions else b""
        out += b"%x%s\r\n%s\r\n" % (len(piece), ext, piece)
    return out + b"0\r\nX-Trailer: 1\r\n\r\n"


pieces_st = st.lists(st.binary(min_size=1, max_size=300), max_size=12)
extensions_st = st.lists(st.sampled_from([b"", b";a=b", b" ;x", b";name=\"v\""]), max_size=3)


@settings(max_examples=200, deadline=None)
@given(pieces=pieces_st, extensions=extensions_st, step=st.integers(min_value=1, max_value=700))
def test_chunked_body_decodes_what_was_encoded(pieces: list[bytes], extensions: list[bytes], step: int) -> None:
    stream = io.BufferedReader(io.BytesIO(_encode(pieces, extensions) + b"NEXT"))  # type: ignore[arg-type]
    body = ChunkedBody(stream, limit=10_000)
    got = b""
    for _ in range(10_000):
        data = body.read(step)
        if not data:
            break
        got += data
    assert got == b"".join(pieces) and body.finished
    assert stream.read() == b"NEXT"  # nothing of the next request was eaten


@settings(max_examples=200, deadline=None)
@given(pieces=pieces_st.filter(lambda p: sum(map(len, p)) > 0), data=st.data())
def test_chunked_body_refuses_more_than_the_limit_before_reading_it(pieces: list[bytes], data: st.DataObject) -> None:
    total = sum(map(len, pieces))
    limit = data.draw(st.integers(min_value=0, max_value=total - 1))
    stream = io.BufferedReader(io.BytesIO(_encode(pieces, [])))  # type: ignore[arg-type]
    with pytest.raises(RequestBodyTooLarge):
        ChunkedBody(stream, limit).read()


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=200))
def test_any_bytes_decode_or_fail_with_a_request_error(raw: bytes) -> None:
    body = ChunkedBody(io.BufferedReader(io.BytesIO(raw)), limit=1000)  # type: ignore[arg-type]
    try:
        assert len(body.read()) <= 1000
    except ServerRequestError:
        pass


@settings(max_examples=300, deadline=None)
@given(extra_lines=st.integers(min_value=0, max_value=2), length=st.none() | st.binary(max_size=25),
       coding=st.none() | st.sampled_from([b"chunked", b"Chunked", b"chunked, chunked", b"gzip", b"", b" , chunked"]))
def test_framing_check_accepts_only_one_plain_framing(extra_lines: int, length: bytes | None,
                                                      coding: bytes | None) -> None:
    lines = 0 if length is None else 1 + extra_lines
    if (length is not None and coding is not None) or lines > 1:
        accepted = False
    elif length is not None:
        accepted = length.isdigit() and len(length) <= 19
    elif coding is not None:
        accepted = [c.strip().lower() for c in coding.split(b",") if c.strip()] == [b"chunked"]
    else:
        accepted = True
    try:
        check_framing(lines, length, coding)
    except ServerRequestError as err:
        assert not accepted and len(err.message) < 120  # a hostile value is cut, never echoed whole
    else:
        assert accepted


@pytest.mark.parametrize(("encoded", "error"), [
    (b"5\r\nabc", "ended inside a chunk"),
    (b"3\r\nabcde", "not followed by CRLF"),
    (b"-3\r\nabc\r\n", "invalid chunk size"),
    (b"0x3\r\nabc\r\n", "invalid chunk size"),
    (b"11111111111111111\r\n", "invalid chunk size"),  # 17 hex digits
    (b"", "ended early"),
    (b"0\r\n" + b"X: y\r\n" * 65 + b"\r\n", "trailer lines"),
    (b"1" * 5000 + b"\r\n", "longer than 4096"),
])
def test_chunked_body_errors(encoded: bytes, error: str) -> None:
    with pytest.raises(ServerRequestError, match=error):
        ChunkedBody(io.BufferedReader(io.BytesIO(encoded)), limit=1 << 40).read()  # type: ignore[arg-type]
