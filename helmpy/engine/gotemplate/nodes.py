"""The parse tree of a Go template, one dataclass per node kind of Go's ``text/template/parse``.

Names and fields follow Go's ``node.go`` (``IfNode.pipe``/``list``/``else_list``, ``FieldNode.ident``,
``NumberNode.is_int``...), so a reader can hold Go's executor beside ours. ``str(node)`` is Go's
``String()``: it prints template source that parses back to an equal tree. Equality ignores
positions, so trees parsed from differently spaced sources compare equal.

``pos`` is an index into the template text of the tree's file; :meth:`Tree.location` turns it into
Go's ``line:column`` (column counted in UTF-8 bytes from 0, as Go reports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helmpy.engine.gotemplate.strconv import quote


@dataclass(slots=True)
class Node:
    """Base of every node: where it starts in the template text."""

    pos: int = field(compare=False)


@dataclass(slots=True)
class ListNode(Node):
    """A sequence of nodes (a template body, an if/range/with branch)."""

    nodes: list[Node]

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(slots=True)
class TextNode(Node):
    """Plain text between actions, after trim markers were applied."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class VariableNode(Node):
    """``$x`` or ``$x.a.b``: ``ident[0]`` is the variable with its ``$``, the rest are field names."""

    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(slots=True)
class CommandNode(Node):
    """One stage of a pipeline: a function/field/value and its arguments."""

    args: list[Node]

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass(slots=True)
class PipeNode(Node):
    """``$a, $b := cmd1 | cmd2``; ``is_assign`` for ``=`` instead of ``:=``."""

    line: int = field(compare=False)
    is_assign: bool
    decl: list[VariableNode]
    cmds: list[CommandNode]

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(slots=True)
class ActionNode(Node):
    """A non-control action ``{{pipeline}}``: its value is printed unless the pipeline declares."""

    line: int = field(compare=False)
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(slots=True)
class IdentifierNode(Node):
    """A function name (checked against the function map at parse time)."""

    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass(slots=True)
class DotNode(Node):
    """The cursor ``.``."""

    def __str__(self) -> str:
        return "."


@dataclass(slots=True)
class NilNode(Node):
    """The untyped ``nil``."""

    def __str__(self) -> str:
        return "nil"


@dataclass(slots=True)
class FieldNode(Node):
    """``.a.b`` on dot; ``ident`` holds the names without their periods."""

    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(slots=True)
class ChainNode(Node):
    """Fields applied to another term, e.g. ``(index . 0).name``; ``field`` without periods."""

    node: Node
    field: list[str]

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.field)


@dataclass(slots=True)
class BoolNode(Node):
    """``true`` or ``false``."""

    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(slots=True)
class NumberNode(Node):
    """A numeric or rune constant, held under every Go type that represents it exactly.

    As in Go, ``1e3`` is int, uint and float; ``-1`` is int and float; ``'a'`` is 97 in all three;
    ``2i`` is only complex. ``text`` is the literal as written.
    """

    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int64: int = 0
    uint64: int = 0
    float64: float = 0.0
    complex128: complex = 0j

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class StringNode(Node):
    """A string constant: ``quoted`` as written, ``text`` after unquoting."""

    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(slots=True)
class BranchNode(Node):
    """Common shape of if/range/with: the pipeline, the body and the optional else body."""

    line: int = field(compare=False)
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None

    keyword = ""

    def __str__(self) -> str:
        out = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            out += "{{else}}" + str(self.else_list)
        return out + "{{end}}"


@dataclass(slots=True)
class IfNode(BranchNode):
    """``{{if}}``; ``{{else if}}`` arrives as an else_list holding one IfNode."""

    keyword = "if"


@dataclass(slots=True)
class RangeNode(BranchNode):
    """``{{range}}``; the pipe's ``decl`` holds the one or two loop variables."""

    keyword = "range"


@dataclass(slots=True)
class WithNode(BranchNode):
    """``{{with}}``; ``{{else with}}`` arrives as an else_list holding one WithNode."""

    keyword = "with"


@dataclass(slots=True)
class BreakNode(Node):
    """``{{break}}`` (only inside a range body)."""

    line: int = field(compare=False)

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(slots=True)
class ContinueNode(Node):
    """``{{continue}}`` (only inside a range body)."""

    line: int = field(compare=False)

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(slots=True)
class TemplateNode(Node):
    """``{{template "name" pipeline}}``; a ``{{block}}`` leaves one of these in its place."""

    line: int = field(compare=False)
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        args = "" if self.pipe is None else " " + str(self.pipe)
        return "{{template " + quote(self.name) + args + "}}"


@dataclass(slots=True)
class EndNode(Node):
    """``{{end}}`` while parsing; never left in a finished tree."""

    def __str__(self) -> str:
        return "{{end}}"


@dataclass(slots=True)
class ElseNode(Node):
    """``{{else}}`` while parsing; never left in a finished tree."""

    line: int = field(compare=False)

    def __str__(self) -> str:
        return "{{else}}"


@dataclass(slots=True)
class Tree:
    """One named template: a file's top level, or a ``define``/``block`` inside it.

    ``parse_name`` is the file it came from (Go's ParseName, used in error messages) and ``text`` that
    file's whole text, which every ``pos`` in the tree indexes.
    """

    name: str
    parse_name: str
    root: ListNode
    text: str = field(repr=False, compare=False)

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
_GO_WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def is_empty_tree(node: Node | None) -> bool:
    """Whether a tree holds nothing but blank text (Go's ``IsEmptyTree``): then it may be redefined."""
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip(_GO_WHITE_SPACE)
    return False
