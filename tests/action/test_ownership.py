"""Objects of other releases (or of nobody) are never taken over silently; --take-ownership adopts."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action import install, upgrade
from helmpy.action.config import Configuration
from helmpy.errors import OwnershipConflict, ReleaseError
from tests.action.release_support import app_chart, cm, env  # noqa: F401 - fixtures


def test_unowned_object_blocks_install(env: Configuration, app_chart: Path) -> None:
    env.kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo-main", "namespace": "default"},
                     "data": {"mine": "yes"}})
    with pytest.raises(OwnershipConflict) as exc:
        install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    assert str(exc.value) == (
        'unable to continue with install: ConfigMap "demo-main" in namespace "default" exists and cannot be '
        'imported into the current release: invalid ownership metadata; label validation error: missing key '
        '"app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key '
        '"meta.helm.sh/release-name": must be set to "demo"; annotation validation error: missing key '
        '"meta.helm.sh/release-namespace": must be set to "default"')
    assert cm(env, "demo-main")["data"] == {"mine": "yes"}
    assert cm(env, "demo-second") is None  # nothing applied
    with pytest.raises(ReleaseError):
        env.storage.history("demo")


def test_other_release_object_blocks_upgrade_until_take_ownership(env: Configuration, app_chart: Path) -> None:
    install.run(env, install.InstallOptions(name="other", chart_ref=str(app_chart)))
    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    # demo's upgrade now renders an object named like one of "other"'s: use fullname collision via extra
    live = cm(env, "other-main")
    live["metadata"]["name"] = "demo-extra"
    for key in ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"):
        live["metadata"].pop(key, None)
    # carries release-name "other", applied by Helm's field manager as the other release's objects are (a field
    # another manager owned would be a server-side apply conflict, as on a real cluster, without --force-conflicts)
    env.kube.apply(live, field_manager="helm")
    with pytest.raises(OwnershipConflict, match=r'key "meta.helm.sh/release-name" must equal "demo": current value '
                                                r'is "other"') as exc:
        upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"extra": True},
                                                values_given=True))
    assert exc.value.hint and "--take-ownership" in exc.value.hint
    assert len(env.storage.history("demo")) == 1
    res = upgrade.run(env, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"extra": True},
                                                  values_given=True, take_ownership=True))
    assert res.release.version == 2
    assert cm(env, "demo-extra")["metadata"]["annotations"]["meta.helm.sh/release-name"] == "demo"
    assert cm(env, "demo-extra")["data"] == {"b": "2"}


def test_own_objects_are_adopted_on_reinstall(env: Configuration, app_chart: Path) -> None:
    """Objects already stamped for this release (e.g. left by a purged failed install) are adopted."""
    from helmpy.action import uninstall

    install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart), values={"keep": True}))
    uninstall.run(env, "demo", uninstall.UninstallOptions())
    assert cm(env, "demo-kept") is not None
    res = install.run(env, install.InstallOptions(name="demo", chart_ref=str(app_chart), values={"keep": True}))
    assert res.release.version == 1


@pytest.mark.parametrize("meta", [{"name": "a"}, {"name": "a", "labels": {"x": "1"}, "annotations": {"y": "2"}},
                                  {"name": "a", "labels": None}])
def test_stamp_view_is_stamp_without_copying(meta: dict) -> None:
    from copy import deepcopy

    from helmpy.action.ownership import stamp, stamp_view

    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}
    before = deepcopy(obj)
    view = stamp_view(obj, "rel", "ns")
    assert view == stamp(obj, "rel", "ns")
    assert obj == before  # the object itself is not stamped
    assert view["data"] is obj["data"] and view["metadata"] is not obj["metadata"]
