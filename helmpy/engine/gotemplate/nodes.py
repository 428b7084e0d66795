"""The parse tree of a Go template, one class per node kind of Go's ``text/template/parse``.

Names and fields follow Go's ``node.go`` (``IfNode.pipe``/``list``/``else_list``, ``FieldNode.ident``,
``NumberNode.is_int``...), so a reader can hold Go's executor beside ours. ``str(node)`` is Go's
``String()``: it prints template source that parses back to an equal tree. Equality ignores
positions, so trees parsed from differently spaced sources compare equal.

``pos`` is an index into the template text of the tree's file; :meth:`Tree.location` turns it into
Go's ``line:column`` (column counted in UTF-8 bytes from 0, as Go reports it).

The classes behave as ``@dataclass(slots=True)`` ones did (positional constructors in field order, ``==``
on the compared fields of the same class, unhashable, the same ``repr``, ``__match_args__``), written out
with ``__slots__`` because building 28 dataclasses was ~10-15 ms of every Go render's start-up.
``_fields`` lists a class's fields in constructor order (what :mod:`~helmpy.engine.gotemplate.treecodec`
stores); ``pos`` and ``line`` are never compared.
"""

from __future__ import annotations

from typing import Any, ClassVar

from helmpy.engine.gotemplate.strconv import quote

_UNCOMPARED = ("pos", "line")

DEFAULT_MAX_DEPTH = 100
"""Deepest nesting of parentheses and control structures a template may use (here, not in the parser, so a
render whose trees come from the store imports no parser)."""


class Node:
    """Base of every node: where it starts in the template text."""

    __slots__ = ("pos",)
    __hash__ = None  # type: ignore[assignment] # mutable, compared by value: unhashable, as a dataclass with eq
    __match_args__ = ("pos",)
    _fields: ClassVar[tuple[str, ...]] = ("pos",)
    _compared: ClassVar[tuple[str, ...]] = ()

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        setattr(cls, "__match_args__", cls._fields)  # noqa: B010 - mypy refuses a plain assignment here
        cls._compared = tuple(f for f in cls._fields if f not in _UNCOMPARED)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, f) for f in self._compared) == tuple(getattr(other, f) for f in self._compared)

    def __repr__(self) -> str:
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__qualname__}({args})"


class ListNode(Node):
    """A sequence of nodes (a template body, an if/range/with branch)."""

    __slots__ = ("nodes",)
    _fields = ("pos", "nodes")

    def __init__(self, pos: int, nodes: list[Node]) -> None:
        self.pos = pos
        self.nodes = nodes

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class TextNode(Node):
    """Plain text between actions, after trim markers were applied."""

    __slots__ = ("text",)
    _fields = ("pos", "text")

    def __init__(self, pos: int, text: str) -> None:
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return self.text


class VariableNode(Node):
    """``$x`` or ``$x.a.b``: ``ident[0]`` is the variable with its ``$``, the rest are field names."""

    __slots__ = ("ident",)
    _fields = ("pos", "ident")

    def __init__(self, pos: int, ident: list[str]) -> None:
        self.pos = pos
        self.ident = ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class CommandNode(Node):
    """One stage of a pipeline: a function/field/value and its arguments."""

    __slots__ = ("args",)
    _fields = ("pos", "args")

    def __init__(self, pos: int, args: list[Node]) -> None:
        self.pos = pos
        self.args = args

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


class PipeNode(Node):
    """``$a, $b := cmd1 | cmd2``; ``is_assign`` for ``=`` instead of ``:=``."""

    __slots__ = ("cmds", "decl", "is_assign", "line")
    _fields = ("pos", "line", "is_assign", "decl", "cmds")

    def __init__(self, pos: int, line: int, is_assign: bool, decl: list[VariableNode],
                 cmds: list[CommandNode]) -> None:
        self.pos = pos
        self.line = line
        self.is_assign = is_assign
        self.decl = decl
        self.cmds = cmds

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


class ActionNode(Node):
    """A non-control action ``{{pipeline}}``: its value is printed unless the pipeline declares."""

    __slots__ = ("line", "pipe")
    _fields = ("pos", "line", "pipe")

    def __init__(self, pos: int, line: int, pipe: PipeNode) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class IdentifierNode(Node):
    """A function name (checked against the function map at parse time)."""

    __slots__ = ("ident",)
    _fields = ("pos", "ident")

    def __init__(self, pos: int, ident: str) -> None:
        self.pos = pos
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


class DotNode(Node):
    """The cursor ``.``."""

    __slots__ = ()

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    """The untyped ``nil``."""

    __slots__ = ()

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    """``.a.b`` on dot; ``ident`` holds the names without their periods."""

    __slots__ = ("ident",)
    _fields = ("pos", "ident")

    def __init__(self, pos: int, ident: list[str]) -> None:
        self.pos = pos
        self.ident = ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    """Fields applied to another term, e.g. ``(index . 0).name``; ``field`` without periods."""

    __slots__ = ("field", "node")
    _fields = ("pos", "node", "field")

    def __init__(self, pos: int, node: Node, field: list[str]) -> None:
        self.pos = pos
        self.node = node
        self.field = field

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.field)


class BoolNode(Node):
    """``true`` or ``false``."""

    __slots__ = ("value",)
    _fields = ("pos", "value")

    def __init__(self, pos: int, value: bool) -> None:
        self.pos = pos
        self.value = value

    def __str__(self) -> str:
        return "true" if self.value else "false"


