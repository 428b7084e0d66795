"""Executor behaviour Helm cannot show with only built-ins: the Go-object hook, function maps,
missingkey=error, the template namespace, the compile cache and the render limits."""

from __future__ import annotations

import pytest

from helmpy.engine.gotemplate import FuncSpec, GoMethod, TemplateSet, helm_parse_order, json_numbers
from helmpy.engine.sandbox import Limits
from helmpy.errors import RenderLimitError, TemplateExecError, TemplateFuncError, TemplateParseError


def run(text: str, data: object = None, **kwargs: object) -> str:
    ts = TemplateSet(**kwargs)  # type: ignore[arg-type]
    ts.add("t", text)
    return ts.execute("t", data)


def error(text: str, data: object = None, **kwargs: object) -> str:
    with pytest.raises(TemplateExecError) as info:
        run(text, data, **kwargs)
    return str(info.value)


class KubeVersion:
    """A struct with fields and a String() method, like Helm's chartutil.KubeVersion."""

    go_type = "chartutil.KubeVersion"

    def go_member(self, name: str) -> object:
        return {"Major": "1", "Minor": "30", "Version": "v1.30.0"}[name]

    def go_string(self) -> str:
        return "v1.30.0"


class Capabilities:
    go_type = "*chartutil.Capabilities"

    def __init__(self) -> None:
        self.apis = ["v1", "apps/v1"]

    def go_member(self, name: str) -> object:
        if name == "KubeVersion":
            return KubeVersion()
        if name == "Has":
            return GoMethod(lambda api: api in self.apis, "Has", ("string",))
        if name == "First":
            return GoMethod(lambda: self.apis[0], "First")
        raise KeyError(name)

    def go_string(self) -> str:
        return "&{...}"


CAPS = {"Capabilities": Capabilities(), "Api": "apps/v1"}
CAPS["Holder"] = {"c": CAPS["Capabilities"], "v": "x/v1"}


@pytest.mark.parametrize(("text", "want"), [
    ("{{ .Capabilities.KubeVersion.Minor }}", "30"),
    ("{{ .Capabilities.KubeVersion }}", "v1.30.0"),
    ('{{ .Capabilities.Has "apps/v1" }} {{ .Capabilities.Has "x/v1" }}', "true false"),
    ('{{ "v1" | .Capabilities.Has }}', "true"),
    ("{{ .Capabilities.First }}", "v1"),
    # a method's arguments are evaluated with the command's dot, not with the receiver's
    ('{{ $c := .Capabilities }}{{ with .Api }}{{ $c.Has . }}{{ end }}', "true"),
    ("{{ with .Holder }}{{ .c.Has .v }}{{ end }}", "false"),
    ("{{ if .Capabilities }}yes{{ end }}", "yes"),
    ('{{ printf "%s|%v" .Capabilities.KubeVersion .Capabilities.KubeVersion.Major }}', "v1.30.0|1"),
])
def test_go_objects_expose_fields_and_methods(text: str, want: str) -> None:
    assert run(text, CAPS) == want


@pytest.mark.parametrize(("text", "detail"), [
    # held in a map, so Go names the interface (as real Helm prints: test_render_errors.py)
    ("{{ .Capabilities.Nope }}", "can't evaluate field Nope in type interface {}"),
    ("{{ .Capabilities.KubeVersion.Nope }}", "can't evaluate field Nope in type chartutil.KubeVersion"),
    ("{{ .Capabilities.KubeVersion.Minor 1 }}", "Minor has arguments but cannot be invoked as function"),
    ("{{ .Capabilities.Has }}", "wrong number of args for Has: want 1 got 0"),
    ("{{ .Capabilities.Has 1 }}", "expected string; found 1"),
])
def test_go_object_errors(text: str, detail: str) -> None:
    assert error(text, CAPS).endswith(": " + detail)


def fail(msg: str) -> str:
    raise TemplateFuncError(msg)


FUNCS = {
    "upper": str.upper,
    "join": lambda sep, *parts: sep.join(map(str, parts)),
    "fail": fail,
    "repeat": FuncSpec(lambda count, s: s * count, ("int", "string")),
    "len": lambda v: 99,  # a function map may replace a built-in, as in Go
}


