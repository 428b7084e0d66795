"""The release lifecycle on real parts: embedded cluster (SQLite) with Secret records, and the memory driver."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action import history, install, rollback, status, uninstall, upgrade
from helmpy.action import list as list_action
from helmpy.action.config import Configuration
from helmpy.errors import ChartError, InvalidReleaseName, ReleaseError, ReleaseFailed, ReleaseNotFound
from helmpy.release.model import Status
from tests.action.release_support import app_chart, cm, env  # noqa: F401 - fixtures


def _install(cfg: Configuration, chart: Path, name: str = "demo", **kw: object) -> install.InstallResult:
    return install.run(cfg, install.InstallOptions(name=name, chart_ref=str(chart), **kw))  # type: ignore[arg-type]


def _upgrade(cfg: Configuration, chart: Path, values: dict, name: str = "demo", **kw: object) -> upgrade.UpgradeResult:
    return upgrade.run(cfg, upgrade.UpgradeOptions(name=name, chart_ref=str(chart), values=values,
                                                   values_given=bool(values), **kw))  # type: ignore[arg-type]


def test_full_lifecycle(env: Configuration, app_chart: Path) -> None:
    cfg = env
    res = _install(cfg, app_chart)
    rel = res.release
    assert (rel.version, rel.info.status, rel.info.description) == (1, Status.DEPLOYED, "Install complete")
    assert rel.info.notes.strip() == "Release demo says hello."
    main = cm(cfg, "demo-main")
    assert main["data"]["message"] == "hello"
    assert main["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert main["metadata"]["annotations"]["meta.helm.sh/release-name"] == "demo"
    assert main["metadata"]["annotations"]["meta.helm.sh/release-namespace"] == "default"
    assert "managed-by" not in rel.manifest  # the stamp is not in the stored manifest
    assert cm(cfg, "demo-second") is not None

    # upgrade: one object added, one removed, one changed; the unchanged Service is not rewritten
    svc_rv = cfg.kube.get("v1", "Service", "demo-svc", "default")["metadata"]["resourceVersion"]
    up = _upgrade(cfg, app_chart, {"extra": True, "dropSecond": True, "message": "hi"})
    assert (up.release.version, up.release.info.status) == (2, Status.DEPLOYED)
    assert cm(cfg, "demo-extra") is not None and cm(cfg, "demo-second") is None
    assert cm(cfg, "demo-main")["data"]["message"] == "hi"
    assert cfg.kube.get("v1", "Service", "demo-svc", "default")["metadata"]["resourceVersion"] == svc_rv
    assert up.applied is not None and "Service/default/demo-svc" in up.applied.unchanged
    assert cfg.storage.get("demo", 1).info.status == Status.SUPERSEDED

    # failed upgrade: the cluster rejects an object; recorded as a failed revision with the error
    with pytest.raises(ReleaseFailed, match="Not_A_Valid_Name"):
        _upgrade(cfg, app_chart, {"extra": True, "dropSecond": True, "broken": True, "message": "bad"})
    failed = cfg.storage.get("demo", 3)
    assert failed.info.status == Status.FAILED
    assert failed.info.description.startswith('Upgrade "demo" failed: ') and "Not_A_Valid_Name" in failed.info.description
    assert cfg.storage.get("demo", 2).info.status == Status.DEPLOYED

    # rollback to 1: objects of revision 1 back, the extra one gone
    rb = rollback.run(cfg, rollback.RollbackOptions(name="demo", revision=1))
    assert (rb.release.version, rb.release.info.status, rb.release.info.description) == (4, Status.DEPLOYED,
                                                                                      "Rollback to 1")
    assert cm(cfg, "demo-second") is not None and cm(cfg, "demo-extra") is None
    assert cm(cfg, "demo-main")["data"]["message"] == "hello"
    assert cfg.storage.get("demo", 2).info.status == Status.SUPERSEDED

    entries = history.run(cfg, "demo")
    assert [(e.revision, e.status) for e in entries] == [(1, "superseded"), (2, "superseded"), (3, "failed"),
                                                          (4, "deployed")]
    assert entries[0].chart == "release-app-0.1.0" and entries[0].app_version == "1.0"

    # uninstall --keep-history, then list -a shows it as uninstalled
    un = uninstall.run(cfg, "demo", uninstall.UninstallOptions(keep_history=True))
    assert un.release.info.status == Status.UNINSTALLED and un.release.info.description == "Uninstallation complete"
    assert cm(cfg, "demo-main") is None and cfg.kube.get("v1", "Service", "demo-svc", "default") is None
    listed = list_action.run(cfg, list_action.ListOptions())
    assert [(r.name, r.version, r.info.status) for r in listed] == [("demo", 4, Status.UNINSTALLED)]
    assert list_action.run(cfg, list_action.ListOptions(states={Status.DEPLOYED})) == []
    with pytest.raises(ReleaseError, match='the release named "demo" is already deleted'):
        uninstall.run(cfg, "demo", uninstall.UninstallOptions(keep_history=True))
    # the name can be reused with --replace; then a plain uninstall purges every record
    again = _install(cfg, app_chart, replace=True)
    assert again.release.version == 5
    uninstall.run(cfg, "demo", uninstall.UninstallOptions())
    with pytest.raises(ReleaseNotFound):
        history.run(cfg, "demo")


def test_install_refuses_names_in_use_and_bad_names(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart)
    with pytest.raises(ReleaseError, match="cannot reuse a name that is still in use"):
        _install(env, app_chart)
    for bad in ("Demo", "x" * 54, "a_b", "-a"):
        with pytest.raises(InvalidReleaseName, match="invalid release name"):
            _install(env, app_chart, name=bad)
    assert len("a" * 53) == 53
    _install(env, app_chart, name="a" * 53)


def test_generate_name_and_dry_run(env: Configuration, app_chart: Path) -> None:
    res = install.run(env, install.InstallOptions(name=None, chart_ref=str(app_chart), generate_name=True,
                                                  dry_run=True))
    assert res.release.name.startswith("release-app-")
    assert res.release.info.description == "Dry run complete"
    assert res.release.info.status == Status.PENDING_INSTALL
    assert list_action.run(env, list_action.ListOptions()) == []
    assert cm(env, f"{res.release.name}-main") is None


def test_library_chart_refuses_to_install(env: Configuration, app_chart: Path) -> None:
    text = (app_chart / "Chart.yaml").read_text().replace("type: application", "type: library")
    (app_chart / "Chart.yaml").write_text(text)
    with pytest.raises(ChartError, match="library charts are not installable"):
        _install(env, app_chart)


def test_upgrade_values_rules(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart, values={"message": "one"})
    # no new values: the old config is reused as-is
    assert _upgrade(env, app_chart, {}).release.config == {"message": "one"}
    # new values drop the old config
    assert _upgrade(env, app_chart, {"extra": True}).release.config == {"extra": True}
    # --reuse-values merges new over old
    res = _upgrade(env, app_chart, {"message": "two"}, reuse_values=True)
    assert res.release.config == {"extra": True, "message": "two"}
    # --reset-values: only the new ones
    assert _upgrade(env, app_chart, {"dropSecond": True}, reset_values=True).release.config == {"dropSecond": True}


def test_upgrade_install_and_missing_release(env: Configuration, app_chart: Path) -> None:
    with pytest.raises(ReleaseNotFound, match='"demo" has no deployed releases'):
        _upgrade(env, app_chart, {})
    res = _upgrade(env, app_chart, {}, install=True)
    assert res.installed and res.release.version == 1 and res.release.info.status == Status.DEPLOYED


def test_atomic_upgrade_rolls_back(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart)
    with pytest.raises(ReleaseFailed, match="has been rolled back due to rollback-on-failure"):
        _upgrade(env, app_chart, {"broken": True, "extra": True}, rollback_on_failure=True)
    statuses = [(e.revision, e.status, e.description) for e in history.run(env, "demo")]
    assert statuses[1][1] == "failed" and statuses[2] == (3, "deployed", "Rollback to 1")
    assert cm(env, "demo-extra") is None


def test_atomic_install_uninstalls(env: Configuration, app_chart: Path) -> None:
    with pytest.raises(ReleaseFailed, match="has been uninstalled due to rollback-on-failure"):
        _install(env, app_chart, values={"broken": True}, rollback_on_failure=True)
    with pytest.raises(ReleaseNotFound):
        history.run(env, "demo")
    assert cm(env, "demo-main") is None


def test_history_max_prunes(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart)
    for i in range(4):
        _upgrade(env, app_chart, {"message": f"m{i}"}, history_max=3)
    assert [e.revision for e in history.run(env, "demo")] == [3, 4, 5]
    assert [e.revision for e in history.run(env, "demo", max_revisions=2)] == [4, 5]


def test_rollback_errors(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart)
    with pytest.raises(ReleaseNotFound, match="release has no 0 version"):
        rollback.run(env, rollback.RollbackOptions(name="demo"))
    with pytest.raises(ReleaseNotFound, match="release has no 7 version"):
        rollback.run(env, rollback.RollbackOptions(name="demo", revision=7))


def test_uninstall_keeps_resource_policy_keep(env: Configuration, app_chart: Path) -> None:
    _install(env, app_chart, values={"keep": True})
    # dropped from the chart during an upgrade: kept too
    _upgrade(env, app_chart, {"keep": False})
    assert cm(env, "demo-kept") is not None
    _upgrade(env, app_chart, {"keep": True})
    res = uninstall.run(env, "demo", uninstall.UninstallOptions())
    assert res.kept == ["[ConfigMap] demo-kept"]
    assert cm(env, "demo-kept") is not None and cm(env, "demo-main") is None
    assert uninstall.run(env, "demo", uninstall.UninstallOptions(ignore_not_found=True)).not_found
    with pytest.raises(ReleaseNotFound, match="uninstall: Release not loaded: demo: release: not found"):
        uninstall.run(env, "demo", uninstall.UninstallOptions())


def test_create_namespace(env: Configuration, app_chart: Path) -> None:
    from tests.action.release_support import make_config

    cfg = make_config(env.kube, env.driver_name, namespace="team-a")
    _install(cfg, app_chart, create_namespace=True)
    ns = cfg.kube.get("v1", "Namespace", "team-a")
    assert ns is not None and ns["metadata"]["labels"] == {"name": "team-a"}
    assert cm(cfg, "demo-main", "team-a") is not None
    st = status.run(cfg, "demo")
    assert "v1/ConfigMap" in st.resources and st.lock is None and st.explanation == ""
