"""Go's text/template lexer: turns template text into items (text, delimiters, words, literals).

It follows ``text/template/parse/lex.go`` (Go 1.25) state by state so that the items, their
positions, their line numbers and the error texts are the ones Go produces; trim markers
(``{{- `` / `` -}}``) and comments are handled here and never reach the parser.

Positions are indexes into the Python string (code points, not Go's bytes); :meth:`Tree.location`
turns them into Go's line and byte column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple, Optional

from helmpy.engine.gotemplate.strconv import format_u, quote

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
_LEFT_COMMENT = "/*"
_RIGHT_COMMENT = "*/"
_SPACE_CHARS = " \t\r\n"
_TRIM_MARKER_LEN = 2  # the '-' plus the space before or after it


class ItemType(IntEnum):
    """Kinds of lexical items; keywords sort after ``KEYWORD`` as in Go."""

    ERROR = 0
    BOOL = 1
    CHAR = 2
    CHAR_CONSTANT = 3
    COMPLEX = 4
    ASSIGN = 5
    DECLARE = 6
    EOF = 7
    FIELD = 8
    IDENTIFIER = 9
    LEFT_DELIM = 10
    LEFT_PAREN = 11
    NUMBER = 12
    PIPE = 13
    RAW_STRING = 14
    RIGHT_DELIM = 15
    RIGHT_PAREN = 16
    SPACE = 17
    STRING = 18
    TEXT = 19
    VARIABLE = 20
    KEYWORD = 21
    BLOCK = 22
    BREAK = 23
    CONTINUE = 24
    DOT = 25
    DEFINE = 26
    ELSE = 27
    END = 28
    IF = 29
    NIL = 30
    RANGE = 31
    TEMPLATE = 32
    WITH = 33


KEYWORDS = {
    ".": ItemType.DOT, "block": ItemType.BLOCK, "break": ItemType.BREAK, "continue": ItemType.CONTINUE,
    "define": ItemType.DEFINE, "else": ItemType.ELSE, "end": ItemType.END, "if": ItemType.IF,
    "range": ItemType.RANGE, "nil": ItemType.NIL, "template": ItemType.TEMPLATE, "with": ItemType.WITH,
}


class Item(NamedTuple):
    """One token: its type, start position, text and the line it starts on."""

    typ: ItemType
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        """How Go names the item in ``unexpected ...`` errors."""
        if self.typ == ItemType.EOF:
            return "EOF"
        if self.typ == ItemType.ERROR:
            return self.val
        if self.typ > ItemType.KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode("utf-8", "surrogateescape")) > 10:
            return quote(self.val[:10]) + "..."
        return quote(self.val)


def is_space(ch: str) -> bool:
    """Go's isSpace: the four ASCII blanks."""
    return ch in _SPACE_CHARS and ch != ""


def is_alphanumeric(ch: str) -> bool:
    """Go's isAlphaNumeric: ``_``, a Unicode letter or a decimal digit."""
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _has_left_trim_marker(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] == "-" and is_space(s[i + 1])


def _has_right_trim_marker(s: str, i: int) -> bool:
    return len(s) >= i + 2 and is_space(s[i]) and s[i + 1] == "-"


_State = Callable[["Lexer"], Optional["_State"]]

