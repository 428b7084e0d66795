"""ProcessDependencies: aliases, tags, conditions, import-values, removal; CheckDependencies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmpy.chart.dependencies import check_dependencies, is_compatible_range, path_value, process_dependencies
from helmpy.chart.loader import load
from helmpy.chart.model import Chart, Dependency, Metadata
from helmpy.errors import DependencyError
from helmpy.values.coalesce import coalesce_values
from tests.values.helm_compat import helm_views, helmpy_chart_values, helmpy_views

DATA = Path(__file__).resolve().parent.parent / "data"
CONDITIONS = DATA / "deps-conditions"
GLOBALS = DATA / "deps-globals"


def chart(name: str, version: str = "0.1.0", values: dict[str, Any] | None = None,
          deps: list[Dependency] | None = None, subs: tuple[Chart, ...] = ()) -> Chart:
    c = Chart(metadata=Metadata(name=name, version=version, api_version="v2", dependencies=deps or []),
              values=values or {})
    for sub in subs:
        c.add_subchart(sub)
    return c


def names(c: Chart) -> list[str]:
    return sorted(s.name for s in c.subcharts)


def test_aliases_copy_and_rename() -> None:
    c, values = helmpy_chart_values(CONDITIONS, [])
    assert names(c) == ["back", "front", "importer", "plain"]
    assert [d.name for d in c.metadata.dependencies] == ["front", "back", "importer", "plain"]
    assert all(d.enabled for d in c.metadata.dependencies)
    assert {s.full_path() for s in c.subcharts} >= {"parent/charts/front", "parent/charts/back"}
    assert values["front"]["nested"] == {"keep": "childwins", "other": 1}


def test_original_chart_is_not_shared_between_aliases() -> None:
    c = load(CONDITIONS)
    process_dependencies(c, {})
    front = next(s for s in c.subcharts if s.name == "front")
    back = next(s for s in c.subcharts if s.name == "back")
    assert front is not back and front.metadata is not back.metadata
    assert front.parent is c


def test_condition_beats_tags() -> None:
    """values.yaml: tags.db=false but back.enabled=true keeps 'back' (verified with Helm)."""
    c, _ = helmpy_chart_values(CONDITIONS, [])
    assert "back" in names(c)
    c, _ = helmpy_chart_values(CONDITIONS, ["--set", "back.enabled=null"])   # no bool: tags decide
    assert "back" not in names(c)
    assert "back" not in [d.name for d in c.metadata.dependencies]


def test_first_bool_condition_wins_and_non_bool_is_skipped() -> None:
    c, _ = helmpy_chart_values(CONDITIONS, ["--set", "front.enabled=yes,global.front=false"])
    assert "front" not in names(c)                       # "yes" is a string: next path decides
    c, _ = helmpy_chart_values(CONDITIONS, ["--set", "front.enabled=true,global.front=false"])
    assert "front" in names(c)


@pytest.mark.parametrize("flags, present", [
    # front's condition resolves to the sub-chart default enabled=true, which beats its web tag
    (["--set", "tags.web=false"], ["back", "front", "importer"]),
    (["--set", "tags.web=false,tags.extra=true"], ["back", "front", "importer", "plain"]),  # one true tag wins
    (["--set", "tags.web=false,front.enabled=null"], ["back", "importer"]),
    (["--set", "tags=notamap"], ["back", "front", "importer", "plain"]),
    (["--set", "tags.web=maybe"], ["back", "front", "importer", "plain"]),     # non-bool tags ignored
])
def test_tags(flags: list[str], present: list[str]) -> None:
    c, _ = helmpy_chart_values(CONDITIONS, flags)
    assert names(c) == present


def test_disabled_subchart_contributes_no_defaults() -> None:
    c, values = helmpy_chart_values(CONDITIONS, ["--set", "front.enabled=false,front.extra=1"])
    assert "front" not in names(c)
    assert values["front"] == {"enabled": False, "extra": 1}


def test_import_values_both_forms_parent_wins() -> None:
    c, values = helmpy_chart_values(CONDITIONS, [])
    assert values["exported"] == "fromchild"                      # string form: exports.data -> root
    assert values["keep"] == "childwins"
    assert values["fromsub"] == {"keep": "parentwins", "other": 1}  # map form, parent's own value wins
    importer = next(d for d in c.metadata.dependencies if d.name == "importer")
    assert importer.import_values == [{"child": "exports.data", "parent": "."},
                                      {"child": "nested", "parent": "fromsub"}]
    assert c.values["fromsub"] == {"keep": "parentwins", "other": 1}   # merged under chart.values
    # user values still override imports
    _, values = helmpy_chart_values(CONDITIONS, ["--set", "fromsub.other=9,exported=user"])
    assert values["fromsub"]["other"] == 9 and values["exported"] == "user"


def test_import_missing_table_is_skipped() -> None:
    sub = chart("sub", values={"exports": {"notatable": 1}})
    dep = Dependency(name="sub", version="*", import_values=["notatable", {"child": "absent", "parent": "x"}, 5])
    parent = chart("parent", values={"own": 1}, deps=[dep], subs=(sub,))
    process_dependencies(parent, {})
    assert "x" not in parent.values and "notatable" not in parent.values
    assert parent.values["own"] == 1
    assert dep.import_values == [{"child": "exports.notatable", "parent": "."}, {"child": "absent", "parent": "x"}]


def test_nested_conditions_are_relative_to_the_subchart() -> None:
    leaf = chart("leaf")
    mid = chart("mid", values={"leafOn": False},
                deps=[Dependency(name="leaf", version="0.1.0", condition="leafOn")], subs=(leaf,))
    root = chart("root", deps=[Dependency(name="mid", version="0.1.0")], subs=(mid,))
    process_dependencies(root, {})
    assert names(root.subcharts[0]) == []
    root2 = chart("root", deps=[Dependency(name="mid", version="0.1.0")],
                  subs=(chart("mid", values={"leafOn": False},
                              deps=[Dependency(name="leaf", version="0.1.0", condition="leafOn")],
                              subs=(chart("leaf"),)),))
    process_dependencies(root2, {"mid": {"leafOn": True}})
    assert names(root2.subcharts[0]) == ["leaf"]


def test_version_mismatch_or_empty_version_keeps_chart_unaliased() -> None:
    """Helm's IsCompatibleRange rejects empty constraints, so such aliases are not applied."""
    sub = chart("sub", version="0.1.0")
    parent = chart("parent", deps=[Dependency(name="sub", alias="a1"),
                                   Dependency(name="sub", version=">=1.0.0", alias="a2")], subs=(sub,))
    process_dependencies(parent, {})
    assert names(parent) == ["sub"]
    assert [d.name for d in parent.metadata.dependencies] == ["a1", "a2"]


