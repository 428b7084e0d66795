"""``helmpy diff`` end to end on the embedded cluster, through the CLI (in-process), with drift made by direct
writes to the cluster file (tests/server/kubeapi/test_diff_served.py makes it with real kubectl)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from helmpy.kube.embedded import EmbeddedCluster

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "data" / "diff-app"
HEADER = "default, demo, Deployment (apps) has changed:"


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    dst = tmp_path / "diff-app"
    shutil.copytree(APP, dst)
    return dst


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cluster.db"


def run(cli: Any, db: Path, *args: str) -> Any:
    return cli(*args, "--cluster", f"local:{db}")


@pytest.fixture
def installed(cli: Any, db: Path, chart: Path) -> Path:
    r = run(cli, db, "install", "demo", str(chart))
    assert r.exit_code == 0, r
    return chart


def changed_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line[:2] in ("- ", "+ ")]


def test_no_change_exits_0_with_detailed_exitcode(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--detailed-exitcode")
    assert r.exit_code == 0, r
    assert r.stdout == "0 changed, 0 added, 0 removed\n"
    assert run(cli, db, "diff", "upgrade", "demo", str(installed), "-o", "template").stdout == "[]\n"


def test_image_and_replica_change(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "image=nginx:1.26", "--set", "replicas=3",
            "--detailed-exitcode")
    assert r.exit_code == 2, r
    assert r.stderr.startswith("Error: identified at least one change, exiting with non-zero exit code")
    assert HEADER in r.stdout.splitlines()
    assert changed_lines(r.stdout) == ["-   replicas: 2", "+   replicas: 3",
                                       "-       - image: nginx:1.25", "+       - image: nginx:1.26"]
    # the server's defaults are in both sides, not in the diff; server-set noise is not shown at all
    assert "    revisionHistoryLimit: 10" in r.stdout and "resourceVersion" not in r.stdout
    assert "managedFields" not in r.stdout and "status:" not in r.stdout and "uid:" not in r.stdout
    assert r.stdout.endswith("1 changed, 0 added, 0 removed\n")
    # the live object is unchanged: the diff wrote nothing
    live = EmbeddedCluster(db).get("apps/v1", "Deployment", "demo", "default")
    assert live is not None and live["spec"]["replicas"] == 2


def test_context_cuts_unchanged_lines(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "replicas=3", "-C", "1")
    lines = r.stdout.splitlines()
    i = lines.index("-   replicas: 2")
    assert lines[i - 2] == "..." and lines[i + 1] == "+   replicas: 3" and lines[i + 3] == "..."
    assert lines[i - 1].startswith("    ") and lines[i + 2].startswith("    ")


def test_object_added_and_removed_and_kept(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "extra=true", "--set", "keep=false")
    assert r.exit_code == 0, r
    out = r.stdout.splitlines()
    assert "default, demo-extra, ConfigMap (v1) has been added:" in out
    assert "+   added: \"yes\"" in out
    assert "default, demo-kept, ConfigMap (v1) is kept (helm.sh/resource-policy: keep)" in out
    assert out[-1] == "0 changed, 1 added, 0 removed, 1 kept"
    assert run(cli, db, "upgrade", "demo", str(installed), "--set", "extra=true").exit_code == 0
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "extra=false", "-o", "simple")
    assert r.stdout == ("default, demo-extra, ConfigMap (v1) to be removed.\n"
                        "Plan: 0 to add, 0 to change, 1 to destroy, 0 to change ownership.\n")


def test_secret_change_is_masked(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "password=s3cret-new-value")
    assert "default, demo-db, Secret (v1) has changed:" in r.stdout
    assert changed_lines(r.stdout) == ["-   password: *****", "+   password: ***** (changed)"]
    assert "    user: *****" in r.stdout
    for secret in ("hunter2-original", "s3cret-new-value"):
        assert secret not in r.stdout and base64.b64encode(secret.encode()).decode() not in r.stdout
    shown = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "password=s3cret-new-value",
                "--show-secrets")
    assert f"+   password: {base64.b64encode(b's3cret-new-value').decode()}" in shown.stdout
    decoded = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "password=s3cret-new-value",
                  "--show-secrets-decoded")
    assert "+   password: s3cret-new-value" in decoded.stdout
    suppressed = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "password=x", "-q")
    assert "+ Changes suppressed on sensitive content of type Secret" in suppressed.stdout
    assert "password" not in suppressed.stdout


def test_crd_change_is_listed_separately_and_not_applied(cli: Any, db: Path, installed: Path) -> None:
    crd = installed / "crds" / "widgets.yaml"
    crd.write_text(crd.read_text().replace("singular: widget,", "singular: widget, shortNames: [wd],"))
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--detailed-exitcode")
    assert r.exit_code == 2, r
    out = r.stdout.splitlines()
    assert out[0] == "CRDs:"
    assert out[1].startswith(", widgets.example.com, CustomResourceDefinition (apiextensions.k8s.io) has changed "
                             "(crds/: Helm creates CRDs on install and never upgrades them; not applied):")
    assert "+     shortNames:" in out and "+     - wd" in out


def test_hook_change_is_listed_separately(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "hookMessage=bye")
    out = r.stdout.splitlines()
    assert out[0] == "Hooks:" and out[1] == "default, demo-hook, ConfigMap (v1) has changed:"
    assert changed_lines(r.stdout) == ['-   message: "hello"', '+   message: "bye"']
    assert run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "hookMessage=bye",
               "--no-hooks").stdout == "0 changed, 0 added, 0 removed\n"


def test_rendering_failure_is_one_error_line(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--set", "broken=true", "--detailed-exitcode")
    assert r.exit_code == 1, r
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "values.broken is set" in lines[0]
    assert "Traceback" not in r.stderr


def test_missing_release_and_unreleased(cli: Any, db: Path, chart: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "nope", str(chart))
    assert r.exit_code == 1 and r.stderr.startswith("Error: ") and "has no deployed releases" in r.stderr
    r = run(cli, db, "diff", "upgrade", "nope", str(chart), "--allow-unreleased", "-o", "simple")
    assert r.exit_code == 0, r
    assert "default, nope, Deployment (apps) to be added." in r.stdout
    assert ", widgets.example.com, CustomResourceDefinition (apiextensions.k8s.io) to be added." in r.stdout


def test_output_formats_json_and_template(cli: Any, db: Path, installed: Path) -> None:
    args = ("diff", "upgrade", "demo", str(installed), "--set", "replicas=3", "--set", "extra=true")
    doc = run(cli, db, *args, "-o", "json").json
    assert doc["apiVersion"] == "helmpy.io/diff/v1" and doc["kind"] == "DiffReport"
    assert doc["release"] == "demo" and doc["before"] == "live" and doc["after"] == "upgrade"
    assert doc["summary"] == {"changed": 1, "added": 1, "removed": 0, "kept": 0, "unchanged": 3}
    first = doc["changes"][0]
    assert set(first) == {"section", "change", "apiVersion", "api", "kind", "namespace", "name", "source", "note",
                          "suppressed", "diff"}
    assert [(c["kind"], c["name"], c["change"], c["section"]) for c in doc["changes"]] == [
        ("ConfigMap", "demo-extra", "added", "resources"), ("Deployment", "demo", "changed", "resources")]
    assert "-   replicas: 2\n+   replicas: 3\n" in doc["changes"][1]["diff"]
    template = json.loads(run(cli, db, *args, "-o", "template").stdout)
    assert template == [{"api": "v1", "kind": "ConfigMap", "namespace": "default", "name": "demo-extra",
                         "change": "ADD"},
                        {"api": "apps", "kind": "Deployment", "namespace": "default", "name": "demo",
                         "change": "MODIFY"}]


def test_colour_on_request_only(cli: Any, db: Path, installed: Path) -> None:
    args = ("diff", "upgrade", "demo", str(installed), "--set", "replicas=3")
    assert "\x1b[" not in run(cli, db, *args).stdout  # not a terminal
    coloured = run(cli, db, *args, "--color").stdout
    assert f"\x1b[33m{HEADER}\x1b[0m" in coloured and "\x1b[31m-   replicas: 2\x1b[0m" in coloured
    assert "\x1b[32m+   replicas: 3\x1b[0m" in coloured
    assert "\x1b[" not in run(cli, db, *args, "--no-color").stdout


def test_upgrade_with_diff_prints_the_plan_then_applies(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "upgrade", "demo", str(installed), "--set", "replicas=3", "--diff")
    assert r.exit_code == 0, r
    plan, _, rest = r.stdout.partition("1 changed, 0 added, 0 removed\n")
    assert HEADER in plan and "+   replicas: 3" in plan
    assert rest.startswith('Release "demo" has been upgraded. Happy Helming!\n')
    assert EmbeddedCluster(db).get("apps/v1", "Deployment", "demo", "default")["spec"]["replicas"] == 3
    r = run(cli, db, "rollback", "demo", "1", "--diff")
    assert r.exit_code == 0, r
    assert "-   replicas: 3\n+   replicas: 2\n" in r.stdout and r.stdout.endswith("Rollback was a success! Happy Helming!\n")
    r = run(cli, db, "install", "other", str(installed), "--diff", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["name"] == "other"  # stdout stays JSON; the plan went to stderr
    assert "default, other, Deployment (apps) has been added:" in r.stderr


def test_diff_rollback_revision_and_release(cli: Any, db: Path, installed: Path) -> None:
    assert run(cli, db, "upgrade", "demo", str(installed), "--set", "image=nginx:1.26").exit_code == 0
    r = run(cli, db, "diff", "rollback", "demo")
    assert changed_lines(r.stdout) == ["-       - image: nginx:1.26", "+       - image: nginx:1.25"]
    r = run(cli, db, "diff", "revision", "demo", "1", "2", "--detailed-exitcode")
    assert r.exit_code == 2 and changed_lines(r.stdout) == ["-         image: nginx:1.25", "+         image: nginx:1.26"]
    assert run(cli, db, "diff", "revision", "demo", "2").stdout == "0 changed, 0 added, 0 removed\n"
    r = run(cli, db, "diff", "revision", "demo", "9")
    assert r.exit_code == 1 and "revision 9 not found" in r.stderr
    assert run(cli, db, "install", "demo", str(installed), "-n", "staging", "--create-namespace").exit_code == 0
    r = run(cli, db, "diff", "release", "staging/demo", "default/demo", "-o", "simple")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == ["diff-app/templates/deployment.yaml to be changed.",
                                     "Plan: 0 to add, 1 to change, 0 to destroy, 0 to change ownership."]


def test_drift_and_status_drift(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "drift", "demo", "--detailed-exitcode")
    assert r.exit_code == 0 and r.stdout == "0 drifted, 0 missing, 3 in sync (release demo, revision 1)\n"
    cluster = EmbeddedCluster(db)
    dep = cluster.get("apps/v1", "Deployment", "demo", "default")
    dep["spec"]["replicas"] = 5
    cluster.replace(dep)
    secret = cluster.get("v1", "Secret", "demo-db", "default")
    secret["data"]["password"] = base64.b64encode(b"changed-by-hand").decode()
    cluster.replace(secret)
    cluster.delete("v1", "ConfigMap", "demo-kept", "default")
    r = run(cli, db, "diff", "drift", "demo", "--detailed-exitcode")
    assert r.exit_code == 2, r
    out = r.stdout.splitlines()
    assert "default, demo, Deployment (apps) has drifted:" in out
    assert "  spec.replicas: release 2, live 5 - changed by an unknown manager" in out
    assert "  data.password: release *****, live ***** (changed) - changed by an unknown manager" in out
    assert "default, demo-kept, ConfigMap (v1) is missing from the cluster" in out
    assert out[-1] == "2 drifted, 1 missing, 0 in sync (release demo, revision 1)"
    assert "changed-by-hand" not in r.stdout and "hunter2" not in r.stdout
    status = run(cli, db, "status", "demo", "--drift")
    assert "DRIFT:\n" in status.stdout and "spec.replicas: release 2, live 5" in status.stdout
    doc = run(cli, db, "status", "demo", "--drift", "-o", "json").json
    assert doc["drift"]["summary"] == {"drifted": 2, "missing": 1, "in-sync": 0}
    # the upgrade plan shows the drift being undone, and a missing object being created again
    r = run(cli, db, "diff", "upgrade", "demo", str(installed))
    assert "-   replicas: 5\n+   replicas: 2\n" in r.stdout
    assert "default, demo-kept, ConfigMap (v1) has been added (missing from the cluster; compared with revision 1):" \
        in r.stdout.splitlines()


def test_bad_flags_are_usage_errors(cli: Any, db: Path, installed: Path) -> None:
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--suppress-output-line-regex", "(")
    assert r.exit_code == 2 and r.stderr.startswith("Error: --suppress-output-line-regex '(':")
    r = run(cli, db, "diff", "upgrade", "demo", str(installed), "--suppress-output-line-regex", "replicas",
            "--set", "replicas=3")
    assert "default, demo, Deployment (apps) has changed, but diff is empty after suppression." in r.stdout


def test_plan_equals_the_slow_path_with_drift_and_a_change(cli: Any, db: Path, installed: Path) -> None:
    """The plan's fast paths (no dry run for an object unchanged in the chart whose fields all hold their values,
    stamping without copying, the diff's own YAML writer) give what asking the server about every object and
    writing both sides with PyYAML gives: a drifted object (unchanged in the chart), a changed one, unchanged."""
    from helmpy import yamlutil
    from helmpy.action.ownership import stamp
    from helmpy.diff.compute import clean, line_diff
    from helmpy.diff.model import format_record
    from helmpy.errors import KubeConflict

    cluster = EmbeddedCluster(db)
    kept = cluster.get("v1", "ConfigMap", "demo-kept", "default")
    kept["data"]["state"] = "edited-by-hand"  # drift on an object the upgrade does not change
    cluster.replace(kept, field_manager="kubectl-edit")
    args = ("diff", "upgrade", "demo", str(installed), "--set", "image=nginx:1.26", "--show-secrets")
    doc = run(cli, db, *args, "-o", "json").json
    manifest = run(cli, db, "upgrade", "demo", str(installed), "--set", "image=nginx:1.26", "--dry-run",
                   "-o", "json").json["manifest"]
    expected = {}
    with cluster.dry_run():  # the slow path: every object dry-run applied, both sides written by PyYAML
        for obj in yamlutil.load_all(manifest):
            if not obj:
                continue
            obj["metadata"].setdefault("namespace", "default")
            live = cluster.get(obj["apiVersion"], obj["kind"], obj["metadata"]["name"], "default")
            try:
                predicted = cluster.apply(stamp(obj, "demo", "default"), field_manager="helm")
            except KubeConflict:  # kubectl-edit owns the drifted field: the plan tries it forced, with a note
                predicted = cluster.apply(stamp(obj, "demo", "default"), field_manager="helm", force=True)
            before, after = yamlutil.dump(clean(live)), yamlutil.dump(clean(predicted))
            if before != after:
                expected[(obj["kind"], obj["metadata"]["name"])] = "".join(
                    format_record(r) + "\n" for r in line_diff(before, after))
    got = {(c["kind"], c["name"]): c["diff"] for c in doc["changes"] if c["section"] == "resources"}
    assert set(got) == {("Deployment", "demo"), ("ConfigMap", "demo-kept")}
    assert got == expected
    assert "-   state: edited-by-hand\n+   state: precious\n" in got[("ConfigMap", "demo-kept")]
    notes = {c["name"]: c["note"] for c in doc["changes"]}
    assert notes["demo-kept"].startswith("fails without --force-conflicts") and notes["demo"] == ""
