"""Go's text/template parser: items from the lexer become :mod:`nodes` trees, one per template name.

This follows ``text/template/parse/parse.go`` (Go 1.25) method by method, including its
three-token lookahead, because Go reports a parse error on the line of the last token it
read: keeping the same reads keeps Helm's line numbers. Errors are raised as
:class:`~helmpy.errors.TemplateParseError` with Go's text (``template: NAME:LINE: ...``).

One deliberate difference: nesting (parentheses, if/range/with, define/block, else-if chains)
is capped at ``max_depth`` levels (default 100) so a hostile template cannot exhaust Python's
stack; Go caps only parentheses, at 10000.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NoReturn

from helmpy.engine.gotemplate import nodes as n
from helmpy.engine.gotemplate.lexer import Item, ItemType, Lexer, split_complex
from helmpy.engine.gotemplate.strconv import NumError, parse_float, parse_int, parse_uint, quote, unquote, unquote_rune
from helmpy.errors import TemplateParseError

logger = logging.getLogger(__name__)

DEFAULT_MAX_DEPTH = n.DEFAULT_MAX_DEPTH

GO_BUILTINS = frozenset({
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println",
    "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
})
"""Functions text/template always defines, whatever function map the caller adds."""

_OPERAND_START = frozenset({
    ItemType.BOOL, ItemType.CHAR_CONSTANT, ItemType.COMPLEX, ItemType.DOT, ItemType.FIELD,
    ItemType.IDENTIFIER, ItemType.NUMBER, ItemType.NIL, ItemType.RAW_STRING, ItemType.STRING,
    ItemType.VARIABLE, ItemType.LEFT_PAREN,
})
_SPACE = ItemType.SPACE
_NON_EXECUTABLE = (n.BoolNode, n.DotNode, n.NilNode, n.NumberNode, n.StringNode)
_LITERALS = (n.BoolNode, n.StringNode, n.NumberNode, n.NilNode, n.DotNode)


class _Shared:
    """What every tree of one file shares while parsing: lexer, results, functions, nesting depth."""

    def __init__(self, parse_name: str, text: str, funcs: frozenset[str], max_depth: int) -> None:
        self.parse_name = parse_name
        self.text = text
        self.funcs = funcs
        self.max_depth = max_depth
        self.depth = 0
        self.trees: dict[str, n.Tree] = {}
        self.lex = Lexer(parse_name, text, break_ok="break" not in funcs, continue_ok="continue" not in funcs)


class _TreeParser:
    """Parses one template (the file's top level or one define/block); Go's ``*Tree`` while parsing."""

    def __init__(self, shared: _Shared, name: str) -> None:
        self.s = shared
        self.name = name
        self.token: list[Item] = [shared.lex.item] * 3
        self.peek_count = 0
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self._lex = shared.lex.next_item

    # --- token stream (Go's three-token lookahead; the hot loops are written out, not calls of next()) ------
    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self._lex()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        token = self.token[0] = self._lex()
        return token

    def next_non_space(self) -> Item:
        tokens = self.token
        while True:
            if self.peek_count > 0:
                self.peek_count -= 1
                token = tokens[self.peek_count]
            else:
                token = tokens[0] = self._lex()
            if token[0] is not _SPACE:
                return token

    def peek_non_space(self) -> Item:
        token = self.next_non_space()
        self.peek_count += 1
        return token

    # --- errors ----------------------------------------------------------------------------------
    def errorf(self, message: str) -> NoReturn:
        raise TemplateParseError(self.s.parse_name, self.token[0].line, message)

    def expect(self, expected: ItemType, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != expected:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str) -> NoReturn:
        if token.typ == ItemType.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != token.line:
                extra = f" in action started at {self.s.parse_name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(f"{token}{extra}")
        self.errorf(f"unexpected {token} in {context}")

    def enter(self, message: str) -> None:
        if self.s.depth >= self.s.max_depth:
            self.errorf(message)
        self.s.depth += 1

    def leave(self) -> None:
        self.s.depth -= 1

    # --- templates -------------------------------------------------------------------------------
    def add(self, root: n.ListNode) -> None:
        """Record this tree; an empty one never replaces, and two non-empty ones clash."""
        old = self.s.trees.get(self.name)
        if old is None or n.is_empty_tree(old.root):
            self.s.trees[self.name] = n.Tree(self.name, self.s.parse_name, root, self.s.text)
        elif not n.is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {quote(self.name)}")

    def parse(self) -> None:
        """The top level: like :meth:`item_list` to EOF, and ``{{define}}`` is allowed here."""
        root = n.ListNode(self.peek().pos, [])
        while self.peek().typ != ItemType.EOF:
            if self.peek().typ == ItemType.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == ItemType.DEFINE:
                    _TreeParser(self.s, "definition").parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add(root)

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (ItemType.STRING, ItemType.RAW_STRING):
            self.unexpected(token, context)
        self.name = self.unquote(token.val)
        self.expect(ItemType.RIGHT_DELIM, context)
        self.enter("max control structure depth exceeded")
        root, end = self.item_list()
        self.leave()
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add(root)

    def item_list(self) -> tuple[n.ListNode, n.Node]:
        """``textOrAction*`` up to an ``{{end}}`` or ``{{else}}``, which is returned beside the list."""
        lst = n.ListNode(self.peek_non_space().pos, [])
        while self.peek_non_space().typ != ItemType.EOF:
            node = self.text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                return lst, node
            lst.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> n.Node:
        token = self.next_non_space()
        if token.typ == ItemType.TEXT:
            return n.TextNode(token.pos, token.val)
        if token.typ == ItemType.LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(token, "input")

    def action(self) -> n.Node:
        token = self.next_non_space()
        typ = token.typ
        if typ == ItemType.BLOCK:
            return self.block_control()
        if typ in (ItemType.BREAK, ItemType.CONTINUE):
            return self.loop_control(token)
        if typ == ItemType.ELSE:
            return self.else_control()
        if typ == ItemType.END:
            return n.EndNode(self.expect(ItemType.RIGHT_DELIM, "end").pos)
        if typ == ItemType.IF:
            return self.if_control()
        if typ == ItemType.RANGE:
            return n.RangeNode(*self.parse_control("range"))
        if typ == ItemType.TEMPLATE:
            return self.template_control()
        if typ == ItemType.WITH:
            return self.with_control()
        self.backup()
        token = self.peek()
        # Variables declared here persist until the enclosing {{end}}.
        return n.ActionNode(token.pos, token.line, self.pipeline("command", ItemType.RIGHT_DELIM))

    def loop_control(self, keyword: Item) -> n.Node:
        what = "{{" + keyword.val + "}}"
        token = self.next_non_space()
        if token.typ != ItemType.RIGHT_DELIM:
            self.unexpected(token, what)
        if self.range_depth == 0:
            self.errorf(f"{what} outside {{{{range}}}}")
        if keyword.typ == ItemType.BREAK:
            return n.BreakNode(keyword.pos, keyword.line)
        return n.ContinueNode(keyword.pos, keyword.line)

    # --- pipelines -------------------------------------------------------------------------------
    def pipeline(self, context: str, end: ItemType) -> n.PipeNode:
        """``declarations? command ('|' command)*`` up to ``end`` (right delimiter or paren)."""
        token = self.peek_non_space()
        pipe = n.PipeNode(token.pos, token.line, False, [], [])
        while True:  # declarations; loops only for the second variable of a range
            v = self.peek_non_space()
            if v.typ != ItemType.VARIABLE:
                break
            self.next()
            # "$x foo" versus "$x := foo": remember the token after $x to push it back if needed.
            token_after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (ItemType.ASSIGN, ItemType.DECLARE):
                pipe.is_assign = nxt.typ == ItemType.ASSIGN
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
            elif nxt.typ == ItemType.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (ItemType.VARIABLE, ItemType.RIGHT_DELIM,
                                                     ItemType.RIGHT_PAREN):
                        continue  # the second variable of a range
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            elif token_after_variable.typ == ItemType.SPACE:
                self.backup3(v, token_after_variable)
            else:
                self.backup2(v)
            break
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], _NON_EXECUTABLE):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> n.CommandNode:
        """``operand (space operand)*`` up to a pipe (consumed) or a right delimiter/paren (left)."""
        cmd = n.CommandNode(self.peek_non_space().pos, [])
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == ItemType.SPACE:
                continue
            if token.typ in (ItemType.RIGHT_DELIM, ItemType.RIGHT_PAREN):
                self.backup()
            elif token.typ != ItemType.PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> n.Node | None:
        """A term followed by any number of ``.Field`` accesses."""
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == ItemType.FIELD:
            chain = n.ChainNode(self.peek().pos, node, [])
            while self.peek().typ == ItemType.FIELD:
                chain.field.append(self.next().val[1:])
            # Fields on a field or variable extend it; on a literal they are an error.
            if isinstance(node, n.FieldNode):
                return n.FieldNode(chain.pos, node.ident + chain.field)
            if isinstance(node, n.VariableNode):
                return n.VariableNode(chain.pos, node.ident + chain.field)
            if isinstance(node, _LITERALS):
                self.errorf(f"unexpected . after term {quote(str(node))}")
            return chain
        return node

    def term(self) -> n.Node | None:
        """A literal, function name, ``.``, ``.Field``, ``$var`` or ``( pipeline )``; None if none."""
        token = self.next_non_space()
        typ = token.typ
        if typ == ItemType.IDENTIFIER:
            if token.val not in self.s.funcs:
                self.errorf(f"function {quote(token.val)} not defined")
            return n.IdentifierNode(token.pos, token.val)
        if typ == ItemType.DOT:
            return n.DotNode(token.pos)
        if typ == ItemType.NIL:
            return n.NilNode(token.pos)
        if typ == ItemType.VARIABLE:
            return self.use_var(token.pos, token.val)
        if typ == ItemType.FIELD:
            return n.FieldNode(token.pos, token.val[1:].split("."))
        if typ == ItemType.BOOL:
            return n.BoolNode(token.pos, token.val == "true")
        if typ in (ItemType.CHAR_CONSTANT, ItemType.COMPLEX, ItemType.NUMBER):
            try:
                return new_number(token.pos, token.val, typ)
            except ValueError as err:
                self.errorf(str(err))
        if typ == ItemType.LEFT_PAREN:
            self.enter("max expression depth exceeded")
            try:
                return self.pipeline("parenthesized pipeline", ItemType.RIGHT_PAREN)
            finally:
                self.leave()
        if typ in (ItemType.STRING, ItemType.RAW_STRING):
            return n.StringNode(token.pos, token.val, self.unquote(token.val))
        self.backup()
        return None

    def use_var(self, pos: int, name: str) -> n.VariableNode:
        v = n.VariableNode(pos, name.split("."))
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {quote(v.ident[0])}")
        return v

    def unquote(self, literal: str) -> str:
        try:
            return unquote(literal)
        except NumError as err:
            self.errorf(str(err))

    # --- control structures ----------------------------------------------------------------------
    def parse_control(self, context: str) -> tuple[int, int, n.PipeNode, n.ListNode, n.ListNode | None]:
        """The pipeline, body and else body of if/range/with; their variables end with them."""
        saved_vars = len(self.vars)
        pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        self.enter("max control structure depth exceeded")
        try:
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, n.ElseNode):
                # "{{else if}}" / "{{else with}}" left the keyword pending: parse it as a nested
                # if/with whose {{end}} also closes this one.
                if context == "if" and self.peek().typ == ItemType.IF:
                    self.next()
                    else_list = n.ListNode(nxt.pos, [self.if_control()])
                elif context == "with" and self.peek().typ == ItemType.WITH:
                    self.next()
                    else_list = n.ListNode(nxt.pos, [self.with_control()])
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, n.EndNode):
                        self.errorf(f"expected end; found {nxt}")
        finally:
            self.leave()
        del self.vars[saved_vars:]
        return pipe.pos, pipe.line, pipe, lst, else_list

    def if_control(self) -> n.IfNode:
        return n.IfNode(*self.parse_control("if"))

    def with_control(self) -> n.WithNode:
        return n.WithNode(*self.parse_control("with"))

    def else_control(self) -> n.ElseNode:
        peek = self.peek_non_space()
        if peek.typ in (ItemType.IF, ItemType.WITH):  # "{{else if ...": the if stays pending
            return n.ElseNode(peek.pos, peek.line)
        token = self.expect(ItemType.RIGHT_DELIM, "else")
        return n.ElseNode(token.pos, token.line)

    def block_control(self) -> n.TemplateNode:
        """``{{block "name" pipeline}}body{{end}}``: defines ``name`` and invokes it in place."""
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        block = _TreeParser(self.s, name)
        self.enter("max control structure depth exceeded")
        try:
            root, end = block.item_list()
        finally:
            self.leave()
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        block.add(root)
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def template_control(self) -> n.TemplateNode:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().typ != ItemType.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def template_name(self, token: Item, context: str) -> str:
        if token.typ not in (ItemType.STRING, ItemType.RAW_STRING):
            self.unexpected(token, context)
        return self.unquote(token.val)


# --- numbers --------------------------------------------------------------------------------------
def _fits_int64(f: float) -> bool:
    return f.is_integer() and -(2.0 ** 63) <= f < 2.0 ** 63


def _fits_uint64(f: float) -> bool:
    return f.is_integer() and 0 <= f < 2.0 ** 64


def _simplify_complex(num: n.NumberNode) -> None:
    """A complex with no imaginary part is also a float (and maybe an integer)."""
    num.is_float = num.complex128.imag == 0
    if num.is_float:
        num.float64 = num.complex128.real
        num.is_int = _fits_int64(num.float64)
        if num.is_int:
            num.int64 = int(num.float64)
        num.is_uint = _fits_uint64(num.float64)
        if num.is_uint:
            num.uint64 = int(num.float64)


def new_number(pos: int, text: str, typ: ItemType) -> n.NumberNode:
    """A NumberNode for a literal, with Go's rules for which types hold it.

    Raises:
        ValueError: with Go's message (``invalid syntax``, ``integer overflow: "..."``,
            ``illegal number syntax: "..."``, ``malformed character constant: ...``).
    """
    num = n.NumberNode(pos, text)
    if typ == ItemType.CHAR_CONSTANT:
        rune = unquote_rune(text)
        num.is_int = num.is_uint = num.is_float = True
        num.int64 = num.uint64 = rune
        num.float64 = float(rune)
        return num
    if typ == ItemType.COMPLEX:
        real, imag = split_complex(text)
        num.complex128 = complex(parse_float(real), parse_float(imag[:-1]))
        num.is_complex = True
        _simplify_complex(num)
        return num
    if text.endswith("i"):
        try:
            num.complex128 = complex(0, parse_float(text[:-1]))
        except NumError:
            pass
        else:
            num.is_complex = True
            _simplify_complex(num)
            return num
    try:
        num.uint64, num.is_uint = parse_uint(text), True
    except NumError:
        pass
    try:
        num.int64, num.is_int = parse_int(text), True
        if num.int64 == 0:
            num.is_uint = True  # "-0"
    except NumError:
        pass
    if num.is_int:
        num.is_float, num.float64 = True, float(num.int64)
    elif num.is_uint:
        num.is_float, num.float64 = True, float(num.uint64)
    else:
        try:
            f = parse_float(text)
        except NumError:
            pass
        else:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {quote(text)}")
            num.is_float, num.float64 = True, f
            if _fits_int64(f):
                num.is_int, num.int64 = True, int(f)
            if _fits_uint64(f):
                num.is_uint, num.uint64 = True, int(f)
    if not (num.is_int or num.is_uint or num.is_float):
        raise ValueError(f"illegal number syntax: {quote(text)}")
    return num


# --- entry point ----------------------------------------------------------------------------------
def parse(name: str, text: str, funcs: Iterable[str] = (), *,
          max_depth: int = DEFAULT_MAX_DEPTH) -> dict[str, n.Tree]:
    """Parse one template file into every template it defines, keyed by name (Go's ``parse.Parse``).

    Args:
        name: the file's template name (Helm uses ``CHART/templates/FILE``); it names the top-level
            tree and prefixes every error.
        text: the template source.
        funcs: names of the functions the template may call, besides text/template's built-ins
            (:data:`GO_BUILTINS`); calling any other name is a parse error, as in Go.
        max_depth: deepest nesting of parentheses and control structures allowed.

    Raises:
        TemplateParseError: the first error, with Go's message.
    """
    shared = _Shared(name, text, GO_BUILTINS.union(funcs), max_depth)
    try:
        _TreeParser(shared, name).parse()
    except RecursionError:
        raise TemplateParseError(name, shared.lex.line, "max expression depth exceeded") from None
    logger.debug("parsed template name=%s templates=%d", name, len(shared.trees))
    return shared.trees
