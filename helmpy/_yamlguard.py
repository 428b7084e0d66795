"""Refusing YAML bombs and over-deep documents before they cost memory, time or the C stack.

PyYAML shares an aliased node instead of copying it, so a "billion laughs" document loads in
microseconds and explodes later, when values are merged, copied or dumped. go-yaml refuses such a
document while decoding ("document contains excessive aliasing"); :func:`check_aliases` applies the
same rule to the composed node graph without expanding it: a memoised walk gives every node's fully
expanded size, which the rule needs. It also refuses an anchor whose value contains itself (go-yaml
does; PyYAML builds a cyclic structure) and a nesting depth over the limit after aliases are
expanded.

libyaml's composer recurses once per nesting level in C: a document 100,000 levels deep crashes the
process. :func:`check_text_depth` therefore bounds the depth from the raw text before anything is
composed (flow brackets plus block indentation), and only when that bound is over the limit does it
count the real depth on the parser's event stream (flat, no recursion).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml
from yaml.composer import ComposerError

from helmpy.limits import MAX_NESTING_DEPTH_ENV

# go-yaml's rule (decode.go, v2.2.8+ and v3): a document fails once more than 100 of its decoded nodes
# come from alias expansion, it has decoded more than 1000 nodes, and the aliased share exceeds a ratio
# that falls from 99% (up to 400,000 nodes) to 10% (from 4,000,000 nodes), linearly in between.
ALIAS_MIN = 100
DECODE_MIN = 1000
RATIO_RANGE_LOW = 400_000
RATIO_RANGE_HIGH = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    """The share of nodes that may come from aliases in a document of ``decoded`` nodes."""
    if decoded <= RATIO_RANGE_LOW:
        return 0.99
    if decoded >= RATIO_RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - RATIO_RANGE_LOW) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW)


def excessive_aliasing(decoded: int, aliased: int) -> bool:
    """go-yaml's test, applied to the running counts after each decoded node."""
    return aliased > ALIAS_MIN and decoded > DECODE_MIN and aliased / decoded > allowed_alias_ratio(decoded)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _fail(problem: str, node: yaml.Node | None) -> ComposerError:
    return ComposerError(None, None, problem, node.start_mark if node is not None else None)


class Expansion(NamedTuple):
    """What decoding a document with every alias expanded costs, counted as go-yaml counts."""

    decoded: int  # nodes decoded: the document node, every node, every alias node, every expanded node
    aliased: int  # the part of ``decoded`` that comes from expanding aliases
    depth: int  # nesting levels of maps and lists once aliases are expanded


def _too_many_aliases(decoded: int, aliased: int, node: yaml.Node) -> ComposerError:
    return _fail(f"document contains excessive aliasing ({aliased} of {decoded} nodes come from aliases)", node)


