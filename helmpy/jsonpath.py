"""kubectl's JSONPath templates (``k8s.io/client-go/util/jsonpath``), for ``show values --jsonpath``.

A template is text with actions in braces: ``repo: {.image.repository}``, ``{.list[*]}``, ``{..port}``,
``{.objs[?(@.name=="web")].port}``, ``{range .objs[*]}{.name}{"\\n"}{end}``. What an action finds is printed
as Go's JSONPath printer does: strings raw, numbers as Go prints a float64 (values come from YAML through JSON,
so every number is one: ``1.2345678901e+10``), maps and lists as compact JSON, several results joined by spaces.

Parsing errors raise :class:`JSONPathSyntaxError`; a path that finds nothing (a missing key, an index out of
range, a filter comparing a number with an integer literal, as Go's does) raises :class:`JSONPathNotFound` and
the template prints nothing at all, as in kubectl's ``Execute``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from helmpy.errors import HelmpyError


class JSONPathSyntaxError(HelmpyError):
    """The template cannot be parsed (an unclosed action, a bad index, ``{end}`` without ``{range}``)."""


class JSONPathNotFound(HelmpyError):
    """The data has nothing where the template looks."""


# --- parse tree -------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One step of a path: ``field`` (a key, ``*``), ``index`` (int or slice), ``recurse`` (``..``) or ``filter``."""

    kind: str
    name: str = ""
    index: tuple[int | None, int | None, int | None] | None = None  # start, end, step; end None+single = index
    single: bool = False
    filter: Filter | None = None


@dataclass
class Filter:
    """``?(@.a.b OP literal)`` or ``?(@.a.b)`` (exists)."""

    path: list[Step]
    op: str = ""
    literal: Any = None


@dataclass
class Range:
    path: list[Step]
    body: list[Node] = field(default_factory=list)


Node: TypeAlias = str | list[Step] | Range  # text, an action's path, a range block

_IDENT = re.compile(r"[A-Za-z0-9_\-/]+")
_FILTER = re.compile(r"^\s*(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$")


def parse(template: str) -> list[Node]:
    """The nodes of ``template``; JSONPathSyntaxError names what is wrong."""
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    pos = 0
    while pos < len(template):
        start = template.find("{", pos)
        if start < 0:
            stack[-1].append(template[pos:])
            break
        if start > pos:
            stack[-1].append(template[pos:start])
        end = _action_end(template, start)
        action = template[start + 1:end].strip()
        pos = end + 1
        if action.startswith(("\"", "'")):
            stack[-1].append(_unquote(action))
        elif action == "end":
            if len(stack) == 1:
                raise JSONPathSyntaxError("not in range, nothing to end")
            stack.pop()
        elif action.startswith("range "):
            block = Range(parse_path(action[len("range "):].strip()))
            stack[-1].append(block)
            stack.append(block.body)
        else:
            stack[-1].append(parse_path(action))
    if len(stack) > 1:
        raise JSONPathSyntaxError("unclosed range")
    return root


