"""``Files``: read-only access to a chart's non-template files from templates (Helm's ``.Files``).

Only the chart's own loaded files are reachable; a path with ``..`` or an absolute path is a
:class:`SandboxViolation`, never a look at the real file system.
"""

from __future__ import annotations

import base64
import functools
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from helmpy.errors import RenderError, SandboxViolation


def safe_relpath(path: str, what: str) -> str:
    """Normalise a chart-relative path; anything pointing outside the chart is a SandboxViolation."""
    if not isinstance(path, str) or not path:
        raise RenderError(f"{what}: expected a file path, got {path!r}")
    if path.startswith(("/", "\\")) or "\\" in path or (len(path) > 1 and path[1] == ":"):
        raise SandboxViolation(f"{what}: absolute path {path!r} is not allowed; paths are relative to the chart")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise SandboxViolation(f"{what}: path {path!r} leaves the chart ('..' is not allowed)")
    return "/".join(parts)


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str] | None:
    """gobwas/glob with ``/`` as separator: ``*`` within a segment, ``**`` across, ``?``, ``[..]``, ``{a,b}``.

    Returns None for an invalid pattern (Helm then matches everything).
    """
    out: list[str] = []
    i, n, depth = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                return None
            body = pattern[i + 1:end]
            neg = body.startswith("!")
            if neg:
                body = body[1:]
            if not body:
                return None
            out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\").replace("^", "\\^") + "]")
            i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        return None
    try:
        return re.compile("".join(out) + r"\Z", re.S)
    except re.error:
        return None


class Files:
    """The files of one chart (path -> bytes), as templates see them."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self._files = dict(files)

    def _key(self, name: str, what: str) -> str:
        return safe_relpath(name, f"Files.{what}")

    def GetBytes(self, name: str) -> bytes:  # noqa: N802 - Helm's spelling
        """The file's bytes; empty when there is no such file."""
        return self._files.get(self._key(name, "GetBytes"), b"")

    def Get(self, name: str) -> str:  # noqa: N802
        """The file as text; "" when there is no such file."""
        return self._files.get(self._key(name, "Get"), b"").decode("utf-8", "replace")

    def Glob(self, pattern: str) -> Files:  # noqa: N802
        """The files whose path matches ``pattern`` (``*`` stays in a segment, ``**`` crosses)."""
        rx = glob_regex(str(pattern))
        if rx is None:
            return Files(self._files)
        return Files({k: v for k, v in self._files.items() if rx.match(k)})

    def Lines(self, name: str) -> list[str]:  # noqa: N802
        """The file split into lines (one trailing newline removed first)."""
        key = self._key(name, "Lines")
        if key not in self._files:
            return []
        text = self._files[key].decode("utf-8", "replace")
        if text.endswith("\n"):
            text = text[:-1]
        return text.split("\n")

    def AsConfig(self) -> str:  # noqa: N802
        """A YAML map of basename -> content, ready for a ConfigMap's ``data``."""
        data = {posixpath.basename(k): v.decode("utf-8", "replace") for k, v in sorted(self._files.items())}
        return _helm_yaml(data)

    def AsSecrets(self) -> str:  # noqa: N802
        """A YAML map of basename -> base64 content, ready for a Secret's ``data``."""
        data = {posixpath.basename(k): base64.b64encode(v).decode() for k, v in sorted(self._files.items())}
        return _helm_yaml(data)

    def items(self) -> list[tuple[str, str]]:
        """(path, text) pairs, sorted by path: ``{% for path, text in Files.Glob("x/*").items() %}``."""
        return [(k, v.decode("utf-8", "replace")) for k, v in sorted(self._files.items())]

    def names(self) -> list[str]:
        return sorted(self._files)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._files))

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, name: Any) -> bool:
        return isinstance(name, str) and name in self._files

    def __repr__(self) -> str:
        return f"Files({sorted(self._files)})"


def _helm_yaml(data: dict[str, str]) -> str:
    """Helm's ``toYAML`` of a map (what ``AsConfig``/``AsSecrets`` return): go-yaml's text, "" on error."""
    from helmpy.engine.gotemplate.goyaml import to_yaml

    try:
        return to_yaml(data)
    except RenderError:
        return ""
