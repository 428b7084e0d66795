"""Text functions for templates: strings, regular expressions, encodings and hashes (Sprig's names)."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import urllib.parse
import zlib
from typing import Any

from jinja2.runtime import Undefined

from helmpy.engine import budget
from helmpy.engine.budget import reserve, reserve_items, ticking
from helmpy.engine.gofmt import go_quote, go_str
from helmpy.errors import RenderError


def is_missing(value: Any) -> bool:
    return value is None or isinstance(value, Undefined)


def plain(value: Any) -> Any:
    """Undefined -> None, so serialisers see Helm's nil."""
    return None if isinstance(value, Undefined) else value


def empty(value: Any) -> bool:
    """Sprig's notion of empty: missing, None, "", 0, false, empty list/map."""
    if is_missing(value):
        return True
    if isinstance(value, (str, bytes, list, tuple, dict, set)):
        return len(value) == 0
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value == 0
    return False



# --- strings --------------------------------------------------------------------------------------
def joined(sep: str, parts: list[str], what: str) -> str:
    """``sep.join(parts)``, refused before it is built when it would be larger than the output limit."""
    reserve(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0), what)
    return sep.join(parts)


def quote(*values: Any) -> str:
    """Go-quoted strings joined by spaces; missing values are skipped (so a missing value gives "")."""
    return joined(" ", [go_quote(go_str(v)) for v in values if not is_missing(v)], "quote")


def squote(*values: Any) -> str:
    return joined(" ", [f"'{go_str(v)}'" for v in values if not is_missing(v)], "squote")


def _indent(spaces: int, text: Any, what: str) -> str:
    n, s = int(spaces), go_str(text)
    if n <= 0:
        return s
    reserve(len(s) + n * (s.count("\n") + 1), what)
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def indent(spaces: int, text: Any) -> str:
    """Every line (the first too) prefixed with ``spaces`` spaces."""
    return _indent(spaces, text, "indent")


def nindent(spaces: int, text: Any) -> str:
    """A newline, then ``indent``: ``{{ x | toYaml | nindent(4) }}``."""
    return "\n" + _indent(spaces, text, "nindent")


def trunc(length: int, text: Any) -> str:
    s = go_str(text)
    n = int(length)
    if n < 0 and len(s) + n > 0:
        return s[len(s) + n:]
    if n >= 0 and len(s) > n:
        return s[:n]
    return s


def trim_suffix(suffix: str, text: Any) -> str:
    s, suf = go_str(text), go_str(suffix)
    return s[: -len(suf)] if suf and s.endswith(suf) else s


def trim_prefix(prefix: str, text: Any) -> str:
    s, pre = go_str(text), go_str(prefix)
    return s[len(pre):] if pre and s.startswith(pre) else s


def trim_all(cutset: str, text: Any) -> str:
    return go_str(text).strip(go_str(cutset))


def trim(text: Any) -> str:
    return go_str(text).strip()


def title(text: Any) -> str:
    """Go's ``strings.Title``: upper-case the first letter of each word, leave the rest."""
    out = []
    prev = " "
    for i, ch in enumerate(go_str(text)):
        if not i & 4095:
            budget.tick()
        out.append(ch.upper() if not (prev.isalnum() or prev == "_" or prev == "'") else ch)
        prev = ch
    return "".join(out)


def upper(text: Any) -> str:
    return go_str(text).upper()


def lower(text: Any) -> str:
    return go_str(text).lower()


def replace(old: str, new: str, text: Any) -> str:
    s, old_s, new_s = go_str(text), go_str(old), go_str(new)
    if len(new_s) > len(old_s):
        hits = s.count(old_s) if old_s else len(s) + 1
        reserve(len(s) + hits * (len(new_s) - len(old_s)), "replace")
    return s.replace(old_s, new_s)


def contains(substr: str, text: Any) -> bool:
    return go_str(substr) in go_str(text)


def has_prefix(prefix: str, text: Any) -> bool:
    return go_str(text).startswith(go_str(prefix))


def has_suffix(suffix: str, text: Any) -> bool:
    return go_str(text).endswith(go_str(suffix))


def repeat(count: int, text: Any) -> str:
    s, n = go_str(text), max(int(count), 0)
    reserve(len(s) * n, "repeat")
    return s * n


def substr(start: int, end: int, text: Any) -> str:
    s = go_str(text)
    start, end = int(start), int(end)
    if start < 0:
        return s[:end] if end >= 0 else s
    if end < 0 or end > len(s):
        return s[start:]
    return s[start:end] if start <= end else ""


def nospace(text: Any) -> str:
    return re.sub(r"\s+", "", go_str(text))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", text) if w]


def snakecase(text: Any) -> str:
    return "_".join(w.lower() for w in _words(go_str(text)))


def kebabcase(text: Any) -> str:
    return "-".join(w.lower() for w in _words(go_str(text)))


def camelcase(text: Any) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s-]+", go_str(text)) if w)


def cat(*values: Any) -> str:
    return joined(" ", [go_str(v) for v in values if not is_missing(v)], "cat")


def _split(sep: str, text: Any, what: str) -> list[str]:
    s, sep_s = go_str(text), go_str(sep)
    if sep_s:
        reserve_items(s.count(sep_s) + 1, what)
    return s.split(sep_s)


def split_list(sep: str, text: Any) -> list[str]:
    return _split(sep, text, "splitList")


