"""Sandbox escapes and resource limits: every one is a clear RenderError, never a crash or a hang."""

from __future__ import annotations

import time
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment

from helmpy.engine import funcs
from helmpy.engine.render import Limits
from helmpy.engine.sandbox import ChartEnvironment, Guard, HelmUndefined
from helmpy.errors import RenderError, RenderLimitError, SandboxViolation, UsageError


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ Files.Get.__globals__ }}",
    "{{ Files._files }}",
    "{{ toYaml.__globals__ }}",
    "{{ (''|attr('__class__')) }}",
    "{{ Values.x.__class__ }}",
    "{{ Values.missing.__class__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ ''['__class__'] }}",
    "{{ self._TemplateReference__context }}",
    "{{ range.__self__ }}",
])
def test_attribute_escapes_are_violations(r, source):
    with pytest.raises(SandboxViolation) as err:
        r(source, {"x": "s"})
    msg = str(err.value)
    assert msg.startswith("web/templates/t.yaml:1: ")
    assert "not allowed in templates (sandbox)" in msg


def test_violation_is_a_render_error():
    assert issubclass(SandboxViolation, RenderError)


@pytest.mark.parametrize("source, path", [
    ("{% include '../../etc/passwd' %}", "../../etc/passwd"),
    ("{% include '/etc/passwd' %}", "/etc/passwd"),
    ("{% import '../Chart.yaml' as x %}", "../Chart.yaml"),
    ("{% extends '../../x' %}", "../../x"),
])
def test_template_paths_cannot_leave_the_chart(r, source, path):
    with pytest.raises(SandboxViolation) as err:
        r(source)
    assert repr(path) in str(err.value)
    assert str(err.value).startswith("web/templates/t.yaml:1: include:")


@pytest.mark.parametrize("call", ["Files.Get('../x')", "Files.Get('/etc/passwd')", "Files.GetBytes('a/../../x')",
                                  "Files.Lines('..')", "Files.Get('C:/x')"])
def test_files_cannot_leave_the_chart(r, call):
    with pytest.raises(SandboxViolation) as err:
        r(f"{{{{ {call} }}}}", files={"x": b"inside"})
    assert "Files." in str(err.value) and ("'..' is not allowed" in str(err.value) or "absolute" in str(err.value))


def test_include_of_other_chart_files_is_not_found(r):
    with pytest.raises(RenderError, match="not found in this chart's templates/"):
        r("{% include 'values.yaml' %}")


def test_unsafe_python_calls_are_blocked(r):
    with pytest.raises(SandboxViolation):
        r("{{ ''.format.__self__ }}")
    # str.format goes through Jinja's safe formatter
    with pytest.raises(SandboxViolation):
        r("{{ '{0.__class__}'.format('') }}")


def test_huge_loop_hits_the_time_limit(r):
    limits = Limits(timeout_seconds=0.5, max_output_bytes=10 ** 12, max_recursion=50)
    start = time.monotonic()
    with pytest.raises(RenderLimitError, match="longer than 0.5s"):
        r("{% for i in range(10**9) %}{% endfor %}", limits=limits)
    assert time.monotonic() - start < 5


