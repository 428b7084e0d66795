"""Shell completion inside a plugin's command line, as Helm 4 (cobra) computes it.

Static: the plugin's optional ``completion.yaml`` names its sub-commands (``commands``, recursively), their first
arguments (``validArgs``) and their flags (``flags``: long names, and one-letter short names Helm pairs with the
long ones by position). Dynamic: an executable ``plugin.complete`` in the plugin directory, called for a
command without sub-commands with the sub-command path, the words typed after it (helmpy's global flags taken
out, as when the plugin runs; none with ``ignoreFlags``) and the word being completed; it prints one candidate a
line (``value<TAB>description``), optionally ending with cobra's ``:DIRECTIVE`` line (``:4`` no file completion).
Cobra's order holds: flag names for a word starting with ``-`` (then, as plugins parse their own flags, the
dynamic candidates too), else sub-commands and ``validArgs`` for the first argument - with ``validArgs`` there is
no dynamic call. Helm has no limit on ``plugin.complete``; here it gets ``COMPLETE_TIMEOUT_S`` seconds and
``MAX_COMPLETE_OUTPUT`` bytes, so a stuck script cannot hang the shell. A missing or invalid completion.yaml
just means no static candidates (as in Helm).
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from helmpy.plugin.manifest import Plugin

logger = logging.getLogger(__name__)

STATIC_FILE = "completion.yaml"
DYNAMIC_EXECUTABLE = "plugin.complete"
#: Bytes of completion.yaml read at most (plugin.yaml's limit).
MAX_STATIC_SIZE = 1024 * 1024
#: Seconds ``plugin.complete`` may take, and bytes it may print, before its answer is ignored.
COMPLETE_TIMEOUT_S = 5.0
MAX_COMPLETE_OUTPUT = 1024 * 1024
#: cobra's ShellCompDirective bits.
DIRECTIVE_ERROR, DIRECTIVE_NO_SPACE, DIRECTIVE_NO_FILE, DIRECTIVE_FILTER_EXT, DIRECTIVE_FILTER_DIRS = 1, 2, 4, 8, 16
_MAX_DEPTH = 20


@dataclass(frozen=True)
class Flag:
    long: str
    short: str = ""


@dataclass
class Node:
    """One level of completion.yaml: a command's sub-commands, first-argument values and flags."""

    name: str = ""
    valid_args: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    commands: list[Node] = field(default_factory=list)

    def sub(self, name: str) -> Node | None:
        return next((c for c in self.commands if c.name == name), None)


@dataclass(frozen=True)
class Candidate:
    """One answer: a value and its description; ``kind`` "file"/"dir" asks the shell for paths."""

    value: str
    help: str = ""
    kind: str = "plain"


def _words(value: Any) -> list[str]:
    """A YAML list of words; booleans as Go's JSON turns them (``yes`` -> ``true``); anything else is dropped."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
    return [w for w in out if w]


def _flags(names: list[str]) -> list[Flag]:
    """Helm's pairing: short names go to the long ones in order; extra shorts become long flags of one letter."""
    shorts = [n for n in names if len(n) == 1]
    longs = [n for n in names if len(n) > 1]
    if len(longs) >= len(shorts):
        return [Flag(long, shorts[i] if i < len(shorts) else "") for i, long in enumerate(longs)]
    return [Flag(longs[i] if i < len(longs) else short, short) for i, short in enumerate(shorts)]


def _node(doc: Any, depth: int = 0) -> Node:
    if not isinstance(doc, dict) or depth > _MAX_DEPTH:
        return Node()
    subs = [_node(c, depth + 1) for c in doc.get("commands") or [] if isinstance(c, dict)] \
        if isinstance(doc.get("commands"), list) else []
    return Node(str(doc.get("name") or ""), _words(doc.get("validArgs")), _flags(_words(doc.get("flags"))),
                [s for s in subs if s.name])


def load_static(plugin: Plugin) -> Node:
    """The plugin's completion.yaml (an empty node when it is missing, too large or not valid YAML)."""
    from helmpy import yamlutil
    from helmpy.errors import PluginError

    path = plugin.directory / STATIC_FILE
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_STATIC_SIZE + 1)
    except OSError:
        return Node()
    if len(data) > MAX_STATIC_SIZE:
        logger.debug("plugin completion file %s is larger than %d bytes: ignored", path, MAX_STATIC_SIZE)
        return Node()
    try:
        doc = yamlutil.load(data.decode("utf-8", "replace"), str(path), PluginError)
    except PluginError as err:
        logger.debug("plugin completion file %s: %s", path, err.message)
        return Node()
    return _node(doc)


def _walk(root: Node, typed: Sequence[str], value_flags: frozenset[str]) -> tuple[Node, list[str], list[str]]:
    """cobra's ``Find``: the node the typed words lead to, its path below the plugin and the remaining words
    (flags skipped while looking for sub-command names; a flag not known to take no value takes the next word)."""
    node, path, rest = root, list[str](), list(typed)
    while True:
        bools = {f"--{f.long}" for f in node.flags} | {f"-{f.short}" for f in node.flags if f.short}
        i, name = 0, None
        while i < len(rest):
            word = rest[i]
            if word.startswith("-") and len(word) > 1:
                i += 1 if "=" in word or word in bools or word not in value_flags else 2
                continue
            name = word
            break
        sub = node.sub(name) if name is not None else None
        if sub is None:
            return node, path, rest
        rest.pop(i)
        node, path = sub, [*path, sub.name]


