"""``helmpy create``: the scaffold, name rules, overwrite warnings, and equivalence with ``helm create``."""

from __future__ import annotations

import pytest
import yaml

from helmpy.chart.create import create_chart, scaffold_files, validate_chart_name
from helmpy.chart.loader import load
from helmpy.errors import ChartError, ChartValidationError

EXPECTED_FILES = [
    ".helmignore", "Chart.yaml", "templates/NOTES.txt", "templates/_helpers.tpl", "templates/deployment.yaml",
    "templates/hpa.yaml", "templates/httproute.yaml", "templates/ingress.yaml", "templates/service.yaml",
    "templates/serviceaccount.yaml", "templates/tests/test-connection.yaml", "values.yaml",
]


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_create_writes_scaffold(tmp_path):
    result = create_chart(tmp_path / "mychart")
    root = tmp_path / "mychart"
    assert result.path == root and result.overwritten == []
    assert _files(root) == EXPECTED_FILES
    assert (root / "charts").is_dir() and not any((root / "charts").iterdir())
    assert oct((root / "values.yaml").stat().st_mode & 0o777) == "0o644"
    chart = load(root)
    assert chart.name == "mychart" and chart.metadata.version == "0.1.0" and chart.metadata.app_version == "1.16.0"
    assert chart.uses_jinja() and chart.metadata.type == "application"
    assert b"<CHARTNAME>" not in b"".join((root / f).read_bytes() for f in EXPECTED_FILES)
    assert (root / "values.yaml").read_text().startswith("# Default values for mychart.")


def test_scaffold_helpers_define_the_named_macros():
    helpers = scaffold_files("x")["templates/_helpers.tpl"].decode()
    for macro in ("name", "fullname", "chart", "labels", "selectorLabels", "serviceAccountName"):
        assert f"{{% macro {macro}() -%}}" in helpers


@pytest.mark.parametrize("name", ["bad name", "a/b:c", "sp$ce", "é"])
def test_invalid_names(name):
    with pytest.raises(ChartValidationError, match=r'chart name must match the regular expression "\^\[a-zA-Z0-9._-\]\+\$"'):
        validate_chart_name(name)


def test_name_length_limit():
    validate_chart_name("a" * 250)
    with pytest.raises(ChartValidationError, match="between 1 and 250"):
        validate_chart_name("a" * 251)


def test_parent_must_exist(tmp_path):
    with pytest.raises(ChartError, match="no such file or directory"):
        create_chart(tmp_path / "missing" / "mychart")


def test_target_is_a_file(tmp_path):
    (tmp_path / "mychart").write_text("x")
    with pytest.raises(ChartError, match="already exists and is not a directory"):
        create_chart(tmp_path / "mychart")


def test_cli_create_output_and_overwrite_warnings(cli, tmp_path):
    target = tmp_path / "web"
    r = cli("create", str(target))
    assert r.exit_code == 0, r
    assert r.stdout == f"Creating {target}\n"
    (target / "values.yaml").write_text("changed: true\n")
    (target / "extra.txt").write_text("kept")
    r = cli("create", str(target))
    lines = r.stdout.splitlines()
    assert lines[0] == f"Creating {target}"
    assert f'WARNING: File "{target}/values.yaml" already exists. Overwriting.' in lines
    assert len(lines) == 1 + len(EXPECTED_FILES)
    assert (target / "extra.txt").read_text() == "kept"
    assert "replicaCount: 1" in (target / "values.yaml").read_text()


def test_cli_create_bad_name(cli, tmp_path):
    r = cli("create", str(tmp_path / "bad name"))
    assert r.exit_code == 1
    assert r.stdout == f"Creating {tmp_path / 'bad name'}\n"
    assert r.stderr == 'Error: chart name must match the regular expression "^[a-zA-Z0-9._-]+$"\n'
    assert not (tmp_path / "bad name").exists()


def test_cli_create_relative_path(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("create", "rel")
    assert r.exit_code == 0, r
    assert (tmp_path / "rel" / "Chart.yaml").is_file()


def test_create_from_starter(cli, tmp_path, helmpy_home):
    starters = helmpy_home / "data" / "starters" / "mystarter"
    (starters / "templates").mkdir(parents=True)
    (starters / "Chart.yaml").write_text("apiVersion: v2\nname: <CHARTNAME>\nversion: 0.2.0\n")
    (starters / "templates" / "cm.yaml").write_text("name: <CHARTNAME>-cm\n")
    r = cli("create", str(tmp_path / "fromstarter"), "-p", "mystarter")
    assert r.exit_code == 0, r
    assert (tmp_path / "fromstarter/templates/cm.yaml").read_text() == "name: fromstarter-cm\n"
    assert load(tmp_path / "fromstarter").metadata.version == "0.2.0"
    r = cli("create", str(tmp_path / "other"), "-p", "nope")
    assert r.exit_code == 1 and "starter chart 'nope' not found" in r.stderr


def _objects(text):
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(text) if d}


@pytest.mark.helm
@pytest.mark.parametrize("sets", [
    [],
    ["--set", "ingress.enabled=true", "--set", "autoscaling.enabled=true", "--set", "httpRoute.enabled=true",
     "--set", "serviceAccount.create=false", "--set", "podLabels.team=a", "--set", "podAnnotations.note=b",
     "--set", "resources.limits.cpu=1", "--set", "ingress.tls[0].secretName=s", "--set", "ingress.tls[0].hosts[0]=h",
     "--set", "service.type=NodePort", "--set", "fullnameOverride=fixed"],
], ids=["defaults", "everything-on"])
def test_scaffold_renders_like_helm_create(cli, helm, tmp_path, sets):
    """Same objects, names and labels as Helm's own scaffold rendered by Helm."""
    (tmp_path / "ours").mkdir()
    (tmp_path / "helm").mkdir()
    assert cli("create", str(tmp_path / "ours" / "mychart")).exit_code == 0
    helm("create", "mychart", cwd=tmp_path / "helm")
    ours = cli("template", str(tmp_path / "ours" / "mychart"), *sets)
    assert ours.exit_code == 0, ours
    theirs = helm("template", str(tmp_path / "helm" / "mychart"), *sets)
    assert _objects(ours.stdout) == _objects(theirs.stdout)
    kinds = [k for k, _ in _objects(ours.stdout)]
    if not sets:
        assert sorted(kinds) == ["Deployment", "Pod", "Service", "ServiceAccount"]


@pytest.mark.helm
def test_scaffold_fullname_collapses_like_helm(cli, helm, tmp_path):
    assert cli("create", str(tmp_path / "mychart")).exit_code == 0
    ours = _objects(cli("template", "mychart-prod", str(tmp_path / "mychart")).stdout)
    assert ("Deployment", "mychart-prod") in ours
    assert ("Pod", "mychart-prod-test-connection") in ours


@pytest.mark.helm
def test_scaffold_lints_clean(cli, tmp_path):
    assert cli("create", str(tmp_path / "mychart")).exit_code == 0
    r = cli("lint", str(tmp_path / "mychart"), "--strict")
    assert r.exit_code == 0, r
    assert r.stdout == (f"==> Linting {tmp_path / 'mychart'}\n[INFO] Chart.yaml: icon is recommended\n\n"
                        "1 chart(s) linted, 0 chart(s) failed\n")