def _action_end(text: str, start: int) -> int:
    quote = ""
    depth = 0
    for i in range(start + 1, len(text)):
        c = text[i]
        if quote:
            if c == "\\":
                continue
            if c == quote and text[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "}" and depth <= 0:
            return i
    raise JSONPathSyntaxError("unclosed action")


def _unquote(text: str) -> str:
    quote = text[0]
    if len(text) < 2 or text[-1] != quote:
        raise JSONPathSyntaxError(f"unterminated string {text}")
    body = text[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def parse_path(text: str) -> list[Step]:
    """``$.a[0]..b[*]`` as steps (``$`` and ``@`` mean the current object)."""
    steps: list[Step] = []
    i = 0
    if text[:1] in ("$", "@"):
        i = 1
    while i < len(text):
        if text.startswith("..", i):
            i += 2
            m = _IDENT.match(text, i)
            steps.append(Step("recurse", m.group(0) if m else ""))
            i = m.end() if m else i
        elif text[i] == ".":
            i += 1
            if text.startswith("*", i):
                steps.append(Step("field", "*"))
                i += 1
                continue
            m = _IDENT.match(text, i)
            if not m:
                raise JSONPathSyntaxError(f"unrecognized identifier in {text!r}")
            steps.append(Step("field", m.group(0)))
            i = m.end()
        elif text[i] == "[":
            close = _bracket_end(text, i)
            steps.append(_bracket(text[i + 1:close]))
            i = close + 1
        else:
            raise JSONPathSyntaxError(f"unrecognized character in action: {text[i]!r}")
    return steps


def _bracket_end(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise JSONPathSyntaxError("unclosed array expect ]")


def _bracket(inner: str) -> Step:
    inner = inner.strip()
    if inner.startswith("?(") and inner.endswith(")"):
        return Step("filter", filter=_parse_filter(inner[2:-1]))
    if inner == "*":
        return Step("field", "*")
    if inner.startswith("'") and inner.endswith("'") and len(inner) >= 2:
        return Step("field", inner[1:-1])
    parts = inner.split(":")
    try:
        nums = [int(p) if p.strip() else None for p in parts]
    except ValueError:
        raise JSONPathSyntaxError(f'invalid array index "{inner.strip(chr(34))}"') from None
    if len(nums) == 1:
        if nums[0] is None:
            raise JSONPathSyntaxError("invalid array index")
        return Step("index", index=(nums[0], None, None), single=True)
    if len(nums) > 3:
        raise JSONPathSyntaxError(f"invalid array index {inner}")
    start, end, step = (nums + [None, None])[:3]
    return Step("index", index=(start, end, step))


def _parse_filter(text: str) -> Filter:
    m = _FILTER.match(text)
    if m is None:
        if not text.strip().startswith("@"):
            raise JSONPathSyntaxError(f"unrecognized filter {text!r}")
        return Filter(parse_path(text.strip()))
    return Filter(parse_path(m.group(1).strip()), m.group(2), _literal(m.group(3)))


def _literal(text: str) -> Any:
    if text[:1] in ("'", '"'):
        return _unquote(text)
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise JSONPathSyntaxError(f"unrecognized filter literal {text!r}") from None


# --- evaluation -------------------------------------------------------------------------------------------
def _go(value: Any) -> Any:
    """Numbers as the float64 Go's JSON decoding made them (booleans stay booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, dict, list)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {k: _go(v) for k, v in value.items()}
    return [_go(v) for v in value]


def _walk(values: list[Any], steps: list[Step]) -> list[Any]:
    for step in steps:
        values = [out for v in values for out in _step(v, step)]
    return values


def _step(value: Any, step: Step) -> list[Any]:
    if step.kind == "recurse":  # ``..name``: every ``name`` at any depth (missing ones are skipped)
        found = _descendants(value)
        return [v[step.name] for v in found if isinstance(v, dict) and step.name in v] if step.name else found
    if step.kind == "field":
        if step.name == "*":
            if isinstance(value, dict):
                return [value[k] for k in sorted(value)]
            if isinstance(value, list):
                return list(value)
            raise JSONPathNotFound("wildcard of a value that is neither a map nor a list")
        if not isinstance(value, dict):
            raise JSONPathNotFound(f"{step.name} is not found")
        if step.name not in value:
            raise JSONPathNotFound(f"{step.name} is not found")
        return [value[step.name]]
    if not isinstance(value, list):
        raise JSONPathNotFound(f"{_kind(value)} is not array or slice and cannot be filtered")
    if step.kind == "filter":
        assert step.filter is not None
        return [item for item in value if _matches(item, step.filter)]
    assert step.index is not None
    start, end, stride = step.index
    if step.single:
        assert start is not None
        i = start + len(value) if start < 0 else start
        if not 0 <= i < len(value):
            raise JSONPathNotFound(f"array index out of bounds: index {start}, length {len(value)}")
        return [value[i]]
    return value[slice(start, end, stride)]


def _descendants(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, dict):
        for key in sorted(value):
            out.extend(_descendants(value[key]))
    elif isinstance(value, list):
        for item in value:
            out.extend(_descendants(item))
    return out


def _kind(value: Any) -> str:
    return {dict: "map", list: "slice", str: "string", bool: "bool", float: "float64", int: "int"}.get(type(value),
                                                                                                    "invalid")


def _matches(item: Any, flt: Filter) -> bool:
    try:
        found = _walk([item], flt.path)
    except JSONPathNotFound:
        return False
    if not flt.op:
        return bool(found)
    if not found:
        return False
    left, right = found[0], flt.literal
    if type(left) is not type(right) or isinstance(left, (dict, list)):
        raise JSONPathNotFound(f"incompatible types for comparison: {_kind(left)} and {_kind(right)}")
    ops = {"==": left == right, "!=": left != right}
    if flt.op in ops:
        return ops[flt.op]
    if isinstance(left, bool):
        raise JSONPathNotFound(f"invalid type for comparison: {_kind(left)}")
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[flt.op]


def _text(value: Any) -> str:
    from helmpy.engine.gotemplate.ftoa import format_float
    from helmpy.engine.gotemplate.gojson import to_json

    if isinstance(value, (dict, list)):
        return to_json(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    return "null" if value is None else str(value)


def _execute(nodes: list[Node], current: Any, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Range):
            for item in _walk([current], node.path):
                _execute(node.body, item, out)
        else:
            out.append(" ".join(_text(v) for v in _walk([current], node)))


def execute(template: str, data: Any) -> str:
    """The text ``template`` makes of ``data``; raises JSONPathSyntaxError or JSONPathNotFound."""
    nodes = parse(template)
    out: list[str] = []
    _execute(nodes, _go(data), out)
    return "".join(out)