@pytest.mark.parametrize(("text", "want"), [
    ('{{ "ab" | upper }}', "AB"),
    ('{{ join "-" 1 2 "x" }}', "1-2-x"),
    ('{{ repeat 3 "ab" }}', "ababab"),
    ('{{ repeat 2.0 "x" }}', "xx"),  # a float literal that is an integer converts, as in Go
    ('{{ len "abc" }}', "99"),
])
def test_function_map(text: str, want: str) -> None:
    assert run(text, {}, funcs=FUNCS) == want


@pytest.mark.parametrize(("text", "message"), [
    ('{{ fail "boom" }}', 'template: t:1:3: executing "t" at <fail "boom">: error calling fail: boom'),
    ("{{ upper }}", 'template: t:1:3: executing "t" at <upper>: wrong number of args for upper: want 1 got 0'),
    ("{{ join }}", 'template: t:1:3: executing "t" at <join>: wrong number of args for join: want at least 1 got 0'),
    ('{{ repeat "a" "b" }}', 'template: t:1:10: executing "t" at <"a">: expected integer; found "a"'),
    ('{{ repeat 1.5 "b" }}', 'template: t:1:10: executing "t" at <1.5>: expected integer; found 1.5'),
    ("{{ repeat 1 .x }}", 'template: t:1:12: executing "t" at <.x>: wrong type for value; expected string; '
                          "got float64"),
])
def test_function_errors(text: str, message: str) -> None:
    assert error(text, {"x": 1.5}, funcs=FUNCS) == message


def test_unknown_function_is_a_parse_error() -> None:
    with pytest.raises(TemplateParseError, match='function "nope" not defined'):
        run("{{ nope }}")


def test_missingkey_error_in_strict_mode() -> None:
    assert run("[{{ .a }}]", {}) == "[<no value>]"
    assert error("{{ .a }}", {}, strict=True).endswith('map has no entry for key "a"')
    assert error('{{ template "u" }}{{ define "u" }}{{ .a }}{{ end }}', {}, strict=True).endswith(
        'nil data; no entry for key "a"')


def test_later_definitions_replace_earlier_and_empty_ones_never_do() -> None:
    ts = TemplateSet()
    ts.add("b.yaml", '{{ define "x" }}from b{{ end }}')
    ts.add("a.yaml", '{{ define "x" }}from a{{ end }}{{ define "y" }}y{{ end }}')
    ts.add("c.yaml", '{{ define "x" }} {{ end }}{{ template "x" }}')
    assert ts.execute("c.yaml", {}) == "from a"
    assert ts.has("y") and not ts.has("z")
    with pytest.raises(TemplateExecError, match='no template "z" associated'):
        ts.execute("z", {})


def test_helm_parse_order_puts_deeper_paths_first_then_reverse_names() -> None:
    names = ["c/templates/a.yaml", "c/charts/s/templates/_h.tpl", "c/templates/_h.tpl", "c/templates/b.yaml"]
    assert helm_parse_order(names) == ["c/charts/s/templates/_h.tpl", "c/templates/b.yaml",
                                       "c/templates/a.yaml", "c/templates/_h.tpl"]


def test_compiled_templates_are_cached_by_content() -> None:
    a, b = TemplateSet(), TemplateSet()
    a.add("t", "{{ .x }}")
    b.add("t", "{{ .x }}")
    assert a.templates["t"] is b.templates["t"]
    assert b.execute("t", {"x": 1}) == "1"