def test_undeclared_subcharts_are_kept() -> None:
    parent = chart("parent", deps=[Dependency(name="a", version="*", condition="a.on")],
                   subs=(chart("a"), chart("extra")))
    process_dependencies(parent, {"a": {"on": False}})
    assert names(parent) == ["extra"]
    assert parent.metadata.dependencies == []


def test_is_compatible_range() -> None:
    assert is_compatible_range("^0.1.0", "0.1.5")
    assert not is_compatible_range("", "0.1.0")
    assert not is_compatible_range("bad!", "0.1.0")
    assert not is_compatible_range("*", "notsemver")


def test_path_value() -> None:
    values = {"a": {"b": True, "m": {}}, "s": 1}
    assert path_value(values, "a.b") is True
    assert path_value(values, "s") == 1
    for missing in ("a.m", "a.x", "x.y", "a"):
        with pytest.raises(Exception, match="no value for|is not a table"):
            path_value(values, missing)


def test_check_dependencies() -> None:
    parent = chart("parent", deps=[Dependency(name="a"), Dependency(name="b"), Dependency(name="c", alias="cc")],
                   subs=(chart("a"), chart("cc")))
    with pytest.raises(DependencyError) as err:
        check_dependencies(parent)
    assert str(err.value) == "found in Chart.yaml, but missing in charts/ directory: b"
    parent.add_subchart(chart("b"))
    check_dependencies(parent)
    with pytest.raises(DependencyError, match="missing in charts/ directory: x, y$"):
        check_dependencies(chart("p", deps=[Dependency(name="x"), Dependency(name="y")]))


def test_globals_reach_nested_subcharts() -> None:
    _, values = helmpy_chart_values(GLOBALS, [])
    assert values["global"] == {"g1": "parent", "gm": {"fromparent": 1}}
    assert values["sub"]["global"]["g1"] == "parent" and values["sub"]["global"]["g2"] == "sub"
    assert values["sub"]["subsub"]["global"]["g3"] == "subsub"
    assert values["sub"]["x"] == 2 and "dropped" not in values["sub"]


def test_coalesce_after_processing_is_stable() -> None:
    c, values = helmpy_chart_values(GLOBALS, [])
    assert coalesce_values(c, {}) == values


@pytest.mark.helm
@pytest.mark.parametrize("chart_dir, flags", [
    (GLOBALS, []),
    (GLOBALS, ["--set", "sub.x=null,global.gm=5,sub.global.gt=3,sub.zm.b=null"]),
    (GLOBALS, ["--set", "sub.global.gm.b=2,global.gm.c=3,sub.subsub.deep=null,global.g1=user"]),
    (CONDITIONS, []),
    (CONDITIONS, ["--set", "tags.db=true,front.enabled=false"]),
    (CONDITIONS, ["--set", "tags.web=false,back.enabled=null"]),
    (CONDITIONS, ["--set", "tags.web=false,tags.extra=true,global.front=true"]),
    (CONDITIONS, ["--set", "fromsub.other=9,exported=user,importer.nested.keep=user"]),
    (CONDITIONS, ["--set", "tags.web=false,front.enabled=null"]),
], ids=["globals", "globals-nulls", "globals-merge", "conditions", "tags-db", "no-condition", "tag-true",
        "import-override",
        "tags-after-null-condition"])
def test_matches_helm(helm, chart_dir: Path, flags: list[str]) -> None:
    expected = helm_views(helm, chart_dir, flags)
    deps = {k: v.pop("deps") for k, v in expected.items() if "deps" in v}
    assert helmpy_views(chart_dir, flags) == expected
    if deps:
        c, _ = helmpy_chart_values(chart_dir, flags)
        ours = [(d.name, bool(d.enabled), d.import_values) for d in c.metadata.dependencies]
        theirs = [(d["Name"], d["Enabled"], d["ImportValues"]) for d in deps["parent/templates/values.yaml"]]
        assert ours == theirs
