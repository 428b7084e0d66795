"""Every Client method against the embedded cluster in tmp; results compared with the CLI's ``-o json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import helmpy
from helmpy import Client, Release, Status


def cli_json(cli: Callable[..., Any], db: Path, *args: str) -> Any:
    result = cli(*args, "-o", "json", "--cluster", f"local:{db}")
    assert result.exit_code == 0, result
    return result.json


def test_release_lifecycle_matches_the_cli(hp: Client, app_chart: Path, tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "cluster.db"
    rel = hp.install("app", app_chart, create_namespace=True, values={"message": "hi", "extra": True})
    assert isinstance(rel, Release) and (rel.name, rel.namespace, rel.revision) == ("app", "shop", 1)
    assert rel.status is Status.DEPLOYED and rel.status == "deployed"
    assert (rel.chart, rel.chart_version, rel.app_version) == ("release-app", "0.1.0", "1.0")
    assert rel.values == {"message": "hi", "extra": True}
    assert "app-extra" in rel.manifest and rel.notes
    assert rel.to_dict()["chart"]["metadata"]["name"] == "release-app"

    up = hp.upgrade("app", app_chart, set=["message=bye"], description="second")
    assert (up.revision, up.description, up.values) == (2, "second", {"message": "bye"})
    reused = hp.upgrade("app", app_chart)  # no values: the last revision's are reused, as in Helm
    assert reused.values == {"message": "bye"}

    history = hp.history("app")
    assert [(r.revision, r.status) for r in history] == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    assert [r.to_dict() for r in history] == cli_json(cli, db, "history", "app", "-n", "shop")
    assert [r.to_dict() for r in hp.list_releases()] == cli_json(cli, db, "list", "-n", "shop")
    status = hp.status("app")
    assert status.to_dict() == cli_json(cli, db, "status", "app", "-n", "shop")
    assert status.release.revision == 3 and "v1/ConfigMap" in status.resources and status.lock is None

    back = hp.rollback("app", 1)
    assert (back.revision, back.values) == (4, {"message": "hi", "extra": True})
    assert hp.get_values("app") == {"message": "hi", "extra": True}
    assert hp.get_values("app", revision=2) == {"message": "bye"}
    assert hp.get_values("app", all=True)["dropSecond"] is False
    assert hp.get_manifest("app", revision=2) == hp.get("app", revision=2).manifest != hp.get_manifest("app")
    assert hp.get_notes("app") == back.notes
    hooks = hp.get_hooks("app")
    assert [h.name for h in hooks] == ["app-test"] and hooks[0].events == ("test",)
    assert hooks[0].to_dict()["name"] == "app-test"

    gone = hp.uninstall("app")
    assert gone.release is not None and gone.release.name == "app" and gone.deleted and not gone.not_found
    assert hp.list_releases() == []
    assert hp.uninstall("app", ignore_not_found=True).not_found


def test_dry_run_changes_nothing(hp: Client, app_chart: Path) -> None:
    rel = hp.install("app", app_chart, create_namespace=True, dry_run=True)
    assert rel.description == "Dry run complete"
    assert hp.list_releases() == []


def test_list_filters_and_states(hp: Client, app_chart: Path) -> None:
    hp.install("one", app_chart, create_namespace=True)
    hp.install("two", app_chart, labels={"team": "a"})
    hp.uninstall("one", keep_history=True)
    assert [r.name for r in hp.list_releases()] == ["one", "two"]
    assert [r.name for r in hp.list_releases(states=["uninstalled"])] == ["one"]
    assert [r.name for r in hp.list_releases(selector="team=a")] == ["two"]
    assert [r.name for r in hp.list_releases(filter="^o")] == ["one"]
    summary = hp.list_releases(states=["deployed"])[0]
    assert (summary.revision, summary.status, summary.chart) == (1, Status.DEPLOYED, "release-app-0.1.0")
    assert summary.to_dict()["revision"] == "1"  # Helm prints the revision as a string in list -o json


def test_test_hooks_run_and_are_recorded(hp: Client, app_chart: Path) -> None:
    hp.install("app", app_chart, create_namespace=True)
    with pytest.raises(helmpy.TestsNotRun) as err:  # the embedded cluster runs no container
        hp.test("app")
    assert err.value.names == ["app-test"] and "accept_simulated=True" in err.value.message
    assert hp.get_hooks("app")[0].last_run_phase == "Unknown"
    tested = hp.test("app", accept_simulated=True)
    assert [(h.name, h.last_run_phase) for h in tested.hooks] == [("app-test", "Succeeded")]
    assert hp.get_hooks("app")[0].last_run_phase == "Succeeded"


def test_diff_upgrade_shows_the_plan(hp: Client, app_chart: Path) -> None:
    hp.install("app", app_chart, create_namespace=True)
    diff = hp.diff_upgrade("app", app_chart, values={"extra": True, "dropSecond": True})
    assert diff.has_changes and diff.counts["added"] == 1 and diff.counts["removed"] == 1
    data = diff.to_dict()
    assert data["apiVersion"] == "helmpy.io/diff/v1" and data["release"] == "app"
    assert "+ kind: ConfigMap" in diff.text() or "app-extra" in diff.text()
    assert hp.history("app")[-1].revision == 1  # nothing was written
    same = hp.diff_upgrade("app", app_chart)  # only the ConfigMap holding {{ Release.Revision }} changes
    assert same.counts == {"changed": 1, "added": 0, "removed": 0, "kept": 0}
    assert '-   revision: "1"\n+   revision: "2"' in same.text()


def test_template_lint_show_package(hp: Client, web_chart: Path, tmp_path: Path, cli: Any) -> None:
    out = hp.template("rel", web_chart, set=["replicaCount=4"])
    assert out.release_name == "rel" and "replicas: 4" in out.manifest
    assert out.manifest == cli("template", "rel", str(web_chart), "--set", "replicaCount=4").stdout
    only = hp.template("rel", web_chart, show_only=["templates/service.yaml"])
    assert only.manifest.count("kind: ") == 1 and "kind: Service" in only.manifest
    written = hp.template("rel", web_chart, output_dir=tmp_path / "out")
    assert written.manifest == "" and all(p.is_file() for p in written.files)

    lint = hp.lint(web_chart)
    assert lint.ok and lint.summary == "1 chart(s) linted, 0 chart(s) failed"
    assert isinstance(lint.charts[0].messages, tuple)

    assert hp.show_chart(web_chart)["name"] == "web"
    assert hp.show_values(web_chart) == cli("show", "values", str(web_chart)).stdout
    assert hp.show_values(web_chart, jsonpath="{.replicaCount}") == "2"
    assert hp.show(web_chart, "chart") == cli("show", "chart", str(web_chart)).stdout
    assert hp.show_readme(web_chart) == (web_chart / "README.md").read_text() and hp.show_crds(web_chart) == []

    pkg = hp.package(web_chart, destination=tmp_path, version="9.9.9")
    assert pkg.path == tmp_path / "web-9.9.9.tgz" and pkg.path.is_file() and pkg.prov_path is None
    assert hp.template("rel", pkg.path).manifest == hp.template("rel", web_chart).manifest.replace(
        "web-0.1.0", "web-9.9.9")


def test_lint_failure_is_a_result_not_an_exception(hp: Client, tmp_path: Path) -> None:
    result = hp.lint([Path(__file__).parents[1] / "data" / "lint-bad", tmp_path / "absent"])
    assert not result.ok and result.failed == 2
    assert any(m.severity == "ERROR" for m in result.charts[0].messages)
    assert result.charts[1].errors and json.dumps(result.to_dict())


def test_memory_driver_keeps_releases_for_the_clients_lifetime(make_client: Callable[..., Client],
                                                              app_chart: Path) -> None:
    mem = make_client(driver="memory", namespace="default")
    mem.install("app", app_chart)
    assert [r.name for r in mem.list_releases()] == ["app"]
    assert make_client(namespace="default").list_releases() == []  # not in the cluster's secrets


def test_results_are_frozen_copies(hp: Client, app_chart: Path) -> None:
    rel = hp.install("app", app_chart, create_namespace=True, values={"message": "hi"})
    with pytest.raises(AttributeError):
        rel.revision = 7  # type: ignore[misc]
    rel.values["message"] = "changed"
    assert hp.get_values("app") == {"message": "hi"}


def test_public_surface() -> None:
    assert set(helmpy.__all__) <= set(dir(helmpy))
    for name in helmpy.__all__:
        assert getattr(helmpy, name) is not None
    errors = [getattr(helmpy, n) for n in helmpy._ERRORS]
    assert all(issubclass(e, helmpy.HelmpyError) for e in errors)
    assert (Path(helmpy.__file__).parent / "py.typed").is_file()
    with pytest.raises(AttributeError):
        helmpy.NoSuchThing  # noqa: B018