def _flag_names(flags: Sequence[Flag], incomplete: str) -> list[Candidate]:
    """cobra's ``getFlagNameCompletions``: ``--long`` matching the prefix, ``-s`` when only ``-`` is typed."""
    out = []
    for flag in sorted(flags, key=lambda f: f.long):
        if f"--{flag.long}".startswith(incomplete):
            out.append(Candidate(f"--{flag.long}"))
        if flag.short and incomplete == "-":
            out.append(Candidate(f"-{flag.short}"))
    return out


def complete(plugin: Plugin, typed: Sequence[str], incomplete: str, *, global_flags: Sequence[Flag] = (),
             value_flags: frozenset[str] = frozenset()) -> list[Candidate]:
    """The candidates for ``incomplete`` after ``helmpy PLUGIN typed...``.

    ``global_flags`` are helmpy's own flags, offered for a ``-`` word before the plugin's (cobra lists the
    inherited flags first); ``value_flags`` the names of those that take a value (``--namespace``, ``-n``: the
    word after one is not a sub-command).
    """
    root = load_static(plugin)
    node, path, rest = _walk(root, typed, value_flags)
    candidates: list[Candidate] = []
    directive = 0
    if incomplete.startswith("-") and "=" not in incomplete:
        candidates += _flag_names(global_flags, incomplete) + _flag_names(node.flags, incomplete)
        directive = DIRECTIVE_NO_FILE
    else:
        if not rest and node.commands:
            candidates += [Candidate(c.name) for c in node.commands if c.name.startswith(incomplete)]
            directive = DIRECTIVE_NO_FILE
        if node.valid_args:
            if not rest:
                candidates += [Candidate(a) for a in node.valid_args if a.startswith(incomplete)]
                directive = DIRECTIVE_NO_FILE
            return _finish(candidates, directive)
    if not node.commands:  # cobra: only a command without sub-commands gets the dynamic completion
        found, directive = _dynamic(plugin, path, rest, incomplete)
        candidates += found
    return _finish(candidates, directive)


def _finish(candidates: list[Candidate], directive: int) -> list[Candidate]:
    """The shell's part of a directive: with no candidates, paths unless told not to (cobra's default)."""
    if directive & DIRECTIVE_ERROR:
        return []
    if not candidates and directive & DIRECTIVE_FILTER_DIRS:
        return [Candidate("", kind="dir")]
    if not candidates and not directive & DIRECTIVE_NO_FILE:
        return [Candidate("", kind="file")]
    return candidates


def _dynamic(plugin: Plugin, path: list[str], rest: list[str], incomplete: str) -> tuple[list[Candidate], int]:
    """Run ``plugin.complete``; (its candidates, its directive). Failing or missing: none, the default directive."""
    from helmpy.plugin.environment import plugin_env
    from helmpy.plugin.runner import split_args

    executable = plugin.directory / DYNAMIC_EXECUTABLE
    if not os.access(executable, os.X_OK) or not executable.is_file():
        return [], 0
    settings, unknown = split_args(rest)
    argv = [str(executable), *path] + ([] if plugin.manifest.ignore_flags else [*unknown, incomplete])
    logger.debug("calling plugin completion argv=%s", argv)
    output = _run_bounded(argv, plugin_env(plugin, settings))
    if output is None:
        return [], 0
    lines = [line for line in output.decode("utf-8", "replace").split("\n") if line]
    directive = 0
    if lines and len(lines[-1]) > 1 and lines[-1][0] == ":" and lines[-1][1:].lstrip("-").isdigit():
        directive = int(lines.pop()[1:])
    found = []
    for line in lines:
        value, _, help_text = line.partition("\t")
        found.append(Candidate(value, help_text))
    return found, directive


def _run_bounded(argv: list[str], env: dict[str, str]) -> bytes | None:
    """stdout and stderr of ``argv`` (one stream, as Helm reads them), or None when it cannot run, fails, takes
    more than COMPLETE_TIMEOUT_S or prints more than MAX_COMPLETE_OUTPUT bytes (then it is killed)."""
    import selectors
    import time

    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as err:
        logger.debug("plugin completion %s cannot run: %s", argv[0], err)
        return None
    assert proc.stdout is not None
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + COMPLETE_TIMEOUT_S
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    logger.debug("plugin completion %s took more than %.0fs", argv[0], COMPLETE_TIMEOUT_S)
                    return None
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                size += len(data)
                if size > MAX_COMPLETE_OUTPUT:
                    logger.debug("plugin completion %s printed more than %d bytes", argv[0], MAX_COMPLETE_OUTPUT)
                    return None
                chunks.append(data)
        code = proc.wait(max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired:
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if code != 0:
        logger.debug("plugin completion %s exited with %d", argv[0], code)
        return None
    return b"".join(chunks)
