"""The bundled multi-tier chart through upgrade --set global.imageTag=SHA and rollback, as its README promises."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from helmpy.action import install, rollback, upgrade
from helmpy.action.config import Configuration
from tests.action.release_support import env  # noqa: F401 - fixture

MULTI = Path(__file__).resolve().parents[2] / "charts" / "multi"
APP_TIERS = ("client", "server", "worker")


def _images(cfg: Configuration) -> dict[str, str]:
    out = {}
    for kind in ("Deployment", "StatefulSet"):
        for obj in cfg.kube.list("apps/v1", kind, "default"):
            containers = obj["spec"]["template"]["spec"]["containers"]
            out[obj["metadata"]["name"].removeprefix("shop-multi-")] = containers[0]["image"]
    return out


def _password(cfg: Configuration) -> tuple[str, str]:
    secret = cfg.kube.get("v1", "Secret", "shop-multi-postgresql", "default")
    return base64.b64decode(secret["data"]["password"]).decode(), secret["metadata"]["resourceVersion"]


def test_upgrade_image_tag_then_rollback(env: Configuration) -> None:
    install.run(env, install.InstallOptions(name="shop", chart_ref=str(MULTI)))
    before, password = _images(env), _password(env)
    assert before["client"] == "ghcr.io/example/shop-client:1.4.2" and len(password[0]) == 24

    upgrade.run(env, upgrade.UpgradeOptions(name="shop", chart_ref=str(MULTI),
                                            values={"global": {"imageTag": "3f9c2e1"}}, values_given=True))
    after = _images(env)
    for tier in APP_TIERS:
        assert after[tier].endswith(":3f9c2e1"), after
    assert after["redis"] == before["redis"] and after["postgresql"] == before["postgresql"]  # pinned upstream
    assert _password(env) == password  # read back with lookup(): same password, Secret not even rewritten

    rb = rollback.run(env, rollback.RollbackOptions(name="shop"))
    assert (rb.release.version, rb.release.info.description) == (3, "Rollback to 1")
    assert _images(env) == before and _password(env)[0] == password[0]
    assert env.storage.get("shop", 2).info.status.value == "superseded"


def test_lookup_sees_the_cluster(env: Configuration) -> None:
    lookup: Any = install.cluster_lookup(env.kube)
    assert lookup("v1", "Namespace", "", "default")["metadata"]["name"] == "default"
    assert lookup("v1", "ConfigMap", "default", "missing") == {}
    listed = lookup("v1", "Namespace", "", "")
    assert listed["kind"] == "NamespaceList" and "kube-system" in [i["metadata"]["name"] for i in listed["items"]]
