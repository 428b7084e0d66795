"""helmpy's output beside real Helm 4's, both against one `helmpy cluster serve`: status -o json's info.resources
and RESOURCES groups, get metadata's labels and fields, apply_method, history's full descriptions, list's
nanosecond times, the deprecated-chart warning, and pull --untar -d creating the directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.http_repo import build_repo, serve

pytestmark = pytest.mark.helm

LONG = "a description longer than sixty characters, which Helm 3 cut short and Helm 4 prints in full"


@pytest.fixture(scope="module")
def web(served, khelm) -> Path:
    """`helm create web`, marked deprecated; installed as h (by Helm, then upgraded) and p (by helmpy)."""
    khelm("create", "web")
    chart = served.home / "web"
    text = (chart / "Chart.yaml").read_text()
    (chart / "Chart.yaml").write_text(text.replace("\nversion: 0.1.0", "\nversion: 0.1.0\ndeprecated: true"))
    khelm("install", "h", str(chart))
    khelm("upgrade", "h", str(chart), "--description", LONG)
    return chart


def _hp(cli, served, *args: str):  # type: ignore[no-untyped-def]
    return cli(*args, env={"KUBECONFIG": str(served.kubeconfig), "HELMPY_QUIET": "1"})


def test_status_json_resources_and_groups_like_helm(cli, served, khelm, web: Path) -> None:
    theirs = json.loads(khelm("status", "h", "-o", "json").stdout)
    ours = _hp(cli, served, "status", "h", "-o", "json").json
    want = {k: [o["kind"] for o in v] for k, v in theirs["info"]["resources"].items()}
    got = {k: [o["kind"] for o in v] for k, v in ours["info"]["resources"].items()}
    assert got == want == {"v1/ServiceAccount": ["ServiceAccount"], "v1/Service": ["Service"],
                           "v1/Deployment": ["Deployment"], "v1/Pod(related)": ["PodList"]}
    live = ours["info"]["resources"]["v1/Deployment"][0]
    assert live["metadata"]["name"] == "h-web" and "status" in live  # the live object, as Helm gives it
    assert list(ours) == list(theirs)

    def groups(text: str) -> list[str]:
        return re.findall(r"^==> (.+)$", text, re.M)

    table = _hp(cli, served, "status", "h").stdout
    assert sorted(groups(table)) == sorted(groups(khelm("status", "h").stdout))  # Helm's order is Go map order
    assert groups(table) == ["v1/ServiceAccount", "v1/Service", "v1/Deployment", "v1/Pod(related)"]  # manifest's

    def pods(text: str) -> list[str]:  # the names in the Pod(related) section (the simulated controllers' Pods)
        section = text.split("==> v1/Pod(related)\n", 1)[1].split("\n\n", 1)[0]
        return sorted(line.split()[0] for line in section.splitlines()[1:] if line.strip())

    assert pods(table) == pods(khelm("status", "h").stdout) and pods(table)  # the same Pods as Helm lists


@pytest.mark.parametrize("args", [["get", "metadata", "h"], ["get", "metadata", "h", "-o", "json"],
                                  ["get", "metadata", "h", "--revision", "1", "-o", "json"],
                                  ["history", "h"], ["history", "h", "-o", "json"], ["list"], ["list", "-o", "json"]])
def test_same_text_as_helm_for_a_helm_release(cli, served, khelm, web: Path, args: list[str]) -> None:
    ours = _hp(cli, served, *args)
    assert ours.exit_code == 0, ours
    assert ours.stdout == khelm(*args).stdout


def _subprocess_helmpy(served, *args: str):  # type: ignore[no-untyped-def]
    """helmpy in its own process: its logging set-up (the warning lines) is per process."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = {**served.env(), "PYTHONPATH": str(root), "HELMPY_QUIET": "1"}
    return subprocess.run([sys.executable, "-m", "helmpy", *args], capture_output=True, text=True, env=env,
                          cwd=root, timeout=120)


def test_helm_reads_helmpys_apply_method_and_labels(cli, served, khelm, web: Path) -> None:
    proc = _subprocess_helmpy(served, "install", "p", str(web))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ['level=WARN msg="this chart is deprecated"']  # Helm 4's line
    assert json.loads(khelm("status", "p", "-o", "json").stdout)["apply_method"] == "ssa"
    theirs = khelm("get", "metadata", "p").stdout
    assert "APPLY_METHOD: server-side apply" in theirs
    assert _hp(cli, served, "get", "metadata", "p").stdout == theirs
    assert re.search(r"^LABELS: modifiedAt=\d+,name=p,owner=helm,status=deployed,version=1$", theirs, re.M), theirs


def test_deprecated_warning_is_helms_line(served, khelm, web: Path) -> None:
    theirs = khelm("template", "x", str(web)).stderr.splitlines()
    ours = _subprocess_helmpy(served, "template", "x", str(web)).stderr.splitlines()
    assert ours == theirs == ['level=WARN msg="this chart is deprecated"']


def test_pull_untar_creates_the_destination_like_helm(cli, helm, tmp_path: Path) -> None:
    srv = serve(build_repo(tmp_path / "served", [dict(name="alpha", version="1.0.0")]))
    try:
        helm("repo", "add", "r", srv.url)
        assert cli("repo", "add", "r", srv.url).exit_code == 0
        helm("pull", "r/alpha", "--untar", "-d", str(tmp_path / "h" / "new" / "dir"))
        r = cli("pull", "r/alpha", "--untar", "-d", str(tmp_path / "p" / "new" / "dir"))
        assert r.exit_code == 0, r
        listing = [sorted(str(p.relative_to(root)) for p in root.rglob("*"))
                   for root in (tmp_path / "h" / "new", tmp_path / "p" / "new")]
        assert listing[0] == listing[1] and "dir/alpha/Chart.yaml" in listing[0], listing
        r = cli("pull", "r/alpha", "-d", str(tmp_path / "missing"))  # without --untar it must exist (Helm too)
        assert r.exit_code == 1 and "does not exist" in r.stderr
        assert helm("pull", "r/alpha", "-d", str(tmp_path / "missing"), check=False).returncode == 1
    finally:
        srv.stop()
