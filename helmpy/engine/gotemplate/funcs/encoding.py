"""Encodings: ``b64enc``/``b64dec``/``b32enc``/``b32dec`` and the JSON functions of Sprig and Helm.

Decoding errors come back as the result text, as in Sprig (``b64dec "!"`` renders
``illegal base64 data at input byte 0``). Helm's ``toJson`` returns ``""`` on error, ``mustToJson``
panics; Helm's ``fromJson``/``fromJsonArray`` put the error text into the result.
"""

from __future__ import annotations

import base64

from helmpy.engine.gotemplate.funcs._goval import from_bytes, to_bytes
from helmpy.engine.gotemplate.funcs._sig import ANY, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.gojson import JSONError, marshal, unmarshal, unmarshal_into

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_MAP = {ord(c): i for i, c in enumerate(_B64)}
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_MAP = {ord(c): i for i, c in enumerate(_B32)}


class _Corrupt(Exception):
    def __init__(self, pos: int, alphabet: str) -> None:
        super().__init__(f"illegal {alphabet} data at input byte {pos}")


def _b64_decode(src: bytes) -> bytes:
    """``base64.StdEncoding.DecodeString`` (newlines skipped, padding required); raises :class:`_Corrupt`."""
    out = bytearray()
    si = 0
    n = len(src)
    while True:
        dbuf = [0, 0, 0, 0]
        dlen = 4
        j = 0
        trailing_err: int | None = None
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                raise _Corrupt(si - j, "base64")
            c = src[si]
            si += 1
            if c in _B64_MAP:
                dbuf[j] = _B64_MAP[c]
                j += 1
                continue
            if c in (0x0A, 0x0D):
                continue
            if c != 0x3D:
                raise _Corrupt(si - 1, "base64")
            if j in (0, 1):
                raise _Corrupt(si - 1, "base64")
            if j == 2:
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == n:
                    raise _Corrupt(n, "base64")
                if src[si] != 0x3D:
                    raise _Corrupt(si - 1, "base64")
                si += 1
            while si < n and src[si] in (0x0A, 0x0D):
                si += 1
            if si < n:
                trailing_err = si
            dlen = j
            break
        val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
        out += bytes([val >> 16 & 0xFF, val >> 8 & 0xFF, val & 0xFF])[:dlen - 1]
        if trailing_err is not None:
            raise _Corrupt(trailing_err, "base64")
        if dlen < 4:
            return bytes(out)


def _b32_decode(src: bytes) -> bytes:
    """``base32.StdEncoding.DecodeString``; raises :class:`_Corrupt` at Go's byte offset."""
    src = src.replace(b"\r", b"").replace(b"\n", b"")
    olen = len(src)
    out = bytearray()
    pos = 0
    end = False
    while pos < olen and not end:
        dbuf = [0] * 8
        dlen = 8
        j = 0
        while j < 8:
            if pos == olen:
                raise _Corrupt(olen - j, "base32")
            c = src[pos]
            pos += 1
            remaining = olen - pos
            if c == 0x3D and j >= 2 and remaining < 8:
                if remaining + j < 7:
                    raise _Corrupt(olen, "base32")
                for k in range(7 - j):
                    if remaining > k and src[pos + k] != 0x3D:
                        raise _Corrupt(olen - remaining + k - 1, "base32")
                dlen, end = j, True
                if dlen in (1, 3, 6):
                    raise _Corrupt(olen - remaining - 1, "base32")
                break
            if c not in _B32_MAP:
                raise _Corrupt(olen - remaining - 1, "base32")
            dbuf[j] = _B32_MAP[c]
            j += 1
        val = 0
        for d in dbuf:
            val = val << 5 | d
        full = val.to_bytes(5, "big")
        out += full[:{8: 5, 7: 4, 5: 3, 4: 2, 2: 1}[dlen]]
    return bytes(out)


@go(STR)
def b64enc(s: str) -> str:
    return base64.b64encode(to_bytes(s)).decode("ascii")


@go(STR)
def b64dec(s: str) -> str:
    try:
        return from_bytes(_b64_decode(to_bytes(s)))
    except _Corrupt as err:
        return str(err)


@go(STR)
def b32enc(s: str) -> str:
    return base64.b32encode(to_bytes(s)).decode("ascii")


@go(STR)
def b32dec(s: str) -> str:
    try:
        return from_bytes(_b32_decode(to_bytes(s)))
    except _Corrupt as err:
        return str(err)


# --- JSON ------------------------------------------------------------------------------------------
@go(ANY)
def to_json(v: object) -> str:
    """Helm's ``toJson``: ``""`` when the value cannot be encoded."""
    try:
        return marshal(v)
    except JSONError:
        return ""


@go(ANY)
def must_to_json(v: object) -> str:
    """Helm's ``mustToJson`` (panics on error)."""
    try:
        return marshal(v)
    except JSONError as err:
        raise FuncError(str(err), panic=True) from err


@go(ANY)
def to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError:
        return ""


@go(ANY)
def must_to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError as err:
        raise FuncError(str(err)) from err


@go(ANY)
def to_raw_json(v: object) -> str:
    """``toRawJson``: no HTML escaping; panics on error (Sprig's own choice)."""
    try:
        return marshal(v, escape_html=False)
    except JSONError as err:
        raise FuncError(str(err), panic=True) from err


@go(ANY)
def must_to_raw_json(v: object) -> str:
    try:
        return marshal(v, escape_html=False)
    except JSONError as err:
        raise FuncError(str(err)) from err


@go(STR)
def from_json(s: str) -> dict[str, object]:
    """Helm's ``fromJson``: a map; on error ``{"Error": MESSAGE}``."""
    try:
        return unmarshal_into(s, dict)  # type: ignore[return-value]
    except JSONError as err:
        return {"Error": str(err)}


@go(STR)
def from_json_array(s: str) -> list[object]:
    """Helm's ``fromJsonArray``: a list; on error ``[MESSAGE]``."""
    try:
        return unmarshal_into(s, list)  # type: ignore[return-value]
    except JSONError as err:
        return [str(err)]


@go(STR)
def must_from_json(s: str) -> object:
    """Sprig's ``mustFromJson``: any JSON value; errors returned."""
    try:
        return unmarshal(s)
    except JSONError as err:
        raise FuncError(str(err)) from err
