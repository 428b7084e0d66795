"""Limits inside the built-ins: results are sized before they are built, and the deadline interrupts long calls."""

from __future__ import annotations

import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helmpy.engine import budget
from helmpy.engine.render import Limits
from helmpy.engine.sandbox import Guard
from helmpy.engine.textfuncs import indent, repeat, replace
from helmpy.errors import RenderLimitError
from tests.engine.conftest import render_one

CAP = 5000
LIMITS = Limits(timeout_seconds=10.0, max_output_bytes=CAP, max_recursion=20)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(n=st.integers(min_value=-3, max_value=3000), s=st.text(max_size=12))
def test_repeat_equals_python_under_the_cap_and_errors_above(n, s):
    expected = s * max(n, 0)
    try:
        out = render_one("{{ repeat(Values.n, Values.s) }}", {"n": n, "s": s}, limits=LIMITS)
    except RenderLimitError as err:
        assert len(expected) > CAP
        assert "HELMPY_RENDER_MAX_OUTPUT" in str(err) and "repeat" in str(err)
    else:
        assert len(expected) <= CAP
        assert out == expected


@PROPERTY
@given(n=st.integers(min_value=0, max_value=2000), s=st.text(alphabet="ab\n", max_size=20))
def test_indent_equals_python_under_the_cap_and_errors_above(n, s):
    pad = " " * n
    expected = pad + s.replace("\n", "\n" + pad)
    try:
        out = render_one("{{ Values.s | indent(Values.n) }}", {"n": n, "s": s}, limits=LIMITS)
    except RenderLimitError:
        assert len(expected) > CAP
    else:
        assert out == expected


@PROPERTY
@given(text=st.text(alphabet="ab", max_size=40), old=st.text(alphabet="ab", min_size=1, max_size=2),
       new=st.text(alphabet="xyz", max_size=400))
def test_replace_equals_python_under_the_cap_and_errors_above(text, old, new):
    expected = text.replace(old, new)
    guard = Guard(LIMITS)
    with budget.active(guard):
        try:
            out = replace(old, new, text)
        except RenderLimitError:
            assert len(expected) > CAP
        else:
            assert out == expected


def test_functions_outside_a_render_are_not_limited():
    assert len(repeat(10_000, "ab")) == 20_000
    assert indent(3, "a\nb") == "   a\n   b"


@pytest.mark.parametrize("source", [
    "{{ 'x' * 6000 }}", "{{ ['x'] * 1000 }}", "{{ 'x'.rjust(6000) }}", "{{ '%6000d' % 1 }}", "{{ '{:6000}'.format(1) }}",
    "{{ ('x' * 3000) ~ ('y' * 3000) }}", "{{ ('x' * 3000) + ('y' * 3000) }}", "{{ 'x' | center(6000) }}",
    "{{ printf('%6000s', 'x') }}", "{{ lipsum(100) }}", "{{ until(1000) }}", "{{ range(1000) | list }}",
    "{{ b64enc('x' * 4000) }}", "{{ range(100) | join('x' * 100) }}", "{{ 'a b' | wordwrap(1, wrapstring='x' * 5000) }}",
    "{{ [1] | batch(1000, 0) | list }}", "{{ ('x' * 4000) | urlquery }}",
])
def test_every_growing_builtin_is_sized_first(r, source):
    with pytest.raises(RenderLimitError, match="would be larger than the output limit of 5000 bytes"):
        r(source, limits=LIMITS)


def test_small_results_render_as_before(r):
    src = ("{{ 'ab' * 2 }}|{{ 'x'.rjust(3) }}|{{ '%3d' % 7 }}|{{ '{:>3}'.format(1) }}|{{ 'a' ~ 1 }}|{{ 'a' + 'b' }}|"
           "{{ [1] + [2] }}|{{ 7 % 3 }}|{{ 2 * 3 }}|{{ printf('%-3s|', 'a') }}|{{ until(3) }}|{{ [1, 1, 2] | uniq }}|"
           "{{ range(3) | join(',') }}|{{ 'a b' | title }}|{{ quote('x\"') }}")
    assert r(src) == 'abab|  x|  7|  1|a1|ab|[1 2]|1|6|a  ||[0 1 2]|[1 2]|0,1,2|A B|"x\\""'


def test_shared_references_print_once_each(r):
    src = "{% set a = [1, 2] %}{% set b = [a, a] %}{{ [b, b] }}"
    assert r(src) == "[[[1 2] [1 2]] [[1 2] [1 2]]]"


def test_huge_integer_products_are_refused(r):
    with pytest.raises(RenderLimitError, match="more than 1000000 bits"):
        r("{{ 2 ** 600000 * 2 ** 600000 }}")
    assert r("{{ mul(2, 3, 4) }}") == "24"


def test_a_long_python_call_is_interrupted_at_the_deadline(r):
    """``title`` of a long string is one call; it still stops at the deadline."""
    limits = Limits(timeout_seconds=0.5, max_output_bytes=64 * 1024 * 1024, max_recursion=20)
    start = time.monotonic()
    with pytest.raises(RenderLimitError, match="longer than 0.5s"):
        r("{{ ('a ' * 20000000) | title | length }}", limits=limits)
    assert time.monotonic() - start < 3


def test_deadline_alarm_restores_the_previous_timer_and_handler():
    fired: list[int] = []

    def previous(signum, _frame):
        fired.append(signum)

    old = signal.signal(signal.SIGALRM, previous)
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        with budget.deadline_alarm(Guard(Limits(timeout_seconds=1.0))):
            pass
        assert signal.getsignal(signal.SIGALRM) is previous
        assert 3.0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 5.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not fired


def test_deadline_alarm_raises_the_named_limit():
    guard = Guard(Limits(timeout_seconds=0.2))
    with pytest.raises(RenderLimitError, match="limit HELMPY_RENDER_TIMEOUT"), budget.deadline_alarm(guard):
        while True:
            pass
