"""Go's ``path`` package (slash paths, whatever the OS): ``base``, ``dir``, ``clean``, ``ext``, ``isAbs``.

Sprig's ``osBase``/``osDir``/... use ``path/filepath``, which on Linux (where Helm's output is the
reference) is the same.
"""

from __future__ import annotations

from helmpy.engine.gotemplate.funcs._sig import STR, go


def clean(p: str) -> str:
    """``path.Clean``: lexical: no ``.``, ``..`` resolved, one slash between elements, ``.`` for empty."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out: list[str] = []
    for part in p.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    body = "/".join(out)
    if rooted:
        return "/" + body
    return body or "."


@go(STR)
def base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


@go(STR)
def dir_(p: str) -> str:
    return clean(p[:p.rfind("/") + 1])


@go(STR)
def ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


@go(STR)
def is_abs(p: str) -> bool:
    return p.startswith("/")


clean_fn = go(STR)(clean)
