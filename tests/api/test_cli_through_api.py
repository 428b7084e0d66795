"""The CLI is a client of :class:`helmpy.Client`: the same release read through both gives the same document,
the release and diff commands import no action module of their own, and what only the CLI needed from the API
(prepared operations, the plan, ``installed``, typed drift and metadata) behaves as documented."""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import helmpy
from helmpy import Client, gojson
from helmpy.kube.factory import embedded_notice

ROOT = Path(__file__).resolve().parents[2]


def cli_out(cli: Callable[..., Any], db: Path, *args: str) -> str:
    result = cli(*args, "--cluster", f"local:{db}")
    assert result.exit_code in (0, 2), result
    return str(result.stdout)


@pytest.mark.parametrize("module", ["release_cmds.py", "release_options.py", "release_output.py", "diff_cmds.py"])
def test_the_release_and_diff_commands_import_no_action(module: str) -> None:
    """No second path: every use case is reached through helmpy.api (a direct helmpy.action import would be one)."""
    tree = ast.parse((ROOT / "helmpy" / "cli" / module).read_text())
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING" for n in ast.walk(block)}
    nodes = [n for n in ast.walk(tree) if id(n) not in typing_only]
    imported = {n.module for n in nodes if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names}
    # one constructor path: the release commands' Client is built by cli/apiclient.py's client(), as every other's
    assert "helmpy.cli.apiclient" in imported or module != "release_options.py"
    assert sorted(m for m in imported if m.startswith(("helmpy.action", "helmpy.storage", "helmpy.diff."))) == []


