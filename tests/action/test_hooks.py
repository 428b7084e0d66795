"""Hooks: weight order, last_run, delete policies, failures naming the hook, test hooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action import install, test_release, upgrade
from helmpy.action.config import Configuration
from helmpy.errors import ReleaseFailed, TestsNotRun
from helmpy.release.model import Status
from tests.action.release_support import app_chart, cm, env  # noqa: F401 - fixtures


def test_hooks_run_in_weight_order_and_record_last_run(env: Configuration, app_chart: Path) -> None:
    res = install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart),
                                                  values={"weightedHooks": True}))
    hooks = {h.name: h for h in res.release.hooks}
    order = sorted(("demo-hook-early", "demo-hook-middle", "demo-hook-late"),
                   key=lambda n: int(cm(env, n)["metadata"]["resourceVersion"]))
    assert order == ["demo-hook-early", "demo-hook-middle", "demo-hook-late"]  # weights -5, 0, 5
    for name in order:
        assert hooks[name].last_run.phase == "Succeeded"
        assert hooks[name].last_run.started_at is not None and hooks[name].last_run.completed_at is not None
    assert hooks["demo-hook-early"].last_run.started_at < hooks["demo-hook-late"].last_run.started_at
    stored = env.storage.get("demo", 1)
    assert {h.name: h.last_run.phase for h in stored.hooks}["demo-hook-late"] == "Succeeded"
    # hooks are not stamped and not in the manifest
    assert "meta.helm.sh/release-name" not in (cm(env, "demo-hook-early")["metadata"].get("annotations") or {})
    assert "demo-hook-early" not in stored.manifest
    # before-hook-creation (default): re-running the upgrade recreates them
    old_uid = cm(env, "demo-hook-early")["metadata"]["uid"]
    upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart)))
    assert cm(env, "demo-hook-early")["metadata"]["uid"] != old_uid


def test_failed_hook_marks_release_failed_and_names_hook(env: Configuration, app_chart: Path) -> None:
    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    with pytest.raises(ReleaseFailed, match=r"pre-upgrade hook release-app/templates/hooks.yaml"):
        upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"failHook": True},
                                                values_given=True))
    rel = env.storage.get("demo", 2)
    assert rel.info.status == Status.FAILED and "demo-Bad-Hook" in rel.info.description
    assert {h.name: h.last_run.phase for h in rel.hooks}["demo-Bad-Hook"] == "Failed"
    assert cm(env, "demo-main")["data"]["revision"] == "1"  # nothing applied after the failed pre-hook


def test_job_hook_succeeded_is_deleted(env: Configuration, app_chart: Path) -> None:
    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    res = upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"jobHook": True},
                                                  values_given=True))
    assert {h.name: h.last_run.phase for h in res.release.hooks}["demo-migrate"] == "Succeeded"
    assert env.kube.get("batch/v1", "Job", "demo-migrate", "default") is None  # hook-succeeded policy


def test_test_hooks(env: Configuration, app_chart: Path) -> None:
    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    assert env.kube.get("v1", "Pod", "demo-test", "default") is None  # tests do not run on install
    # the embedded cluster only simulates the test Pod: not run, recorded as Unknown, unless accepted
    with pytest.raises(TestsNotRun, match=r"^1 test not run: demo-test \(.*pass --accept-simulated") as err:
        test_release.run(env, "demo", test_release.TestOptions(timeout=10))
    assert err.value.names == ["demo-test"]
    assert next(h for h in env.storage.get("demo", 1).hooks if h.name == "demo-test").last_run.phase == "Unknown"
    result = test_release.run(env, "demo", test_release.TestOptions(timeout=10, accept_simulated=True))
    assert result.simulated == ["demo-test"]
    hook = next(h for h in result.release.hooks if h.name == "demo-test")
    assert hook.last_run.phase == "Succeeded"
    assert next(h for h in env.storage.get("demo", 1).hooks if h.name == "demo-test").last_run.phase == "Succeeded"
    skipped = test_release.run(env, "demo", test_release.TestOptions(filters=["!name=demo-test"]))
    assert skipped.simulated == []
    assert next(h for h in skipped.release.hooks if h.name == "demo-test").last_run.started_at == \
        hook.last_run.started_at


def test_simulated_job_hook_is_named_in_the_description(env: Configuration, app_chart: Path) -> None:
    res = install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    assert res.release.info.description == "Install complete"  # ConfigMap hooks are real objects, not simulated
    res = upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"jobHook": True},
                                                  values_given=True))
    assert env.storage.get("demo", 2).info.description == "Upgrade complete (hooks simulated: no container ran)"
