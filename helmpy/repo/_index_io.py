"""Fast paths for indexing: pull Chart.yaml out of a .tgz without untarring it, and emit index YAML.

Both exist for speed only (``repo index`` over thousands of archives, and the chart server
re-writing its index on every upload); the general-purpose readers/writers are
``helmpy.chart.archive`` and ``helmpy.yamlutil``.
"""

from __future__ import annotations

import functools
import io
import json
import re
import tarfile
import zlib
from typing import Any

import yaml

from helmpy.errors import ArchiveError
from helmpy.yamlutil import go_key


class Gunzip(io.RawIOBase):
    """Decompress gzip bytes lazily, so a reader that stops early stops decompressing too.

    (tarfile's own ``r|gz`` mis-parses gzip headers with an FEXTRA field - which Helm writes.)
    """

    def __init__(self, data: bytes) -> None:
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._in = memoryview(data)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            if self._z.unconsumed_tail:
                chunk = self._z.unconsumed_tail
            elif self._in and not self._z.eof:
                chunk, self._in = self._in[:65536], self._in[65536:]
            else:
                break
            self._buf += self._z.decompress(chunk, 1 << 20)
        if size < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out


class _Fallback(Exception):
    """The archive uses tar features the fast scanner leaves to tarfile (PAX, GNU long names)."""


