"""Lint rules (pure) and ``helmpy lint`` output, compared line by line with Helm where both can render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helmpy.chart.lint import (
    Linter,
    Severity,
    lint_chartfile,
    lint_crds,
    lint_dependencies,
    lint_rendered_templates,
    lint_values_file,
)
from helmpy.chart.loader import load
from tests.conftest import DATA

JINJA = "annotations:\n  helmpy.io/template-engine: jinja2\n"


def _chart(tmp_path: Path, chart_yaml: str, templates: dict[str, str] | None = None, values: str | None = "a: 1\n",
           name: str = "c") -> Path:
    root = tmp_path / name
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(chart_yaml)
    if values is not None:
        (root / "values.yaml").write_text(values)
    for rel, text in (templates or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _lines(linter: Linter) -> list[str]:
    return [str(m) for m in linter.messages]


# --- Chart.yaml ------------------------------------------------------------------------------------
@pytest.mark.parametrize("chart_yaml,expected", [
    ("apiVersion: v2\nname: c\nversion: 1.0.0\nicon: https://x.io/i.png\n", []),
    ("apiVersion: v2\nname: c\nversion: 1.0.0\n", ["[INFO] Chart.yaml: icon is recommended"]),
    ("apiVersion: v2\nversion: 1.0.0\nicon: https://x.io/i.png\n", ["[ERROR] Chart.yaml: name is required"]),
    ("name: c\nversion: 1.0.0\nicon: https://x.io/i.png\n",
     ['[ERROR] Chart.yaml: apiVersion is required. The value must be either "v1" or "v2"']),
    ("apiVersion: v9\nname: c\nversion: 1.0.0\nicon: https://x.io/i.png\n",
     ["[ERROR] Chart.yaml: apiVersion 'v9' is not valid. The value must be either \"v1\" or \"v2\""]),
    ("apiVersion: v2\nname: c\nversion: one\nicon: https://x.io/i.png\n",
     ["[ERROR] Chart.yaml: version 'one' is not a valid SemVer",
      "[WARNING] Chart.yaml: version 'one' is not a valid SemVerV2"]),
    ("apiVersion: v2\nname: c\nversion: v1.2\nicon: https://x.io/i.png\n",
     ["[WARNING] Chart.yaml: version 'v1.2' is not a valid SemVerV2"]),
    ("apiVersion: v2\nname: c\nversion: 0.0.0-0\nicon: https://x.io/i.png\n",
     ["[ERROR] Chart.yaml: version 0.0.0-0 is less than or equal to 0.0.0-0"]),
    ("apiVersion: v2\nname: c\nicon: https://x.io/i.png\n",
     ["[ERROR] Chart.yaml: version is required", "[WARNING] Chart.yaml: version '' is not a valid SemVerV2"]),
    ("apiVersion: v1\nname: c\nversion: 1.0.0\ntype: application\nicon: https://x.io/i.png\n",
     ["[ERROR] Chart.yaml: chart type is not valid in apiVersion 'v1'. It is valid in apiVersion 'v2'"]),
    ("apiVersion: v2\nname: c\nversion: 1.0.0\nicon: https://x.io/i.png\nmaintainers:\n  - email: a@b.io\n",
     ["[ERROR] Chart.yaml: each maintainer requires a name"]),
    ("apiVersion: v2\nname: c\nversion: 1.0.0\nicon: https://x.io/i.png\nmaintainers:\n  - name: nm\n    url: nope\n",
     ["[ERROR] Chart.yaml: invalid url 'nope' for maintainer 'nm'"]),
    ("apiVersion: v2\nname: c\nversion: 1.0.0\nicon: https://x.io/i.png\nzzz: 1\naaa: 2\n",
     ["[WARNING] Chart.yaml: failed to strictly parse chart metadata file\n\terror unmarshaling JSON: while decoding "
      'JSON: json: unknown field "aaa"']),
])
def test_chartfile_rules(tmp_path, chart_yaml, expected):
    linter = Linter(_chart(tmp_path, chart_yaml))
    lint_chartfile(linter)
    assert _lines(linter) == expected


def test_chartfile_unparsable(tmp_path):
    linter = Linter(_chart(tmp_path, "apiVersion: v2\nname: [c\n"))
    assert lint_chartfile(linter) is None
    assert len(linter.messages) == 1
    assert str(linter.messages[0]).startswith("[ERROR] Chart.yaml: unable to parse YAML\n\t")


def test_values_file_rules(tmp_path):
    linter = Linter(_chart(tmp_path, "apiVersion: v2\n", values=None))
    assert not lint_values_file(linter)
    assert _lines(linter) == ["[INFO] values.yaml: file does not exist"]
    linter = Linter(_chart(tmp_path, "apiVersion: v2\n", values="a: [1\n", name="d"))
    assert not lint_values_file(linter)
    assert _lines(linter)[0].startswith("[ERROR] values.yaml: unable to parse YAML: ")


def test_values_schema_rule(tmp_path):
    root = _chart(tmp_path, "apiVersion: v2\n", values="port: 80\n")
    (root / "values.schema.json").write_text('{"type": "object", "properties": {"port": {"type": "integer"}}}')
    assert lint_values_file(Linter(root))
    assert lint_values_file(Linter(root), {"port": "x"}, skip_schema=True)
    linter = Linter(root)
    assert not lint_values_file(linter, {"port": "x"})
    assert len(linter.messages) == 1 and linter.messages[0].severity is Severity.ERROR
    assert "/port" in linter.messages[0].text


# --- rendered templates ------------------------------------------------------------------------------
def _template_lint(tmp_path, files: dict[str, str]) -> list[str]:
    root = _chart(tmp_path, "apiVersion: v2\nname: c\nversion: 1.0.0\n" + JINJA,
                  {f"templates/{k}": v for k, v in files.items()})
    chart = load(root)
    linter = Linter(root)
    lint_rendered_templates(linter, chart, {f"templates/{k}": v for k, v in files.items()})
    return _lines(linter)


def test_template_rules_clean(tmp_path):
    assert _template_lint(tmp_path, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok.name\n",
        "_helpers.tpl": "", "NOTES.txt": "hi",
    }) == []


def test_template_rules_names_selectors_lists(tmp_path):
    lines = _template_lint(tmp_path, {
        "a.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + "s" * 64 + "\n",
        "b.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: st\nspec: {}\n",
        "c.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: a/b\n",
        "d.yaml": ("apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n  - metadata:\n      annotations:\n"
                   "        helm.sh/resource-policy: keep\n"),
        "e.yaml": "kind: ConfigMap\nmetadata:\n  name: noapi\n",
        "f.json": "{}",
    })
    assert lines == [
        '[WARNING] templates/a.yaml: object name does not conform to Kubernetes naming requirements: "' + "s" * 64
        + '": metadata.name: Invalid value: "' + "s" * 64 + '": must be no more than 63 characters',
        '[ERROR] templates/b.yaml: a StatefulSet must contain matchLabels or matchExpressions, and "st" does not',
        '[WARNING] templates/c.yaml: object name does not conform to Kubernetes naming requirements: "a/b": '
        'metadata.name: Invalid value: "a/b": may not contain \'/\'',
        "[ERROR] templates/d.yaml: annotation 'helm.sh/resource-policy' within List objects are ignored",
        "[ERROR] templates/e.yaml: object 'noapi' is missing apiVersion or kind",
        "[ERROR] templates/f.json: file extension '.json' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt",
    ]


def test_template_rules_invalid_yaml(tmp_path):
    lines = _template_lint(tmp_path, {"cm.yaml": "a: b: c\n"})
    assert len(lines) == 1 and lines[0].startswith("[ERROR] templates/cm.yaml: unable to parse YAML: ")


# --- dependencies and crds ---------------------------------------------------------------------------
def test_dependency_rules(tmp_path):
    root = _chart(tmp_path, "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n  - name: missing\n"
                  "    version: 1.0.0\n  - name: sub\n    version: 1.0.0\n")
    (root / "charts/sub").mkdir(parents=True)
    (root / "charts/sub/Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 1.0.0\n")
    (root / "charts/extra").mkdir(parents=True)
    (root / "charts/extra/Chart.yaml").write_text("apiVersion: v2\nname: extra\nversion: 1.0.0\n")
    linter = Linter(root)
    lint_dependencies(linter, load(root))
    assert _lines(linter) == [f"[ERROR] {root}: chart metadata is missing these dependencies: extra",
                              f"[WARNING] {root}: chart directory is missing these dependencies: missing"]


def test_crd_rules(tmp_path):
    root = _chart(tmp_path, "apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (root / "crds").mkdir()
    (root / "crds/bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    linter = Linter(root)
    lint_crds(linter, load(root))
    assert _lines(linter) == ["[ERROR] crds/bad.yaml: apiVersion is not in 'apiextensions.k8s.io'",
                              "[ERROR] crds/bad.yaml: object kind is not 'CustomResourceDefinition'"]


# --- the command ---------------------------------------------------------------------------------------
@pytest.mark.helm
def test_lint_output_matches_helm(cli, helm, tmp_path):
    chart = tmp_path / "lint-bad"
    shutil.copytree(DATA / "lint-bad", chart)
    ours = cli("lint", str(chart))
    theirs = helm("lint", str(chart), check=False)
    assert ours.exit_code == theirs.returncode == 1
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr == "Error: 1 chart(s) linted, 1 chart(s) failed\n"


def test_lint_exact_failure_lines(cli):
    r = cli("lint", str(DATA / "lint-bad"))
    lines = r.stdout.splitlines()
    assert lines[0] == f"==> Linting {DATA / 'lint-bad'}"
    assert "[ERROR] Chart.yaml: version should be of type string but it's of type float64" in lines
    assert "[ERROR] Chart.yaml: invalid email 'notanemail' for maintainer 'x'" in lines
    assert "[ERROR] templates/notes.md: file extension '.md' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt" in lines
    assert ('[WARNING] templates/svc.yaml: document starts with an illegal indent: "  apiVersion: v1", which may '
            "cause parsing problems") in lines
    assert '[ERROR] templates/cm.yaml: a Deployment must contain matchLabels or matchExpressions, and "d" does not' in lines
    assert r.exit_code == 1 and r.stderr == "Error: 1 chart(s) linted, 1 chart(s) failed\n"


@pytest.mark.helm
def test_lint_clean_and_quiet_match_helm(cli, helm):
    chart = str(DATA / "template-plain")
    for flags in ([], ["--quiet"], ["--strict"], ["--strict", "--quiet"]):
        ours = cli("lint", chart, *flags)
        theirs = helm("lint", chart, *flags)
        assert ours.exit_code == 0, ours
        assert ours.stdout == theirs.stdout, flags


def test_lint_strict_reports_missing_value(cli):
    chart = str(DATA / "lint-strict")
    ok = cli("lint", chart)
    assert ok.exit_code == 0, ok
    assert ok.stdout == f"==> Linting {chart}\n\n1 chart(s) linted, 0 chart(s) failed\n"
    strict = cli("lint", chart, "--strict")
    assert strict.exit_code == 1
    errors = [line for line in strict.stdout.splitlines() if line.startswith("[ERROR] templates/")]
    assert len(errors) == 1 and "notThere" in errors[0], strict.stdout
    assert strict.stderr == "Error: 1 chart(s) linted, 1 chart(s) failed\n"
    # the missing value supplied on the command line makes strict lint pass
    assert cli("lint", chart, "--strict", "--set", "notThere=x").exit_code == 0


def test_lint_strict_fails_on_warning(cli, tmp_path):
    root = _chart(tmp_path, "apiVersion: v2\nname: c\nversion: v1.0.0\nicon: https://x.io/i.png\n" + JINJA,
                  {"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"})
    assert cli("lint", str(root)).exit_code == 0
    r = cli("lint", str(root), "--strict")
    assert r.exit_code == 1
    assert "[WARNING] Chart.yaml: version 'v1.0.0' is not a valid SemVerV2" in r.stdout


def test_lint_missing_chart_yaml_and_multiple_paths(cli, tmp_path):
    r = cli("lint", str(DATA / "template-plain"), str(tmp_path))
    assert r.exit_code == 1
    assert (f"==> Linting {tmp_path}\nError unable to check Chart.yaml file in chart: stat {tmp_path}/Chart.yaml: "
            "no such file or directory\n\n") in r.stdout
    assert r.stderr == "Error: 2 chart(s) linted, 1 chart(s) failed\n"


def test_lint_requires_a_path(cli):
    assert cli("lint").exit_code == 2


def test_lint_go_chart_renders_its_templates(cli):
    r = cli("lint", str(DATA / "lint-go"))
    assert r.exit_code == 0, r
    assert r.stdout == ("==> Linting " + str(DATA / "lint-go") + "\n[INFO] Chart.yaml: icon is recommended\n"
                        "[INFO] values.yaml: file does not exist\n\n1 chart(s) linted, 0 chart(s) failed\n")


def test_lint_archive(cli, tmp_path):
    from helmpy.chart.archive import write_archive

    src = DATA / "template-plain"
    entries = [(f"plain/{p.relative_to(src).as_posix()}", p.read_bytes(), p.stat().st_mtime)
               for p in sorted(src.rglob("*")) if p.is_file()]
    tgz = tmp_path / "plain-0.1.0.tgz"
    tgz.write_bytes(write_archive(entries))
    r = cli("lint", str(tgz))
    assert r.exit_code == 0, r
    assert r.stdout == f"==> Linting {tgz}\n\n1 chart(s) linted, 0 chart(s) failed\n"


def test_lint_with_subcharts(cli, tmp_path):
    root = tmp_path / "parent"
    shutil.copytree(DATA / "template-plain", root)
    shutil.copytree(DATA / "lint-bad", root / "charts" / "lint-bad")
    r = cli("lint", str(root), "--with-subcharts", "--quiet")
    assert f"==> Linting {root}/charts/lint-bad" in r.stdout
    assert r.stderr == "Error: 2 chart(s) linted, 2 chart(s) failed\n"
