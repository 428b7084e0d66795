"""Parse trees as bytes, so a file's parse can be kept on disk and loaded instead of parsed again.

A node becomes a tuple ``(KIND, field, field, ...)`` in its class's field order (``_fields``) (child nodes as
tuples, lists as lists, every other field a str, int, float, complex, bool or None), and the whole tree
goes through :mod:`marshal`, which loads such data at C speed (pickle is slower and would run code named
by the data). A large ``if``/``range``/``with`` body is kept as its own marshal bytes inside the tree and
decoded only when first read (:class:`StoredList`), so loading a tree costs what a render executes.
:func:`decode_tree` rebuilds the nodes and rejects anything that is not that shape with :class:`CorruptTree`;
the caller then parses the template again. (Entries reach the decoder only after the store has verified
their SHA-256, so a body that fails to decode later can only be a forged entry; it is reported, not run.)

Bump :data:`FORMAT` whenever a node class gains, loses or reorders a field.
"""

from __future__ import annotations

import marshal
import operator
from collections.abc import Callable

from helmpy.engine.gotemplate import nodes as n

FORMAT = 1

# Every node kind a finished tree holds, in a fixed order: the tuple's first item indexes this.
_KINDS: tuple[type[n.Node], ...] = (
    n.ListNode, n.TextNode, n.VariableNode, n.CommandNode, n.PipeNode, n.ActionNode, n.IdentifierNode, n.DotNode,
    n.NilNode, n.FieldNode, n.ChainNode, n.BoolNode, n.NumberNode, n.StringNode, n.IfNode, n.RangeNode, n.WithNode,
    n.BreakNode, n.ContinueNode, n.TemplateNode,
)
_INDEX: dict[type, int] = {cls: i for i, cls in enumerate(_KINDS)}
_FIELDS = tuple(cls._fields for cls in _KINDS)
_SCALARS = (str, int, float, complex, bool, type(None))
# kinds whose fields are all scalars or lists of names: their tuple's items are the fields as they are
_LEAVES = frozenset(_INDEX[c] for c in (n.TextNode, n.VariableNode, n.IdentifierNode, n.DotNode, n.NilNode,
                                        n.FieldNode, n.BoolNode, n.NumberNode, n.StringNode, n.BreakNode,
                                        n.ContinueNode))


_STORED = len(_KINDS)  # (_STORED, pos, bytes): a branch body kept encoded until it is first used
_LAZY_MIN = 512  # bytes of encoded body below which decoding it at once is cheaper than deferring


class CorruptTree(ValueError):
    """Bytes that do not hold a parse tree of this format."""


class StoredList(n.ListNode):
    """A branch body (``if``/``range``/``with``) whose nodes are decoded on first access.

    Most branches of a chart never run, and the executor compiles a body only when it runs, so a
    stored tree costs what the render uses.
    """

    __slots__ = ("_blob",)

    def __init__(self, pos: int, blob: bytes) -> None:  # noqa: D107 - ``nodes`` stays unset until read
        self.pos = pos
        self._blob = blob

    def __getattr__(self, attr: str) -> object:
        if attr != "nodes":
            raise AttributeError(attr)
        try:
            nodes = _decode(marshal.loads(self._blob))
        except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError) as err:
            raise CorruptTree(f"a stored branch body does not decode: {err}") from None
        if type(nodes) is not list:
            raise CorruptTree("a stored branch body is not a list")
        self.nodes = nodes
        return nodes


def _getter(fields: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A node's field values as one tuple, read in C (``attrgetter`` of one name returns the bare value)."""
    get = operator.attrgetter(*fields)
    if len(fields) > 1:
        return get
    return lambda node: (get(node),)


_GETTERS = tuple(_getter(f) for f in _FIELDS)


def _encode(value: object, lazy_min: int) -> object:
    kind = _INDEX.get(type(value))
    if kind is not None:
        if kind in _LEAVES:  # scalars and lists of names: as they are (marshal copies them)
            return (kind, *_GETTERS[kind](value))
        return _INNER_ENCODERS[kind](value, lazy_min)  # type: ignore[arg-type]
    if type(value) is list:
        return [_encode(v, lazy_min) for v in value]
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"cannot encode {type(value).__name__} in a parse tree")


def _encode_nodes(values: list[n.Node], lazy_min: int) -> list[object]:
    return [_encode(v, lazy_min) for v in values]


Encoder = Callable[[n.Node, int], object]


def _branch_encoder(kind: int) -> Encoder:
    def encode(v: n.BranchNode, m: int) -> object:
        return (kind, v.pos, v.line, _encode(v.pipe, m), _stored(_encode(v.list, m), m),
                _stored(_encode(v.else_list, m), m))
    return encode  # type: ignore[return-value]


