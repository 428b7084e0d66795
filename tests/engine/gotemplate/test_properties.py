"""Property tests: printed trees parse back to the same tree; any text lexes and parses to a tree or a
TemplateParseError, quickly."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.engine.gotemplate import parse
from helmpy.errors import TemplateParseError

FUNCS = ["include", "quote", "default"]
_NAMES = st.sampled_from(["a", "b", "Values", "x_1", "é"])
_TEXT = st.text(alphabet=st.sampled_from("ab \n\t-.:é$|()'\"`"), min_size=1, max_size=8)


def _literal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["1", "-2", "0x1F", "0o17", "0b101", "1_000", "1.5e3", "0x1p-2", "3i", "1+2i", "'a'",
                         "'\\n'", "'\\u00e9'", "true", "false", "nil", '"s"', '"\\t\\x41"', "`raw`", "."]),
        st.text(alphabet=st.sampled_from("abc \\\"'xé"), max_size=6).map(lambda s: '"' + s.replace("\\", "\\\\")
                                                                          .replace('"', '\\"') + '"'),
    )


@st.composite
def _operand(draw: st.DrawFn, scope: tuple[str, ...], depth: int) -> str:
    choices = ["literal", "field", "var"] + (["paren"] if depth > 0 else [])
    kind = draw(st.sampled_from(choices))
    if kind == "literal":
        return draw(_literal())
    if kind == "field":
        return "".join("." + draw(_NAMES) for _ in range(draw(st.integers(1, 3))))
    if kind == "var":
        var = draw(st.sampled_from(scope))
        return var + "".join("." + draw(_NAMES) for _ in range(draw(st.integers(0, 2))))
    inner = draw(_pipeline(scope, depth - 1))
    return "(" + inner + ")" + "".join("." + draw(_NAMES) for _ in range(draw(st.integers(0, 1))))


@st.composite
def _pipeline(draw: st.DrawFn, scope: tuple[str, ...], depth: int) -> str:
    first = draw(_operand(scope, depth))
    stages = [first]
    for _ in range(draw(st.integers(0, 2))):
        func = draw(st.sampled_from(FUNCS + ["print", "len"]))
        args = [draw(_operand(scope, depth)) for _ in range(draw(st.integers(0, 2)))]
        stages.append(" ".join([func, *args]))
    return " | ".join(stages)


@st.composite
def _body(draw: st.DrawFn, scope: tuple[str, ...], depth: int, in_range: bool) -> str:
    parts: list[str] = []
    prev_text = False
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "action", "decl", "if", "with", "range", "template", "loop"]
                                    if depth > 0 else ["text", "action", "decl"]))
        if kind == "text" and not prev_text:
            parts.append(draw(_TEXT))
        elif kind == "action":
            parts.append("{{" + draw(_pipeline(scope, 2)) + "}}")
        elif kind == "decl":
            name = "$" + draw(st.sampled_from(["v", "w"]))
            op = " = " if name in scope and draw(st.booleans()) else " := "
            parts.append("{{" + name + op + draw(_pipeline(scope, 2)) + "}}")
            scope = scope + (name,)
        elif kind in ("if", "with"):
            out = "{{" + kind + " " + draw(_pipeline(scope, 2)) + "}}" + draw(_body(scope, depth - 1, in_range))
            for _ in range(draw(st.integers(0, 2))):
                out += "{{else " + kind + " " + draw(_pipeline(scope, 1)) + "}}" + draw(_body(scope, depth - 1, in_range))
            if draw(st.booleans()):
                out += "{{else}}" + draw(_body(scope, depth - 1, in_range))
            parts.append(out + "{{end}}")
        elif kind == "range":
            decl, inner = draw(st.sampled_from([("", ()), ("$i := ", ("$i",)), ("$i, $e := ", ("$i", "$e"))]))
            out = "{{range " + decl + draw(_pipeline(scope, 2)) + "}}" + draw(_body(scope + inner, depth - 1, True))
            if draw(st.booleans()):
                out += "{{else}}" + draw(_body(scope, depth - 1, in_range))
            parts.append(out + "{{end}}")
        elif kind == "template":
            arg = " " + draw(_pipeline(scope, 1)) if draw(st.booleans()) else ""
            parts.append('{{template "t' + str(draw(st.integers(0, 3))) + '"' + arg + "}}")
        elif kind == "loop" and in_range:
            parts.append(draw(st.sampled_from(["{{break}}", "{{continue}}"])))
        prev_text = kind == "text"
    return "".join(parts)


@st.composite
def templates(draw: st.DrawFn) -> str:
    out = draw(_body(("$",), 3, False))
    if draw(st.booleans()):
        out += '{{define "d"}}' + draw(_body(("$",), 2, False)) + "{{end}}"
    return out


@settings(max_examples=300, deadline=None)
@given(templates())
def test_printed_tree_parses_back_to_the_same_tree(source: str) -> None:
    trees = parse("t", source, FUNCS)
    for name, tree in trees.items():
        printed = str(tree.root)
        again = parse(name, printed, FUNCS)[name]
        assert again.root == tree.root, (source, printed)
        assert str(again.root) == printed


@st.composite
def _hostile(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.one_of(st.sampled_from(
        ["{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", "{{if 1}}", "{{end}}", "{{range .}}", "{{else}}",
         '{{define "x"}}', "$x", ":=", "(", ")", "'", '"', "`", "|", " ", "\n", ".a", "0x", "1e", "-", "_"]),
        st.text(max_size=4)), max_size=40)))


@settings(max_examples=500, deadline=None)
@given(_hostile())
def test_any_text_parses_or_fails_with_a_parse_error(source: str) -> None:
    start = time.process_time()
    try:
        trees = parse("t", source, FUNCS)
    except TemplateParseError as err:
        assert str(err).startswith("template: t:")
    else:
        assert "t" in trees
    assert time.process_time() - start < 1.0


HOSTILE = ['"{{" * 100_000', '"{{/*" * 50_000', '"{{- " * 50_000', '"x" * 2_000_000 + "{{"', '"{{ " + "(" * 100_000',
           '"{{ " + \'"\' * 100_000', '"{{ 1" + " | print" * 10_000 + " }}"', '"{{ print " + "1 " * 20_000 + "}}"',
           '" \\n" * 500_000 + "{{- 1 -}}" + " \\n" * 500_000', '"{{if 1}}{{else if 1}}" * 20_000',
           '"{{ .a }}\\n" * 10_000']
_MEASURE = """
import sys, time
from helmpy.engine.gotemplate.parser import parse
from helmpy.errors import TemplateParseError
for expr in sys.argv[1:]:
    source = eval(expr)
    start = time.process_time()
    try:
        parse("t", source)
    except TemplateParseError:
        pass
    print(f"{time.process_time() - start:.3f}")
"""


def test_hostile_inputs_finish_quickly() -> None:
    """Each hostile source parses (or fails) in under 5 s of CPU, measured in a fresh process: a bound on the
    parser's own work, not on the machine's load or on what the rest of the test session keeps in memory."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *HOSTILE], capture_output=True, text=True, cwd=root,
                          env={**__import__("os").environ, "PYTHONPATH": str(root)}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    seconds = [float(line) for line in proc.stdout.split()]
    assert len(seconds) == len(HOSTILE)
    slow = [(expr, t) for expr, t in zip(HOSTILE, seconds, strict=True) if t >= 5.0]
    assert slow == []
