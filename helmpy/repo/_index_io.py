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

from helmpy import yamlutil
from helmpy.errors import ArchiveError, HelmpyError
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
                chunk: bytes | memoryview = self._z.unconsumed_tail
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


class _HelmResolver(yaml.resolver.BaseResolver):
    """The implicit types of helmpy's YAML loader (go-yaml v2: y/n are booleans, timestamps stay text)."""


_HelmResolver.yaml_implicit_resolvers = yamlutil._HelmLoader.yaml_implicit_resolvers  # noqa: SLF001 - one table
_HELM_RESOLVER = _HelmResolver()
_IMPLICIT_FIRST = frozenset(_HelmResolver.yaml_implicit_resolvers)  # first characters of non-string scalars
_PLAIN_START_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
_QUOTE_OR_FLOW = frozenset("'\"{[")
_BOOL_TRUE = frozenset(("y", "yes", "true", "on"))
# what PyYAML's reader refuses, and the characters it treats as line breaks: both go to the full parser
_NEEDS_FULL = re.compile("[^\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'", re.DOTALL)


@functools.lru_cache(maxsize=65536)
def _plain(text: str) -> Any:
    """A one-line plain scalar as helmpy's loader types it (raises _NotSimple for rare forms)."""
    if text[0] in _PLAIN_START_BAD or ": " in text or " #" in text or text.endswith(":"):
        raise _NotSimple()
    if " " in text or text[0] not in _IMPLICIT_FIRST:  # no implicit type (helmpy keeps timestamps as text)
        return text
    tag = _HELM_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in _BOOL_TRUE
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return yamlutil.load(text)
    raise _NotSimple()  # merge keys, '=' values


@functools.lru_cache(maxsize=4096)
def _quoted_with_escapes(text: str) -> str:
    try:
        value = yamlutil.load(text)
    except HelmpyError as err:
        raise _NotSimple() from err
    if not isinstance(value, str):
        raise _NotSimple()
    return value