# A node holding nodes as its tuple: scalar fields as they are, only node and node-list fields encoded (the
# mirror of _INNER below; a branch's bodies kept apart when large).
_INNER_ENCODERS: dict[int, Encoder] = {
    _INDEX[n.ListNode]: lambda v, m: (_INDEX[n.ListNode], v.pos, _encode_nodes(v.nodes, m)),  # type: ignore[attr-defined]
    _INDEX[n.CommandNode]: lambda v, m: (_INDEX[n.CommandNode], v.pos, _encode_nodes(v.args, m)),  # type: ignore[attr-defined]
    _INDEX[n.PipeNode]: lambda v, m: (_INDEX[n.PipeNode], v.pos, v.line, v.is_assign,  # type: ignore[attr-defined]
                                      _encode_nodes(v.decl, m), _encode_nodes(v.cmds, m)),  # type: ignore[attr-defined]
    _INDEX[n.ActionNode]: lambda v, m: (_INDEX[n.ActionNode], v.pos, v.line, _encode(v.pipe, m)),  # type: ignore[attr-defined]
    _INDEX[n.ChainNode]: lambda v, m: (_INDEX[n.ChainNode], v.pos, _encode(v.node, m), list(v.field)),  # type: ignore[attr-defined]
    _INDEX[n.IfNode]: _branch_encoder(_INDEX[n.IfNode]),
    _INDEX[n.RangeNode]: _branch_encoder(_INDEX[n.RangeNode]),
    _INDEX[n.WithNode]: _branch_encoder(_INDEX[n.WithNode]),
    _INDEX[n.TemplateNode]: lambda v, m: (_INDEX[n.TemplateNode], v.pos, v.line, v.name,  # type: ignore[attr-defined]
                                          _encode(v.pipe, m)),  # type: ignore[attr-defined]
}


def _stored(field: object, lazy_min: int) -> object:
    """A branch's encoded body list as a (_STORED, pos, bytes) item when it is large; other fields as they are."""
    if type(field) is tuple and field[0] == _INDEX[n.ListNode]:
        blob = marshal.dumps(field[2])
        if len(blob) >= lazy_min:
            return (_STORED, field[1], blob)
    return field


def encode_tree(root: n.ListNode, *, lazy_min: int = _LAZY_MIN) -> bytes:
    """One tree's root list as bytes for :func:`decode_tree` (branch bodies of ``lazy_min`` bytes or more
    are decoded on first use)."""
    return marshal.dumps(_encode(root, lazy_min))  # type: ignore[arg-type]  # _encode builds marshal's types


def _decode(value: object) -> object:
    cls = type(value)
    if cls is tuple:
        kind = value[0]  # type: ignore[index]
        if kind == _STORED:
            pos: object
            blob: object
            _, pos, blob = value  # type: ignore[misc]
            if type(pos) is not int or type(blob) is not bytes:
                raise CorruptTree("a stored branch body is not (pos, bytes)")
            return StoredList(pos, blob)
        if kind in _LEAVES:  # the store verified the entry's digest: a leaf's fields are taken as they are
            return _KINDS[kind](*value[1:])  # type: ignore[index]
        return _INNER[kind](value)  # type: ignore[arg-type]
    if cls is list:
        return [_decode(v) for v in value]  # type: ignore[attr-defined]
    if cls in _SCALARS:
        return value
    raise CorruptTree(f"unexpected {cls.__name__} in a stored parse tree")


def _nodes(value: object) -> list[object]:
    if type(value) is not list:
        raise CorruptTree("a stored node list is not a list")
    return [_decode(v) for v in value]


Decoder = Callable[[tuple[object, ...]], n.Node]


def _branch(cls: type[n.BranchNode]) -> Decoder:
    return lambda v: cls(v[1], v[2], _decode(v[3]), _decode(v[4]), _decode(v[5]))  # type: ignore[arg-type]


# A node holding nodes, from its tuple: its scalar fields (pos, line, flags, names) as they are, only its
# node and node-list fields decoded (no call spent on a scalar). One per kind not in _LEAVES, fields in
# ``_fields`` order (tests/engine/gotemplate/test_tree_cache.py: every kind has its decoder, and trees
# decode to what was encoded).
_INNER: dict[int, Decoder] = {
    _INDEX[n.ListNode]: lambda v: n.ListNode(v[1], _nodes(v[2])),  # type: ignore[arg-type]
    _INDEX[n.CommandNode]: lambda v: n.CommandNode(v[1], _nodes(v[2])),  # type: ignore[arg-type]
    _INDEX[n.PipeNode]: lambda v: n.PipeNode(v[1], v[2], v[3], _nodes(v[4]), _nodes(v[5])),  # type: ignore[arg-type]
    _INDEX[n.ActionNode]: lambda v: n.ActionNode(v[1], v[2], _decode(v[3])),  # type: ignore[arg-type]
    _INDEX[n.ChainNode]: lambda v: n.ChainNode(v[1], _decode(v[2]), v[3]),  # type: ignore[arg-type]
    _INDEX[n.IfNode]: _branch(n.IfNode),
    _INDEX[n.RangeNode]: _branch(n.RangeNode),
    _INDEX[n.WithNode]: _branch(n.WithNode),
    _INDEX[n.TemplateNode]: lambda v: n.TemplateNode(v[1], v[2], v[3], _decode(v[4])),  # type: ignore[arg-type]
}


def decode_tree(data: bytes) -> n.ListNode:
    """The root list :func:`encode_tree` stored.

    Raises:
        CorruptTree: the bytes are not such a tree (truncated, from another format, not marshal data).
    """
    try:
        root = _decode(marshal.loads(data))
    except CorruptTree:
        raise
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError) as err:
        raise CorruptTree(f"not a stored parse tree: {err}") from None
    if type(root) is not n.ListNode:
        raise CorruptTree("a stored parse tree does not start with a list")
    return root
