""".helmignore: the same files survive in helmpy as in ``helm package`` (Helm's rules, not gitignore's)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.chart.ignore import IgnoreRules
from helmpy.chart.loader import load, walk_dir
from helmpy.errors import HelmpyError

FILES = [
    "Chart.yaml", "values.yaml", "templates/cm.yaml", "templates/.hidden.yaml", "templates/_helpers.tpl",
    "notes.skip", "sub/deep/x.skip", "keep.skip", "rootonly.txt", "sub/rootonly.txt", "docs/a.md",
    "docs/b/c.md", "sub/docs/d.md", "other.md", "dir.txt/inner.txt", "a.tgz", ".git/config", "x.bak",
    "data/one.json", "data/two.yaml",
]
IGNORE = """# comments and blank lines are skipped

*.skip
/rootonly.txt
docs/
*.tgz
.git
x.ba?
data/*.json
dir.txt/
"""


def make_chart(root: Path, ignore: str) -> Path:
    chart = root / "ign"
    for rel in FILES:
        path = chart / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("apiVersion: v2\nname: ign\nversion: 0.1.0\n" if rel == "Chart.yaml" else "x: 1\n")
    (chart / ".helmignore").write_text(ignore)
    return chart


def test_rules_match_expectations(tmp_path):
    kept = {m.name for m in walk_dir(make_chart(tmp_path, IGNORE))}
    assert kept == {"Chart.yaml", "values.yaml", "templates/cm.yaml", "templates/_helpers.tpl",
                    "sub/rootonly.txt", "other.md", "data/two.yaml", ".helmignore"}


@pytest.mark.helm
@pytest.mark.parametrize("ignore", [IGNORE, "", "!*.md\n", "*.md\n!other.md\n", "sub\n", "*/deep\n"])
def test_same_files_as_helm_package(tmp_path, helm, ignore):
    chart = make_chart(tmp_path, ignore)
    proc = helm("package", str(chart), "-d", str(tmp_path / "out"), check=False)
    if proc.returncode:  # Helm's negation ignores everything else, Chart.yaml included
        assert "Chart.yaml file is missing" in proc.stderr
        with pytest.raises(HelmpyError, match="Chart.yaml file is missing"):
            load(chart)
        return
    with tarfile.open(next((tmp_path / "out").glob("*.tgz"))) as tar:
        theirs = {n.split("/", 1)[1] for n in tar.getnames()}
    theirs.discard("Chart.lock")
    ours = {m.name for m in walk_dir(chart)}
    assert ours == theirs


def test_double_star_is_rejected_with_the_file_and_line(tmp_path):
    with pytest.raises(HelmpyError, match=r"\*\*"):
        IgnoreRules.parse("ok\ndocs/**/x\n", str(tmp_path / ".helmignore"))


# globs of the shapes matched without a regex (literal names, ``*<suffix>``) and a few with glob syntax, over a
# small alphabet so that matches happen; the targets include "/" and a final newline (``$`` matches before it)
_GLOB_CHARS = st.sampled_from(["a", "b", ".", "~", "-", "/", "*", "?", "\n"])


@given(glob=st.text(_GLOB_CHARS, min_size=1, max_size=6), target=st.text(_GLOB_CHARS, max_size=8))
def test_rules_matched_without_a_regex_match_what_their_regex_matches(glob: str, target: str) -> None:
    from helmpy.chart.ignore import _compile, _regex

    assert bool(_compile(glob, "t").match(target)) == bool(_regex(glob, "t").match(target)), (glob, target)
