"""The lazy function map: every name known up front, each function (and its module) made on its first call,
and the same functions, signatures and errors as the map made at once."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.engine.gotemplate.builtins import BUILTINS, FuncSpec
from helmpy.engine.gotemplate.exec import FuncMap, func_spec
from helmpy.engine.gotemplate.funcs import PLACEHOLDERS, Seams, build_funcs, lazy_funcs, table
from helmpy.engine.gotemplate.helmdata import data_functions
from helmpy.engine.gotemplate.helmfuncs import DATA_FUNCTIONS, HelmContext, function_map, helm_functions
from helmpy.engine.gotemplate.lazyfuncs import LazyFuncs
from helmpy.engine.gotemplate.templateset import TemplateSet
from helmpy.errors import TemplateExecError, TemplateParseError

ROOT = Path(__file__).resolve().parents[3]
FROZEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
# functions made per map (closures over the render's context or a Seams): equal by where they are defined
PER_MAP = set(table._SEAMED) | set(PLACEHOLDERS) | {"include", "tpl", "required", "fail", "lookup"}


def seams() -> Seams:
    return Seams(now=lambda: FROZEN, local=UTC, rng=random.Random(7))


def eager_map(ctx: HelmContext) -> dict[str, FuncSpec]:
    """The function map as helmpy made it before it was lazy: every function made at once."""
    funcs: dict[str, object] = dict(build_funcs(ctx.seams))
    funcs.update(data_functions())
    funcs.update(helm_functions(ctx))
    specs = dict(BUILTINS)
    specs.update({name: func_spec(fn) for name, fn in funcs.items()})  # type: ignore[arg-type]
    return specs


def same(name: str, lazy: FuncSpec, eager: FuncSpec) -> bool:
    if name not in PER_MAP:
        return lazy == eager
    return ((lazy.params, lazy.variadic, lazy.builtin, lazy.takes_state)
            == (eager.params, eager.variadic, eager.builtin, eager.takes_state)
            and (lazy.fn.__module__, lazy.fn.__qualname__) == (eager.fn.__module__, eager.fn.__qualname__))


def test_every_name_makes_the_eager_function() -> None:
    ctx = HelmContext(seams=seams())
    tset = TemplateSet(function_map(ctx))
    eager = eager_map(ctx)
    assert tset.funcs.names == frozenset(eager)
    assert len(eager) == len(BUILTINS) + 221 - 1  # Sprig's and Helm's ``fail`` are one name
    for name in sorted(eager):
        spec = tset.funcs[name]
        assert callable(spec.fn), name
        assert same(name, spec, eager[name]), name


def test_static_names_match_what_the_modules_make() -> None:
    s = seams()
    for factory in set(table._SEAMED.values()):
        made = table._attribute(factory)(s)
        assert set(made) == {n for n, f in table._SEAMED.items() if f == factory}, factory
    assert set(table._TABLED) == set(table._attribute("regex:REGEX_FUNCS"))
    assert set(DATA_FUNCTIONS) == set(data_functions()) == set(PLACEHOLDERS) - {"include", "tpl", "required",
                                                                                   "lookup"}
    assert set(lazy_funcs()) == set(build_funcs())
    assert not set(table._PURE) & set(table._TABLED) | set(table._PURE) & set(table._SEAMED)


def test_seam_bound_functions_are_made_once_per_seams() -> None:
    s = seams()
    first, second = lazy_funcs(s), lazy_funcs(s)
    assert first["now"] is second["now"] is first["now"]
    assert first["randAlpha"] is second["randAlpha"]
    assert lazy_funcs(seams())["now"] is not first["now"]
    assert lazy_funcs()["now"] is lazy_funcs()["now"]  # the real clock: one Seams for the process
    assert first["now"]() == FROZEN


def test_seam_bound_functions_read_their_seams() -> None:
    tset = TemplateSet(function_map(HelmContext(seams=seams())))
    tset.add("t", '{{ now | date "2006-01-02T15:04" }} {{ randAlphaNum 8 | len }}')
    assert tset.execute("t", {}) == "2024-05-06T07:08 8"


@pytest.mark.parametrize("text", ["{{ nope }}", '{{ "x" | upperr }}', "{{ if true }}{{ toYml . }}{{ end }}"])
def test_unknown_function_is_the_same_parse_error(text: str) -> None:
    def parse_error(funcs: object) -> str:
        with pytest.raises(TemplateParseError) as err:
            TemplateSet(funcs).add("c/templates/x.yaml", text)  # type: ignore[arg-type]
        return str(err.value)

    ctx = HelmContext()
    lazy = parse_error(function_map(ctx))
    assert lazy == parse_error({**build_funcs(), **data_functions(), **helm_functions(ctx)})
    assert lazy.startswith("template: c/templates/x.yaml:1: function ") and lazy.endswith(" not defined")


def test_tpl_sees_every_name() -> None:
    tset = TemplateSet(function_map(HelmContext()))
    tset.add("t", '{{ tpl "{{ sha1sum \\"a\\" }}" . }}')
    assert tset.execute("t", {}) == "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
    tset.add("u", '{{ tpl "{{ nope }}" . }}')
    with pytest.raises(TemplateExecError) as err:
        tset.execute("u", {})
    assert str(err.value).endswith('error calling tpl: cannot parse template "{{ nope }}": '
                                   'template: gotpl:1: function "nope" not defined')


def test_a_lazy_function_replaces_a_builtin_and_later_entries_win() -> None:
    funcs = LazyFuncs(lazy={"len": lambda _n: lambda x: "lazy", "upper": lambda _n: lambda x: "lazy"})
    funcs.merge({"upper": lambda x: "eager"})
    tset = TemplateSet(funcs)
    tset.add("t", '{{ len "abc" }} {{ upper "x" }} {{ print 1 }}')
    assert tset.execute("t", {}) == "lazy eager 1"
    assert "upper" in funcs and "nope" not in funcs and len(funcs) == 2


@given(st.lists(st.sampled_from(sorted({*table._PURE, *table._TABLED, *DATA_FUNCTIONS} - PER_MAP)), max_size=20))
def test_lookup_order_does_not_matter(names: list[str]) -> None:
    """Whatever order a render calls functions in, each name gets the eager map's function."""
    ctx = HelmContext()
    eager = eager_map(ctx)
    tset = TemplateSet(function_map(ctx))
    assert isinstance(tset.funcs, FuncMap)
    for name in names:
        assert tset.funcs[name] == eager[name]
        assert name in tset.funcs  # made once, then an ordinary entry
    with pytest.raises(KeyError):
        tset.funcs["nope"]


PROBE = """
import sys
from helmpy.engine.gotemplate.helmfuncs import HelmContext, function_map
from helmpy.engine.gotemplate.templateset import TemplateSet

tset = TemplateSet(function_map(HelmContext()))
tset.add("t", '{{ .name | upper }}')
assert tset.execute("t", {"name": "x"}) == "X"
print("\\n".join(sorted(sys.modules)))
"""


def test_rendering_imports_only_the_called_functions() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    modules = set(proc.stdout.split())
    assert "helmpy.engine.gotemplate.funcs.strings" in modules
    heavy = ["helmpy.engine.gotemplate.funcs.crypto", "helmpy.engine.gotemplate.funcs.date",
             "helmpy.engine.gotemplate.funcs.numeric", "helmpy.engine.gotemplate.funcs.regex",
             "helmpy.engine.gotemplate.funcs.randomness", "helmpy.engine.gotemplate.funcs.semver",
             "helmpy.engine.gotemplate.funcs.urls", "helmpy.engine.gotemplate.funcs.encoding",
             "helmpy.engine.gotemplate.helmdata", "helmpy.engine.gotime", "helmpy.yamlutil", "yaml", "decimal",
             "zoneinfo", "cryptography"]
    assert sorted(modules & set(heavy)) == []
