"""Hostile templates against the real ``helmpy template`` / ``helmpy lint``: every built-in that could run for
minutes or eat memory fails within the render deadline with one ``Error:`` line naming the limit, in a
process whose address space is capped at 1 GiB."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 2.0  # HELMPY_RENDER_TIMEOUT for these runs
ADDRESS_SPACE = 1 << 30
TIMEOUT = "HELMPY_RENDER_TIMEOUT"
OUTPUT = "HELMPY_RENDER_MAX_OUTPUT"
DEPTH = "HELMPY_RENDER_MAX_DEPTH"

CHART_YAML = """apiVersion: v2
name: hostile
version: 0.1.0
annotations:
  helmpy.io/template-engine: jinja2
"""
DOUBLED = '{% set ns = namespace(l=["x" * 10000]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}'


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def make_chart(root: Path, template: str, values: str = "", partials: str = "") -> Path:
    chart = root / "hostile"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "cm.yaml").write_text("a: |\n  " + template + "\n")
    if partials:
        (chart / "templates" / "_p.tpl").write_text(partials)
    return chart


def run(chart: Path, *args: str, command: str = "template",
        extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), TIMEOUT: str(DEADLINE)}
    for var in (OUTPUT, DEPTH):
        env.pop(var, None)
    env.update(extra_env or {})
    argv = [sys.executable, "-m", "helmpy", command, *(["x"] if command == "template" else []), str(chart), *args]
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          preexec_fn=_cap_memory)
    return proc, time.monotonic() - start


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long a harmless render takes here (interpreter start and imports, on a busy machine)."""
    proc, elapsed = run(make_chart(tmp_path_factory.mktemp("ok"), "{{ 1 + 1 }}"))
    assert proc.returncode == 0, proc.stderr
    return elapsed


HOSTILE = [
    ("lipsum", "{{ lipsum(10**6) }}", OUTPUT),
    ("lipsum-words", "{{ lipsum(1, False, 10**8, 10**8 + 1) }}", OUTPUT),
    ("repeat", '{{ repeat(10**9, "x") }}', OUTPUT),
    ("repeat-filter", '{{ "xy" | repeat(10**9) }}', OUTPUT),
    ("range-list", "{{ range(10**12) | list }}", OUTPUT),
    ("range-huge", "{{ range(10**100) | length }}", OUTPUT),
    ("string-times", '{{ "x" * 10**10 }}', OUTPUT),
    ("list-times", '{{ ["x" * 1000] * 1000000 }}', OUTPUT),
    ("join", '{{ range(1000000) | join("x" * 1000) }}', OUTPUT),
    ("indent", '{{ "x" | indent(10**9) }}', OUTPUT),
    ("nindent", '{{ ("a\\n" * 100000) | nindent(100000) }}', OUTPUT),
    ("replace", '{{ ("a" * 100000) | replace("a", "b" * 100000) }}', OUTPUT),
    ("printf-width", '{{ printf("%1000000000d", 1) }}', OUTPUT),
    ("printf-precision", '{{ printf("%.1000000000f", 1.5) }}', OUTPUT),
    ("percent-format", '{{ "%1000000000d" % 1 }}', OUTPUT),
    ("format-filter", '{{ "%1000000000s" | format("x") }}', OUTPUT),
    ("str-format", '{{ "{:>1000000000}".format(1) }}', OUTPUT),
    ("str-ljust", '{{ "x".ljust(10**9) }}', OUTPUT),
    ("center", '{{ "x" | center(10**9) }}', OUTPUT),
    ("toYaml-shared", DOUBLED + "{{ ns.l | toYaml }}", OUTPUT),
    ("toJson-shared", DOUBLED + "{{ ns.l | toJson }}", OUTPUT),
    ("print-shared", DOUBLED + "{{ ns.l }}", OUTPUT),
    ("until", "{{ until(10**10) | length }}", OUTPUT),
    ("list-of-chars", '{{ ("x" * 60000000) | list | length }}', OUTPUT),
    ("b64enc", '{{ b64enc("x" * 60000000) }}', OUTPUT),
    ("concat-doubling", '{% set ns = namespace(s="x") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}'
                        "{% endfor %}", OUTPUT),
    ("plus-doubling", '{% set ns = namespace(s=["x"]) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}'
                      "{% endfor %}", OUTPUT),
    ("regex-replace", '{{ regexReplaceAll("a", "a" * 50000000, "$0$0") }}', TIMEOUT),
    ("big-int", "{{ mul(2**900000, 2**900000) }}", "bits"),
    ("dict-loop", '{% set d = dict() %}{% for i in range(100000) %}{% for j in range(100000) %}'
                  '{% set _ = set(d, "k" ~ j, i) %}{% endfor %}{% endfor %}', TIMEOUT),
    ("title-long", '{{ ("a " * 30000000) | title | length }}', TIMEOUT),
    ("macro-recursion", "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}", DEPTH),
    ("include-recursion", '{{ include("loop") }}', DEPTH),
    ("tpl-recursion", "{{ tpl(Values.t) }}", DEPTH),
]