class NumberNode(Node):
    """A numeric or rune constant, held under every Go type that represents it exactly.

    As in Go, ``1e3`` is int, uint and float; ``-1`` is int and float; ``'a'`` is 97 in all three;
    ``2i`` is only complex. ``text`` is the literal as written.
    """

    # in Go's field order: the parse-tree cache stores fields in this order (treecodec)
    __slots__ = ("text", "is_int", "is_uint", "is_float", "is_complex", "int64", "uint64", "float64", "complex128")  # noqa: RUF023
    _fields = ("pos", *__slots__)

    def __init__(self, pos: int, text: str, is_int: bool = False, is_uint: bool = False, is_float: bool = False,
                 is_complex: bool = False, int64: int = 0, uint64: int = 0, float64: float = 0.0,
                 complex128: complex = 0j) -> None:
        self.pos = pos
        self.text = text
        self.is_int = is_int
        self.is_uint = is_uint
        self.is_float = is_float
        self.is_complex = is_complex
        self.int64 = int64
        self.uint64 = uint64
        self.float64 = float64
        self.complex128 = complex128

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    """A string constant: ``quoted`` as written, ``text`` after unquoting."""

    __slots__ = ("quoted", "text")
    _fields = ("pos", "quoted", "text")

    def __init__(self, pos: int, quoted: str, text: str) -> None:
        self.pos = pos
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


class BranchNode(Node):
    """Common shape of if/range/with: the pipeline, the body and the optional else body."""

    __slots__ = ("else_list", "line", "list", "pipe")
    _fields = ("pos", "line", "pipe", "list", "else_list")
    keyword = ""

    def __init__(self, pos: int, line: int, pipe: PipeNode, list: ListNode, else_list: ListNode | None) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe
        self.list = list
        self.else_list = else_list

    def __str__(self) -> str:
        out = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            out += "{{else}}" + str(self.else_list)
        return out + "{{end}}"


class IfNode(BranchNode):
    """``{{if}}``; ``{{else if}}`` arrives as an else_list holding one IfNode."""

    __slots__ = ()
    keyword = "if"


class RangeNode(BranchNode):
    """``{{range}}``; the pipe's ``decl`` holds the one or two loop variables."""

    __slots__ = ()
    keyword = "range"


class WithNode(BranchNode):
    """``{{with}}``; ``{{else with}}`` arrives as an else_list holding one WithNode."""

    __slots__ = ()
    keyword = "with"


class BreakNode(Node):
    """``{{break}}`` (only inside a range body)."""

    __slots__ = ("line",)
    _fields = ("pos", "line")

    def __init__(self, pos: int, line: int) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    """``{{continue}}`` (only inside a range body)."""

    __slots__ = ("line",)
    _fields = ("pos", "line")

    def __init__(self, pos: int, line: int) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{continue}}"


class TemplateNode(Node):
    """``{{template "name" pipeline}}``; a ``{{block}}`` leaves one of these in its place."""

    __slots__ = ("line", "name", "pipe")
    _fields = ("pos", "line", "name", "pipe")

    def __init__(self, pos: int, line: int, name: str, pipe: PipeNode | None) -> None:
        self.pos = pos
        self.line = line
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        args = "" if self.pipe is None else " " + str(self.pipe)
        return "{{template " + quote(self.name) + args + "}}"


class EndNode(Node):
    """``{{end}}`` while parsing; never left in a finished tree."""

    __slots__ = ()

    def __str__(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    """``{{else}}`` while parsing; never left in a finished tree."""

    __slots__ = ("line",)
    _fields = ("pos", "line")

    def __init__(self, pos: int, line: int) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{else}}"


class Tree:
    """One named template: a file's top level, or a ``define``/``block`` inside it.

    ``parse_name`` is the file it came from (Go's ParseName, used in error messages) and ``text`` that
    file's whole text, which every ``pos`` in the tree indexes (neither compared nor in the ``repr``).
    """

    __slots__ = ("name", "parse_name", "root", "text")
    __hash__ = None  # type: ignore[assignment]
    __match_args__ = ("name", "parse_name", "root", "text")

    def __init__(self, name: str, parse_name: str, root: ListNode, text: str) -> None:
        self.name = name
        self.parse_name = parse_name
        self.root = root
        self.text = text

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Tree)
        return (self.name, self.parse_name, self.root) == (other.name, other.parse_name, other.root)

    def __repr__(self) -> str:
        return f"Tree(name={self.name!r}, parse_name={self.parse_name!r}, root={self.root!r})"

    def location(self, pos: int) -> tuple[int, int]:
        """Go's (line, column) of a position: line from 1, column in bytes from 0."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        col = len(self.text[line_start:pos].encode("utf-8", "surrogateescape"))
        return self.text.count("\n", 0, pos) + 1, col

    def error_context(self, node: Node) -> tuple[str, str]:
        """Go's ``ErrorContext``: (``"file:line:col"``, the node as source) for execution errors."""
        line, col = self.location(node.pos)
        return f"{self.parse_name}:{line}:{col}", str(node)


# Go's unicode.IsSpace (the White_Space property), which bytes.TrimSpace strips.
_GO_WHITE_SPACE = ("\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
                   + "\u2028\u2029\u202f\u205f\u3000")


def is_empty_tree(node: Node | None) -> bool:
    """Whether a tree holds nothing but blank text (Go's ``IsEmptyTree``): then it may be redefined."""
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip(_GO_WHITE_SPACE)
    return False
