"""``list -l`` on custom labels, and Helm-written records rewritten without losing Helm's nanosecond times."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action import install, rollback, upgrade
from helmpy.action import list as list_action
from helmpy.action.config import Configuration
from helmpy.errors import UsageError
from helmpy.release.model import Release
from tests.action.release_support import app_chart, env  # noqa: F401 - fixtures

HELM_TIME = "2026-11-20T09:15:02.123456789Z"  # Helm writes nanoseconds; Python keeps microseconds


def test_list_selector_on_custom_labels(env: Configuration, app_chart: Path) -> None:
    for name, labels in (("a", {"team": "pay", "tier": "web"}), ("b", {"team": "pay"}), ("c", {})):
        install.run(env, install.InstallOptions(name=name, chart_ref=str(app_chart), labels=labels))

    def names(selector: str) -> list[str]:
        return [r.name for r in list_action.run(env, list_action.ListOptions(selector=selector))]

    assert names("") == ["a", "b", "c"]
    assert names("team=pay") == ["a", "b"]
    assert names("team=pay,tier!=web") == ["b"]
    assert names("tier in (web,db)") == ["a"]
    assert names("!team") == ["c"]
    assert names("name=a") == []  # system labels are not custom labels
    with pytest.raises(UsageError, match="invalid --selector: .*cannot parse requirement 'a b'"):
        names("a b")


def _helm_record(cfg: Configuration, chart: Path) -> None:
    """Revision 1 as Helm would have stored it: installed by helmpy, then given Helm's exact times."""
    rel = install.run(cfg, install.InstallOptions(name="demo", chart_ref=str(chart))).release
    data = rel.to_dict()
    data["info"]["first_deployed"] = data["info"]["last_deployed"] = HELM_TIME
    cfg.storage.update(Release.from_dict(data))


def test_rewriting_a_helm_record_keeps_its_times(env: Configuration, app_chart: Path) -> None:
    _helm_record(env, app_chart)
    upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"message": "x"},
                                            values_given=True))
    old = env.storage.get("demo", 1).to_dict()["info"]
    assert old["status"] == "superseded"
    assert old["first_deployed"] == old["last_deployed"] == HELM_TIME
    new = env.storage.get("demo", 2).to_dict()["info"]
    assert new["first_deployed"] == HELM_TIME  # copied from the revision it upgrades
    assert new["last_deployed"] != HELM_TIME
    rollback.run(env, rollback.RollbackOptions(name="demo", revision=1))
    assert env.storage.get("demo", 3).to_dict()["info"]["first_deployed"] == HELM_TIME
    assert env.storage.get("demo", 1).to_dict()["info"]["last_deployed"] == HELM_TIME


def test_changed_time_is_written_fresh() -> None:
    rel = Release.from_dict({"name": "x", "version": 1, "info": {"status": "deployed", "last_deployed": HELM_TIME,
                                                                 "deleted": HELM_TIME}})
    from datetime import timedelta

    rel.info.deleted = rel.info.deleted + timedelta(seconds=1)  # type: ignore[operator]
    info = rel.to_dict()["info"]
    assert info["last_deployed"] == HELM_TIME
    assert info["deleted"] == "2026-11-20T09:15:03.123456Z"


def test_name_template(env: Configuration, app_chart: Path) -> None:
    opts = install.InstallOptions(name=None, chart_ref=str(app_chart), name_template="demo-{{ 'AB' | lower }}")
    assert install.run(env, opts).release.name == "demo-ab"
    rnd = install.run(env, install.InstallOptions(name=None, chart_ref=str(app_chart),
                                                  name_template="r-{{ randNumeric(6) }}")).release.name
    assert rnd.startswith("r-") and len(rnd) == 8 and rnd[2:].isdigit()
    for template, message in (("{{ x", "--name-template '{{ x': TemplateSyntaxError"),
                              ("{{ missing }}", "rendered an empty release name")):
        with pytest.raises(UsageError, match=message.replace("{", r"\{")):
            install.run(env, install.InstallOptions(name=None, chart_ref=str(app_chart), name_template=template))
    with pytest.raises(UsageError, match="cannot set a release name and --generate-name or --name-template"):
        install.run(env, install.InstallOptions(name="x", chart_ref=str(app_chart), name_template="y"))
    with pytest.raises(Exception, match="invalid release name 'Upper'"):
        install.run(env, install.InstallOptions(name=None, chart_ref=str(app_chart), name_template="Upper"))


def test_unexpected_error_while_applying_leaves_no_pending_revision(env: Configuration, app_chart: Path) -> None:
    """A bug (not a HelmpyError) mid-apply is recorded as a failed revision, then surfaces unchanged."""
    from helmpy.kube.embedded import EmbeddedCluster

    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))

    class Broken(EmbeddedCluster):
        def apply(self, obj: dict, **kw: object) -> dict:  # type: ignore[override]
            raise RuntimeError("boom")

    env.kube = Broken(env.kube.path)
    with pytest.raises(RuntimeError, match="boom"):
        upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart)))
    failed = env.storage.get("demo", 2)
    assert failed.info.status.value == "failed"
    assert failed.info.description == 'Upgrade "demo" failed: internal error: RuntimeError: boom'
    with pytest.raises(RuntimeError):
        rollback.run(env, rollback.RollbackOptions(name="demo", revision=1))
    assert env.storage.get("demo", 3).info.description.startswith('Rollback "demo" failed: internal error')
    with pytest.raises(RuntimeError):
        install.run(env, install.InstallOptions(name="other", chart_ref=str(app_chart)))
    assert env.storage.get("other", 1).info.status.value == "failed"
