"""Every flag real Helm 4's ``--help`` lists for the commands helmpy mirrors is a helmpy flag (long name and short
form), or is listed in docs/design.md's "Helm flags helmpy does not take" table, which this test reads: a flag
cannot go missing silently, and a row cannot stay after the flag is added."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from helmpy.cli.main import cli as root

pytestmark = pytest.mark.helm

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["install", "upgrade", "template", "rollback", "uninstall", "list", "status", "history", "get", "show",
            "pull", "push", "package", "repo", "search", "dependency", "lint", "test", "env"]
_FLAG = re.compile(r"^\s+(?:-(\w), )?--([\w-]+)")


def helm_help(helm, path: list[str]) -> tuple[dict[str, str | None], list[str]]:
    """Helm's flags (long name -> short letter) and sub-commands, from ``helm PATH --help``."""
    flags: dict[str, str | None] = {}
    subs: list[str] = []
    section = ""
    for line in helm(*path, "--help").stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            section = line
        elif section in ("Flags:", "Global Flags:") and (m := _FLAG.match(line)):
            flags[m.group(2)] = m.group(1)
        elif section == "Available Commands:" and line.strip():
            subs.append(line.split()[0])
    flags.pop("help", None)
    return flags, [s for s in subs if s not in ("help", "completion")]


def leaves(helm, path: list[str]) -> list[tuple[list[str], dict[str, str | None]]]:
    flags, subs = helm_help(helm, path)
    if not subs:
        return [(path, flags)]
    return [leaf for sub in subs for leaf in leaves(helm, [*path, sub])]


def helmpy_command(path: list[str]) -> click.Command | None:
    """The command as the CLI resolves it (lazy loading and the global flags it is given included)."""
    cmd: click.Command | None = root
    for name in path:
        if not isinstance(cmd, click.Group):
            return None
        cmd = cmd.get_command(click.Context(cmd), name)
    return cmd


def helmpy_flags(cmd: click.Command) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for param in cmd.params:
        names = [*param.opts, *param.secondary_opts]
        for name in (n for n in names if n.startswith("--")):
            out[name[2:]] = {n[1:] for n in names if n.startswith("-") and not n.startswith("--")}
    return out


def documented_gaps() -> dict[str, str]:
    """``flag -> reason`` from the table in docs/design.md."""
    text = (ROOT / "docs" / "design.md").read_text()
    section = text.split("## Helm flags helmpy does not take", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `--([\w-]+)` \| (.+?) \|$", section, re.M)
    assert rows, "the table is gone"
    return dict(rows)


def test_every_helm_flag_is_supported_or_listed(helm) -> None:
    gaps = documented_gaps()
    missing: list[str] = []
    wrong_short: list[str] = []
    used_rows: set[str] = set()
    for path in COMMANDS:
        for cmd_path, flags in leaves(helm, [path]):
            cmd = helmpy_command(cmd_path)
            name = " ".join(cmd_path)
            if cmd is None:
                missing.append(f"helmpy {name}: no such command")
                continue
            ours = helmpy_flags(cmd)
            for flag, short in flags.items():
                if flag not in ours:
                    if flag in gaps:
                        used_rows.add(flag)
                    else:
                        missing.append(f"helmpy {name} --{flag}")
                elif short and short not in ours[flag]:
                    wrong_short.append(f"helmpy {name} --{flag}: no -{short}")
    assert missing == [], "Helm flags neither supported nor in docs/design.md's table:\n" + "\n".join(missing)
    assert wrong_short == []
    assert set(gaps) - used_rows == set(), "rows for flags helmpy has (or Helm does not): remove them"
    assert all(len(reason) > 20 for reason in gaps.values())
