"""``helmpy diff`` against `helmpy cluster serve` (a real API server over HTTPS), with drift made by the real
kubectl (``kubectl patch`` and ``kubectl edit`` through a KUBE_EDITOR script): the server-side dry run
(``dryRun=All``), and the field manager named in the drift report."""

from __future__ import annotations

import base64
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.helm

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "tests" / "data" / "diff-app"


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    dst = tmp_path / "diff-app"
    shutil.copytree(APP, dst)
    return dst


def helmpy(cli: Any, served: Any, *args: str) -> Any:
    return cli(*args, env={"KUBECONFIG": str(served.kubeconfig), "HELMPY_QUIET": "1"})


def changed_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line[:2] in ("- ", "+ ")]


def test_upgrade_plan_is_a_server_side_dry_run(cli: Any, served: Any, kubectl: Any, chart: Path) -> None:
    # --wait: the rollout is over (its Pods' start after the pod-ready delay writes the Deployment's status)
    assert helmpy(cli, served, "install", "plan", str(chart), "-n", "plan", "--create-namespace",
                  "--wait").exit_code == 0
    before = kubectl("get", "deploy", "plan", "-n", "plan", "-o", "jsonpath={.metadata.resourceVersion}").stdout
    r = helmpy(cli, served, "diff", "upgrade", "plan", str(chart), "-n", "plan", "--detailed-exitcode")
    assert r.exit_code == 0 and r.stdout == "0 changed, 0 added, 0 removed\n", r
    r = helmpy(cli, served, "diff", "upgrade", "plan", str(chart), "-n", "plan", "--set", "image=nginx:1.26",
               "--set", "replicas=4", "--set", "password=p2", "--set", "extra=true", "--detailed-exitcode")
    assert r.exit_code == 2, r
    out = r.stdout.splitlines()
    assert "plan, plan, Deployment (apps) has changed:" in out
    assert "plan, plan-db, Secret (v1) has changed:" in out
    assert "plan, plan-extra, ConfigMap (v1) has been added:" in out
    lines = changed_lines(r.stdout)
    for pair in (["-   password: *****", "+   password: ***** (changed)"], ["-   replicas: 2", "+   replicas: 4"],
                 ["-       - image: nginx:1.25", "+       - image: nginx:1.26"]):
        i = lines.index(pair[0])
        assert lines[i:i + 2] == pair
    assert out[-1] == "2 changed, 1 added, 0 removed"
    assert "managedFields" not in r.stdout and "resourceVersion" not in r.stdout and "p2" not in r.stdout
    # nothing was written: a dry run on the server
    after = kubectl("get", "deploy", "plan", "-n", "plan", "-o", "jsonpath={.metadata.resourceVersion}").stdout
    assert after == before
    assert kubectl("get", "configmap", "plan-extra", "-n", "plan", check=False).returncode != 0