def test_queries_give_the_clis_documents(hp: Client, app_chart: Path, tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "cluster.db"
    hp.install("app", app_chart, create_namespace=True, values={"message": "<b>&\u2028</b>"})
    hp.upgrade("app", app_chart, set=["extra=true"])
    first = cli_out(cli, db, "get", "values", "app", "--revision", "1", "-n", "shop", "-o", "json")
    assert first == gojson.dumps(hp.get_values("app", revision=1)) + "\n"  # one encoder: Go's escapes
    assert '"\\u003cb\\u003e\\u0026\\u2028\\u003c/b\\u003e"' in first
    computed = cli_out(cli, db, "get", "values", "app", "--all", "-n", "shop", "-o", "json")
    assert computed == gojson.dumps(hp.get_values("app", all=True)) + "\n"
    meta = hp.get_metadata("app")
    assert (meta.name, meta.chart, meta.version, meta.revision, meta.status) == ("app", "release-app", "0.1.0", 2,
                                                                                "deployed")
    assert meta.to_dict() == json.loads(cli_out(cli, db, "get", "metadata", "app", "-n", "shop", "-o", "json"))
    assert hp.get_metadata("app", revision=1).to_dict() == json.loads(
        cli_out(cli, db, "get", "metadata", "app", "--revision", "1", "-n", "shop", "-o", "json"))
    assert [r.to_dict() for r in hp.list_releases(states=["deployed"])] == json.loads(
        cli_out(cli, db, "list", "--deployed", "-n", "shop", "-o", "json"))
    assert cli_out(cli, db, "get", "manifest", "app", "-n", "shop") == hp.get_manifest("app") + "\n"
    status = hp.status("app")
    assert status.cluster == f"embedded ({db})" and status.read_at is not None and status.locked_by == ""
    assert f"CLUSTER: {status.cluster}\n" in cli_out(cli, db, "status", "app", "-n", "shop")


def test_diffs_and_drift_give_the_clis_documents(hp: Client, app_chart: Path, tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "cluster.db"
    hp.install("app", app_chart, create_namespace=True)
    hp.upgrade("app", app_chart, set=["extra=true", "message=two"])
    plan = hp.diff_upgrade("app", app_chart, set=["message=three"], suppress=["Secret"])
    assert plan.has_changes and plan.counts["changed"] == 1
    assert plan.to_dict() == json.loads(cli_out(cli, db, "diff", "upgrade", "app", str(app_chart), "-n", "shop",
                                                "--set", "message=three", "--suppress", "Secret", "-o", "json"))
    assert plan.text("simple") == cli_out(cli, db, "diff", "upgrade", "app", str(app_chart), "-n", "shop", "--set",
                                          "message=three", "--suppress", "Secret", "-o", "simple", "--no-color")
    back = hp.diff_rollback("app", 1, no_hooks=True)
    assert back.to_dict() == json.loads(cli_out(cli, db, "diff", "rollback", "app", "1", "--no-hooks", "-n", "shop",
                                                "-o", "json"))
    revs = hp.diff_revisions("app", 1, 2, normalize_manifests=True)
    assert revs.counts["added"] == 1 and revs.to_dict() == json.loads(
        cli_out(cli, db, "diff", "revision", "app", "1", "2", "--normalize-manifests", "-n", "shop", "-o", "json"))
    assert hp.diff_releases("app", "shop/app").has_changes is False
    drift = hp.drift("app")
    assert drift.revision == 2 and drift.has_drift is False and drift.counts["in-sync"] >= 3
    assert drift.to_dict() == json.loads(cli_out(cli, db, "diff", "drift", "app", "-n", "shop", "-o", "json"))
    with pytest.raises(helmpy.UsageError, match="suppress_output_line_regex"):
        hp.diff_revisions("app", 1, suppress_output_line_regex=["("])
    with pytest.raises(TypeError, match="'suppres'"):
        hp.diff_rollback("app", suppres=["Secret"])  # type: ignore[call-arg]


def test_a_prepared_operation_reads_its_values_once_and_raises_argument_errors_first(
        hp: Client, app_chart: Path, tmp_path: Path) -> None:
    values = tmp_path / "v.yaml"
    values.write_text("message: planned\n")
    op = hp.prepare_upgrade("app", app_chart, install=True, create_namespace=True, values_files=[values])
    values.write_text("message: changed after preparing\n")
    assert isinstance(op, helmpy.Operation) and op.kind == "upgrade" and op.name == "app"
    assert hp.list_releases() == []  # preparing touched nothing
    planned = op.plan()
    assert planned.counts["added"] >= 3 and hp.list_releases() == []
    done = op.run()
    assert done.installed and done.revision == 1 and done.values == {"message": "planned"}
    again = hp.upgrade("app", app_chart)
    assert not again.installed and again.values == {"message": "planned"}
    with pytest.raises(helmpy.ValuesError):  # a missing values file: raised by prepare, before any cluster work
        hp.prepare_install("other", app_chart, values_files=[tmp_path / "missing.yaml"])


def test_the_embedded_cluster_notice_goes_to_the_callback_unless_quiet(tmp_path: Path) -> None:
    heard: list[str] = []
    Client(on_notice=heard.append).list_releases()  # no kubeconfig anywhere: the implicit embedded cluster
    assert len(heard) == 1 and heard[0].startswith(embedded_notice(Path("x")).split(" at ")[0])
    quiet: list[str] = []
    Client(on_notice=quiet.append, environ={**os.environ, "HELMPY_QUIET": "1"}).list_releases()
    assert quiet == []


def test_tests_not_run_carries_the_typed_release_and_the_cli_names_its_flag(
        hp: Client, app_chart: Path, tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "cluster.db"
    hp.install("app", app_chart, create_namespace=True)
    with pytest.raises(helmpy.TestsNotRun) as err:
        hp.test("app")
    assert isinstance(err.value.release, helmpy.Release) and err.value.release.name == "app"
    result = cli("test", "app", "-n", "shop", "--cluster", f"local:{db}")
    assert result.exit_code == 1 and result.stdout.startswith("NAME: app\n")
    assert result.stderr.endswith("pass --accept-simulated to accept a simulated pass)\n"), result
    accepted = hp.test("app", accept_simulated=True)
    assert accepted.simulated_tests == ("app-test",)


def test_the_cli_builds_its_client_in_one_place() -> None:
    """Only cli/apiclient.py constructs a Client (one path for the run's settings, notices and lock holder)."""
    builders = sorted(p.name for p in (ROOT / "helmpy" / "cli").glob("*.py")
                      if "Client.from_settings(" in p.read_text() or "Client(" in p.read_text().replace("helmpy.Client(", ""))
    assert builders == ["apiclient.py"]
