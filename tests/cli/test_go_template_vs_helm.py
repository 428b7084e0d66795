"""``helmpy template`` on Go charts against real ``helm template``, byte for byte: the Sprig case tables
rendered as one chart (the same chart :mod:`tests.engine.gotemplate.funcs.helmcases` gives Helm), the
render-golden-go chart, and ``helm create``'s scaffold with its default and its optional parts on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.gotemplate.funcs import helmcases
from tests.engine.gotemplate.funcs.test_against_helm import CASES
from tests.engine.gotemplate.funcs.test_errors_and_table import ERRORS

pytestmark = pytest.mark.helm

DATA = Path(__file__).resolve().parents[1] / "data"
UTC = {"TZ": "UTC", "HELMPY_RENDER_TIMEOUT": "300"}  # output is compared here, not speed (a loaded machine)


def _documents(text: str) -> dict[str, str]:
    """``{source: document}`` of a ``template`` output, so a mismatch names the file that differs."""
    docs: dict[str, str] = {}
    for doc in text.split("---\n# Source: ")[1:]:
        name, _, _rest = doc.partition("\n")
        docs[name] = doc
    return docs


def _assert_same(ours: str, theirs: str) -> None:
    mine, helms = _documents(ours), _documents(theirs)
    assert sorted(mine) == sorted(helms)
    differing = [name for name in helms if mine[name] != helms[name]]
    assert not differing, "\n".join(f"{n}:\nhelm:   {helms[n]!r}\nhelmpy: {mine[n]!r}" for n in differing[:10])
    assert ours == theirs


def test_sprig_cases_through_helmpy_template_match_helm(cli, helm, tmp_path: Path) -> None:
    chart = helmcases.write_chart(tmp_path, [(expr, mode) for _f, _i, expr, mode, _p in CASES])
    theirs = helm("template", "x", str(chart), extra_env=UTC).stdout
    ours = cli("template", "x", str(chart), env=UTC)
    assert ours.exit_code == 0, ours.stderr
    _assert_same(ours.stdout, theirs)


EXTRA_ERRORS = [  # Helm's data functions and argument conversion, beside the Sprig error table
    'mustToYaml (dict "a" (float64 "NaN"))', 'mustToJson (float64 "NaN")', "toToml nil", 'trunc .Values.f "abc"', 'derivePassword -1 "long" "p" "u" "s"',
    '(semver "1.0.0").Compare "1.0.0"', 'trunc (add 1 2) "hello"', 'indent (int64 2) "x"', 'until (int64 2)', 'include "nope" .', 'tpl "{{ .x" .', 'required "need it" .Values.nope',
]


@pytest.mark.parametrize("expr", [e[0] for e in ERRORS] + EXTRA_ERRORS)
def test_function_errors_through_helmpy_template_match_helm(expr: str, cli, helm, tmp_path: Path) -> None:
    want = helmcases.helm_error(lambda *a, **k: helm(*a, **k), tmp_path, expr)
    ours = cli("template", "x", str(tmp_path / "e"), env=UTC)
    assert ours.exit_code == 1
    assert ours.stderr.splitlines()[0] == want


@pytest.mark.parametrize("text", ["a: [1\n", "a: 1\nb:\n  c: 1\n d: 2\n", "a: b: c\n", "a: 'x\n"],
                         ids=["parser", "parser-key", "scanner", "scanner-eof"])
def test_manifest_yaml_errors_match_helm(text: str, cli, helm, tmp_path: Path) -> None:
    chart = tmp_path / "y"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: y\nversion: 0.1.0\n")
    (chart / "templates" / "t.yaml").write_text(text)
    want = helm("template", "x", str(chart), check=False).stderr.splitlines()[0]
    ours = cli("template", "x", str(chart))
    assert ours.exit_code == 1
    assert ours.stderr.splitlines()[0] == want


FILES = {  # what go-yaml quotes, folds or blocks differently from other YAML writers
    "files/plain.txt": "hello\n", "files/trailing.txt": "a  \nb\t\n", "files/yes": "yes",
    "files/long.txt": "word " * 40, "files/num": "1234e56", "files/lead": " lead\nx", "files/empty": "",
}


def test_files_as_config_and_as_secrets_match_helm(cli, helm, tmp_path: Path) -> None:
    chart = tmp_path / "f"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: f\nversion: 0.1.0\n")
    for name, text in FILES.items():
        (chart / name).parent.mkdir(exist_ok=True)
        (chart / name).write_text(text)
    (chart / "templates" / "cm.yaml").write_text(
        "a: |\n  {{- (.Files.Glob \"files/*\").AsConfig | nindent 2 }}\n"
        "b: |\n  {{- (.Files.Glob \"files/*\").AsSecrets | nindent 2 }}\n"
        "# {{ (.Files.Glob \"nope/*\").AsConfig | quote }} {{ (.Files.Glob \"nope/*\").AsSecrets | quote }}\n")
    theirs = helm("template", "x", str(chart)).stdout
    ours = cli("template", "x", str(chart))
    assert ours.exit_code == 0, ours.stderr
    assert ours.stdout == theirs


def test_render_golden_go_matches_helm(cli, helm) -> None:
    chart = str(DATA / "render-golden-go")
    for extra in ([], ["--set", "replicaCount=5", "--show-only", "templates/deployment.yaml"]):
        theirs = helm("template", "rel", chart, *extra).stdout
        ours = cli("template", "rel", chart, *extra)
        assert ours.exit_code == 0, ours.stderr
        assert ours.stdout == theirs


@pytest.mark.parametrize("sets", [[], ["--set", "ingress.enabled=true", "--set", "autoscaling.enabled=true"]],
                         ids=["defaults", "ingress-autoscaling"])
def test_helm_create_scaffold_matches_helm(cli, helm, tmp_path: Path, sets: list[str]) -> None:
    helm("create", "scaffold", cwd=tmp_path)
    chart = str(tmp_path / "scaffold")
    theirs = helm("template", "rel", chart, *sets).stdout
    ours = cli("template", "rel", chart, *sets)
    assert ours.exit_code == 0, ours.stderr
    _assert_same(ours.stdout, theirs)