def _octal(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:
        raise _Fallback()
    text = field.replace(b"\0", b" ").strip()
    return int(text, 8) if text else 0


class _Inflater:
    """Decompressed bytes on demand with an offset into one buffer (no re-copying per header)."""

    def __init__(self, data: bytes) -> None:
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._data = data
        self.buf = self._z.decompress(data, 1 << 16)
        self.pos = 0

    @property
    def complete(self) -> bool:
        """The gzip stream ended properly (trailer and CRC checked)."""
        return self._z.eof

    def ensure(self, end: int) -> bool:
        """Make ``buf[pos:end]`` available; False at the end of the stream."""
        while len(self.buf) < end:
            tail = self._z.unconsumed_tail
            if not tail or self._z.eof:
                return False
            more = self._z.decompress(tail, max(end - len(self.buf), 1 << 16))
            if self.pos >= len(self.buf):  # skipping past everything buffered: drop the skipped bytes
                end -= len(self.buf)
                self.pos -= len(self.buf)
                self.buf = more
            else:
                self.buf = self.buf[self.pos:] + more
                end -= self.pos
                self.pos = 0
        return True


def _scan_fast(data: bytes, source: str) -> tuple[str, bytes] | None:
    """Walk ustar headers until ``<top>/Chart.yaml``; None when the archive has none."""
    z = _Inflater(data)
    zero_block = b"\0" * 512
    while True:
        if not z.ensure(z.pos + 512):
            if z.pos >= len(z.buf) and z.complete:
                return None
            raise ArchiveError(f"{source}: corrupt chart archive: unexpected end of data")
        block = z.buf[z.pos:z.pos + 512]
        if block == zero_block:
            return None
        stored = _octal(block[148:156])
        if stored != sum(block[:148]) + 256 + sum(block[156:]):
            raise ArchiveError(f"{source}: corrupt chart archive: bad tar header checksum")
        typeflag = block[156:157]
        if typeflag in (b"x", b"g", b"L", b"K"):
            raise _Fallback()
        name = block[:100].split(b"\0", 1)[0]
        if block[257:263] == b"ustar\x00":
            prefix = block[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix + b"/" + name
        size = _octal(block[124:136])
        text = name.decode("utf-8", "replace").replace("\\", "/")
        if text == "Chart.yaml":
            raise ArchiveError(f"{source}: chart yaml not in base directory")
        start = z.pos + 512
        parts = text.split("/")
        if typeflag in (b"0", b"\0") and len(parts) == 2 and parts[1] == "Chart.yaml":
            if not z.ensure(start + size):
                raise ArchiveError(f"{source}: corrupt chart archive: truncated Chart.yaml")
            start = z.pos + 512  # ensure() may have moved the buffer
            return text, z.buf[start:start + size]
        z.pos = start + (size + 511) // 512 * 512


def _scan_tarfile(data: bytes, source: str) -> tuple[str, bytes] | None:
    with tarfile.open(fileobj=Gunzip(data), mode="r|") as tar:
        for info in tar:
            name = info.name.replace("\\", "/")
            if name == "Chart.yaml":
                raise ArchiveError(f"{source}: chart yaml not in base directory")
            parts = name.split("/")
            if len(parts) == 2 and parts[1] == "Chart.yaml" and info.isreg():
                fh = tar.extractfile(info)
                return name, (fh.read() if fh else b"")
    return None


def read_chart_yaml(data: bytes, source: str, max_size: int) -> bytes:
    """The raw ``<top>/Chart.yaml`` of a gzipped chart archive, reading no further than it."""
    if data[:2] != b"\x1f\x8b":
        raise ArchiveError(f"{source}: not a gzipped chart archive")
    try:
        try:
            found = _scan_fast(data, source)
        except _Fallback:
            found = _scan_tarfile(data, source)
    except (tarfile.TarError, EOFError, zlib.error, ValueError, OSError) as err:
        raise ArchiveError(f"{source}: corrupt chart archive: {err}") from err
    if found is None:
        raise ArchiveError(f"{source}: Chart.yaml file is missing")
    if len(found[1]) > max_size:
        raise ArchiveError(f"{source}: decompressed chart file 'Chart.yaml' is larger than the maximum file "
                           f"size {max_size}")
    return found[1]


# --- YAML output ----------------------------------------------------------------------------------
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9 _./~+=@()!,$%^&*;:#?<>\[\]{}|'\"-]*")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_GO_YAML_BOOLS = frozenset({"y", "Y", "n", "N"})  # booleans to go-yaml v2, strings to PyYAML


@functools.lru_cache(maxsize=65536)
def scalar(text: str) -> str:
    """A string as a YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if (text not in _GO_YAML_BOOLS and _PLAIN.fullmatch(text) and not text.endswith((" ", ":"))
            and ": " not in text and " #" not in text
            and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG):
        return text
    # JSON escapes are valid in YAML double quotes; also escape what YAML counts as breaks/non-printable
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _inline(value: Any) -> str:
    if isinstance(value, str):
        return scalar(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(str(value))


@functools.lru_cache(maxsize=4096)
def _key_order(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """go-yaml key order for a key set (index entries repeat the same few key sets)."""
    return tuple(sorted(keys, key=lambda k: go_key(str(k))))


def _map(data: dict[Any, Any], indent: int, lines: list[str], first: str | None = None) -> None:
    pad = " " * indent
    for i, key in enumerate(_key_order(tuple(data))):
        value = data[key]
        lead = first if (i == 0 and first is not None) else pad
        k = scalar(str(key))
        if isinstance(value, dict) and value:
            lines.append(f"{lead}{k}:")
            _map(value, indent + 2, lines)
        elif isinstance(value, list) and value:
            lines.append(f"{lead}{k}:")
            _seq(value, indent, lines)
        else:
            lines.append(f"{lead}{k}: {_inline(value)}")


def _seq(items: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            _map(item, indent + 2, lines, first=pad + "- ")
        elif isinstance(item, list) and item:
            lines.append(pad + "-")
            _seq(item, indent + 2, lines)
        else:
            lines.append(f"{pad}- {_inline(item)}")


def dump(data: dict[str, Any]) -> str:
    """Block-style YAML with go-yaml key order, for plain data (str/bool/number/None/list/dict)."""
    lines: list[str] = []
    _map(data, 0, lines)
    return "\n".join(lines) + "\n"


# --- YAML input -----------------------------------------------------------------------------------
class _NotSimple(Exception):
    """The document needs the full YAML parser."""


_TOP_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?:[ ]+(.*))?")
_ITEM_LINE = re.compile(r"(?:  )?- (.*)")
_PLAIN_START_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BOOL_WORDS = {"true": True, "True": True, "TRUE": True, "yes": True, "Yes": True, "YES": True,
               "on": True, "On": True, "ON": True, "false": False, "False": False, "FALSE": False,
               "no": False, "No": False, "NO": False, "off": False, "Off": False, "OFF": False}


@functools.lru_cache(maxsize=16384)
def _simple_scalar(text: str) -> Any:
    text = text.rstrip()
    if not text:
        return None
    first = text[0]
    if first == '"':
        if len(text) < 2 or text[-1] != '"' or "\\" in text[1:-1] or '"' in text[1:-1]:
            raise _NotSimple()
        return text[1:-1]
    if first == "'":
        if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1]:
            raise _NotSimple()
        return text[1:-1]
    if first in _PLAIN_START_BAD or ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        raise _NotSimple()
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text
    if tag == "tag:yaml.org,2002:bool":
        return _BOOL_WORDS[text]
    raise _NotSimple()  # numbers, nulls, timestamps: leave their exact semantics to PyYAML


def load_simple_yaml(data: bytes) -> dict[str, Any] | None:
    """Parse the common flat Chart.yaml shape (``key: scalar`` and lists of scalars) quickly.

    Returns None whenever the document uses anything else, so callers fall back to the full parser;
    every result equals what the safe YAML loader returns for the same input.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: dict[str, Any] = {}
    current: list[Any] | None = None
    item_indent: int | None = None
    try:
        for line in text.split("\n"):
            line = line.rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line[0] not in " -":
                m = _TOP_LINE.fullmatch(line)
                if m is None:
                    return None
                key, value = m.group(1), m.group(2)
                if value is None or not value.strip():
                    current, item_indent = [], None
                    out[key] = current
                else:
                    current = None
                    out[key] = _simple_scalar(value)
                continue
            m = _ITEM_LINE.fullmatch(line)
            if m is None or current is None:
                return None
            indent = len(line) - len(line.lstrip(" "))
            if item_indent is None:
                item_indent = indent
            elif indent != item_indent:
                return None
            current.append(_simple_scalar(m.group(1)))
    except _NotSimple:
        return None
    for key, value in out.items():
        if value == []:
            out[key] = None  # "key:" with nothing below is null in YAML
    return out