# Fast paths for the loops Go runs one character at a time; each stops where that loop would, or does not
# match at all so the loop runs (and reports the error) as before.
_SPACE_RUN = re.compile(r"[ \t\r\n]*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
_DOUBLE_QUOTED = re.compile(r'(?:[^"\\\n]|\\[^\n])*"')
_SINGLE_QUOTED = re.compile(r"(?:[^'\\\n]|\\[^\n])*'")


# The common items inside an action, one master pattern (each alternative a group, see _FAST_KINDS): a match
# is exactly what the state functions below would scan from that position (each alternative stops where Go's
# loop stops and demands the terminator Go checks for); anything else (trim markers, errors, non-ASCII
# words, most number forms, an item at the end of the input) does not match and the state functions run.
_TERM = r"(?=[ \t\r\n.,|:)(]|}})"
_FAST_ACTION = re.compile("|".join((
    r"([ \t\r\n]++)(?!-}})",                                  # 1 space (not the one of a " -}}")
    r"(\.[A-Za-z_][A-Za-z0-9_]*+)" + _TERM,                   # 2 field
    r"(\$[A-Za-z0-9_]*+)" + _TERM,                             # 3 variable
    r"([A-Za-z_][A-Za-z0-9_]*+)" + _TERM,                      # 4 identifier, keyword, bool
    r'("(?:[^"\\\n]|\\[^\n])*+")',                            # 5 quoted string
    r"(}})",                                                   # 6 right delimiter
    r"(\|)",                                                   # 7 pipe
    r"(\()",                                                   # 8 left paren
    r"(\))",                                                   # 9 right paren
    r"([0-9]++(?:\.[0-9]++)?)(?![\w.+\-])",                     # 10 decimal number
    r"(\.)" + _TERM,                                           # 11 dot
    r"(:=)",                                                   # 12 declare
    r"(=)",                                                    # 13 assign
    r"(,)",                                                    # 14 a comma (CHAR)
    r"(`[^`]*+`)",                                             # 15 raw string
)))
_new_item = tuple.__new__


def _fast_action_item(lx: Lexer) -> Item | None:
    """The next item inside an action when it is one of the common forms :data:`_FAST_ACTION` knows, else None."""
    text = lx.input
    start = lx.pos
    m = _FAST_ACTION.match(text, start)
    if m is None:
        return None
    kind = m.lastindex or 0  # every alternative is one group: a match always names it
    end = m.end(kind)
    val = text[start:end]
    line = lx.start_line
    if kind == 1:
        typ = ItemType.SPACE
        lx.line = line + val.count("\n")
        lx.width = 1
    elif kind == 4:
        typ = KEYWORDS.get(val, ItemType.IDENTIFIER)
        if typ is ItemType.IDENTIFIER:
            if val == "true" or val == "false":
                typ = ItemType.BOOL
        elif (typ is ItemType.BREAK and not lx.break_ok) or (typ is ItemType.CONTINUE and not lx.continue_ok):
            typ = ItemType.IDENTIFIER
    elif kind == 6:
        if lx.paren_depth:
            return None  # "unclosed left paren"
        typ = ItemType.RIGHT_DELIM
        lx.inside_action = False
    elif kind == 9:
        if lx.paren_depth == 0:
            return None  # "unexpected right paren"
        lx.paren_depth -= 1
        typ = ItemType.RIGHT_PAREN
    elif kind == 8:
        lx.paren_depth += 1
        typ = ItemType.LEFT_PAREN
    elif kind == 15:
        typ = ItemType.RAW_STRING
        lx.line = line + val.count("\n")
    else:
        typ = _FAST_KINDS[kind]
    lx.pos = lx.start = end
    lx.start_line = lx.line
    item = lx.item = _new_item(Item, (typ, start, val, line))
    return item


def _fast_text_item(lx: Lexer) -> Item | None:
    """Outside an action: the text up to the next ``{{`` or that ``{{`` itself, when neither a trim marker, a
    comment nor the end of the input is involved (else None: the state functions handle it)."""
    text = lx.input
    pos = lx.pos
    x = text.find(LEFT_DELIM, pos)
    if x < 0 or text.startswith("-", x + 2):
        return None
    line = lx.start_line
    if x > pos:
        lx.line = line + text.count("\n", pos, x)
        item = lx.item = _new_item(Item, (ItemType.TEXT, pos, text[pos:x], line))
    elif text.startswith(_LEFT_COMMENT, x + 2):
        return None
    else:
        x += 2
        lx.inside_action = True
        lx.paren_depth = 0
        item = lx.item = _new_item(Item, (ItemType.LEFT_DELIM, pos, LEFT_DELIM, line))
    lx.pos = lx.start = x
    lx.start_line = lx.line
    return item


class Lexer:
    """Scans one template text; :meth:`next_item` hands the parser one item at a time."""

    def __init__(self, name: str, text: str, *, break_ok: bool = True, continue_ok: bool = True) -> None:
        self.name = name
        self.input = text
        self.pos = 0
        self.start = 0
        self.width = 0  # length of the last character read (0 at EOF), for backup()
        self.paren_depth = 0
        self.line = 1
        self.start_line = 1
        self.inside_action = False
        self.break_ok = break_ok
        self.continue_ok = continue_ok
        self.item = Item(ItemType.EOF, 0, "EOF", 1)

    # --- character access ------------------------------------------------------------------------
    def next(self) -> str:
        """The next character, or "" at the end."""
        if self.pos >= len(self.input):
            self.width = 0
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        self.width = 1
        if ch == "\n":
            self.line += 1
        return ch

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def backup(self) -> None:
        if self.width:
            self.pos -= 1
            self.width = 0
            if self.input[self.pos] == "\n":
                self.line -= 1

    def this_item(self, typ: ItemType) -> Item:
        item = Item(typ, self.start, self.input[self.start:self.pos], self.start_line)
        self.start = self.pos
        self.start_line = self.line
        return item

    def emit(self, typ: ItemType) -> None:
        self.item = self.this_item(typ)

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def accept(self, valid: str) -> bool:
        if self.pos < len(self.input) and self.input[self.pos] in valid:
            self.next()
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.pos < len(self.input) and self.input[self.pos] in valid:
            self.pos += 1
        self.width = 0

    def errorf(self, message: str) -> None:
        """Emit an error item and stop scanning (every later item is EOF)."""
        self.item = Item(ItemType.ERROR, self.start, message, self.start_line)
        self.input = ""
        self.start = self.pos = 0

    def next_item(self) -> Item:
        item = _fast_action_item(self) if self.inside_action else _fast_text_item(self)
        return item if item is not None else self.scan_item()

    def scan_item(self) -> Item:
        """The next item by Go's state functions alone (what :meth:`next_item` does when no fast path applies)."""
        self.item = Item(ItemType.EOF, self.pos, "EOF", self.start_line)
        state: _State | None = _lex_inside_action if self.inside_action else _lex_text
        while state is not None:
            state = state(self)
        return self.item

    def at_right_delim(self) -> tuple[bool, bool]:
        """(at a right delimiter, it has a trim marker)."""
        if _has_right_trim_marker(self.input, self.pos) and \
                self.input.startswith(RIGHT_DELIM, self.pos + _TRIM_MARKER_LEN):
            return True, True
        return self.input.startswith(RIGHT_DELIM, self.pos), False

    def at_terminator(self) -> bool:
        """Whether an identifier may end here (space, punctuation or the right delimiter)."""
        ch = self.peek()
        return ch == "" or is_space(ch) or ch in ".,|:)(" or self.input.startswith(RIGHT_DELIM, self.pos)

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alphanumeric(self.peek()):
            self.next()
            return False
        return True


# --- states ---------------------------------------------------------------------------------------
def _lex_text(lx: Lexer) -> _State | None:
    x = lx.input.find(LEFT_DELIM, lx.pos)
    if x < 0:
        lx.pos = len(lx.input)
        if lx.pos > lx.start:
            lx.line += lx.input.count("\n", lx.start, lx.pos)
            lx.emit(ItemType.TEXT)
        else:
            lx.emit(ItemType.EOF)
        return None
    if x > lx.pos:
        lx.pos = x
        trim = 0
        if _has_left_trim_marker(lx.input, x + len(LEFT_DELIM)):
            segment = lx.input[lx.start:x]
            trim = len(segment) - len(segment.rstrip(_SPACE_CHARS))
        lx.pos -= trim
        lx.line += lx.input.count("\n", lx.start, lx.pos)
        item = lx.this_item(ItemType.TEXT)
        lx.pos += trim
        lx.ignore()
        if item.val:
            lx.item = item
            return None
    lx.pos = x
    return _lex_left_delim


def _lex_left_delim(lx: Lexer) -> _State | None:
    lx.pos += len(LEFT_DELIM)
    after_marker = _TRIM_MARKER_LEN if _has_left_trim_marker(lx.input, lx.pos) else 0
    if lx.input.startswith(_LEFT_COMMENT, lx.pos + after_marker):
        lx.pos += after_marker
        lx.ignore()
        return _lex_comment
    item = lx.this_item(ItemType.LEFT_DELIM)
    lx.inside_action = True
    lx.pos += after_marker
    lx.ignore()
    lx.paren_depth = 0
    lx.item = item
    return None


def _skip_leading_space(lx: Lexer) -> None:
    m = _SPACE_RUN.match(lx.input, lx.pos)  # "[ \t\r\n]*" matches everywhere
    assert m is not None
    lx.pos = m.end()


def _lex_comment(lx: Lexer) -> _State | None:
    lx.pos += len(_LEFT_COMMENT)
    x = lx.input.find(_RIGHT_COMMENT, lx.pos)
    if x < 0:
        lx.errorf("unclosed comment")
        return None
    lx.pos = x + len(_RIGHT_COMMENT)
    delim, trim = lx.at_right_delim()
    if not delim:
        lx.errorf("comment ends before closing delimiter")
        return None
    lx.line += lx.input.count("\n", lx.start, lx.pos)
    lx.this_item(ItemType.TEXT)  # the comment itself is dropped (Helm never asks for comment nodes)
    lx.pos += (_TRIM_MARKER_LEN if trim else 0) + len(RIGHT_DELIM)
    if trim:
        _skip_leading_space(lx)
    lx.ignore()
    return _lex_text


def _lex_right_delim(lx: Lexer) -> _State | None:
    _, trim = lx.at_right_delim()
    if trim:
        lx.pos += _TRIM_MARKER_LEN
        lx.ignore()
    lx.pos += len(RIGHT_DELIM)
    item = lx.this_item(ItemType.RIGHT_DELIM)
    if trim:
        _skip_leading_space(lx)
        lx.ignore()
    lx.inside_action = False
    lx.item = item
    return None


_SINGLE = {"=": ItemType.ASSIGN, "|": ItemType.PIPE}
_FAST_KINDS = {2: ItemType.FIELD, 3: ItemType.VARIABLE, 5: ItemType.STRING, 7: ItemType.PIPE, 10: ItemType.NUMBER,
               11: ItemType.DOT, 12: ItemType.DECLARE, 13: ItemType.ASSIGN, 14: ItemType.CHAR}


def _lex_inside_action(lx: Lexer) -> _State | None:
    delim, _ = lx.at_right_delim()
    if delim:
        if lx.paren_depth == 0:
            return _lex_right_delim
        lx.errorf("unclosed left paren")
        return None
    ch = lx.next()
    if ch == "":
        lx.errorf("unclosed action")
    elif is_space(ch):
        lx.backup()
        return _lex_space
    elif ch in _SINGLE:
        lx.emit(_SINGLE[ch])
    elif ch == ":":
        if lx.next() != "=":
            lx.errorf("expected :=")
        else:
            lx.emit(ItemType.DECLARE)
    elif ch == '"':
        return _lex_quote
    elif ch == "`":
        return _lex_raw_quote
    elif ch == "$":
        return _lex_variable
    elif ch == "'":
        return _lex_char
    elif ch == "." and lx.peek() != "" and not "0" <= lx.peek() <= "9":
        return _lex_field
    elif ch == "." or ch in "+-" or "0" <= ch <= "9":
        lx.backup()
        return _lex_number
    elif is_alphanumeric(ch):
        lx.backup()
        return _lex_identifier
    elif ch == "(":
        lx.paren_depth += 1
        lx.emit(ItemType.LEFT_PAREN)
    elif ch == ")":
        lx.paren_depth -= 1
        if lx.paren_depth < 0:
            lx.errorf("unexpected right paren")
        else:
            lx.emit(ItemType.RIGHT_PAREN)
    elif " " < ch < "\x7f":
        lx.emit(ItemType.CHAR)
    else:
        lx.errorf(f"unrecognized character in action: {format_u(ch)}")
    return None


def _lex_space(lx: Lexer) -> _State | None:
    end = _SPACE_RUN.match(lx.input, lx.pos).end()  # type: ignore[union-attr]  # ``*``: always matches
    spaces = end - lx.pos
    lx.line += lx.input.count("\n", lx.pos, end)
    lx.pos = end
    lx.width = 1
    # A trim-marked right delimiter starts with a space: leave that space to it.
    if _has_right_trim_marker(lx.input, lx.pos - 1) and \
            lx.input.startswith(RIGHT_DELIM, lx.pos - 1 + _TRIM_MARKER_LEN):
        lx.pos -= 1
        if lx.input[lx.pos] == "\n":
            lx.line -= 1
        if spaces == 1:
            return _lex_right_delim
    lx.emit(ItemType.SPACE)
    return None


def _alphanumeric_run(lx: Lexer) -> None:
    """Go's ``for isAlphaNumeric(l.next())`` loop: an ASCII run at C speed, then any other characters."""
    lx.pos = _ASCII_WORD.match(lx.input, lx.pos).end()  # type: ignore[union-attr]  # ``*``: always matches
    while is_alphanumeric(lx.peek()):
        lx.next()


def _lex_identifier(lx: Lexer) -> _State | None:
    _alphanumeric_run(lx)
    if not lx.at_terminator():
        lx.errorf(f"bad character {format_u(lx.peek())}")
        return None
    word = lx.input[lx.start:lx.pos]
    key = KEYWORDS.get(word)
    if key is not None:
        if (key == ItemType.BREAK and not lx.break_ok) or (key == ItemType.CONTINUE and not lx.continue_ok):
            lx.emit(ItemType.IDENTIFIER)
        else:
            lx.emit(key)
    elif word in ("true", "false"):
        lx.emit(ItemType.BOOL)
    else:
        lx.emit(ItemType.IDENTIFIER)
    return None


def _lex_field(lx: Lexer) -> _State | None:
    return _lex_field_or_variable(lx, ItemType.FIELD)


def _lex_variable(lx: Lexer) -> _State | None:
    if lx.at_terminator():  # just "$"
        lx.emit(ItemType.VARIABLE)
        return None
    return _lex_field_or_variable(lx, ItemType.VARIABLE)


def _lex_field_or_variable(lx: Lexer, typ: ItemType) -> _State | None:
    if lx.at_terminator():  # just "." or "$"
        lx.emit(ItemType.VARIABLE if typ == ItemType.VARIABLE else ItemType.DOT)
        return None
    _alphanumeric_run(lx)
    if not lx.at_terminator():
        lx.errorf(f"bad character {format_u(lx.peek())}")
        return None
    lx.emit(typ)
    return None


def _lex_quoted(lx: Lexer, quote_char: str, typ: ItemType, what: str) -> _State | None:
    fast = (_DOUBLE_QUOTED if quote_char == '"' else _SINGLE_QUOTED).match(lx.input, lx.pos)
    if fast is not None:  # a well-formed literal on one line (the loop below reports the malformed ones)
        lx.pos = fast.end()
        lx.width = 1
        lx.emit(typ)
        return None
    while True:
        ch = lx.next()
        if ch == "\\":
            ch = lx.next()
            if ch != "" and ch != "\n":
                continue
        if ch == "" or ch == "\n":
            lx.errorf(f"unterminated {what}")
            return None
        if ch == quote_char:
            break
    lx.emit(typ)
    return None


def _lex_char(lx: Lexer) -> _State | None:
    return _lex_quoted(lx, "'", ItemType.CHAR_CONSTANT, "character constant")


def _lex_quote(lx: Lexer) -> _State | None:
    return _lex_quoted(lx, '"', ItemType.STRING, "quoted string")


def _lex_raw_quote(lx: Lexer) -> _State | None:
    end = lx.input.find("`", lx.pos)
    if end < 0:
        lx.errorf("unterminated raw quoted string")
        return None
    lx.line += lx.input.count("\n", lx.pos, end + 1)
    lx.pos = end + 1
    lx.emit(ItemType.RAW_STRING)
    return None


def _lex_number(lx: Lexer) -> _State | None:
    if not lx.scan_number():
        lx.errorf(f"bad number syntax: {quote(lx.input[lx.start:lx.pos])}")
        return None
    if lx.peek() in ("+", "-") and lx.peek() != "":
        if not lx.scan_number() or lx.input[lx.pos - 1] != "i":
            lx.errorf(f"bad number syntax: {quote(lx.input[lx.start:lx.pos])}")
            return None
        lx.emit(ItemType.COMPLEX)
        return None
    lx.emit(ItemType.NUMBER)
    return None


def split_complex(text: str) -> tuple[str, str]:
    """Split a complex literal ``1+2i`` at the sign that starts its imaginary part."""
    lx = Lexer("", text)
    lx.scan_number()
    return text[:lx.pos], text[lx.pos:]