class _BlockParser:
    """Block mappings/sequences of scalars, the shape go-yaml and PyYAML write; anything else bails out.

    Works on the non-blank lines: ``ind``/``txt`` are each line's indentation and stripped text,
    ``num`` its line number (a gap in the numbers is a blank line, which only matters inside scalars).
    """

    def __init__(self, indents: list[int], texts: list[str], numbers: list[int]) -> None:
        self.ind, self.txt, self.num = indents, texts, numbers
        self.n = len(texts)
        self.i = 0

    def block(self, indent: int) -> Any:
        text = self.txt[self.i]
        if text[:2] == "- " or text == "-":
            return self.seq(indent)
        return self.map(indent)

    def map(self, indent: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        ind, txt, n = self.ind, self.txt, self.n
        i = self.i
        while i < n and ind[i] == indent:
            text = txt[i]
            pos = text.find(": ")
            if pos > 0:
                key_text, rest = text[:pos], text[pos + 2:].lstrip(" ")
            elif pos < 0 and text[-1] == ":" and len(text) > 1:
                key_text, rest = text[:-1], ""
            else:
                raise _NotSimple()
            if key_text[0] in _PLAIN_START_BAD:
                raise _NotSimple()  # sequence items here, quoted or complex keys: leave to PyYAML
            key = _plain(key_text)
            i += 1
            if rest:
                if rest[0] not in _QUOTE_OR_FLOW and (i >= n or ind[i] <= indent):
                    out[key] = _plain(rest)  # the common case: one plain line
                    continue
                self.i = i
                out[key] = self.scalar(rest, indent)
            elif i < n and ind[i] > indent:
                self.i = i
                out[key] = self.block(ind[i])
            elif i < n and ind[i] == indent and (txt[i][:2] == "- " or txt[i] == "-"):
                self.i = i
                out[key] = self.seq(indent)
            else:
                out[key] = None
                continue
            i = self.i
        self.i = i
        return out

    def seq(self, indent: int) -> list[Any]:
        out: list[Any] = []
        ind, txt, n = self.ind, self.txt, self.n
        while self.i < n and ind[self.i] == indent:
            text = txt[self.i]
            if text[:2] != "- ":
                if text != "-":
                    break
                self.i += 1
                out.append(self.block(ind[self.i]) if self.i < n and ind[self.i] > indent else None)
                continue
            rest = text[2:].lstrip(" ")
            if rest[:2] == "- " or rest == "-":
                raise _NotSimple()
            if rest[0] not in "\"'" and (": " in rest or rest[-1] == ":"):
                ind[self.i], txt[self.i] = indent + len(text) - len(rest), rest  # the item is a mapping
                out.append(self.map(ind[self.i]))
            else:
                self.i += 1
                out.append(self.scalar(rest, indent))
        return out

    def scalar(self, first: str, parent: int) -> Any:
        """The scalar starting with ``first``; continuation lines are those indented past ``parent``."""
        ind, txt, num, n = self.ind, self.txt, self.num, self.n
        quote = first[0]
        if quote in "\"'":
            if (len(first) > 1 and first[-1] == quote and quote not in first[1:-1]
                    and (quote == "'" or "\\" not in first)):
                return first[1:-1]  # one line, nothing escaped
            pattern = _DOUBLE_QUOTED if quote == '"' else _SINGLE_QUOTED
            text = first
            while True:
                m = pattern.match(text)
                if m is not None:
                    if m.end() != len(text):
                        raise _NotSimple()  # something after the closing quote
                    break
                if self.i >= n or ind[self.i] <= parent or num[self.i] != num[self.i - 1] + 1:
                    raise _NotSimple()
                text += "\n" + " " * ind[self.i] + txt[self.i]
                self.i += 1
            if "\n" not in text:
                if quote == "'":
                    return text[1:-1].replace("''", "'")
                if "\\" not in text:
                    return text[1:-1]
            return _quoted_with_escapes(text)
        if first == "{}":
            return {}
        if first == "[]":
            return []
        value = _plain(first)
        parts = None
        while self.i < n and ind[self.i] > parent:
            more = txt[self.i]
            if (num[self.i] != num[self.i - 1] + 1 or more[0] in _PLAIN_START_BAD or ": " in more
                    or " #" in more or more[-1] == ":"):
                raise _NotSimple()
            if parts is None:
                parts = [first]
            parts.append(more)
            self.i += 1
        return value if parts is None else " ".join(parts)


_COMMENT_OR_MARKER = re.compile(r"\n *#|\n---|\n\.\.\.")
_ASCII_OK = b"\n" + bytes(range(0x20, 0x7f))  # what may remain of ASCII text for the fast path


def load_block_yaml(data: bytes) -> dict[Any, Any] | None:
    """Parse a block-style YAML map quickly (Chart.yaml, index.yaml as go-yaml or PyYAML write them).

    Returns None whenever the document uses anything else (comments, anchors, tags, flow collections,
    block scalars, escapes it cannot place, odd indentation, syntax errors), so callers fall back to
    the full parser; every result equals what ``helmpy.yamlutil.load`` returns for the same input.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if data.translate(None, _ASCII_OK) if text.isascii() else _NEEDS_FULL.search(text):
        return None
    if _COMMENT_OR_MARKER.search("\n" + text[:4]) or _COMMENT_OR_MARKER.search(text):
        return None
    lines = text.split("\n")
    stripped = [line.lstrip(" ") for line in lines]
    numbers = [i for i, s in enumerate(stripped) if s]
    if not numbers:
        return None
    indents = [len(lines[i]) - len(stripped[i]) for i in numbers]
    texts = [stripped[i].rstrip(" ") for i in numbers]
    if indents[0] != 0:
        return None
    parser = _BlockParser(indents, texts, numbers)
    try:
        result = parser.block(0)
    except (_NotSimple, RecursionError):
        return None
    if parser.i != parser.n or not isinstance(result, dict):
        return None
    return result
