"""From a plugin's ``platformCommand`` list to an argv: Helm's platform choice and ``$VAR`` expansion.

Choice (Helm's ``getPlatformCommand``): an entry for this OS *and* architecture wins at once; otherwise the
first entry for this OS with no architecture, else the first entry with neither. The command string is split
on single spaces (as Helm splits it, so no shell quoting), its first word is always expanded, and the rest and
``args`` are expanded unless the caller says not to (legacy hooks run through ``sh -c``, whose shell expands).
Expansion follows Go's ``os.Expand`` with the plugin's environment: ``$NAME``, ``${NAME}``, the one-character
shell specials (``$1``, ``$@``, ...); an unset name is empty; no command substitution, ever.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence

from helmpy.errors import PluginError
from helmpy.plugin.manifest import PlatformCommand

_GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386",
           "i686": "386", "armv7l": "arm", "armv6l": "arm", "ppc64le": "ppc64le", "s390x": "s390x",
           "riscv64": "riscv64"}
_SPECIAL = set("*#$@!?-0123456789")


def goos() -> str:
    """This machine's OS in Go's spelling (linux, darwin, windows, freebsd, ...)."""
    return platform.system().lower()


def goarch() -> str:
    """This machine's architecture in Go's spelling (amd64, arm64, ...)."""
    machine = platform.machine().lower()
    return _GOARCH.get(machine, machine)


def choose(commands: Sequence[PlatformCommand], os_name: str | None = None,
           arch: str | None = None) -> PlatformCommand | None:
    """The entry of ``commands`` for this platform, or None."""
    os_name = (os_name or goos()).lower()
    arch = (arch or goarch()).lower()
    chosen: PlatformCommand | None = None
    for c in commands:
        if c.os.lower() == os_name and c.arch.lower() == arch:
            return c
        if (c.os and c.os.lower() != os_name) or c.arch:
            continue
        if (c.os and (chosen is None or not chosen.os)) or chosen is None:
            chosen = c
    return chosen


def _name_at(s: str) -> tuple[str, int]:
    """Go's ``getShellName``: the variable name at the start of ``s`` (after ``$``) and its width."""
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SPECIAL and s[2] == "}":
            return s[1], 3
        end = s.find("}", 1)
        if end == 1:
            return "", 2  # "${}": bad syntax, eaten
        if end < 0:
            return "", 1  # no closing brace: bad syntax, "{" eaten
        return s[1:end], end + 1
    if s[0] in _SPECIAL:
        return s[0], 1
    width = 0
    while width < len(s) and (s[width] == "_" or (s[width].isascii() and s[width].isalnum())):
        width += 1
    return s[:width], width


def expand(text: str, env: Mapping[str, str]) -> str:
    """Go's ``os.Expand(text, env.get)``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = text.find("$", i)
        if j < 0 or j + 1 >= len(text):
            out.append(text[i:])
            break
        out.append(text[i:j])
        name, width = _name_at(text[j + 1:])
        if not name and width == 0:
            out.append("$")  # "$" before something that is not a name stays
        elif name:
            out.append(env.get(name, ""))
        i = j + 1 + width
    return "".join(out)


def prepare(commands: Sequence[PlatformCommand], env: Mapping[str, str], extra: Sequence[str] = (),
            expand_args: bool = True, what: str = "plugin") -> list[str]:
    """The argv to run: the chosen command (split, expanded), its args, then ``extra`` untouched."""
    chosen = choose(commands)
    parts = chosen.command.split(" ") if chosen else []
    if not parts or not parts[0]:
        raise PluginError(f"{what}: no plugin command is applicable on {goos()}/{goarch()}")
    assert chosen is not None
    rest = [*parts[1:], *chosen.args]
    return [expand(parts[0], env), *(expand(a, env) if expand_args else a for a in rest), *extra]