def test_drift_from_kubectl_patch_and_edit(cli: Any, served: Any, kubectl: Any, chart: Path, tmp_path: Path,
                                           helm_bin_dir: Path) -> None:
    assert helmpy(cli, served, "install", "drift", str(chart), "-n", "drift", "--create-namespace").exit_code == 0
    r = helmpy(cli, served, "diff", "drift", "drift", "-n", "drift", "--detailed-exitcode")
    assert r.exit_code == 0 and r.stdout == "0 drifted, 0 missing, 3 in sync (release drift, revision 1)\n", r
    kubectl("patch", "deployment", "drift", "-n", "drift", "-p", '{"spec":{"replicas":5}}')
    kubectl("patch", "secret", "drift-db", "-n", "drift", "-p", '{"stringData":{"password":"by-kubectl"}}')
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/image: nginx:1.25/image: nginx:1.27/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    proc = subprocess.run([str(helm_bin_dir / "kubectl"), "edit", "deployment", "drift", "-n", "drift"],
                          env=served.env(KUBE_EDITOR=str(editor)), capture_output=True, text=True, timeout=120,
                          cwd=served.home)
    assert proc.returncode == 0, proc.stderr
    r = helmpy(cli, served, "diff", "drift", "drift", "-n", "drift", "--detailed-exitcode")
    assert r.exit_code == 2, r
    out = r.stdout.splitlines()
    assert "drift, drift, Deployment (apps) has drifted:" in out
    replicas = next(line for line in out if line.startswith("  spec.replicas:"))
    assert replicas.startswith("  spec.replicas: release 2, live 5 - changed by kubectl-patch (Update, ")
    image = next(line for line in out if "containers[name=web].image" in line)
    assert image.startswith("  spec.template.spec.containers[name=web].image: release nginx:1.25, live nginx:1.27 "
                            "- changed by kubectl-edit (Update, ")
    password = next(line for line in out if line.startswith("  data.password:"))
    assert password.startswith("  data.password: release *****, live ***** (changed) - changed by kubectl-patch")
    assert "by-kubectl" not in r.stdout and base64.b64encode(b"by-kubectl").decode() not in r.stdout
    assert out[-1] == "2 drifted, 0 missing, 1 in sync (release drift, revision 1)"
    status = helmpy(cli, served, "status", "drift", "-n", "drift", "--drift")
    assert "DRIFT:\n" in status.stdout and "changed by kubectl-edit" in status.stdout
    # the upgrade plan puts the release's values back: the drift shows as the change; kubectl now owns those
    # fields, so the server-side apply conflicts, and the plan says the upgrade needs --force-conflicts
    r = helmpy(cli, served, "diff", "upgrade", "drift", str(chart), "-n", "drift")
    assert r.exit_code == 0, r
    assert changed_lines(r.stdout) == ["-   password: *****", "+   password: ***** (changed)", "-   replicas: 5",
                                       "+   replicas: 2", "-       - image: nginx:1.27", "+       - image: nginx:1.25"]
    header = next(line for line in r.stdout.splitlines() if line.startswith("drift, drift, Deployment (apps)"))
    assert header.startswith("drift, drift, Deployment (apps) has changed (fails without --force-conflicts: apply "
                             "conflict (")
    assert 'conflict with "kubectl-patch"' in header and 'conflict with "kubectl-edit"' in header
    r = helmpy(cli, served, "diff", "upgrade", "drift", str(chart), "-n", "drift", "--force-conflicts")
    assert "drift, drift, Deployment (apps) has changed:" in r.stdout.splitlines()
    # upgrade --diff prints that plan, then applies it: no drift left
    r = helmpy(cli, served, "upgrade", "drift", str(chart), "-n", "drift", "--diff", "--force-conflicts")
    assert r.exit_code == 0 and "+   replicas: 2" in r.stdout and "has been upgraded" in r.stdout, r
    r = helmpy(cli, served, "diff", "drift", "drift", "-n", "drift", "--detailed-exitcode")
    assert r.exit_code == 0, r


def test_kept_removed_and_crd_on_a_real_server(cli: Any, served: Any, kubectl: Any, chart: Path) -> None:
    assert helmpy(cli, served, "install", "keep", str(chart), "-n", "keep", "--create-namespace",
                  "--set", "extra=true").exit_code == 0
    crd = chart / "crds" / "widgets.yaml"
    crd.write_text(crd.read_text().replace("singular: widget,", "singular: widget, shortNames: [wd],"))
    r = helmpy(cli, served, "diff", "upgrade", "keep", str(chart), "-n", "keep", "--set", "keep=false",
               "--set", "extra=false", "-o", "simple")
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == [
        "keep, keep-kept, ConfigMap (v1) to be kept (helm.sh/resource-policy: keep).",
        "keep, keep-extra, ConfigMap (v1) to be removed.",
        ", widgets.example.com, CustomResourceDefinition (apiextensions.k8s.io) to be changed.",
        "Plan: 0 to add, 1 to change, 1 to destroy, 0 to change ownership."]
    r = helmpy(cli, served, "diff", "upgrade", "keep", str(chart), "-n", "keep", "--set", "broken=true")
    assert r.exit_code == 1 and len(r.stderr.splitlines()) == 1 and "values.broken is set" in r.stderr, r