def test_nested_loops_without_output_hit_the_time_limit(r):
    limits = Limits(timeout_seconds=0.5, max_output_bytes=10 ** 12, max_recursion=50)
    with pytest.raises(RenderLimitError):
        r("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits=limits)


def test_range_through_filters_hits_the_time_limit(r):
    limits = Limits(timeout_seconds=0.3, max_output_bytes=10 ** 12, max_recursion=50)
    with pytest.raises(RenderLimitError):
        r("{{ range(10**9) | sum }}", limits=limits)


def test_huge_output_hits_the_output_limit(r, fast_limits):
    start = time.monotonic()
    with pytest.raises(RenderLimitError, match="larger than 1000000 bytes"):
        r("{% for i in range(1000) %}{% for j in range(1000) %}{{ i }} lots of text here\n{% endfor %}{% endfor %}",
          limits=fast_limits)
    assert time.monotonic() - start < 5


def test_string_multiplication_is_capped(r, fast_limits):
    with pytest.raises(RenderLimitError, match="larger than the output limit"):
        r("{{ 'x' * 10**10 }}", limits=fast_limits)
    with pytest.raises(RenderLimitError):
        r("{{ [1] * 10**10 }}", limits=fast_limits)
    assert r("{{ 'ab' * 3 }}", limits=fast_limits) == "ababab"


def test_huge_power_is_refused(r, fast_limits):
    with pytest.raises(RenderLimitError, match="too large"):
        r("{{ 10 ** 100000000 }}", limits=fast_limits)
    assert r("{{ 2 ** 10 }}") == "1024"


def test_macro_recursion_hits_the_depth_limit(r, fast_limits):
    src = "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}"
    with pytest.raises(RenderLimitError, match="macro 'down' nested deeper than 20 levels"):
        r(src, limits=fast_limits)


def test_recursion_through_partials_and_include(r, fast_limits):
    with pytest.raises(RenderLimitError, match="nested deeper than 20 levels"):
        r("{{ include('loop') }}", templates={"_l.tpl": "{% macro loop() %}{{ include('loop') }}{% endmacro %}"},
          limits=fast_limits)


def test_template_including_itself_hits_the_depth_limit(r, fast_limits):
    with pytest.raises(RenderLimitError, match="template 'web/templates/t.yaml' nested deeper"):
        r("x{% include 't.yaml' %}", limits=fast_limits)


def test_bounded_recursion_is_fine(r):
    src = "{% macro count(n) %}{{ n }}{% if n < 5 %},{{ count(n + 1) }}{% endif %}{% endmacro %}{{ count(0) }}"
    assert r(src) == "0,1,2,3,4,5"


@pytest.mark.parametrize("source, templates", [
    ("{% import '_m.tpl' as m %}{{ m.down(0) }}", {"_m.tpl": "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}"}),
    ("{% macro down(f) %}{{ f(f) }}{% endmacro %}{{ down(down) }}", {}),
    ("{% macro wrap() %}{{ caller() }}{% endmacro %}"
     "{% macro down() %}{% call wrap() %}{{ down() }}{% endcall %}{% endmacro %}{{ down() }}", {}),
])
def test_every_kind_of_macro_call_counts_against_the_depth_limit(r, fast_limits, source, templates):
    with pytest.raises(RenderLimitError, match="macro '[a-z]+' nested deeper than 20 levels"):
        r(source, templates=templates, limits=fast_limits)


def test_finished_macro_calls_give_their_depth_back(r, fast_limits):
    src = "{% macro one(n) %}{{ n }}{% endmacro %}{% for i in range(50) %}{{ one(i % 10) }}{% endfor %}"
    assert r(src, limits=fast_limits) == "0123456789" * 5


def _chart_env(guard: Guard, **filters: Any) -> ChartEnvironment:
    env = ChartEnvironment(chart_path="c", sources={}, guard=guard, undefined=HelmUndefined, value_paths={})
    funcs.install(env, None)
    env.filters.update(filters)
    return env


@pytest.mark.parametrize("callee", ["m()", "dict()", "_helmpy_concat('a', 'b')"])
def test_calls_check_the_deadline(callee):
    """Nothing is printed and nothing loops: only the calls themselves read the clock."""
    guard = Guard(Limits(timeout_seconds=0.0))
    src = "{% macro m() %}{% endmacro %}" + f"{{% set _ = {callee} %}}" * 40
    with pytest.raises(RenderLimitError, match="limit HELMPY_RENDER_TIMEOUT"):
        _chart_env(guard).from_string(src).render()
    assert guard.depth == 0


def test_stop_iteration_out_of_a_macro_is_undefined_as_in_jinja():
    def boom(_value: Any) -> Any:
        raise StopIteration

    src = "{% macro m() %}never{{ 1 | boom }}{% endmacro %}[{{ m() }}]"
    jinja = SandboxedEnvironment()
    jinja.filters["boom"] = boom
    assert jinja.from_string(src).render() == "[]"
    guard = Guard(Limits())
    assert _chart_env(guard, boom=boom).from_string(src).render() == "[]"
    assert guard.depth == 0


@pytest.mark.parametrize("src", [
    "{% macro m(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1, 2) }}{{ m('x', m(3, 4)) }}",
    "{% macro m(a, b=7) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }}|{{ m(1, 2) }}|{{ m(1, b=3) }}|{{ m(a=0) }}",
    "{% macro m(a) %}{{ a }}:{{ varargs | join(',') }}:{{ kwargs.x }}{% endmacro %}{{ m(1) }}|{{ m(1, 2, 3, x=3) }}",
    "{% macro m(a) %}<{{ caller(a) }}>{% endmacro %}{% call(x) m(5) %}in{{ x }}{% endcall %}",
    "{% macro m() %}[{{ caller() if caller is defined else 'none' }}]{% endmacro %}{{ m() }}",
    "{% macro m(a=5) %}{{ a }}{% endmacro %}{{ m() }}{% for i in range(3) %}{{ m(i) }}{% endfor %}",
    "{% macro outer(x) %}{% macro inner(y) %}{{ x }}{{ y }}{% endmacro %}{{ inner(x * 2) }}{% endmacro %}"
    "{{ outer(2) }}",
])
def test_macro_calls_answer_as_in_jinja(src):
    """Macros called with exactly their positional arguments skip Jinja's argument matching in the
    sandbox: every call shape gives Jinja's own output."""
    jinja = SandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    guard = Guard(Limits())
    assert _chart_env(guard).from_string(src).render() == jinja.from_string(src).render()
    assert guard.depth == 0


def test_a_macro_given_too_many_arguments_fails_as_in_jinja():
    src = "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}"
    with pytest.raises(TypeError, match="takes not more than 1 argument"):
        SandboxedEnvironment().from_string(src).render()
    with pytest.raises(TypeError, match="takes not more than 1 argument"):
        _chart_env(Guard(Limits())).from_string(src).render()


def test_limits_read_environment(monkeypatch):
    monkeypatch.setenv("HELMPY_RENDER_TIMEOUT", "2.5")
    monkeypatch.setenv("HELMPY_RENDER_MAX_OUTPUT", "1234")
    monkeypatch.setenv("HELMPY_RENDER_MAX_DEPTH", "7")
    assert Limits() == Limits(timeout_seconds=2.5, max_output_bytes=1234, max_recursion=7)
    monkeypatch.setenv("HELMPY_RENDER_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="HELMPY_RENDER_TIMEOUT='soon' is not a positive number of seconds"):
        Limits()


def test_default_limits(monkeypatch):
    for var in ("HELMPY_RENDER_TIMEOUT", "HELMPY_RENDER_MAX_OUTPUT", "HELMPY_RENDER_MAX_DEPTH"):
        monkeypatch.delenv(var, raising=False)
    assert Limits() == Limits(timeout_seconds=30.0, max_output_bytes=64 * 1024 * 1024, max_recursion=100)


def test_output_limit_env_applies_to_render(r, monkeypatch):
    monkeypatch.setenv("HELMPY_RENDER_MAX_OUTPUT", "100")
    with pytest.raises(RenderLimitError, match="HELMPY_RENDER_MAX_OUTPUT"):
        r("{{ 'x' * 50 }}{{ 'y' * 60 }}")
