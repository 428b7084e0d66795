"""``urlParse`` and ``urlJoin`` (Go's ``net/url`` field split, for the URL forms charts use)."""

from __future__ import annotations

from urllib.parse import quote, unquote

from helmpy.engine.gotemplate.funcs._goval import kind_of
from helmpy.engine.gotemplate.funcs._sig import MAP, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError


def _split_url(v: str) -> dict[str, str]:
    rest, _, fragment = v.partition("#")
    scheme = ""
    i = 0
    while i < len(rest) and ((rest[i].isalnum() and rest[i].isascii()) or (i and rest[i] in "+-.")):
        i += 1
    if 0 < i < len(rest) and rest[i] == ":" and rest[0].isalpha():
        scheme, rest = rest[:i].lower(), rest[i + 1:]
    rest, _, query = rest.partition("?")
    out = {"scheme": scheme, "host": "", "hostname": "", "path": "", "query": query, "opaque": "",
           "fragment": unquote(fragment), "userinfo": ""}
    if scheme and not rest.startswith("/"):
        out["opaque"] = rest
        return out
    if rest.startswith("//"):
        auth, slash, path = rest[2:].partition("/")
        path = slash + path
        userinfo, at, host = auth.rpartition("@")
        if at:
            out["userinfo"] = userinfo
        out["host"] = host
        hostname = host
        if hostname.startswith("["):
            hostname = hostname[1:hostname.find("]")] if "]" in hostname else hostname[1:]
        elif ":" in hostname:
            hostname = hostname.rsplit(":", 1)[0]
        out["hostname"] = hostname
        rest = path
    out["path"] = unquote(rest)
    return out


@go(STR)
def url_parse(v: str) -> dict[str, object]:
    """``urlParse``: scheme, host, hostname, path, query, opaque, fragment, userinfo."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in v):
        raise FuncError(f"unable to parse url: parse {v!r}: net/url: invalid control character in URL", panic=True)
    return dict(_split_url(v))


def _get(d: dict[str, object], key: str) -> str:
    if key not in d:
        return ""
    v = d[key]
    if not isinstance(v, str):
        raise FuncError(f"unable to parse {key} key, must be of type string, but {kind_of(v)} found", panic=True)
    return v


@go(MAP)
def url_join(d: dict[str, object]) -> str:
    """``urlJoin``: the URL ``url.URL.String()`` builds from those fields."""
    scheme, host, path, query = _get(d, "scheme"), _get(d, "host"), _get(d, "path"), _get(d, "query")
    opaque, fragment, userinfo = _get(d, "opaque"), _get(d, "fragment"), _get(d, "userinfo")
    out = ""
    if scheme:
        out += scheme + ":"
    if opaque:
        out += opaque
    else:
        if scheme or host or userinfo:
            if host or path or userinfo:
                out += "//"
            if userinfo:
                out += userinfo + "@"
            out += host
        if path and not path.startswith("/") and host:
            out += "/"
        out += quote(path, safe="/:@!$&'()*+,;=-._~")
    if query:
        out += "?" + query
    if fragment:
        out += "#" + quote(fragment, safe="/:@!$&'()*+,;=-._~?")
    return out
