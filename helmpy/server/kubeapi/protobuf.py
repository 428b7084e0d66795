"""Decode Kubernetes protobuf request bodies into the JSON object form.

client-go's typed clients *send* protobuf (Helm's release Secrets, ``kubectl create secret``), and answering
415 makes them fail rather than retry with JSON (kube-api.md §2.2). Responses stay JSON, so only a reader is
needed: the ``k8s\\0`` envelope around a ``runtime.Unknown``, and one field table per supported message.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any, Callable, Iterator

from helmpy.errors import KubeApiStatus

MAGIC = b"k8s\x00"

# field number -> (json name, kind); kinds: str, bytes (base64 in JSON), int, bool, time, map (str->str),
# bmap (str->bytes), strs (repeated str), msg:<Name>, msgs:<Name> (repeated message)
Schema = dict[int, tuple[str, str]]

SCHEMAS: dict[str, Schema] = {
    "ObjectMeta": {1: ("name", "str"), 2: ("generateName", "str"), 3: ("namespace", "str"), 4: ("selfLink", "str"),
                   5: ("uid", "str"), 6: ("resourceVersion", "str"), 7: ("generation", "int"),
                   8: ("creationTimestamp", "time"), 9: ("deletionTimestamp", "time"),
                   10: ("deletionGracePeriodSeconds", "int"), 11: ("labels", "map"), 12: ("annotations", "map"),
                   13: ("ownerReferences", "msgs:OwnerReference"), 14: ("finalizers", "strs")},
    "OwnerReference": {1: ("kind", "str"), 3: ("name", "str"), 4: ("uid", "str"), 5: ("apiVersion", "str"),
                       6: ("controller", "bool"), 7: ("blockOwnerDeletion", "bool")},
    "Secret": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "bmap"), 3: ("type", "str"),
               4: ("stringData", "map"), 5: ("immutable", "bool")},
    "ConfigMap": {1: ("metadata", "msg:ObjectMeta"), 2: ("data", "map"), 3: ("binaryData", "bmap"),
                  4: ("immutable", "bool")},
    "Namespace": {1: ("metadata", "msg:ObjectMeta"), 2: ("spec", "msg:NamespaceSpec"),
                  3: ("status", "msg:NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "strs")},
    "NamespaceStatus": {1: ("phase", "str")},
    "ServiceAccount": {1: ("metadata", "msg:ObjectMeta"), 2: ("secrets", "msgs:ObjectReference"),
                       3: ("imagePullSecrets", "msgs:LocalObjectReference"),
                       4: ("automountServiceAccountToken", "bool")},
    "ObjectReference": {1: ("kind", "str"), 2: ("namespace", "str"), 3: ("name", "str"), 4: ("uid", "str"),
                        5: ("apiVersion", "str"), 6: ("resourceVersion", "str"), 7: ("fieldPath", "str")},
    "LocalObjectReference": {1: ("name", "str")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "int"), 2: ("preconditions", "msg:Preconditions"),
                      3: ("orphanDependents", "bool"), 4: ("propagationPolicy", "str"), 5: ("dryRun", "strs")},
    "Preconditions": {1: ("uid", "str"), 2: ("resourceVersion", "str")},
}
TypeMeta: Schema = {1: ("apiVersion", "str"), 2: ("kind", "str")}
Unknown: Schema = {1: ("typeMeta", "raw"), 2: ("raw", "raw"), 3: ("contentEncoding", "str"), 4: ("contentType", "str")}


def _bad(message: str) -> KubeApiStatus:
    return KubeApiStatus(f"the body of the request was in an unknown format: {message}", code=400,
                         reason="BadRequest")


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise _bad("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise _bad("varint too long")


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value) where value is an int or bytes."""
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise _bad("truncated length-delimited field")
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 1:
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        else:
            raise _bad(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise _bad("truncated field")
        yield number, wire, value


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        raise _bad("expected a string field")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad("string field is not UTF-8") from err


def _time(value: bytes) -> str:
    seconds = 0
    for number, _wire, v in _fields(value):
        if number == 1:
            seconds = v - (1 << 64) if v >= 1 << 63 else v
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _map_entry(value: bytes, binary: bool) -> tuple[str, Any]:
    key, val = "", b""
    for number, _wire, v in _fields(value):
        if number == 1:
            key = _text(v)
        elif number == 2:
            val = v
    return key, (base64.b64encode(val).decode() if binary else _text(val))


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": _text, "bytes": lambda v: base64.b64encode(v).decode(), "bool": bool,
    "int": lambda v: v - (1 << 64) if v >= 1 << 63 else v, "time": _time,
}


def decode_message(buf: bytes, schema_name: str) -> dict[str, Any]:
    """Decode one message into its JSON form; empty and zero values are treated as absent."""
    schema = SCHEMAS[schema_name]
    out: dict[str, Any] = {}
    for number, _wire, value in _fields(buf):
        if number not in schema:
            continue
        name, kind = schema[number]
        if kind in ("map", "bmap"):
            key, val = _map_entry(value, kind == "bmap")
            out.setdefault(name, {})[key] = val
        elif kind == "strs":
            out.setdefault(name, []).append(_text(value))
        elif kind.startswith("msgs:"):
            out.setdefault(name, []).append(decode_message(value, kind[5:]))
        elif kind.startswith("msg:"):
            sub = decode_message(value, kind[4:])
            if sub:
                out[name] = sub
        else:
            converted = CONVERTERS[kind](value)
            if converted not in ("", 0):  # the generator writes zero values explicitly (0 == False too)
                out[name] = converted
    return out


def decode(body: bytes) -> dict[str, Any]:
    """Decode a ``k8s\\0``-enveloped protobuf body; 400 (BadRequest) when it is not one or not understood."""
    if not body.startswith(MAGIC):
        raise _bad("missing the protobuf magic prefix")
    type_meta, raw = b"", b""
    for number, _wire, value in _fields(body[len(MAGIC):]):
        if number == 1:
            type_meta = value
        elif number == 2:
            raw = value
    meta: dict[str, str] = {}
    for number, _wire, value in _fields(type_meta):
        if number in TypeMeta:
            meta[TypeMeta[number][0]] = _text(value)
    kind = meta.get("kind", "")
    if kind not in SCHEMAS or kind in ("ObjectMeta", "OwnerReference"):
        raise KubeApiStatus(f"protobuf request bodies of kind {kind or '<none>'!r} are not supported by helmpy; "
                            "send JSON instead", code=415, reason="UnsupportedMediaType")
    obj = {"apiVersion": meta.get("apiVersion", "v1"), "kind": kind}
    obj.update(decode_message(raw, kind))
    return obj