def test_a_call_site_calls_the_function_of_the_executing_map() -> None:
    """Two sets share one compiled template (same text and function names) but not their functions: a call
    site made for one map's function (its second call) calls the other map's own when that one executes."""
    a, b = TemplateSet({"f": lambda v: f"a{v}"}), TemplateSet({"f": FuncSpec(lambda v: f"b{v}", ("string",))})
    text = "{{ range .n }}{{ f . }}{{ end }}"
    a.add("t", text)
    b.add("t", text)
    assert a.templates["t"] is b.templates["t"]
    for _ in range(2):
        assert a.execute("t", {"n": ["1", "2", "3"]}) == "a1a2a3"
        assert b.execute("t", {"n": ["1", "2", "3"]}) == "b1b2b3"
    with pytest.raises(TemplateExecError, match="wrong type for value; expected string; got float64"):
        b.execute("t", {"n": ["1", "2", 3.0]})  # the third call is on the made call site: b's types hold
    assert a.execute("t", {"n": ["1", "2", 3.0]}) == "a1a2a3.0"


@pytest.mark.parametrize(("text", "ok", "last"), [
    ("{{ upper }}", "x", "x"), ('{{ . | repeat 2 "x" }}', "x", "x"), ("{{ join }}", "x", "x"),
    ("{{ . | repeat 2 }}", "ab", 1.5), ('{{ repeat . "b" }}', 2, "2"), ("{{ repeat 1 . }}", "s", None),
    ("{{ check . }}", "x", "y"), ('{{ . | upper | printf "%s-%d" 1 }}', "v", "w"), ("{{ join . 1 . }}", "-", "+"),
    ('{{ include "d" . }}', "x", "y"), ("{{ . | eq 1 }}", 1, [1]),
])
def test_a_made_call_site_answers_as_the_first_call_does(text: str, ok: object, last: object) -> None:
    """A call site's first call goes the general way, its later ones through the caller made for it: the
    third call's output or error is the same as that value's first call's."""
    funcs = {**FUNCS, "include": FuncSpec(lambda s, name, data: f"<{data}>", ("string", "interface {}"),
                                          takes_state=True),
             "check": lambda v: fail(f"bad {v}") if v == "y" else v}
    loop = "{{ range .n }}" + text + "{{ end }}"

    def result(items: list[object]) -> str:
        try:
            return run(loop, {"n": items}, funcs=funcs)
        except TemplateExecError as err:
            return f"error: {err}"

    alone, before = result([last]), result([ok, ok])
    assert result([ok, ok, last]) == (alone if alone.startswith("error") else before + alone)


def test_json_numbers_turn_every_integer_into_a_float64() -> None:
    assert json_numbers({"a": [1, True, "x"], "b": {"c": 2}}) == {"a": [1.0, True, "x"], "b": {"c": 2.0}}
    assert run("{{ .a }} {{ .b }}", json_numbers({"a": 1000000, "b": 3})) == "1e+06 3"


# --- limits ------------------------------------------------------------------------------------------
def test_deadline_stops_long_loops() -> None:
    with pytest.raises(RenderLimitError, match="HELMPY_RENDER_TIMEOUT"):
        run("{{ range 100000000 }}{{ end }}", limits=Limits(timeout_seconds=0.2))


def test_output_cap() -> None:
    with pytest.raises(RenderLimitError, match="HELMPY_RENDER_MAX_OUTPUT"):
        run("{{ range 1000 }}xxxxxxxxxx{{ end }}", limits=Limits(max_output_bytes=5000))


def test_recursive_templates_hit_the_depth_limit() -> None:
    text = '{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}'
    with pytest.raises(RenderLimitError, match=r'template "r": exceeded maximum template depth \(20\)'):
        run(text, {}, limits=Limits(max_recursion=20))
    with pytest.raises(RenderLimitError):
        run(text, {})  # the default limit holds well inside Python's stack


def test_errors_inside_defines_name_the_define_and_the_file() -> None:
    ts = TemplateSet()
    ts.add("c/templates/_h.tpl", '\n{{ define "h" }}{{ .a.b }}{{ end }}')
    ts.add("c/templates/x.yaml", '{{ template "h" . }}')
    with pytest.raises(TemplateExecError) as info:
        ts.execute("c/templates/x.yaml", {"a": None})
    assert str(info.value) == ('template: c/templates/_h.tpl:2:21: executing "h" at <.a.b>: '
                               "nil pointer evaluating interface {}.b")
    assert (info.value.location, info.value.name, info.value.context) == ("c/templates/_h.tpl:2:21", "h", ".a.b")
