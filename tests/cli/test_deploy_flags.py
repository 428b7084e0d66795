"""Helm 4's install/upgrade/template/rollback flags through the CLI: --post-renderer with real scripts,
--dependency-update against a real repository server, --wait-for-jobs, --hide-notes, --server-side,
--render-subchart-notes, template --validate / --dry-run=server, and global flags after the sub-command."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from helmpy.kube.embedded import EmbeddedCluster
from tests.support.gocharts import write_files
from tests.support.http_repo import build_repo, serve

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    "values.yaml": "greeting: hello\n",
    "templates/cm.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"
                          "data:\n  greeting: {{ .Values.greeting }}\n"),
    "templates/hook.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n"
                            "  annotations:\n    helm.sh/hook: pre-install\ndata:\n  when: before\n"),
    "templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}.\n",
}

# a post-renderer as users write them: sed over the stream, its argument spliced in
SED_SCRIPT = """#!/bin/sh
set -e
sed "s/^data:$/data:\\n  post: $1/"
"""


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return write_files(tmp_path / "app", CHART)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cluster.db"


def _docs(text: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(text) if d}


def _error_line(r: Any, code: int = 1) -> str:
    """The one ``Error:`` line (a ``Hint:`` and --wait's progress lines may be around it)."""
    assert r.exit_code == code, r
    lines = [line for line in r.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


# --- --post-renderer ---------------------------------------------------------------------------------------
def test_template_post_renderer_edits_manifests_and_hooks(cli, chart: Path, tmp_path: Path) -> None:
    script = _script(tmp_path, "post.sh", SED_SCRIPT)
    r = cli("template", "rel", str(chart), "--post-renderer", str(script), "--post-renderer-args", "yes")
    assert r.exit_code == 0, r
    docs = _docs(r.stdout)
    assert docs["rel-cm"]["data"] == {"post": True, "greeting": "hello"}
    assert docs["rel-hook"]["data"] == {"post": True, "when": "before"}  # hooks go through it too (Helm 4)
    assert "postrenderer.helm.sh" not in r.stdout  # the file-name annotation is taken out again
    assert "# Source: app/templates/cm.yaml" in r.stdout and "# Source: app/templates/hook.yaml" in r.stdout
    assert "annotations" not in docs["rel-cm"]["metadata"]  # it had none before


def test_install_post_renderer_on_path_and_stored_manifest(cli, chart: Path, tmp_path: Path, db: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script(bin_dir, "my-kustomize", SED_SCRIPT)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    r = cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--post-renderer", "my-kustomize",
            "--post-renderer-args", "installed", env=env)
    assert r.exit_code == 0, r
    live = EmbeddedCluster(db).get("v1", "ConfigMap", "rel-cm", "default")
    assert live is not None and live["data"]["post"] == "installed"
    manifest = cli("get", "manifest", "rel", "--cluster", f"local:{db}").stdout
    assert "post: installed" in manifest


def test_post_renderer_output_without_annotation_becomes_a_generated_file(cli, chart: Path, tmp_path: Path) -> None:
    extra = "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: extra\\n"
    script = _script(tmp_path, "add.sh", f'#!/bin/sh\ncat\nprintf -- "---\\n{extra}"\n')
    r = cli("template", "rel", str(chart), "--post-renderer", str(script))
    assert r.exit_code == 0, r
    assert "# Source: generated-by-postrender-2.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra" \
        in r.stdout


@pytest.mark.parametrize("body, message", [
    ("#!/bin/sh\necho 'kustomize: accumulating resources: boom' >&2\nexit 3\n",
     'failed (exit status 3): kustomize: accumulating resources: boom'),
    ("#!/bin/sh\ncat >/dev/null\n", "produced empty output"),
    ("#!/bin/sh\necho 'a: [unclosed'\n", "error while parsing post rendered output"),
])
def test_failing_post_renderer_is_one_error_naming_it(cli, chart: Path, tmp_path: Path, db: Path, body: str,
                                                      message: str) -> None:
    script = _script(tmp_path, "bad.sh", body)
    line = _error_line(cli("template", "rel", str(chart), "--post-renderer", str(script)))
    assert message in line and (str(script) in line or "post rendered output" in line), line
    line = _error_line(cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--post-renderer", str(script)))
    assert line.startswith("Error: INSTALLATION FAILED: ") and message in line, line
    assert cli("list", "-q", "--cluster", f"local:{db}").stdout == ""  # nothing was recorded or applied


def test_missing_post_renderer_and_args_without_it(cli, chart: Path, tmp_path: Path) -> None:
    line = _error_line(cli("template", "rel", str(chart), "--post-renderer", "no-such-renderer-xyz"))
    assert line == ('Error: post-renderer "no-such-renderer-xyz": no postrenderer/v1 plugin of that name is '
                    'installed and no such command is on PATH'), line
    plain = tmp_path / "plain.sh"
    plain.write_text("#!/bin/sh\ncat\n")
    line = _error_line(cli("template", "rel", str(chart), "--post-renderer", str(plain)))
    assert line == f'Error: post-renderer "{plain}": is not executable', line
    line = _error_line(cli("template", "rel", str(chart), "--post-renderer-args", "x"), code=2)
    assert line == "Error: --post-renderer-args needs --post-renderer"


# --- --dependency-update -----------------------------------------------------------------------------------
@pytest.fixture
def parent_chart(tmp_path: Path):  # type: ignore[no-untyped-def]
    srv = serve(build_repo(tmp_path / "served", [dict(name="alpha", version="1.2.0")]))
    files = {"Chart.yaml": yaml.safe_dump({"apiVersion": "v2", "name": "parent", "version": "1.0.0", "dependencies": [
        {"name": "alpha", "version": "^1.0.0", "repository": srv.url}]}),
             "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parent\n"}
    yield write_files(tmp_path / "parent", files)
    srv.stop()


def test_dependency_update_fetches_missing_dependencies(cli, parent_chart: Path, db: Path) -> None:
    line = _error_line(cli("template", "rel", str(parent_chart)))
    assert "missing in charts/ directory: alpha" in line
    r = cli("template", "rel", str(parent_chart), "--dependency-update")
    assert r.exit_code == 0, r
    assert "# Source: parent/charts/alpha/templates/cm.yaml" in r.stdout
    assert [p.name for p in (parent_chart / "charts").iterdir()] == ["alpha-1.2.0.tgz"]
    assert (parent_chart / "Chart.lock").exists()
    (parent_chart / "charts" / "alpha-1.2.0.tgz").unlink()
    r = cli("install", "rel", str(parent_chart), "--dependency-update", "--cluster", f"local:{db}")
    assert r.exit_code == 0, r
    assert EmbeddedCluster(db).get("v1", "ConfigMap", "x", "default") is not None  # alpha's object


# --- --wait-for-jobs, --hide-notes, --server-side, --render-subchart-notes --------------------------------
JOB = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-job\nspec:\n  template:\n"
       "    spec:\n      restartPolicy: Never\n      containers: [{name: j, image: busybox}]\n")


def test_wait_for_jobs_waits_for_jobs_only_when_asked(cli, tmp_path: Path, db: Path) -> None:
    chart = write_files(tmp_path / "jobs", {**CHART, "templates/job.yaml": JOB})
    env = {"HELMPY_EMBEDDED_CONTROLLER": "0"}  # no controller: the Job never completes
    r = cli("install", "a", str(chart), "--cluster", f"local:{db}", "--wait", "--timeout", "2s", env=env)
    assert r.exit_code == 0, r  # Helm: without --wait-for-jobs a created Job counts as ready
    line = _error_line(cli("install", "b", str(chart), "--cluster", f"local:{db}", "--wait", "--wait-for-jobs",
                           "--timeout", "1s", env=env))
    assert "timed out after 1s" in line and "Job/default/b-job not ready: Job in progress" in line, line
    line = _error_line(cli("upgrade", "a", str(chart), "--cluster", f"local:{db}", "--wait", "--wait-for-jobs",
                           "--timeout", "1s", env=env))
    assert line.startswith("Error: UPGRADE FAILED: timed out after 1s") and "Job/default/a-job" in line


def test_hide_notes_and_subchart_notes(cli, tmp_path: Path, db: Path) -> None:
    sub = {f"charts/sub/{k}": v.replace("name: app", "name: sub") for k, v in CHART.items() if k != "values.yaml"}
    sub["charts/sub/templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\n"
    sub["charts/sub/templates/hook.yaml"] = ""
    sub["charts/sub/templates/NOTES.txt"] = "Sub-chart notes.\n"
    chart = write_files(tmp_path / "app", {**CHART, **sub})
    r = cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--hide-notes")
    assert r.exit_code == 0 and "NOTES" not in r.stdout and "Thanks" not in r.stdout, r
    assert "Thanks for installing rel." in cli("get", "notes", "rel", "--cluster", f"local:{db}").stdout
    r = cli("upgrade", "rel", str(chart), "--cluster", f"local:{db}", "--render-subchart-notes")
    assert r.exit_code == 0, r
    notes = r.stdout.split("NOTES:\n", 1)[1]
    assert sorted(notes.split("\n\n")) == ["Sub-chart notes.", "Thanks for installing rel.\n"], notes


def test_server_side_values_and_apply_method(cli, chart: Path, db: Path) -> None:
    r = cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--server-side")
    assert r.exit_code == 0, r
    meta = cli("get", "metadata", "rel", "--cluster", f"local:{db}", "-o", "json").json
    assert meta["applyMethod"] == "ssa"
    for cmd in (["upgrade", "rel", str(chart)], ["rollback", "rel", "1"]):
        line = _error_line(cli(*cmd, "--cluster", f"local:{db}", "--server-side=false"), code=2)
        assert "helmpy applies server-side only" in line
        r = cli(*cmd, "--cluster", f"local:{db}", "--server-side", "auto", "--force-conflicts")
        assert r.exit_code == 0, r
    history = cli("history", "rel", "--cluster", f"local:{db}", "-o", "json").json
    assert [h["description"] for h in history] == ["Install complete", "Upgrade complete", "Rollback to 1"]


# --- template --validate / --dry-run=server -----------------------------------------------------------------
LOOKUP = ('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: copy\ndata:\n'
          '  seen: {{ dig "data" "greeting" "nothing" (lookup "v1" "ConfigMap" "default" "rel-cm") | quote }}\n')
GADGET = "apiVersion: example.org/v1\nkind: Gadget\nmetadata:\n  name: g\n"


@pytest.mark.parametrize("flag", [["--validate"], ["--dry-run=server"]])
def test_template_validate_uses_the_cluster(cli, tmp_path: Path, chart: Path, db: Path, flag: list[str]) -> None:
    assert cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--set", "greeting=live").exit_code == 0
    looker = write_files(tmp_path / "looker", {"Chart.yaml": "apiVersion: v2\nname: looker\nversion: 1.0.0\n",
                                               "templates/copy.yaml": LOOKUP})
    offline = cli("template", "x", str(looker))
    assert offline.exit_code == 0 and 'seen: "nothing"' in offline.stdout, offline  # no cluster, no lookup
    r = cli("template", "x", str(looker), *flag, "--cluster", f"local:{db}")
    assert r.exit_code == 0 and 'seen: "live"' in r.stdout, r
    gadget = write_files(tmp_path / "gadget", {"Chart.yaml": "apiVersion: v2\nname: gadget\nversion: 1.0.0\n",
                                               "templates/g.yaml": GADGET})
    assert cli("template", "x", str(gadget)).exit_code == 0
    line = _error_line(cli("template", "x", str(gadget), *flag, "--cluster", f"local:{db}"))
    assert 'resource mapping not found for name: "g"' in line and "gadget/templates/g.yaml" in line, line


def test_template_accepts_installs_flags_and_global_flags_after_it(cli, chart: Path, tmp_path: Path) -> None:
    r = cli("template", "rel", str(chart), "--wait", "--timeout", "1m", "--atomic", "--create-namespace",
            "--description", "d", "-l", "a=b", "--skip-crds", "--hide-notes", "--server-side", "--force-conflicts",
            "--kube-context", "nowhere", "--repository-config", str(tmp_path / "repos.yaml"))
    assert r.exit_code == 0 and "name: rel-cm" in r.stdout, r
    r = cli("template", str(chart), "--name-template", "web-{{ 'X' | lower }}")
    assert r.exit_code == 0 and "name: web-x-cm" in r.stdout, r


def test_show_values_jsonpath(cli, chart: Path) -> None:
    r = cli("show", "values", str(chart), "--jsonpath", "greeting={.greeting}")
    assert r.exit_code == 0 and r.stdout == "greeting=hello", r
    r = cli("show", "values", str(chart), "--jsonpath", "{.nope}")
    assert r.exit_code == 0 and r.stdout == "" and "WARNING: --jsonpath {.nope}: nope is not found" in r.stderr
    assert _error_line(cli("show", "values", str(chart), "--jsonpath", "{.a")) == \
        "Error: error parsing jsonpath {.a: unclosed action"


# --- --verify / --keyring ----------------------------------------------------------------------------------
from tests.repo.gpg_fixture import SigningKey, signing_key  # noqa: E402,F401


def test_verify_checks_provenance_for_local_and_repository_charts(cli, chart: Path, tmp_path: Path, db: Path,
                                                                  signing_key: SigningKey) -> None:
    out = tmp_path / "pkg"
    r = cli("package", str(chart), "-d", str(out), "--sign", "--key", signing_key.uid, "--keyring",
            str(signing_key.secring))
    assert r.exit_code == 0, r
    tgz, keyring = out / "app-1.0.0.tgz", str(signing_key.pubring)
    for cmd in (["template", "rel", str(tgz)], ["show", "chart", str(tgz)],
                ["install", "rel", str(tgz), "--cluster", f"local:{db}"]):
        r = cli(*cmd, "--verify", "--keyring", keyring)
        assert r.exit_code == 0, r
    line = _error_line(cli("template", "rel", str(chart), "--verify", "--keyring", keyring))
    assert "cannot verify a directory" in line
    # from a repository: the .prov is fetched beside the archive, as pull --verify does
    import hashlib
    import shutil

    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(tgz, served)
    shutil.copy(out / "app-1.0.0.tgz.prov", served)
    index = {"apiVersion": "v1", "entries": {"app": [{"apiVersion": "v2", "name": "app", "version": "1.0.0",
                                                      "urls": ["app-1.0.0.tgz"],
                                                      "digest": hashlib.sha256(tgz.read_bytes()).hexdigest()}]}}
    (served / "index.yaml").write_text(yaml.safe_dump(index))
    srv = serve(served)
    try:
        r = cli("upgrade", "rel", "app", "--repo", srv.url, "--verify", "--keyring", keyring, "--cluster",
                f"local:{db}")
        assert r.exit_code == 0, r
        tgz_served = served / "app-1.0.0.tgz"  # a repository serving another archive, its index updated to match
        tgz_served.write_bytes(tgz_served.read_bytes() + b"tampered")
        index["entries"]["app"][0]["digest"] = hashlib.sha256(tgz_served.read_bytes()).hexdigest()
        (served / "index.yaml").write_text(yaml.safe_dump(index))
        line = _error_line(cli("template", "rel", "app", "--repo", srv.url, "--verify", "--keyring", keyring))
        assert "sha256" in line or "digest" in line, line
    finally:
        srv.stop()


# --- the same stream as Helm 4 hands its postrenderer/v1 plugins -------------------------------------------
PARITY_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    "templates/cm.yaml": ('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  labels:\n'
                          '    a: "1"\ndata:\n  greeting: hello\n  list: |\n    x\n    y\n'),
    "templates/hook.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n"
                            "  annotations:\n    helm.sh/hook: pre-install\ndata:\n  when: before\n---\n"
                            "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 80\n"
                            "    name: http\n"),
    "templates/NOTES.txt": "notes\n",
    "templates/_helpers.tpl": '{{ define "x" }}x{{ end }}\n',
}


# Helm 4's plugin form: plugin.yaml of type postrenderer/v1; the command's args are expanded, the
# --post-renderer-args are appended as given; the script sees the plugin's environment
PR_PLUGIN = """\
apiVersion: v1
name: sedpr
version: 0.1.0
type: postrenderer/v1
runtime: subprocess
runtimeConfig:
  platformCommand:
    - command: ${HELM_PLUGIN_DIR}/post.sh
      args: ["$HELM_PLUGIN_NAME"]
"""
PR_PLUGIN_SCRIPT = """#!/bin/sh
set -e
by=$1
shift
sed "s/^data:$/data:\\n  post: $*\\n  by: $by/"
"""


def _install_pr_plugin(cli: Any, tmp_path: Path, name: str = "sedpr", kind: str = "postrenderer/v1",
                       script: str = PR_PLUGIN_SCRIPT) -> Path:
    src = tmp_path / "src" / name
    src.mkdir(parents=True)
    (src / "plugin.yaml").write_text(PR_PLUGIN.replace("sedpr", name).replace("postrenderer/v1", kind))
    _script(src, "post.sh", script)
    r = cli("plugin", "install", str(src))
    assert r.exit_code == 0, r
    return Path(os.environ["HELMPY_DATA_HOME"]) / "plugins"


def test_post_renderer_plugin_through_template_install_and_upgrade(cli, chart: Path, tmp_path: Path,
                                                                   db: Path) -> None:
    _install_pr_plugin(cli, tmp_path)
    r = cli("template", "rel", str(chart), "--post-renderer", "sedpr", "--post-renderer-args", "one",
            "--post-renderer-args", "$HOME")
    assert r.exit_code == 0, r
    docs = _docs(r.stdout)
    # the plugin's own args expanded ($HELM_PLUGIN_NAME), --post-renderer-args passed as given ($HOME kept)
    assert docs["rel-cm"]["data"] == {"post": "one $HOME", "by": "sedpr", "greeting": "hello"}
    assert docs["rel-hook"]["data"]["post"] == "one $HOME"
    cluster = ["--cluster", f"local:{db}"]
    r = cli("install", "rel", str(chart), *cluster, "--post-renderer", "sedpr", "--post-renderer-args", "v1")
    assert r.exit_code == 0, r
    live = EmbeddedCluster(db).get("v1", "ConfigMap", "rel-cm", "default")
    assert live is not None and live["data"] == {"post": "v1", "by": "sedpr", "greeting": "hello"}
    r = cli("upgrade", "rel", str(chart), *cluster, "--post-renderer", "sedpr", "--post-renderer-args", "v2")
    assert r.exit_code == 0, r
    live = EmbeddedCluster(db).get("v1", "ConfigMap", "rel-cm", "default")
    assert live is not None and live["data"]["post"] == "v2"
    assert "post: v2" in cli("get", "manifest", "rel", *cluster).stdout
    r = cli("upgrade", "rel", str(chart), *cluster)  # without it, the chart as rendered
    live = EmbeddedCluster(db).get("v1", "ConfigMap", "rel-cm", "default")
    assert r.exit_code == 0 and live is not None and live["data"] == {"greeting": "hello"}, r


def test_post_renderer_plugin_wins_over_path_and_only_its_type_counts(cli, chart: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script(bin_dir, "sedpr", "#!/bin/sh\necho 'the PATH command ran' >&2\nexit 9\n")
    _script(bin_dir, "clionly", SED_SCRIPT)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    _install_pr_plugin(cli, tmp_path)
    r = cli("template", "rel", str(chart), "--post-renderer", "sedpr", "--post-renderer-args", "p", env=env)
    assert r.exit_code == 0, r  # Helm 4: "If it exists, the plugin will be used"
    assert _docs(r.stdout)["rel-cm"]["data"]["by"] == "sedpr"
    _install_pr_plugin(cli, tmp_path, name="clionly", kind="cli/v1", script="#!/bin/sh\nexit 7\n")
    r = cli("template", "rel", str(chart), "--post-renderer", "clionly", "--post-renderer-args", "q", env=env)
    assert r.exit_code == 0, r  # a cli/v1 plugin is no post-renderer: the command on PATH runs
    assert _docs(r.stdout)["rel-cm"]["data"]["post"] == "q"


def test_failing_post_renderer_plugin_is_one_error_naming_it(cli, chart: Path, tmp_path: Path, db: Path) -> None:
    _install_pr_plugin(cli, tmp_path, name="badpr", script="#!/bin/sh\necho \"no kustomization in $1\" >&2\nexit 4\n")
    line = _error_line(cli("template", "rel", str(chart), "--post-renderer", "badpr"))
    assert line == 'Error: post-renderer plugin "badpr" failed (exit status 4): no kustomization in badpr', line
    line = _error_line(cli("install", "rel", str(chart), "--cluster", f"local:{db}", "--post-renderer", "badpr"))
    assert line.startswith('Error: INSTALLATION FAILED: post-renderer plugin "badpr" failed'), line
    assert cli("list", "-q", "--cluster", f"local:{db}").stdout == ""


@pytest.mark.helm
def test_post_rendered_output_matches_helm_4s_plugin(cli, helm, tmp_path: Path) -> None:
    """The same postrenderer/v1 plugin, installed with `helmpy plugin install DIR`, run by real Helm 4 (its
    HELM_PLUGINS pointed at helmpy's plugin directory) and by helmpy: the output is byte-identical (formatting
    kept, ``yes`` still a string, annotations added and removed where Helm's kyaml puts them); the script by
    path (Helm 3's form) gives helmpy the same stream."""
    chart = write_files(tmp_path / "app", PARITY_CHART)
    plugins = _install_pr_plugin(cli, tmp_path)
    args = ["template", "rel", str(chart), "--post-renderer", "sedpr", "--post-renderer-args", "yes",
            "--post-renderer-args", "$HOME"]
    theirs = helm(*args, extra_env={"HELM_PLUGINS": str(plugins)})
    ours = cli(*args)
    assert ours.exit_code == 0, ours
    assert ours.stdout == theirs.stdout
    assert "  post: yes $HOME\n  by: sedpr\n" in ours.stdout
    by_path = cli("template", "rel", str(chart), "--post-renderer", str(plugins / "sedpr" / "post.sh"),
                  "--post-renderer-args", "sedpr", "--post-renderer-args", "yes", "--post-renderer-args", "$HOME")
    assert by_path.exit_code == 0 and by_path.stdout == theirs.stdout, by_path


# --- --skip-schema-validation ------------------------------------------------------------------------------
def test_skip_schema_validation_on_every_command_helm_has_it(cli, tmp_path: Path, db: Path) -> None:
    chart = write_files(tmp_path / "app", {**CHART, "values.schema.json": json.dumps(
        {"type": "object", "properties": {"greeting": {"type": "string", "maxLength": 5}}})})
    bad = ["--set", "greeting=far-too-long"]
    cluster = ["--cluster", f"local:{db}"]
    for args in (["template", "rel", str(chart)], ["install", "rel", str(chart), *cluster],
                 ["upgrade", "--install", "rel", str(chart), *cluster], ["lint", str(chart)]):
        r = cli(*args, *bad)
        assert r.exit_code != 0 and "greeting" in r.stderr + r.stdout and "Traceback" not in r.stderr, (args, r)
        r = cli(*args, *bad, "--skip-schema-validation")
        assert r.exit_code == 0, (args, r)
    live = EmbeddedCluster(db).get("v1", "ConfigMap", "rel-cm", "default")
    assert live is not None and live["data"]["greeting"] == "far-too-long"
