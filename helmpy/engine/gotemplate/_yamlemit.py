"""go-yaml's emitter (libyaml's, as ported to Go) for a tree of already-ordered plain values.

A port of the decisions in go.yaml.in/yaml/v2 ``emitterc.go``: ``analyze_scalar`` (what each style allows),
``select_scalar_style`` (plain, else single-quoted, else double-quoted; literal ``|`` only when allowed),
the indentation rules (a sequence under a mapping key is not indented unless ``indentless`` is off), simple
keys (one line, at most 128 bytes; longer keys are written ``? key`` / ``: value``), the block scalar hints
(``|2-``, ``|+``) and line folding at ``width`` columns (columns count characters, as in Go).

The event state machine is walked as recursion; the emitter's flags (``column``, ``whitespace``,
``indention``) are kept exactly, since every spacing decision reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

PLAIN, SINGLE, DOUBLE, LITERAL = "plain", "single", "double", "literal"
BREAKS = "\r\n\x85\u2028\u2029"
_BLANKZ = " \t\x00" + BREAKS
_FIRST_INDICATORS = "#,[]{}&*!|>'\"%@`"
_ESCAPE_LETTERS = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r",
                   0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"}


# Text whose scan finds nothing: word characters, '.', '/', '-' and inner spaces, not starting with '-'
_PLAIN_WORDS = re.compile(r"[\w./][\w./ -]*", re.ASCII)


def is_printable(ch: str) -> bool:
    """libyaml's printable set in UTF-8 mode: tab, CR and every character beyond U+FFFF are *not* printable."""
    o = ord(ch)
    return (o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


class Scalar:
    """What ``analyze_scalar`` found out about a scalar's text."""

    __slots__ = ("block", "block_plain", "multiline", "single", "value")

    def __init__(self, value: str) -> None:
        self.value = value
        if not value:
            self.multiline, self.block_plain, self.single, self.block = False, True, True, False
            return
        if _PLAIN_WORDS.fullmatch(value) and value[-1] != " " and not value.startswith("..."):
            # names, versions, paths: nothing below would set a flag (the common case, checked at C speed)
            self.multiline, self.block_plain, self.single, self.block = False, True, True, True
            return
        block_ind = value.startswith(("---", "..."))
        line_breaks = special = leading = trailing_space = break_space = space_break = False
        preceded_ws = True
        prev_space = prev_break = False
        last = len(value) - 1
        for i, ch in enumerate(value):
            followed_ws = i == last or value[i + 1] in " \t"
            if i == 0:
                if ch in _FIRST_INDICATORS or (ch in "?:-" and followed_ws):
                    block_ind = True
            elif (ch == ":" and followed_ws) or (ch == "#" and preceded_ws):
                block_ind = True
            if not is_printable(ch):
                special = True
            if ch == " ":
                leading = leading or i == 0
                trailing_space = trailing_space or i == last
                break_space = break_space or prev_break
                prev_space, prev_break = True, False
            elif ch in BREAKS:
                line_breaks = True
                leading = leading or i == 0 or i == last
                space_break = space_break or prev_space
                prev_space, prev_break = False, True
            else:
                prev_space = prev_break = False
            preceded_ws = ch in _BLANKZ
        self.multiline = line_breaks
        self.block_plain = not (leading or trailing_space or break_space or space_break or special
                                or line_breaks or block_ind)
        self.single = not (break_space or space_break or special)
        self.block = not (trailing_space or space_break or special)


class Emitter:
    """Writes one YAML document for a value tree; ``style_of(text)`` names the style go-yaml's encoder asks for."""

    def __init__(self, style_of: Callable[[Any], tuple[str, str]], *, indent: int = 2, width: int = 80,
                 indentless_sequences: bool = True) -> None:
        self.style_of = style_of
        self.best_indent = indent
        self.width = width
        self.indentless_sequences = indentless_sequences
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.indents: list[int] = []
        self.whitespace = True
        self.indention = True

    # --- low-level writes ---------------------------------------------------------------------------
    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_break(self, ch: str) -> None:
        if ch == "\n":
            self.put_break()
        else:
            self.out.append(ch)
            self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = self.indention = True

    def indicator(self, text: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best_indent if flow else 0
        elif not indentless:
            self.indent += self.best_indent

    # --- nodes --------------------------------------------------------------------------------------
    def document(self, value: Any) -> str:
        self.node(value, mapping=False, simple_key=False)
        self.write_indent()
        return "".join(self.out)

    def node(self, value: Any, *, mapping: bool, simple_key: bool) -> None:
        if isinstance(value, dict):
            self.mapping(value)
        elif isinstance(value, list):
            self.sequence(value, mapping)
        else:
            text, style = self.style_of(value)
            self.scalar(Scalar(text), style, simple_key)

    def empty(self, text: str) -> None:
        self.indicator(text[0], True, True, False)
        self.indicator(text[1], False, False, False)

    def mapping(self, value: dict[Any, Any]) -> None:
        if not value:
            self.empty("{}")
            return
        self.increase_indent(False, False)
        for key, item in value.items():
            self.write_indent()
            text, style = self.style_of(key)
            scalar = Scalar(text)
            if not scalar.multiline and len(text.encode("utf-8", "surrogatepass")) <= 128:
                self.scalar(scalar, style, True)
                self.indicator(":", False, False, False)
            else:
                self.indicator("?", True, False, True)
                self.scalar(scalar, style, False)
                self.write_indent()
                self.indicator(":", True, False, True)
            self.node(item, mapping=True, simple_key=False)
        self.indent = self.indents.pop()

    def sequence(self, value: list[Any], mapping: bool) -> None:
        if not value:
            self.empty("[]")
            return
        self.increase_indent(False, self.indentless_sequences and mapping and not self.indention)
        for item in value:
            self.write_indent()
            self.indicator("-", True, False, True)
            self.node(item, mapping=False, simple_key=False)
        self.indent = self.indents.pop()

    def scalar(self, scalar: Scalar, style: str, simple_key: bool) -> None:
        if simple_key and scalar.multiline:
            style = DOUBLE
        if style == PLAIN and (not scalar.block_plain or (not scalar.value and simple_key)):
            style = SINGLE
        if style == SINGLE and not scalar.single:
            style = DOUBLE
        if style == LITERAL and (not scalar.block or simple_key):
            style = DOUBLE
        self.increase_indent(True, False)
        if style == PLAIN:
            self.plain(scalar.value, not simple_key)
        elif style == SINGLE:
            self.single_quoted(scalar.value, not simple_key)
        elif style == DOUBLE:
            self.double_quoted(scalar.value, not simple_key)
        else:
            self.literal(scalar.value)
        self.indent = self.indents.pop()

    # --- scalar writers -----------------------------------------------------------------------------
    def plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.put(" ")
        if not allow_breaks or self.column + len(value) <= self.width + 1:
            self.put(value)  # nothing can fold: a break needs a space past the width
        else:
            spaces = False
            for i, ch in enumerate(value):
                if ch == " ":
                    if not spaces and self.column > self.width and value[i + 1:i + 2] != " ":
                        self.write_indent()
                    else:
                        self.put(ch)
                    spaces = True
                else:
                    self.put(ch)
                    self.indention = spaces = False
        self.whitespace = self.indention = False

    def single_quoted(self, value: str, allow_breaks: bool) -> None:
        self.indicator("'", True, False, False)
        spaces = breaks = False
        last = len(value) - 1
        for i, ch in enumerate(value):
            if ch == " ":
                if (allow_breaks and not spaces and self.column > self.width and 0 < i < last
                        and value[i + 1] != " "):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self.write_break(ch)
                self.indention = breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put("''" if ch == "'" else ch)
                self.indention = spaces = breaks = False
        self.indicator("'", False, False, False)
        self.whitespace = self.indention = False

    def double_quoted(self, value: str, allow_breaks: bool) -> None:
        self.indicator('"', True, False, False)
        escape_all = value.startswith("\ufeff")  # go-yaml's is_bom looks at the value's start, every time
        spaces = False
        last = len(value) - 1
        for i, ch in enumerate(value):
            if escape_all or not is_printable(ch) or ch in BREAKS or ch == '"' or ch == "\\":
                self.put("\\" + _escape(ord(ch)))
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > self.width and 0 < i < last:
                    self.write_indent()
                    if value[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.indicator('"', False, False, False)
        self.whitespace = self.indention = False

    def literal(self, value: str) -> None:
        self.indicator("|", True, False, False)
        if value[0] == " " or value[0] in BREAKS:
            self.indicator(str(self.best_indent), False, False, False)
        if value[-1] not in BREAKS:
            self.indicator("-", False, False, False)
        elif len(value) == 1 or value[-2] in BREAKS:
            self.indicator("+", False, False, False)
        self.put_break()
        self.indention = self.whitespace = True
        breaks = True
        start = 0
        for i, ch in enumerate(value):
            if ch in BREAKS:
                if start < i:
                    self.put(value[start:i])
                self.write_break(ch)
                self.indention = breaks = True
                start = i + 1
            elif breaks:
                self.write_indent()
                self.indention = breaks = False
        if start < len(value):
            self.put(value[start:])


def _escape(code: int) -> str:
    letter = _ESCAPE_LETTERS.get(code)
    if letter is not None:
        return letter
    if code <= 0xFF:
        return f"x{code:02X}"
    if code <= 0xFFFF:
        return f"u{code:04X}"
    return f"U{code:08X}"