def _assert_one_error(proc: subprocess.CompletedProcess[str], limit: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert limit in errors[0], errors[0]
    assert re.match(r"Error: hostile/templates/(cm\.yaml|_p\.tpl)(:\d+)?: ", errors[0]), errors[0]
    assert "internal error" not in proc.stderr and "MemoryError" not in proc.stderr
    assert len(errors[0]) < 400


@pytest.mark.parametrize("template, limit", [pytest.param(t, lim, id=name) for name, t, lim in HOSTILE])
def test_hostile_builtin_fails_within_the_deadline_naming_the_limit(tmp_path, startup, template, limit):
    chart = make_chart(tmp_path, template, values='t: "{{ tpl(Values.t) }}"\n',
                       partials='{% macro loop() %}{{ include("loop") }}{% endmacro %}')
    proc, elapsed = run(chart)
    _assert_one_error(proc, limit)
    assert elapsed < startup + DEADLINE + 2.0, (elapsed, startup)


def test_lint_is_held_to_the_same_limits(tmp_path, startup):
    proc, elapsed = run(make_chart(tmp_path, '{{ repeat(10**9, "x") }}'), command="lint")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert OUTPUT in proc.stdout + proc.stderr
    assert elapsed < startup + DEADLINE + 2.0


def test_catastrophic_regex_from_values_matches_in_linear_time(tmp_path, startup):
    """RE2, like Go's regexp in Helm, does not backtrack: the classic (a|aa)+$ on "aaaa...b" is just false."""
    chart = make_chart(tmp_path, "{{ regexMatch(Values.rx, Values.s) }} {{ regexFind(Values.rx, Values.s) }}",
                       values='rx: "(a|aa)+$"\ns: "' + "a" * 5000 + 'b"\n')
    proc, elapsed = run(chart)
    assert proc.returncode == 0, proc.stderr
    assert "a: |\n  false\n" in proc.stdout
    assert elapsed < startup + 1.5


def test_perl_only_regex_syntax_is_one_clear_error(tmp_path):
    proc, _ = run(make_chart(tmp_path, '{{ regexMatch("(?=a)", "a") }}'))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "invalid regular expression '(?=a)'" in errors[0], proc.stderr
    assert "re2.cc" not in proc.stderr  # RE2's own logging stays quiet


def test_template_default_deadline_is_the_offline_one(tmp_path):
    """Without HELMPY_RENDER_TIMEOUT, template gives up after 10 s (install/upgrade: 30 s)."""
    from helmpy.engine.sandbox import Limits
    from helmpy.limits import OFFLINE_RENDER_TIMEOUT, RENDER_TIMEOUT

    assert (OFFLINE_RENDER_TIMEOUT, RENDER_TIMEOUT) == (10.0, 30.0)
    env = {k: v for k, v in os.environ.items() if k != TIMEOUT}
    saved = os.environ.pop(TIMEOUT, None)
    try:
        assert Limits.offline().timeout_seconds == 10.0 and Limits().timeout_seconds == 30.0
        os.environ[TIMEOUT] = "4"
        assert Limits.offline().timeout_seconds == 4.0 and Limits().timeout_seconds == 4.0
    finally:
        os.environ.pop(TIMEOUT, None)
        if saved is not None:
            os.environ[TIMEOUT] = saved
    chart = make_chart(tmp_path, "{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}"
                                 "{% endfor %}")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "helmpy", "template", "x", str(chart)], cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
                          preexec_fn=_cap_memory)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1
    assert "rendering took longer than 10s (limit HELMPY_RENDER_TIMEOUT)" in proc.stderr
    assert 10.0 <= elapsed < 20.0


GO_HOSTILE = [  # Sprig's allocating functions in a Go chart, under a 1 MB output limit: refused before allocating
    ("repeat", '{{ repeat 100000000 "x" }}'),
    ("until", "{{ range until 100000000 }}x{{ end }}"),
    ("indent", '{{ indent 100000000 "a" }}'),
    ("randAlphaNum", "{{ randAlphaNum 100000000 }}"),
]


@pytest.mark.parametrize("template", [pytest.param(t, id=name) for name, t in GO_HOSTILE])
def test_go_chart_sprig_allocation_meets_the_output_limit(tmp_path, template):
    chart = make_chart(tmp_path, template)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: hostile\nversion: 0.1.0\n")  # a Go chart
    proc, _ = run(chart, extra_env={OUTPUT: "1000000"})
    _assert_one_error(proc, OUTPUT)
