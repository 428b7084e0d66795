"""Parser tables: each grammar form printed back as Go's String() does, each error with Go's text.

Cases restate Go's text/template/parse tests (parse_test.go) and its documented behaviour.
"""

from __future__ import annotations

import pytest

from helmpy.engine.gotemplate import nodes as n
from helmpy.engine.gotemplate import parse
from helmpy.engine.gotemplate.lexer import ItemType
from helmpy.engine.gotemplate.parser import new_number
from helmpy.errors import RenderError, TemplateParseError

FUNCS = ["printf", "contains"]


def root(text: str, funcs: list[str] = FUNCS) -> str:
    return str(parse("t", text, funcs)["t"].root)


# (input, Go's String() of the root)
FORMS = [
    ("", ""),
    ("{{/*\n\n\n*/}}", ""),
    (" \t\n", " \t\n"),
    ("some text", "some text"),
    ("{{.X}}", "{{.X}}"),
    ("{{printf}}", "{{printf}}"),
    ("{{$}}", "{{$}}"),
    ("{{with $x := 3}}{{$x 23}}{{end}}", "{{with $x := 3}}{{$x 23}}{{end}}"),
    ("{{$.I}}", "{{$.I}}"),
    ("{{printf `%d` 23}}", "{{printf `%d` 23}}"),
    ("{{.X|.Y}}", "{{.X | .Y}}"),
    ("{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
    ("{{.X (.Y .Z) (.A | .B .C) (.E)}}", "{{.X (.Y .Z) (.A | .B .C) (.E)}}"),
    ("{{(.Y .Z).Field}}", "{{(.Y .Z).Field}}"),
    ("{{(printf `x`).a.b}}", "{{(printf `x`).a.b}}"),
    ("{{if .X}}hello{{end}}", "{{if .X}}hello{{end}}"),
    ("{{if .X}}true{{else}}false{{end}}", "{{if .X}}true{{else}}false{{end}}"),
    ("{{if .X}}true{{else if .Y}}false{{end}}", "{{if .X}}true{{else}}{{if .Y}}false{{end}}{{end}}"),
    ("+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
     "+{{if .X}}X{{else}}{{if .Y}}Y{{else}}{{if .Z}}Z{{end}}{{end}}{{end}}+"),
    ("{{range .X}}hello{{end}}", "{{range .X}}hello{{end}}"),
    ("{{range .X.Y.Z}}hello{{end}}", "{{range .X.Y.Z}}hello{{end}}"),
    ("{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}"),
    ("{{range .X}}true{{else}}false{{end}}", "{{range .X}}true{{else}}false{{end}}"),
    ("{{range .X|.M}}true{{else}}false{{end}}", "{{range .X | .M}}true{{else}}false{{end}}"),
    ("{{range $x := .SI}}{{.}}{{end}}", "{{range $x := .SI}}{{.}}{{end}}"),
    ("{{range $x, $y := .SI}}{{.}}{{end}}", "{{range $x, $y := .SI}}{{.}}{{end}}"),
    ("{{range .SI}}{{.}}{{break}}{{end}}", "{{range .SI}}{{.}}{{break}}{{end}}"),
    ("{{range .SI}}{{.}}{{ continue }}{{end}}", "{{range .SI}}{{.}}{{continue}}{{end}}"),
    ("{{range .SI 1 -3.2i true false 'a' nil}}{{end}}", "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}"),
    ("{{template `x`}}", '{{template "x"}}'),
    ("{{template `x` .Y}}", '{{template "x" .Y}}'),
    ("{{with .X}}hello{{end}}", "{{with .X}}hello{{end}}"),
    ("{{with .X}}hello{{else}}goodbye{{end}}", "{{with .X}}hello{{else}}goodbye{{end}}"),
    ("{{with .X}}hello{{else with .Y}}goodbye{{end}}", "{{with .X}}hello{{else}}{{with .Y}}goodbye{{end}}{{end}}"),
    # trim markers: a space (or tab/newline) is mandatory beside the '-'
    ("x \r\n\t{{- 3}}", "x{{3}}"),
    ("{{3 -}}\n\n\ty", "{{3}}y"),
    ("x \r\n\t{{- 3 -}}\n\n\ty", "x{{3}}y"),
    ("x\n{{-  3   -}}\ny", "x{{3}}y"),
    ("x\n{{-\n3\n-}}\ny", "x{{3}}y"),
    ("{{-3}}", "{{-3}}"),
    ("x \r\n\t{{- /* hi */}}", "x"),
    ("{{/* hi */ -}}\n\n\ty", "y"),
    ("x \r\n\t{{- /* */ -}}\n\n\ty", "xy"),
    ("{{-\n/*\nhello\n*/\n-}}", ""),
    ('{{block "foo" .}}hello{{end}}', '{{template "foo" .}}'),
    ("{{ $x \n := \n 1 \n }}", "{{$x := 1}}"),
    ('{{\n"x"\n|\nprintf\n}}', '{{"x" | printf}}'),
    ("{{$x := 0}}{{$x}}", "{{$x := 0}}{{$x}}"),
    ("{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
    ("{{range $x := 0}}{{$x}}{{end}}", "{{range $x := 0}}{{$x}}{{end}}"),
    ("{{range $x = 0}}{{$x}}{{end}}", "{{range $x = 0}}{{$x}}{{end}}"),
    ("{{$x := 1}}{{$x = 2}}", "{{$x := 1}}{{$x = 2}}"),
    ("{{ (( 1 )) }}", "{{((1))}}"),
    ("{{ if (( true )) }}YES{{ end }}", "{{if ((true))}}YES{{end}}"),
    ('{{"a\\tb" `c\\d`}}', '{{"a\\tb" `c\\d`}}'),
    # variables declared in an if body are still visible in its else branch (as in Go)
    ("{{if 1}}{{$x := 1}}{{else}}{{$x}}{{end}}", "{{if 1}}{{$x := 1}}{{else}}{{$x}}{{end}}"),
]


@pytest.mark.parametrize(("text", "want"), FORMS)
def test_grammar_form_prints_back_as_go_does(text: str, want: str) -> None:
    assert root(text) == want


def test_node_types_and_fields() -> None:
    tree = parse("t", "a{{$v := .A.b | printf `%s` (.C).d $}}{{range $i, $e := .L}}{{$e.x}}{{else}}none{{end}}",
                 FUNCS)["t"]
    text, action, rng = tree.root.nodes
    assert isinstance(text, n.TextNode) and text.text == "a"
    assert isinstance(action, n.ActionNode)
    pipe = action.pipe
    assert [v.ident for v in pipe.decl] == [["$v"]] and not pipe.is_assign
    first, second = pipe.cmds
    assert first.args == [n.FieldNode(0, ["A", "b"])]
    ident, fmt, chain, dollar = second.args
    assert ident == n.IdentifierNode(0, "printf")
    assert isinstance(fmt, n.StringNode) and fmt.quoted == "`%s`" and fmt.text == "%s"
    assert isinstance(chain, n.ChainNode) and chain.field == ["d"] and isinstance(chain.node, n.PipeNode)
    assert dollar == n.VariableNode(0, ["$"])
    assert isinstance(rng, n.RangeNode)
    assert [v.ident for v in rng.pipe.decl] == [["$i"], ["$e"]]
    assert rng.list.nodes == [n.ActionNode(0, 0, n.PipeNode(0, 0, False, [], [
        n.CommandNode(0, [n.VariableNode(0, ["$e", "x"])])]))]
    assert rng.else_list is not None and str(rng.else_list) == "none"


def test_define_and_block_add_named_trees() -> None:
    trees = parse("outer", 'a{{block "inner" .}}bar{{.}}baz{{end}}b{{define "d"}}D{{end}}')
    assert {k: str(v.root) for k, v in trees.items()} == {
        "outer": 'a{{template "inner" .}}b', "inner": "bar{{.}}baz", "d": "D"}
    assert {t.parse_name for t in trees.values()} == {"outer"}
    # A file holding only definitions still yields its (empty) top-level tree.
    only = parse("f", '{{define "x"}}1{{end}}\n')
    assert n.is_empty_tree(only["f"].root) and str(only["x"].root) == "1"


def test_empty_definition_does_not_clash_with_a_full_one() -> None:
    trees = parse("t", '{{define "a"}} {{end}}{{define "a"}}x{{end}}{{define "a"}}{{end}}')
    assert str(trees["a"].root) == "x"


@pytest.mark.parametrize(("text", "empty"), [
    ("", True), ("hello", False), (" \t\n \t\n", True), ("{{/* comment */}}", True),
    ('{{define "x"}}something{{end}}', True),
    ("{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n", True),
    ("{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n", False),
    ("{{define `x`}}something{{end}}{{if 3}}foo{{end}}", False),
])
def test_is_empty_tree(text: str, empty: bool) -> None:
    assert n.is_empty_tree(parse("root", text)["root"].root) is empty


# (name, input, Go's full error text)
ERRORS = [
    ("empty action", "{{}}", "template: t:1: missing value for command"),
    ("newline in empty action", "{{\n}}", "template: t:2: missing value for command"),
    ("unclosed action", "hello{{range", "template: t:1: unclosed action"),
    ("unmatched end", "{{end}}", "template: t:1: unexpected {{end}}"),
    ("unmatched else", "{{else}}", "template: t:1: unexpected {{else}}"),
    ("unmatched else after if", "{{if .X}}hello{{end}}{{else}}", "template: t:1: unexpected {{else}}"),
    ("multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}", "template: t:1: expected end; found {{else}}"),
    ("missing end", "hello{{range .x}}", "template: t:1: unexpected EOF"),
    ("missing end after else", "hello{{range .x}}{{else}}", "template: t:1: unexpected EOF"),
    ("undefined function", "hello{{undefined}}", 'template: t:1: function "undefined" not defined'),
    ("undefined variable", "{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("range variables end with range", "{{range $i, $v := .}}{{end}}{{$v}}", 'template: t:1: undefined variable "$v"'),
    ("variable undefined in template", "{{template $v}}", 'template: t:1: unexpected "$v" in template clause'),
    ("declare with field", "{{with $x.Y := 4}}{{end}}", 'template: t:1: undefined variable "$x"'),
    ("template with field ref", "{{template .X}}", 'template: t:1: unexpected ".X" in template clause'),
    ("invalid punctuation", "{{printf 3, 4}}", 'template: t:1: unexpected "," in operand'),
    ("multidecl outside range", "{{with $v, $u := 3}}{{end}}", "template: t:1: too many declarations in with"),
    ("too many decls in range", "{{range $u, $v, $w := 3}}{{end}}", "template: t:1: too many declarations in range"),
    ("multidecl", "{{$a,$b,$c := 23}}", "template: t:1: too many declarations in command"),
    ("dot applied to parentheses", "{{printf (printf .).}}", "template: t:1: unexpected <.> in operand"),
    ("adjacent args", "{{printf 3`x`}}", 'template: t:1: unexpected "`x`" in operand'),
    ("adjacent args with .", "{{printf `x`.}}", "template: t:1: unexpected <.> in operand"),
    ("extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", "template: t:1: unexpected {{end}}"),
    ("break outside range", "{{range .}}{{end}} {{break}}", "template: t:1: {{break}} outside {{range}}"),
    ("continue outside range", "{{range .}}{{end}} {{continue}}", "template: t:1: {{continue}} outside {{range}}"),
    ("break in range else", "{{range .}}{{else}}{{break}}{{end}}", "template: t:1: {{break}} outside {{range}}"),
    ("continue in with", "{{with 1}}{{continue}}{{end}}", "template: t:1: {{continue}} outside {{range}}"),
    ("break with argument", "{{range .}}{{break 1}}{{end}}", 'template: t:1: unexpected "1" in {{break}}'),
    ("break inside define", '{{range .}}{{define "a"}}{{break}}{{end}}{{end}}', "template: t:1: unexpected <define> in command"),
    ("plus-equals", "{{$x += 1}}{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("bang", "{{$x ! 2}}{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("declare twice", "{{range $x := $y := 3}}{{end}}", 'template: t:1: undefined variable "$y"'),
    ("bang after var", "{{$x:=.}}{{$x!2}}", "template: t:1: bad character U+0021 '!'"),
    ("plus after var", "{{$x:=.}}{{$x+2}}", "template: t:1: bad character U+002B '+'"),
    ("dot after integer", "{{1.E}}", 'template: t:1: illegal number syntax: "1.E"'),
    ("dot after float", "{{0.1.E}}", 'template: t:1: unexpected . after term "0.1"'),
    ("dot after boolean", "{{true.E}}", 'template: t:1: unexpected . after term "true"'),
    ("dot after char", "{{'a'.any}}", "template: t:1: unexpected . after term \"'a'\""),
    ("dot after string", '{{"hello".guys}}', 'template: t:1: unexpected . after term "\\"hello\\""'),
    ("dot after dot", "{{..E}}", 'template: t:1: unexpected . after term "."'),
    ("dot after nil", "{{nil.E}}", 'template: t:1: unexpected . after term "nil"'),
    ("wrong pipeline dot", "{{12|.}}", "template: t:1: non executable command in pipeline stage 2"),
    ("wrong pipeline number", "{{.|12|printf}}", "template: t:1: non executable command in pipeline stage 2"),
    ("wrong pipeline string", '{{.|printf|"error"}}', "template: t:1: non executable command in pipeline stage 3"),
    ("wrong pipeline char", "{{12|printf|'e'}}", "template: t:1: non executable command in pipeline stage 3"),
    ("wrong pipeline boolean", "{{.|true}}", "template: t:1: non executable command in pipeline stage 2"),
    ("wrong pipeline nil", "{{'c'|nil}}", "template: t:1: non executable command in pipeline stage 2"),
    ("empty pipeline", '{{printf "%d" ( ) }}', "template: t:1: missing value for parenthesized pipeline"),
    ("block without pipeline", '{{block "foo"}}hello{{end}}', "template: t:1: missing value for block clause"),
    ("block with else", '{{block "foo" .}}a{{else}}b{{end}}', "template: t:1: unexpected {{else}} in block clause"),
    ("define needs a string", "{{define .x}}{{end}}", 'template: t:1: unexpected ".x" in define clause'),
    ("define with else", '{{define "a"}}x{{else}}{{end}}', "template: t:1: unexpected {{else}} in define clause"),
    ("define not at top level", '{{if 1}}{{define "a"}}{{end}}{{end}}', "template: t:1: unexpected <define> in command"),
    ("multidefine", "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
     'template: t:1: template: multiple definition of template "a"'),
    ("end with argument", "{{end 1}}", 'template: t:1: unexpected "1" in end'),
    ("else with argument", "{{if 1}}{{else 1}}{{end}}", 'template: t:1: unexpected "1" in else'),
    ("range over nothing", "{{range $k,}}{{end}}", "template: t:1: missing value for range"),
    ("range missing value", "{{range $k, $v := }}{{end}}", "template: t:1: missing value for range"),
    ("range not variable 1", "{{range $k, .}}{{end}}", "template: t:1: range can only initialize variables"),
    ("range not variable 2", "{{range $k, 123 := .}}{{end}}", "template: t:1: range can only initialize variables"),
    ("range undefined var", "{{range $k}}{{end}}", 'template: t:1: undefined variable "$k"'),
    ("range undefined vars", "{{range $k, $v}}{{end}}", 'template: t:1: undefined variable "$v"'),
    # line numbers and the "action started at" context
    ("unclosed1", "line1\n{{", "template: t:2: unclosed action"),
    ("unclosed2", "line1\n{{define `x`}}line2\n{{", "template: t:3: unclosed action"),
    ("unclosed3", 'line1\n{{"x"\n"y"\n', "template: t:4: unclosed action started at t:2"),
    ("unclosed4", "{{\n\n\n\n\n", "template: t:6: unclosed action started at t:1"),
    ("var1", "line1\n{{\nx\n}}", 'template: t:3: function "x" not defined'),
    ("string across lines", 'a\n{{ "x\ny" }}', "template: t:2: unterminated quoted string"),
    ("multilinerawstring", "{{ $v := `\n` }} {{", "template: t:2: unclosed action"),
    ("eof in define", 'a\n{{define "a"}}\n{{ nope }}{{end}}', 'template: t:3: function "nope" not defined'),
    ("unexpected EOF line", "a\n\n{{if 1}}\n", "template: t:4: unexpected EOF"),
    # lexer errors
    ("comment1", "{{/*}}", "template: t:1: unclosed comment"),
    ("comment2", "{{/*\nhello\n}}", "template: t:1: unclosed comment"),
    ("comment is the whole action", "{{/* a */ 1}}", "template: t:1: comment ends before closing delimiter"),
    ("comment needs trim space", "{{-/* c */}}", 'template: t:1: illegal number syntax: "-"'),
    ("lparen", "{{.X (1 2 3}}", "template: t:1: unclosed left paren"),
    ("rparen", "{{.X 1 2 3 ) }}", "template: t:1: unexpected right paren"),
    ("rparen2", "{{(.X 1 2 3", "template: t:1: unclosed action"),
    ("space", "{{`x`3}}", 'template: t:1: unexpected "3" in operand'),
    ("idchar", "{{a#}}", "template: t:1: bad character U+0023 '#'"),
    ("charconst", "{{'a}}", "template: t:1: unterminated character constant"),
    ("stringconst", '{{"a}}', "template: t:1: unterminated quoted string"),
    ("rawstringconst", "{{`a}}", "template: t:1: unterminated raw quoted string"),
    ("number", "{{0xi}}", 'template: t:1: illegal number syntax: "0xi"'),
    ("expected declare", "{{ :x }}", "template: t:1: expected :="),
    ("unprintable", "{{ \u2603 }}", "template: t:1: unrecognized character in action: U+2603 '☃'"),
    ("punctuation", "{{ @ }}", 'template: t:1: unexpected "@" in command'),
    ("long token is shortened", "{{ 3`abcdefghijklmnop` }}", 'template: t:1: unexpected "`abcdefghi"... in operand'),
    # literals the parser rejects
    ("bad escape", '{{ "\\q" }}', "template: t:1: invalid syntax"),
    ("double quote escape in rune", "{{ '\\\"' }}", "template: t:1: invalid syntax"),
    ("single quote escape in string", "{{ \"\\'\" }}", "template: t:1: invalid syntax"),
    ("empty rune", "{{ '' }}", "template: t:1: invalid syntax"),
    ("two runes", "{{ 'ab' }}", "template: t:1: malformed character constant: 'ab'"),
    ("octal escape too big", '{{ "\\400" }}', "template: t:1: invalid syntax"),
    ("surrogate escape", '{{ "\\ud800" }}', "template: t:1: invalid syntax"),
    ("leading-zero 8 and 9", "{{ 089 }}", 'template: t:1: integer overflow: "089"'),
    ("float overflow", "{{ 1e400 }}", 'template: t:1: illegal number syntax: "1e400"'),
    ("integer overflow", "{{ 99999999999999999999 }}", 'template: t:1: integer overflow: "99999999999999999999"'),
    ("prefix only", "{{ 0x }}", 'template: t:1: illegal number syntax: "0x"'),
    ("double underscore", "{{ 1__0 }}", 'template: t:1: illegal number syntax: "1__0"'),
    ("trailing underscore", "{{ 1_ }}", 'template: t:1: illegal number syntax: "1_"'),
    ("binary digit 2", "{{ 0b102 }}", 'template: t:1: bad number syntax: "0b102"'),
    ("lone imaginary", "{{ +i }}", 'template: t:1: illegal number syntax: "+i"'),
    ("bad complex", "{{ 1+2 }}", 'template: t:1: bad number syntax: "1+2"'),
    ("hex float needs exponent", "{{ 0x1.8 }}", 'template: t:1: illegal number syntax: "0x1.8"'),
]


@pytest.mark.parametrize(("name", "text", "want"), ERRORS, ids=[e[0] for e in ERRORS])
def test_parse_error_has_gos_text(name: str, text: str, want: str) -> None:
    with pytest.raises(TemplateParseError) as info:
        parse("t", text, FUNCS)
    assert str(info.value) == want
    assert isinstance(info.value, RenderError)


def test_parse_error_fields_and_helm_wording() -> None:
    with pytest.raises(TemplateParseError) as info:
        parse("web/templates/x.yaml", "a\n{{ 1+2 }}")
    err = info.value
    assert (err.template, err.line, err.detail) == ("web/templates/x.yaml", 2, 'bad number syntax: "1+2"')
    # Helm keeps the text after the last ": " only.
    assert err.helm_message == 'parse error at (web/templates/x.yaml:2): "1+2"'


def test_unknown_function_is_an_error_and_known_ones_parse() -> None:
    with pytest.raises(TemplateParseError, match='function "toYaml" not defined'):
        parse("t", "{{ toYaml . }}")
    assert root("{{ toYaml . | indent 2 }}", ["toYaml", "indent"]) == "{{toYaml . | indent 2}}"
    # text/template's built-ins are always there.
    assert root("{{ and 1 (or 2 3) | not | len | eq 1 | printf | print | println }}", []) \
        == "{{and 1 (or 2 3) | not | len | eq 1 | printf | print | println}}"


def test_break_and_continue_are_functions_when_the_map_defines_them() -> None:
    assert root("{{range .X}}{{break 20}}{{end}}", ["break"]) == "{{range .X}}{{break 20}}{{end}}"
    with pytest.raises(TemplateParseError, match=r'unexpected "20" in \{\{break\}\}'):
        parse("t", "{{range .X}}{{break 20}}{{end}}")


# (literal, is_int, is_uint, is_float, is_complex, int64, uint64, float64, complex128) — Go's numberTests
NUMBERS = [
    ("0", True, True, True, False, 0, 0, 0, 0),
    ("-0", True, True, True, False, 0, 0, 0, 0),
    ("73", True, True, True, False, 73, 73, 73, 0),
    ("7_3", True, True, True, False, 73, 73, 73, 0),
    ("0b10_010_01", True, True, True, False, 73, 73, 73, 0),
    ("0B10_010_01", True, True, True, False, 73, 73, 73, 0),
    ("073", True, True, True, False, 0o73, 0o73, 0o73, 0),
    ("0o73", True, True, True, False, 0o73, 0o73, 0o73, 0),
    ("0O73", True, True, True, False, 0o73, 0o73, 0o73, 0),
    ("0x73", True, True, True, False, 0x73, 0x73, 0x73, 0),
    ("0X73", True, True, True, False, 0x73, 0x73, 0x73, 0),
    ("0x7_3", True, True, True, False, 0x73, 0x73, 0x73, 0),
    ("-73", True, False, True, False, -73, 0, -73, 0),
    ("+73", True, False, True, False, 73, 0, 73, 0),
    ("100", True, True, True, False, 100, 100, 100, 0),
    ("1e9", True, True, True, False, 10**9, 10**9, 1e9, 0),
    ("-1e9", True, False, True, False, -(10**9), 0, -1e9, 0),
    ("-1.2", False, False, True, False, 0, 0, -1.2, 0),
    ("1e19", False, True, True, False, 0, 10**19, 1e19, 0),
    ("1e1_9", False, True, True, False, 0, 10**19, 1e19, 0),
    ("1E19", False, True, True, False, 0, 10**19, 1e19, 0),
    ("-1e19", False, False, True, False, 0, 0, -1e19, 0),
    ("0x_1p4", True, True, True, False, 16, 16, 16, 0),
    ("0X_1P4", True, True, True, False, 16, 16, 16, 0),
    ("0x_1p-4", False, False, True, False, 0, 0, 1 / 16, 0),
    ("4i", False, False, False, True, 0, 0, 0, 4j),
    ("-1.2+4.2i", False, False, False, True, 0, 0, 0, -1.2 + 4.2j),
    ("073i", False, False, False, True, 0, 0, 0, 73j),
    ("0i", True, True, True, True, 0, 0, 0, 0),
    ("-1.2+0i", False, False, True, True, 0, 0, -1.2, -1.2),
    ("-12+0i", True, False, True, True, -12, 0, -12, -12),
    ("13+0i", True, True, True, True, 13, 13, 13, 13),
    ("0123", True, True, True, False, 0o123, 0o123, 0o123, 0),
    ("-0x0", True, True, True, False, 0, 0, 0, 0),
    ("0xdeadbeef", True, True, True, False, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0),
    ("0xef", True, True, True, False, 0xEF, 0xEF, 0xEF, 0),
    ("18446744073709551615", False, True, True, False, 0, 2**64 - 1, 2.0**64, 0),
    ("9223372036854775807", True, True, True, False, 2**63 - 1, 2**63 - 1, 2.0**63, 0),
    ("-9223372036854775808", True, False, True, False, -(2**63), 0, -(2.0**63), 0),
    ("1.5", False, False, True, False, 0, 0, 1.5, 0),
    (".5", False, False, True, False, 0, 0, 0.5, 0),
    ("2.", True, True, True, False, 2, 2, 2, 0),
    ("'a'", True, True, True, False, 97, 97, 97, 0),
    ("'\\n'", True, True, True, False, 10, 10, 10, 0),
    ("'\\\\'", True, True, True, False, 92, 92, 92, 0),
    ("'\\''", True, True, True, False, 39, 39, 39, 0),
    ("'\\xFF'", True, True, True, False, 0xFF, 0xFF, 0xFF, 0),
    ("'\\101'", True, True, True, False, 65, 65, 65, 0),
    ("'パ'", True, True, True, False, 0x30D1, 0x30D1, 0x30D1, 0),
    ("'\\u30d1'", True, True, True, False, 0x30D1, 0x30D1, 0x30D1, 0),
    ("'\\U000030d1'", True, True, True, False, 0x30D1, 0x30D1, 0x30D1, 0),
]


@pytest.mark.parametrize("case", NUMBERS, ids=[c[0] for c in NUMBERS])
def test_number_literal_types_and_values(case: tuple) -> None:
    text, is_int, is_uint, is_float, is_complex, i64, u64, f64, c128 = case
    typ = ItemType.CHAR_CONSTANT if text.startswith("'") else \
        ItemType.COMPLEX if any(s in text[1:] for s in "+-") and text.endswith("i") else ItemType.NUMBER
    num = new_number(0, text, typ)
    assert (num.is_int, num.is_uint, num.is_float, num.is_complex) == (is_int, is_uint, is_float, is_complex)
    assert (num.int64 if is_int else 0, num.uint64 if is_uint else 0) == (i64, u64)
    assert (num.float64 if is_float else 0) == f64
    assert (num.complex128 if is_complex else 0) == c128
    assert str(num) == text
    # The same literal inside a template gives the same node.
    action = parse("t", "{{print " + text + "}}")["t"].root.nodes[0]
    assert isinstance(action, n.ActionNode) and action.pipe.cmds[0].args[1] == num


@pytest.mark.parametrize("text", ["+-2", "0x123.", "1e.", "0xi.", "1+2.", "'x", "'xx'",
                                  "'433937734937734969526500969526500'"])
def test_broken_number_literals_are_errors(text: str) -> None:
    with pytest.raises(TemplateParseError):
        parse("t", "{{print " + text + "}}")


@pytest.mark.parametrize(("literal", "value"), [
    ('"\\u00e9\\x41\\101"', "éAA"),
    ('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', "\a\b\f\n\r\t\v\\\""),
    ('"\\xc3\\xa9"', "é"),  # escapes are bytes: these two make one UTF-8 character
    ('"\\xff"', "\udcff"),  # a byte that is not UTF-8 travels as a surrogate escape
    ('"\\U0001F600"', "\U0001F600"),
    ("`a\\n\r\nb`", "a\\n\nb"),  # raw strings keep backslashes and drop carriage returns
    ('"plain"', "plain"),
])
def test_string_literals_unquote_like_go(literal: str, value: str) -> None:
    action = parse("t", "{{print " + literal + "}}")["t"].root.nodes[0]
    assert isinstance(action, n.ActionNode)
    string = action.pipe.cmds[0].args[1]
    assert isinstance(string, n.StringNode) and string.text == value and string.quoted == literal


def test_line_numbers_and_error_context() -> None:
    text = "{{printf 1234}}\n" * 3 + "x\n  {{ .a.b }}"
    tree = parse("c/templates/x.yaml", text, FUNCS)["c/templates/x.yaml"]
    actions = [node for node in tree.root.nodes if isinstance(node, n.ActionNode)]
    assert [a.line for a in actions] == [1, 2, 3, 5]
    assert [a.pipe.line for a in actions] == [1, 2, 3, 5]
    field = actions[3].pipe.cmds[0].args[0]
    # Go's ErrorContext: line from 1, byte column from 0; a field chain starts at its second field
    # (Helm reports "{{ $.x.y }}" at column 4, the ".x").
    assert tree.error_context(field) == ("c/templates/x.yaml:5:7", ".a.b")
    multibyte = parse("t", "é{{ .x }}")["t"]
    assert multibyte.error_context(multibyte.root.nodes[1].pipe) == ("t:1:5", ".x")  # type: ignore[attr-defined]
    defined = parse("f", 'a\n{{define "d"}}\n{{ .x }}{{end}}')["d"]
    assert defined.error_context(defined.root.nodes[1]) == ("f:3:3", "{{.x}}")


def test_nesting_deeper_than_the_limit_is_a_clear_error() -> None:
    assert root("{{ (((( 1 )))) }}", []) == "{{((((1))))}}"
    for text, message in [
        ("{{ " + "(" * 101 + "1" + ")" * 101 + " }}", "max expression depth exceeded"),
        ("{{if 1}}" * 101 + "{{end}}" * 101, "max control structure depth exceeded"),
        ("{{range .}}" * 101 + "{{end}}" * 101, "max control structure depth exceeded"),
        ("{{if 1}}" + "{{else if 1}}" * 101 + "{{end}}", "max control structure depth exceeded"),
        ("{{block `a` .}}" * 101 + "{{end}}" * 101, "max control structure depth exceeded"),
        ("{{ " + "(" * 100000 + " }}", "max expression depth exceeded"),
    ]:
        with pytest.raises(TemplateParseError, match=message):
            parse("t", text)
    assert parse("t", "{{if 1}}" * 100 + "{{end}}" * 100)
    with pytest.raises(TemplateParseError, match="max expression depth exceeded"):
        parse("t", "{{ ((( 1 ))) }}", max_depth=2)
