"""``helmpy template`` and ``helmpy show`` against the real Helm on charts both can render.

``tests/data/template-plain`` has templates without template syntax, so Helm (Go templates) and helmpy
(Jinja2) must print exactly the same bytes for every output flag.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import DATA

PLAIN = DATA / "template-plain"


@pytest.mark.helm
@pytest.mark.parametrize("flags", [
    [],
    ["--include-crds"],
    ["--skip-tests"],
    ["--no-hooks"],
    ["-s", "templates/svc.yaml"],
    ["-s", "templates/*.yaml", "-s", "templates/a-cm.yaml"],
    ["-s", "templates/tests/test-pod.yaml", "--include-crds"],
    ["-n", "other", "--is-upgrade"],
], ids=lambda f: " ".join(f) or "default")
def test_template_output_matches_helm(cli, helm, flags):
    ours = cli("template", "plain", str(PLAIN), *flags)
    theirs = helm("template", "plain", str(PLAIN), *flags)
    assert ours.exit_code == 0, ours
    assert ours.stdout == theirs.stdout


@pytest.mark.helm
def test_template_default_release_name_and_order(cli, helm):
    ours = cli("template", str(PLAIN))
    assert ours.exit_code == 0, ours
    assert ours.stdout == helm("template", str(PLAIN)).stdout
    sources = [line for line in ours.stdout.splitlines() if line.startswith("# Source:")]
    # manifest in install order (ServiceAccount, ConfigMap, Service, Deployment), then hooks
    assert sources == ["# Source: plain/templates/svc.yaml", "# Source: plain/templates/a-cm.yaml",
                       "# Source: plain/templates/svc.yaml", "# Source: plain/templates/b-deploy.yaml",
                       "# Source: plain/templates/hook-cm.yaml", "# Source: plain/templates/tests/test-pod.yaml"]
    assert "NOTES" not in ours.stdout and "Thanks for installing" not in ours.stdout


@pytest.mark.helm
def test_template_output_dir_matches_helm(cli, helm, tmp_path):
    ours_dir, helm_dir = tmp_path / "ours", tmp_path / "helm"
    ours = cli("template", "plain", str(PLAIN), "--output-dir", str(ours_dir), "--include-crds")
    theirs = helm("template", "plain", str(PLAIN), "--output-dir", str(helm_dir), "--include-crds")
    assert ours.exit_code == 0, ours
    assert ours.stdout.replace(str(ours_dir), "DIR") == theirs.stdout.replace(str(helm_dir), "DIR")
    ours_files = sorted(p.relative_to(ours_dir) for p in ours_dir.rglob("*") if p.is_file())
    helm_files = sorted(p.relative_to(helm_dir) for p in helm_dir.rglob("*") if p.is_file())
    assert ours_files == helm_files
    for rel in ours_files:
        assert (ours_dir / rel).read_text() == (helm_dir / rel).read_text(), rel


def test_template_output_dir_with_release_name(cli, tmp_path):
    r = cli("template", "rel", str(PLAIN), "--output-dir", str(tmp_path), "--release-name")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines()[0] == f"wrote {tmp_path}/rel/plain/templates/svc.yaml"
    assert r.stdout.endswith("\n\n")
    text = (tmp_path / "rel/plain/templates/svc.yaml").read_text()
    assert text.count("# Source: plain/templates/svc.yaml") == 2


def test_template_show_only_miss(cli):
    r = cli("template", "x", str(PLAIN), "-s", "templates/nope.yaml")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.strip() == "Error: could not find template templates/nope.yaml in chart"


@pytest.mark.parametrize("pattern", ["templates/NOTES.txt", "templates/empty.yaml", "plain/templates/a-cm.yaml"])
def test_template_show_only_never_matches_notes_empty_or_chart_prefix(cli, pattern):
    r = cli("template", "x", str(PLAIN), "-s", pattern)
    assert r.exit_code == 1
    assert f"could not find template {pattern} in chart" in r.stderr


def test_template_go_chart_renders(cli):
    r = cli("template", "x", str(DATA / "lint-go"))
    assert r.exit_code == 0, r
    assert r.stdout == ("---\n# Source: lint-go/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n"
                        "metadata:\n  name: x\n")


def test_template_bad_release_name(cli):
    r = cli("template", "Bad_Name", str(PLAIN))
    assert r.exit_code == 1
    assert 'release name "Bad_Name": invalid release name' in r.stderr


def test_template_generate_name(cli):
    r = cli("template", "-g", str(PLAIN))
    assert r.exit_code == 0, r
    assert "# Source: plain/templates/svc.yaml" in r.stdout


def test_template_missing_chart(cli, tmp_path):
    r = cli("template", "x", str(tmp_path / "nothing"))
    assert r.exit_code == 1
    assert "not found" in r.stderr


def test_template_values_and_capabilities(cli, tmp_path):
    chart = tmp_path / "caps"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: caps\nversion: 1.0.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "values.yaml").write_text("greeting: hi\n")
    (chart / "templates/cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\n  namespace: {{ Release.Namespace }}\n"
        "data:\n  greeting: {{ Values.greeting | quote }}\n"
        "  minor: {{ Capabilities.KubeVersion.Minor | quote }}\n"
        "  has: {{ Capabilities.APIVersions.Has('example.com/v9') | string | quote }}\n"
        "  upgrade: {{ Release.IsUpgrade | string | quote }}\n")
    r = cli("template", "rel", str(chart), "-n", "ns1", "--set", "greeting=yo", "--kube-version", "1.29.3",
            "-a", "example.com/v9", "--is-upgrade")
    assert r.exit_code == 0, r
    doc = yaml.safe_load(r.stdout.split("\n", 2)[2])
    assert doc["metadata"] == {"name": "rel", "namespace": "ns1"}
    assert doc["data"] == {"greeting": "yo", "minor": "29", "has": "True", "upgrade": "True"}


@pytest.mark.helm
@pytest.mark.parametrize("what", ["chart", "values", "readme", "crds", "all"])
def test_show_matches_helm(cli, helm, what):
    ours = cli("show", what, str(PLAIN))
    assert ours.exit_code == 0, ours
    theirs = helm("show", what, str(PLAIN)).stdout
    if what in ("chart", "all"):  # identical apart from the key helmpy adds
        assert "  helmpy.io/template-engine: jinja2\n" in ours.stdout
    assert ours.stdout == theirs


@pytest.mark.helm
def test_show_chart_of_archive_matches_helm(cli, helm, tmp_path):
    helm("package", str(PLAIN), "-d", str(tmp_path))
    tgz = tmp_path / "plain-0.1.0.tgz"
    assert cli("show", "all", str(tgz)).stdout == helm("show", "all", str(tgz)).stdout


def test_show_readme_absent_prints_nothing(cli):
    r = cli("show", "readme", str(DATA / "lint-strict"))
    assert r.exit_code == 0 and r.stdout == ""


def test_show_inspect_alias_and_missing_chart(cli, tmp_path):
    assert cli("inspect", "values", str(PLAIN)).stdout == "replicas: 1\n\n"
    r = cli("show", "chart", str(tmp_path / "missing"))
    assert r.exit_code == 1 and "not found" in r.stderr


def test_help_has_examples(cli):
    for cmd in (["create"], ["template"], ["lint"], ["show"], ["show", "values"]):
        r = cli(*cmd, "--help")
        assert r.exit_code == 0
        assert "Examples:" in r.stdout, cmd


def test_template_missing_dependency(cli, tmp_path):
    chart = tmp_path / "parent"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n"
                                      "  - name: sub\n    version: 1.0.0\n    repository: https://example.com\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    r = cli("template", "x", str(chart))
    assert r.exit_code == 1
    assert "found in Chart.yaml, but missing in charts/ directory: sub" in r.stderr


def test_template_bad_kube_version(cli):
    r = cli("template", "x", str(PLAIN), "--kube-version", "banana")
    assert r.exit_code != 0 and "invalid kube version 'banana'" in r.stderr


def test_template_library_chart_refused(cli, tmp_path):
    chart = tmp_path / "lib"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n")
    r = cli("template", "x", str(chart))
    assert r.exit_code == 1 and "library charts are not installable" in r.stderr


def test_bench_script_runs(tmp_path):
    """bench/bench_template.py end to end on a tiny chart (needs the Helm fixture's binary)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_template.py"), "--objects", "8", "--runs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "identical" in proc.stdout and "differ" not in proc.stdout  # both tools rendered the same objects
    import re

    for row in ("Jinja2 vs Go twin", "Go chart"):  # a row per chart: helmpy cold/warm, helm, ratios
        assert re.search(rf"{row}\s+[\d.]+s\s+[\d.]+s\s+[\d.]+s\s+[\d.]+x\s+[\d.]+x", proc.stdout), proc.stdout


@pytest.mark.parametrize("argv, banned", [
    (["--help"], ("yaml", "jinja2", "helmpy.values.options", "requests")),
    (["version"], ("yaml", "jinja2", "helmpy.cli.chart_cmds", "requests")),
    (["template", "--help"], ("yaml", "jinja2", "requests")),
])
def test_light_commands_start_without_heavy_imports(argv, banned):
    """``helmpy --help`` and ``helmpy version`` must start fast: no YAML/Jinja2/HTTP imports."""
    import subprocess
    import sys

    code = (f"import sys\nfrom helmpy.cli.main import cli\ntry:\n    cli({argv!r}, standalone_mode=False)\n"
            "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    loaded = set(proc.stderr.split())
    assert "helmpy.cli.main" in loaded, proc.stderr
    assert not loaded & set(banned), sorted(loaded & set(banned))


@pytest.mark.helm
@pytest.mark.parametrize("version", ["1.0", "01.2.3", "v1.2.3", "1.2.3-01", "1.2.3-a.01", "x1"])
def test_chart_version_acceptance_matches_helm(cli, helm, tmp_path, version):
    chart = tmp_path / "v"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: v\nversion: {version}\n")
    ours, theirs = cli("template", "x", str(chart)), helm("template", "x", str(chart), check=False)
    assert (ours.exit_code == 0) == (theirs.returncode == 0), (ours.stderr, theirs.stderr)
    if ours.exit_code:
        assert ours.stderr.startswith("Error: ") and "chart.metadata.version" in ours.stderr


# --- render errors: Helm's "Use --debug flag" hint, and --debug printing the rendered files --------------
INVALID = DATA / "template-invalid-yaml"
YAML_ERROR = ("Error: YAML parse error on invalid/templates/b-bad.yaml: error converting YAML to JSON: "
              "yaml: line 7: mapping values are not allowed in this context\n")
DEBUG_HINT = "\nUse --debug flag to render out invalid YAML\n"


def _docs(text: str) -> list[str]:
    """Printed documents as a sorted list (Helm prints the files of a failed render in Go map order)."""
    return sorted(d.strip() for d in text.split("---\n") if d.strip())


def _error_part(stderr: str) -> str:
    """stderr from the ``Error:`` line on (Helm's --debug adds ``level=DEBUG`` lines before it)."""
    return stderr[stderr.index("Error: "):]


@pytest.mark.helm
@pytest.mark.parametrize("flags", [
    [],
    ["--debug"],
    ["--debug", "--skip-tests"],
    ["--debug", "--no-hooks"],
    ["--debug", "-s", "templates/b-bad.yaml"],
    ["--debug", "-s", "templates/a-test.yaml"],
    ["--debug", "-s", "templates/nope.yaml"],
], ids=lambda f: " ".join(f) or "default")
def test_template_invalid_yaml_matches_helm(cli, helm, flags):
    ours = cli("template", "rel", str(INVALID), *flags)
    theirs = helm("template", "rel", str(INVALID), *flags, check=False)
    assert ours.exit_code == theirs.returncode == 1, ours
    assert "Traceback" not in ours.stderr
    assert _error_part(ours.stderr) == _error_part(theirs.stderr)
    assert _docs(ours.stdout) == _docs(theirs.stdout)
    if "-s" in flags:  # one file chosen: the order question goes away, so bytes must match
        assert ours.stdout == theirs.stdout


def test_template_invalid_yaml_hint_and_debug_output(cli):
    r = cli("template", "rel", str(INVALID))
    assert r.exit_code == 1 and r.stdout == "", r
    assert r.stderr == YAML_ERROR + DEBUG_HINT
    for args, env in ((["--debug"], None), ([], {"HELMPY_DEBUG": "1"})):
        r = cli("template", "rel", str(INVALID), *args, env=env)
        assert r.exit_code == 1, r
        assert r.stderr.endswith(YAML_ERROR) and r.stderr.count("Error: ") == 1, r
        assert "Traceback" not in r.stderr
        files = {name: (INVALID / "templates" / name).read_text()
                 for name in ("a-test.yaml", "b-bad.yaml", "c-cm.yaml")}
        blob = "".join(f"---\n# Source: invalid/templates/{name}\n{text}\n" for name, text in files.items())
        # the raw files in path order (NOTES and empty files left out), trimmed; then the hook found before
        # the failing file, as Helm prints the hooks of its partial release
        hook = files["a-test.yaml"].strip()
        assert r.stdout == blob.strip() + f"\n---\n# Source: invalid/templates/a-test.yaml\n{hook}\n"
        bad = r.stdout.split("# Source: invalid/templates/b-bad.yaml\n")[1]
        assert "line 7:" in r.stderr and bad.splitlines()[6] == "    nested: oops"  # the line the error names


def _jinja_chart(tmp_path: Path, template: str, extra_chart_yaml: str = "") -> Path:
    chart = tmp_path / "j"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: j\nversion: 1.0.0\n" + extra_chart_yaml +
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "templates/cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\n")
    (chart / "templates/x.yaml").write_text(template)
    return chart


@pytest.mark.parametrize("template, extra, message", [
    ('{{ fail("boom") }}\n', "", "boom"),
    ("{{ include('nope') }}\n", "", "no named template 'nope'"),
    ("a: 1\n", 'kubeVersion: "<1.0.0"\n', "chart requires kubeVersion: <1.0.0 which is incompatible"),
])
def test_template_render_errors_get_the_hint_and_debug_prints_empty_manifest(cli, tmp_path, template, extra,
                                                                            message):
    chart = _jinja_chart(tmp_path, template, extra)
    r = cli("template", "rel", str(chart))
    assert r.exit_code == 1 and r.stdout == "" and message in r.stderr, r
    assert r.stderr.endswith(DEBUG_HINT)
    r = cli("template", "rel", str(chart), "--debug")
    assert r.exit_code == 1 and r.stdout == "\n", r  # Helm: the partial release has no manifest
    assert message in r.stderr and "Use --debug" not in r.stderr and "Traceback" not in r.stderr, r


def test_template_errors_before_rendering_have_no_hint(cli, tmp_path):
    chart = _jinja_chart(tmp_path, "a: 1\n")
    (chart / "values.schema.json").write_text('{"type": "object", "required": ["must"]}')
    for args in ([], ["--debug"]):
        r = cli("template", "rel", str(chart), *args)
        assert r.exit_code == 1 and r.stdout == "" and "must" in r.stderr, r
        assert "Use --debug" not in r.stderr and "Traceback" not in r.stderr
