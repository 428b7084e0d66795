"""Properties of execution: printf agrees with a Python reference where the mapping is exact, and
random templates built from the grammar either render or fail with the engine's own error classes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy.engine.gotemplate import TemplateSet
from helmpy.engine.gotemplate.fmt import sprintf
from helmpy.engine.sandbox import Limits
from helmpy.errors import RenderLimitError, TemplateExecError, TemplateParseError

ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ascii_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)


@given(ints, st.integers(min_value=0, max_value=30), st.sampled_from("dxXob"))
def test_printf_integers_match_python(value: int, width: int, verb: str) -> None:
    py = {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb]
    assert sprintf(f"%{width}{verb}", value) == format(value, f"{width}{py}")
    assert sprintf(f"%-{width}{verb}", value) == format(value, f"<{width}{py}")
    assert sprintf("%v", value) == str(value)


@given(ascii_text, st.integers(min_value=0, max_value=30))
def test_printf_strings_match_python(text: str, width: int) -> None:
    assert sprintf(f"%{width}s|%-{width}s", text, text) == f"{text:>{width}}|{text:<{width}}"
    assert sprintf("%x", text) == text.encode().hex()
    if '"' not in text and "\\" not in text:
        assert sprintf("%q", text) == f'"{text}"'


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=0, max_value=12))
def test_printf_fixed_and_exponent_floats_match_python(value: float, prec: int) -> None:
    assert sprintf(f"%.{prec}f", value) == f"{value:.{prec}f}"
    assert sprintf(f"%.{prec}e", value) == f"{value:.{prec}e}"
    assert float(sprintf("%v", value)) == value  # shortest form round-trips


_TERMS = [".", ".a", ".a.b", ".l", ".m", "$", "$.a", "1", "1.5", '"s"', "true", "nil", "'x'", "0x1F", "$x"]
_FUNCS = ["and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt", "le",
          "gt", "ge", "html", "js", "urlquery", "call"]


@st.composite
def pipelines(draw: st.DrawFn, depth: int = 0) -> str:
    if depth < 2 and draw(st.booleans()):
        fn = draw(st.sampled_from(_FUNCS))
        args = draw(st.lists(st.sampled_from(_TERMS), max_size=3))
        inner = draw(pipelines(depth + 1))
        return f"{fn} {' '.join(args)} ({inner})"
    return draw(st.sampled_from(_TERMS))


@st.composite
def templates(draw: st.DrawFn, depth: int = 0) -> str:
    parts = ["{{ $x := .a }}"]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["text", "action", "if", "range", "with", "template"] if depth < 2
                                    else ["text", "action"]))
        pipe = draw(pipelines())
        if kind == "text":
            parts.append(draw(st.sampled_from(["x", " ", "\n", "{{- ' ' -}}"])))
        elif kind == "action":
            parts.append("{{ " + pipe + " }}")
        elif kind == "template":
            parts.append('{{ template "d" ' + pipe + " }}")
        else:
            body = draw(templates(depth + 1))
            other = draw(templates(depth + 1))
            extra = "{{ break }}" if kind == "range" and draw(st.booleans()) else ""
            parts.append(f"{{{{ {kind} {pipe} }}}}{body}{extra}{{{{ else }}}}{other}{{{{ end }}}}")
    return "".join(parts)


DATA = {"a": {"b": [1.0, None]}, "l": [1.0, "two", None, {"k": "v"}], "m": {"z": 1.0, "y": [True]}}


@settings(max_examples=300, deadline=None)
@given(templates())
def test_random_templates_render_or_fail_cleanly(text: str) -> None:
    ts = TemplateSet(limits=Limits(timeout_seconds=5, max_output_bytes=1 << 20, max_recursion=10))
    try:
        ts.add("d", '{{ define "d" }}[{{ . }}]{{ end }}')
        ts.add("t", text)
        out = ts.execute("t", DATA)
    except (TemplateParseError, TemplateExecError, RenderLimitError):
        return
    assert isinstance(out, str)


def _outcome(ts: TemplateSet, data: object) -> str:
    try:
        return ts.execute("t", data)
    except (TemplateExecError, RenderLimitError) as err:
        return f"{type(err).__name__}: {err}"


@settings(max_examples=200, deadline=None)
@given(templates(), st.sampled_from([DATA, {"a": "s", "l": [], "m": {}}, {}]))
def test_a_template_answers_the_same_on_every_execution(text: str, data: object) -> None:
    """Call sites are made for their function on their second call: executing a template again (every site
    made by then) answers exactly as its first execution did."""
    ts = TemplateSet(limits=Limits(timeout_seconds=5, max_output_bytes=1 << 20, max_recursion=10))
    try:
        ts.add("d", '{{ define "d" }}[{{ . }}]{{ end }}')
        ts.add("t", text)
    except TemplateParseError:
        return
    first = _outcome(ts, data)
    assert _outcome(ts, data) == first
    assert _outcome(ts, data) == first
