"""kubectl JSONPath (helmpy/jsonpath.py) against the real ``helm show values --jsonpath``, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy import jsonpath
from tests.support.gocharts import write_files

VALUES = """\
image: {repository: nginx, tag: "1.2"}
replicas: 3
ratio: 1.5
big: 12345678901
million: 1000000
enabled: true
nothing: null
empty: ""
list: [a, b, c]
objs:
  - {name: x, port: 80}
  - {name: web, port: 90}
nested: {a: {b: 1, c: [1, 2.5, "<x>"]}}
"""
CASES = ["{.image.repository}", "{.image}", "{.replicas}", "{.ratio}", "{.big}", "{.million}", "{.enabled}",
         "{.nothing}", "{.empty}", "{.list}", "{.list[0]}", "{.list[-1]}", "{.list[0:2]}", "{.list[1:]}",
         "{.list[*]}", "{.objs[*].name}", "{..port}", "{..name}", '{.objs[?(@.name=="web")].port}',
         "{.objs[?(@.port==90)].name}", "{.objs[?(@.port==90.0)].name}", "{.objs[?(@.port>85.0)].name}",
         '{range .objs[*]}{.name}={.port}{"\\n"}{end}', "x{.missing}y", "repo: {.image.repository}", "{.nested}",
         "{$.replicas}", "{.image.*}", "{.list[5]}", "{.nested.a.c}", "{['image']}", "{.objs[0]}", "plain text",
         "{.image.repository}:{.image.tag}"]


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp("jp") / "c", {"Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
                                                             "values.yaml": VALUES})


@pytest.mark.helm
@pytest.mark.parametrize("template", CASES)
def test_same_output_as_helm(cli, helm, chart: Path, template: str) -> None:
    want = helm("show", "values", str(chart), "--jsonpath", template)
    got = cli("show", "values", str(chart), "--jsonpath", template)
    if template.endswith(".*}"):  # a wildcard over a map: Helm prints its values in Go's random map order
        assert (got.exit_code, sorted(got.stdout.split())) == (want.returncode, sorted(want.stdout.split()))
        return
    assert (got.exit_code, got.stdout) == (want.returncode, want.stdout), (got, want.stderr)


@pytest.mark.helm
@pytest.mark.parametrize("template", ["{", "{.a", '{["image"]}', "{.list[x]}"])
def test_parse_errors_like_helm(cli, helm, chart: Path, template: str) -> None:
    """(Helm prints nothing for ``{end}`` without a range, and repeats an unclosed range's text; helmpy says why.)"""
    want = helm("show", "values", str(chart), "--jsonpath", template, check=False)
    got = cli("show", "values", str(chart), "--jsonpath", template)
    assert want.returncode == 1 and got.exit_code == 1, (got, want.stderr)
    assert got.stderr.startswith(f"Error: error parsing jsonpath {template}: "), got


KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6)
SCALARS = st.one_of(st.text(alphabet="abc xyz", max_size=5), st.booleans(), st.integers(-1000, 1000))


@given(st.lists(KEYS, min_size=1, max_size=4), SCALARS)
def test_a_dotted_path_finds_what_was_put_there(path: list[str], leaf: object) -> None:
    data: object = leaf
    for key in reversed(path):
        data = {key: data}
    want = leaf if isinstance(leaf, str) else ("true" if leaf is True else "false" if leaf is False else str(leaf))
    assert jsonpath.execute("{." + ".".join(path) + "}", data) == want
    assert jsonpath.execute("<{." + ".".join(path) + "}>", data) == f"<{want}>"


@given(st.lists(st.text(alphabet="abc xyz<>", max_size=5), max_size=6))
def test_wildcard_and_range_agree(items: list[str]) -> None:
    data = {"xs": items}
    assert jsonpath.execute("{.xs[*]}", data) == " ".join(items)
    assert jsonpath.execute('{range .xs[*]}{@}{"|"}{end}', data) == "".join(f"{i}|" for i in items)
