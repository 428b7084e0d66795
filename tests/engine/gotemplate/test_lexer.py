"""Lexer tables: the items Go's lexer emits (restated from lex_test.go), trim markers and line counting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.engine.gotemplate.lexer import Item, ItemType, Lexer

T = ItemType


def items(text: str) -> list[tuple[ItemType, str]]:
    lx = Lexer("t", text)
    out = []
    while True:
        item = lx.next_item()
        out.append((item.typ, item.val))
        if item.typ in (T.EOF, T.ERROR):
            return out


L, R, S, EOF = (T.LEFT_DELIM, "{{"), (T.RIGHT_DELIM, "}}"), (T.SPACE, " "), (T.EOF, "")

LEX = [
    ("", [EOF]),
    (" \t\n", [(T.TEXT, " \t\n"), EOF]),
    ("now is the time", [(T.TEXT, "now is the time"), EOF]),
    ("hello-{{/* this is a comment */}}-world", [(T.TEXT, "hello-"), (T.TEXT, "-world"), EOF]),
    ("{{,@% }}", [L, (T.CHAR, ","), (T.CHAR, "@"), (T.CHAR, "%"), S, R, EOF]),
    ("{{((3))}}", [L, (T.LEFT_PAREN, "("), (T.LEFT_PAREN, "("), (T.NUMBER, "3"), (T.RIGHT_PAREN, ")"),
                   (T.RIGHT_PAREN, ")"), R, EOF]),
    ("{{}}", [L, R, EOF]),
    ("{{for}}", [L, (T.IDENTIFIER, "for"), R, EOF]),
    ("{{block}}", [L, (T.BLOCK, "block"), R, EOF]),
    ('{{"abc \\n\\t\\" "}}', [L, (T.STRING, '"abc \\n\\t\\" "'), R, EOF]),
    ("{{`abc\n\\t`}}", [L, (T.RAW_STRING, "`abc\n\\t`"), R, EOF]),
    ("{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1.e_fp4 0X1.E_FP4}}",
     [L] + [x for v, typ in [("1", T.NUMBER), ("02", T.NUMBER), ("0x14", T.NUMBER), ("0X14", T.NUMBER),
                             ("-7.2i", T.NUMBER), ("1e3", T.NUMBER), ("1E3", T.NUMBER), ("+1.2e-4", T.NUMBER),
                             ("4.2i", T.NUMBER), ("1+2i", T.COMPLEX), ("1_2", T.NUMBER),
                             ("0x1.e_fp4", T.NUMBER), ("0X1.E_FP4", T.NUMBER)]
            for x in ((typ, v), S)][:-1] + [R, EOF]),
    ("{{'a' '\\n' '\\'' '\\\\' '\\u00FF' '\\xFF' '本'}}",
     [L] + [x for v in ["'a'", "'\\n'", "'\\''", "'\\\\'", "'\\u00FF'", "'\\xFF'", "'本'"]
            for x in ((T.CHAR_CONSTANT, v), S)][:-1] + [R, EOF]),
    ("{{true false}}", [L, (T.BOOL, "true"), S, (T.BOOL, "false"), R, EOF]),
    ("{{.}}", [L, (T.DOT, "."), R, EOF]),
    ("{{nil}}", [L, (T.NIL, "nil"), R, EOF]),
    ("{{.x . .2 .x.y.z}}", [L, (T.FIELD, ".x"), S, (T.DOT, "."), S, (T.NUMBER, ".2"), S, (T.FIELD, ".x"),
                            (T.FIELD, ".y"), (T.FIELD, ".z"), R, EOF]),
    ("{{range if else end with}}", [L, (T.RANGE, "range"), S, (T.IF, "if"), S, (T.ELSE, "else"), S,
                                    (T.END, "end"), S, (T.WITH, "with"), R, EOF]),
    ("{{$c := printf $ $hello $23 $ $var.Field .Method}}",
     [L, (T.VARIABLE, "$c"), S, (T.DECLARE, ":="), S, (T.IDENTIFIER, "printf"), S, (T.VARIABLE, "$"), S,
      (T.VARIABLE, "$hello"), S, (T.VARIABLE, "$23"), S, (T.VARIABLE, "$"), S, (T.VARIABLE, "$var"),
      (T.FIELD, ".Field"), S, (T.FIELD, ".Method"), R, EOF]),
    ("{{$x = 1}}", [L, (T.VARIABLE, "$x"), S, (T.ASSIGN, "="), S, (T.NUMBER, "1"), R, EOF]),
    ("{{$x.y}}", [L, (T.VARIABLE, "$x"), (T.FIELD, ".y"), R, EOF]),
    ("intro {{echo hi 1.2 |noargs|args 1 \"hi\"}} outro",
     [(T.TEXT, "intro "), L, (T.IDENTIFIER, "echo"), S, (T.IDENTIFIER, "hi"), S, (T.NUMBER, "1.2"), S,
      (T.PIPE, "|"), (T.IDENTIFIER, "noargs"), (T.PIPE, "|"), (T.IDENTIFIER, "args"), S, (T.NUMBER, "1"), S,
      (T.STRING, '"hi"'), R, (T.TEXT, " outro"), EOF]),
    ("{{range $x, $y := .}}", [L, (T.RANGE, "range"), S, (T.VARIABLE, "$x"), (T.CHAR, ","), S,
                               (T.VARIABLE, "$y"), S, (T.DECLARE, ":="), S, (T.DOT, "."), R, EOF]),
    # trim markers eat the blanks beside them; without the space '-' starts a number
    ("hello- {{- 3 -}} -world", [(T.TEXT, "hello-"), L, (T.NUMBER, "3"), R, (T.TEXT, "-world"), EOF]),
    ("hello- {{- /* hello */ -}} -world", [(T.TEXT, "hello-"), (T.TEXT, "-world"), EOF]),
    ("{{-3}}", [L, (T.NUMBER, "-3"), R, EOF]),
    ("{{3 -}}\n", [L, (T.NUMBER, "3"), R, EOF]),
    ("{{3  -}}", [L, (T.NUMBER, "3"), S, R, EOF]),
    ("{{ -}}", [L, R, EOF]),
    # errors stop the scan
    ("#{{\u0001}}", [(T.TEXT, "#"), L, (T.ERROR, "unrecognized character in action: U+0001")]),
    ("{{", [L, (T.ERROR, "unclosed action")]),
    ("{{range", [L, (T.RANGE, "range"), (T.ERROR, "unclosed action")]),
    ('{{"\n"}}', [L, (T.ERROR, "unterminated quoted string")]),
    ("{{`xx}}", [L, (T.ERROR, "unterminated raw quoted string")]),
    ("{{'\n}}", [L, (T.ERROR, "unterminated character constant")]),
    ("{{3k}}", [L, (T.ERROR, 'bad number syntax: "3k"')]),
    ("{{(3}}", [L, (T.LEFT_PAREN, "("), (T.NUMBER, "3"), (T.ERROR, "unclosed left paren")]),
    ("{{3)}}", [L, (T.NUMBER, "3"), (T.ERROR, "unexpected right paren")]),
    ("hello-{{/*/}}-world", [(T.TEXT, "hello-"), (T.ERROR, "unclosed comment")]),
    ("hello-{{/* */ }}-world", [(T.TEXT, "hello-"), (T.ERROR, "comment ends before closing delimiter")]),
    ("{{x#}}", [L, (T.ERROR, "bad character U+0023 '#'")]),
]


@pytest.mark.parametrize(("text", "want"), LEX)
def test_lexer_items(text: str, want: list[tuple[ItemType, str]]) -> None:
    assert items(text) == want


def test_break_and_continue_are_identifiers_when_they_are_functions() -> None:
    lx = Lexer("t", "{{break continue}}", break_ok=False, continue_ok=False)
    got = [lx.next_item() for _ in range(5)]
    assert [i.typ for i in got] == [T.LEFT_DELIM, T.IDENTIFIER, T.SPACE, T.IDENTIFIER, T.RIGHT_DELIM]


def test_positions_and_lines() -> None:
    lx = Lexer("t", "a\n{{- 1 -}}\n\nb {{`x\ny` .z\n}}\n")
    got = []
    while (item := lx.next_item()).typ != T.EOF:
        got.append(item)
    assert got == [
        Item(T.TEXT, 0, "a", 1), Item(T.LEFT_DELIM, 2, "{{", 2), Item(T.NUMBER, 6, "1", 2),
        Item(T.RIGHT_DELIM, 9, "}}", 2), Item(T.TEXT, 13, "b ", 4), Item(T.LEFT_DELIM, 15, "{{", 4),
        Item(T.RAW_STRING, 17, "`x\ny`", 4), Item(T.SPACE, 22, " ", 5), Item(T.FIELD, 23, ".z", 5),
        Item(T.SPACE, 25, "\n", 5), Item(T.RIGHT_DELIM, 26, "}}", 6), Item(T.TEXT, 28, "\n", 6)]


@pytest.mark.parametrize(("item", "text"), [
    (Item(T.EOF, 0, "EOF", 1), "EOF"), (Item(T.ERROR, 0, "boom", 1), "boom"),
    (Item(T.IF, 0, "if", 1), "<if>"), (Item(T.STRING, 0, '"a\tb"', 1), '"\\"a\\tb\\""'),
    (Item(T.RAW_STRING, 0, "`0123456789abc`", 1), '"`012345678"...'),
])
def test_item_names_in_errors(item: Item, text: str) -> None:
    assert str(item) == text


# --- the fast path ------------------------------------------------------------------------------------
# Fragments an action is made of, the common ones the master pattern knows and the edge cases it must leave
# to Go's state functions (trim markers, signs, exponents, non-ASCII words, unbalanced parens, the input's end).
_FRAGMENTS = ["{{", "}}", "{{- ", " -}}", "-}}", " ", "\n", "\t", " \r\n ", ".", ".a", ".Values", "._x", ".é", ".1",
              "$", "$x", "$1", "$é", "a", "if", "else", "end", "range", "break", "continue", "true", "false", "nil",
              "é", "1", "12", "0", "01", "1.5", "1.", "1e3", "0x1F", "1_0", "-1", "+2", "3i", "1+2i", "'a'", "'\\n'",
              '"s"', '"a\\"b"', '"\\n', '"', "`r\naw`", "`", "|", "(", ")", ":=", ":", "=", ",", "@", "/*", "*/",
              "}", "{", "x"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30), st.booleans(), st.booleans())
def test_fast_path_lexes_as_the_state_functions_do(parts: list[str], break_ok: bool, continue_ok: bool) -> None:
    """Every item (type, position, text, line) and the lexer's state after it are the ones Go's state functions
    alone produce (Lexer.scan_item), for any sequence of fragments."""
    text = "".join(parts)
    fast = Lexer("t", text, break_ok=break_ok, continue_ok=continue_ok)
    slow = Lexer("t", text, break_ok=break_ok, continue_ok=continue_ok)
    for _ in range(10_000):
        a, b = fast.next_item(), slow.scan_item()
        assert a == b, text
        assert (fast.pos, fast.line, fast.start_line, fast.inside_action, fast.paren_depth) == \
            (slow.pos, slow.line, slow.start_line, slow.inside_action, slow.paren_depth), text
        if a.typ in (T.EOF, T.ERROR):
            break