def check_aliases(root: yaml.Node, max_depth: int) -> Expansion:
    """Raise :class:`ComposerError` for excessive aliasing, a self-containing anchor or too deep nesting.

    The walk visits the document in text order, each node once. The first reference to a node is its
    definition (the anchor); every later one is an alias, decoded as one alias node plus the whole
    expanded value, which is what go-yaml counts (keys included). Counting follows decoding order, and
    the rule is evaluated after each alias and at every point where a run of plain nodes could make it
    true (node 1001, node 4,000,000 and the end), so the verdict equals go-yaml's node-by-node one.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, expanded depth)
    open_ids: set[int] = set()
    decoded = 2  # the document node and the root
    aliased = 0
    if isinstance(root, yaml.ScalarNode):
        return Expansion(decoded, aliased, 0)
    open_ids.add(id(root))
    # frame: node, its children, next child index, expanded size so far, deepest child so far
    stack: list[list[Any]] = [[root, _children(root), 0, 1, 0]]
    while stack:
        frame = stack[-1]
        node, kids, index = frame[0], frame[1], frame[2]
        if index == len(kids):
            stack.pop()
            open_ids.discard(id(node))
            depth = frame[4] + 1
            if depth > max_depth:
                raise _fail(f"nesting deeper than {max_depth} levels after expanding aliases"
                            f" (limit {MAX_NESTING_DEPTH_ENV})", node)
            done[id(node)] = (frame[3], depth)
            if stack:
                stack[-1][3] += frame[3]
                stack[-1][4] = max(stack[-1][4], depth)
            continue
        frame[2] = index + 1
        child = kids[index]
        key = id(child)
        seen = done.get(key)
        if seen is not None:  # an alias: the alias node, then its whole value, all from aliasing
            size, depth = seen
            decoded += 1 + size
            aliased += size
            frame[3] += 1 + size
            frame[4] = max(frame[4], depth)
            if excessive_aliasing(decoded, aliased):
                raise _too_many_aliases(decoded, aliased, child)
            continue
        if key in open_ids:
            raise _fail("anchor value contains itself", child)
        decoded += 1
        if (decoded == DECODE_MIN + 1 or decoded == RATIO_RANGE_HIGH) and excessive_aliasing(decoded, aliased):
            raise _too_many_aliases(decoded, aliased, child)
        if isinstance(child, yaml.ScalarNode):
            done[key] = (1, 0)
            frame[3] += 1
            continue
        open_ids.add(key)
        stack.append([child, _children(child), 0, 1, 0])
    if excessive_aliasing(decoded, aliased):
        raise _too_many_aliases(decoded, aliased, root)
    return Expansion(decoded, aliased, done[id(root)][1])


# An alias is "*" after the start, a space or a flow indicator; without one the alias walk is skipped.
_ALIAS_HINT = re.compile(r"(?:^|[\s\[{,])\*")
_ALIAS_HINT_B = re.compile(rb"(?:^|[\s\[{,])\*")


def may_alias(text: str | bytes) -> bool:
    """False when ``text`` certainly has no alias (a quick test on the raw text)."""
    if isinstance(text, bytes):
        return _ALIAS_HINT_B.search(text) is not None
    return _ALIAS_HINT.search(text) is not None


_RUNS: dict[tuple[int, bool], re.Pattern[Any]] = {}


def _run_of(width: int, binary: bool) -> re.Pattern[Any]:
    pattern = _RUNS.get((width, binary))
    if pattern is None:
        text = f"[ ?:-]{{{width},}}"
        pattern = re.compile(text.encode() if binary else text)
        _RUNS[(width, binary)] = pattern
    return pattern


def _depth_bound_ok(text: str | bytes, max_depth: int) -> bool:
    """True when the text cannot nest deeper than ``max_depth``.

    Flow nesting needs a ``[``/``{`` per level. A nested block collection starts at a greater column
    than its parent, except a sequence under a map key at the key's column (never twice in a row), and
    what precedes it on its line is indentation and the compact indicators ``- ``, ``? ``, ``: ``. So a
    document whose runs of ``[ ?:-]`` are all shorter than K nests at most 2K block levels.
    """
    if isinstance(text, bytes):
        if b"\x00" in text:  # UTF-16/32: the byte counts below do not hold
            return False
        brackets = text.count(b"[") + text.count(b"{")
    else:
        brackets = text.count("[") + text.count("{")
    width = (max_depth - 1 - brackets) // 2
    if width <= 0:
        return False
    return _run_of(width, isinstance(text, bytes)).search(text) is None


_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
LIBYAML_MAX_DEPTH = 1000  # libyaml's default max nest level (yaml_set_max_nest_level)
LIBYAML_DEPTH_PROBLEM = "exceeded maximum nesting depth"
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check_text_depth(text: str | bytes, max_depth: int, parser: Callable[[str | bytes], Any]) -> None:
    """Raise :class:`ComposerError` when any document of ``text`` nests deeper than ``max_depth``.

    ``parser`` makes an event parser for the text (the loader class itself); it is only used when the
    cheap bound on the raw text does not already prove the depth is within the limit.
    """
    if _depth_bound_ok(text, max_depth):
        return
    events = parser(text)
    try:
        depth = 0
        while True:
            try:
                event = events.get_event()
            except yaml.scanner.ScannerError as err:
                # libyaml 0.2.5's scanner (PyYAML 6.0.4's wheels) has its own ceiling, which it can reach looking
                # ahead before an event of the 201st level is out: below that ceiling, the text is too deep
                if err.problem != LIBYAML_DEPTH_PROBLEM or max_depth >= LIBYAML_MAX_DEPTH:
                    raise
                raise _too_deep(max_depth, err.problem_mark) from None
            if event is None:
                return
            if isinstance(event, _OPEN):
                depth += 1
                if depth > max_depth:
                    raise _too_deep(max_depth, event.start_mark)
            elif isinstance(event, _CLOSE):
                depth -= 1
    finally:
        events.dispose()


def _too_deep(max_depth: int, mark: Any) -> ComposerError:
    return ComposerError(None, None, f"nesting deeper than {max_depth} levels (limit {MAX_NESTING_DEPTH_ENV})",
                         mark)