def split(sep: str, text: Any) -> dict[str, str]:
    return {f"_{i}": part for i, part in enumerate(_split(sep, text, "split"))}


def join(sep: str, values: Any) -> str:
    if is_missing(values):
        return ""
    if isinstance(values, str):
        return values
    sep_s = go_str(sep)
    if hasattr(values, "__len__"):
        reserve(len(sep_s) * max(len(values) - 1, 0), "join")
    return joined(sep_s, [go_str(v) for v in ticking(values)], "join")


def to_string(value: Any) -> str:
    return go_str(value)


def to_strings(values: Any) -> list[str]:
    return [go_str(v) for v in ticking(values or [])]


def to_int(value: Any) -> int:
    """Sprig's ``int``: numbers truncate, numeric strings parse, anything else is 0."""
    if is_missing(value):
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    try:
        s = go_str(value).strip()
        return int(s, 0) if s.lower().startswith(("0x", "0o", "0b")) else int(s)
    except ValueError:
        try:
            return int(float(go_str(value)))
        except ValueError:
            return 0


def to_float(value: Any) -> float:
    if is_missing(value):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# Regular expressions run on RE2 (google-re2), the engine family of Go's regexp that Helm uses: matching
# takes time linear in the text, so no pattern from values can backtrack for minutes, and RE2 refuses
# Perl-only syntax (backreferences, lookaround) as Go does.
@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    import re2  # a C extension: imported by the first template that uses a regular expression

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        detail = err.args[0].decode("utf-8", "replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        shown = pattern if len(pattern) <= 80 else pattern[:80] + "..."
        raise RenderError(f"invalid regular expression {shown!r}: {detail}") from None


def _rx(regex: Any) -> Any:
    return _compiled(go_str(regex))


def regex_match(regex: str, text: Any) -> bool:
    return _rx(regex).search(go_str(text)) is not None


def _go_repl(repl: str) -> str:
    """Go's ``$1``/``${name}`` replacement syntax -> Python's."""
    repl = repl.replace("\\", "\\\\")
    return re.sub(r"\$\{(\w+)\}|\$(\d+|[A-Za-z_]\w*)", lambda m: f"\\g<{m.group(1) or m.group(2)}>", repl)


def _bounded_sub(regex: Any, text: Any, expand: Any, what: str) -> str:
    """``regex`` replaced in ``text`` by ``expand(match)``, refused as soon as the result outgrows the limit."""
    s = go_str(text)
    size = [len(s)]

    def piece(m: Any) -> str:
        out: str = expand(m)
        size[0] += len(out) - (m.end() - m.start())
        reserve(size[0], what)
        return out

    out: str = _rx(regex).sub(piece, s)
    return out


def regex_replace_all(regex: str, text: Any, repl: str) -> str:
    template = _go_repl(go_str(repl))
    return _bounded_sub(regex, text, lambda m: m.expand(template), "regexReplaceAll")


def regex_replace_all_literal(regex: str, text: Any, repl: str) -> str:
    literal = go_str(repl)
    return _bounded_sub(regex, text, lambda _m: literal, "regexReplaceAllLiteral")


def regex_find(regex: str, text: Any) -> str:
    m = _rx(regex).search(go_str(text))
    return m.group(0) if m else ""


def regex_find_all(regex: str, text: Any, n: int = -1) -> list[str]:
    limit = int(n)
    found: list[str] = []
    for m in ticking(_rx(regex).finditer(go_str(text))):
        if 0 <= limit <= len(found):
            break
        found.append(m.group(0))
        if not len(found) & 1023:
            reserve_items(len(found), "regexFindAll")
    return found


def regex_split(regex: str, text: Any, n: int = -1) -> list[str]:
    n = int(n)
    if n == 0:
        return []
    parts: list[str] = _rx(regex).split(go_str(text), maxsplit=0 if n < 0 else n - 1)
    return parts


# --- encodings and hashes -------------------------------------------------------------------------
def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else go_str(value).encode()


def b64enc(value: Any) -> str:
    data = _bytes(value)
    reserve((len(data) + 2) // 3 * 4, "b64enc")
    return base64.b64encode(data).decode()


def b64dec(value: Any) -> str:
    try:
        return base64.b64decode(_bytes(value), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as err:
        return f"illegal base64 data: {err}"


def b32enc(value: Any) -> str:
    data = _bytes(value)
    reserve((len(data) + 4) // 5 * 8, "b32enc")
    return base64.b32encode(data).decode()


def b32dec(value: Any) -> str:
    try:
        return base64.b32decode(_bytes(value)).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as err:
        return f"illegal base32 data: {err}"


def sha256sum(value: Any) -> str:
    return hashlib.sha256(_bytes(value)).hexdigest()


def sha1sum(value: Any) -> str:
    return hashlib.sha1(_bytes(value)).hexdigest()  # noqa: S324 - a checksum, as in Helm


def sha512sum(value: Any) -> str:
    return hashlib.sha512(_bytes(value)).hexdigest()


def adler32sum(value: Any) -> str:
    return str(zlib.adler32(_bytes(value)))


def urlquery(*values: Any) -> str:
    text = joined(" ", [go_str(v) for v in values], "urlquery")
    reserve(len(text.encode()) * 3, "urlquery")
    return urllib.parse.quote_plus(text)
