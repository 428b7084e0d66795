"""Applying a release's objects (``helmpy/action/apply.py``) on a real embedded cluster: the errors name the
template an object came from and keep the cluster's hints; each object costs one read and one write, and many
objects of one kind in one namespace are read with one LIST."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from helmpy.action import apply as applying
from helmpy.action import install, upgrade
from helmpy.action.config import Configuration
from helmpy.errors import KubeApiStatus, KubeError, OwnershipConflict, ReleaseFailed
from helmpy.kube.embedded import EmbeddedCluster
from tests.action.release_support import app_chart, cm, make_config  # noqa: F401 - fixtures

UNKNOWN = "apiVersion: example.com/v9\nkind: Nope\nmetadata: {name: thing}\n"


class CountingCluster:
    """The embedded cluster, counting the reads and writes of each object (``verb kind/name``)."""

    def __init__(self, kube: EmbeddedCluster, *, refuse_lists: bool = False) -> None:
        self.kube = kube
        self.calls: Counter[str] = Counter()
        self.refuse_lists = refuse_lists  # as a cluster whose RBAC grants get but not list

    def list(self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None) -> Any:
        self.calls[f"list {kind}"] += 1
        if self.refuse_lists:
            raise KubeApiStatus(f'{kind.lower()}s is forbidden: User "dev" cannot list resource', code=403,
                                reason="Forbidden")
        return self.kube.list(api_version, kind, namespace, label_selector)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kube, name)

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Any:
        self.calls[f"get {kind}/{name}"] += 1
        return self.kube.get(api_version, kind, name, namespace)

    def apply(self, obj: dict[str, Any], **kw: Any) -> Any:
        self.calls[f"apply {obj['kind']}/{obj['metadata']['name']}"] += 1
        return self.kube.apply(obj, **kw)

    def release_calls(self, release: str) -> dict[str, int]:
        return {k: v for k, v in self.calls.items() if k.split("/", 1)[1].startswith(f"{release}-")}


@pytest.fixture
def counted(tmp_path: Path) -> Any:
    kube = EmbeddedCluster(tmp_path / "cluster.db", controller=True)
    counting = CountingCluster(kube)
    yield make_config(counting, "memory")  # type: ignore[arg-type]
    kube.close()


def test_unknown_kind_names_the_template_once_and_keeps_the_hint(counted: Configuration, app_chart: Path) -> None:
    (app_chart / "templates" / "zz-unknown.yaml").write_text(UNKNOWN)
    with pytest.raises(KubeError) as exc:
        install.run(counted, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    message = str(exc.value)
    assert message.count("no matches for kind") == 1, message
    assert message == ('resource mapping not found for name: "thing" namespace: "" from '
                       '"release-app/templates/zz-unknown.yaml": no matches for kind "Nope" in version "example.com/v9"')
    assert exc.value.hint and "install the CustomResourceDefinition first" in exc.value.hint
    assert cm(counted, "demo-main") is None  # refused before anything was applied


def test_parse_manifest_names_the_source_line_of_each_document(tmp_path: Path) -> None:
    kube = EmbeddedCluster(tmp_path / "c.db")
    text = ("---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
            "---\n# Source: app/templates/crs.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
            "---\n# Source: app/templates/crs.yaml\n" + UNKNOWN)
    with pytest.raises(KubeError, match=r'^resource mapping not found for name: "thing" namespace: "" from '
                                        r'"app/templates/crs.yaml": no matches for kind "Nope"'):
        applying.parse_manifest(text, kube, "default")
    objects = applying.parse_manifest(text.rsplit("---", 1)[0], kube, "team")
    assert [(o["metadata"]["name"], o["metadata"]["namespace"]) for o in objects] == [("a", "team"), ("b", "team")]
    # a manifest without Source lines (hand-written) still names the object and keeps the hint
    with pytest.raises(KubeError) as exc:
        applying.parse_manifest(UNKNOWN, kube, "default")
    assert str(exc.value).startswith('resource mapping not found for name: "thing" namespace: "": no matches for kind')
    assert exc.value.hint
    kube.close()


def test_one_read_and_one_write_per_object(counted: Configuration, app_chart: Path) -> None:
    kube: Any = counted.kube
    res = install.run(counted, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    objects = ["ConfigMap/demo-main", "ConfigMap/demo-second", "Service/demo-svc"]
    assert kube.release_calls("demo") == {**{f"get {o}": 1 for o in objects}, **{f"apply {o}": 1 for o in objects}}
    assert res.applied is not None
    assert res.applied.created == ["ConfigMap/default/demo-main", "ConfigMap/default/demo-second",
                                   "Service/default/demo-svc"]
    assert res.applied.updated == res.applied.unchanged == []
    assert [o["metadata"]["name"] for o in res.applied.created_objects] == ["demo-main", "demo-second", "demo-svc"]

    # upgrade: owned objects are not checked for ownership again; a new one is checked once
    svc_rv = kube.get("v1", "Service", "demo-svc", "default")["metadata"]["resourceVersion"]
    kube.calls.clear()
    up = upgrade.run(counted, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"extra": True},
                                                     values_given=True))
    assert kube.release_calls("demo") == {
        **{f"get {o}": 1 for o in [*objects, "ConfigMap/demo-extra"]},
        **{f"apply {o}": 1 for o in [*objects, "ConfigMap/demo-extra"]}}
    assert up.applied is not None
    assert up.applied.created == ["ConfigMap/default/demo-extra"]
    assert up.applied.updated == ["ConfigMap/default/demo-main"]  # its data has the revision number
    assert up.applied.unchanged == ["ConfigMap/default/demo-second", "Service/default/demo-svc"]
    assert kube.get("v1", "Service", "demo-svc", "default")["metadata"]["resourceVersion"] == svc_rv


def test_an_object_changed_after_the_ownership_check_counts_as_updated(tmp_path: Path) -> None:
    """The ownership check's read stands in for the apply's: what it saw decides created/updated/unchanged."""
    kube = EmbeddedCluster(tmp_path / "c.db")
    text = "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n"
    target = applying.parse_manifest(text, kube, "default")
    applying.check_ownership(kube, target, "rel", "default", "install")
    kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}})
    with pytest.raises(OwnershipConflict):  # still refused when checked again
        applying.check_ownership(kube, applying.parse_manifest(text, kube, "default"), "rel", "default", "install")
    result = applying.apply_objects(kube, [], target, "rel", "default")
    assert result.created == ["ConfigMap/default/a"]  # the check saw no object: counted as created
    again = applying.parse_manifest(text, kube, "default")
    applying.check_ownership(kube, again, "rel", "default", "install")
    result = applying.apply_objects(kube, [], again, "rel", "default")
    assert (result.created, result.updated, result.unchanged) == ([], [], ["ConfigMap/default/a"])
    kube.close()


def test_a_rejected_object_names_its_template_and_keeps_the_cause(counted: Configuration, app_chart: Path) -> None:
    with pytest.raises(ReleaseFailed) as exc:
        install.run(counted, install.InstallOptions(name="demo", chart_ref=str(app_chart), values={"broken": True}))
    assert "failed to create ConfigMap/default/demo_Not_A_Valid_Name" in str(exc.value)
    assert 'from "release-app/templates/main.yaml"' in str(exc.value)


def test_uninstall_deletes_in_helms_uninstall_order_unknown_kinds_last(tmp_path: Path) -> None:
    """``delete_objects`` (what uninstall runs) goes in Helm's UninstallOrder: the same table and sort as the
    engine's, not a second copy; kinds outside the table go last, by name, in given order among equals."""
    kube = EmbeddedCluster(tmp_path / "cluster.db")
    try:
        def obj(api_version: str, kind: str, name: str, **body: Any) -> dict[str, Any]:
            return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "default"},
                    **body}

        objects = [obj("v1", "ServiceAccount", "sa"), obj("v1", "ConfigMap", "cm-1"),
                   obj("v1", "Service", "svc", spec={"ports": [{"port": 80}]}), obj("v1", "Secret", "sec"),
                   obj("v1", "ConfigMap", "cm-2")]
        for o in objects:
            kube.create(o)
        deleted, kept = applying.delete_objects(kube, objects)
        assert kept == []
        assert deleted == ["Service/default/svc", "ConfigMap/default/cm-1", "ConfigMap/default/cm-2",
                           "Secret/default/sec", "ServiceAccount/default/sa"]
        assert all(kube.get(o["apiVersion"], o["kind"], o["metadata"]["name"], "default") is None for o in objects)
    finally:
        kube.close()


MANY = applying.LIST_AT + 8


def _many_configmaps(chart: Path) -> list[str]:
    (chart / "templates" / "many.yaml").write_text(
        "{% for i in range(" + str(MANY) + ") %}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        "  name: {{ Release.Name }}-many-{{ i }}\ndata:\n  level: {{ Values.level | default('info') | quote }}\n"
        "{% endfor %}\n")
    return [f"ConfigMap/default/demo-many-{i}" for i in range(MANY)]


@pytest.mark.parametrize("refuse_lists", [False, True], ids=["listed", "list-refused"])
def test_many_objects_of_a_kind_are_read_with_one_list(tmp_path: Path, app_chart: Path, refuse_lists: bool) -> None:
    kube = EmbeddedCluster(tmp_path / "cluster.db", controller=True)
    counting = CountingCluster(kube, refuse_lists=refuse_lists)
    cfg = make_config(counting, "memory")  # type: ignore[arg-type]
    many = _many_configmaps(app_chart)
    # an object of that kind that exists and is not the release's: the install is refused, nothing applied
    kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo-many-7", "namespace": "default"}})
    with pytest.raises(OwnershipConflict, match="demo-many-7"):
        install.run(cfg, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    assert cm(cfg, "demo-many-0") is None and cm(cfg, "demo-main") is None
    kube.delete("v1", "ConfigMap", "demo-many-7", "default")

    counting.calls.clear()
    res = install.run(cfg, install.InstallOptions(name="demo", chart_ref=str(app_chart)))
    assert res.applied is not None and set(many) <= set(res.applied.created)
    reads = {k: v for k, v in counting.calls.items() if k.startswith(("get ConfigMap/demo-many", "list"))}
    if refuse_lists:  # the refused LIST falls back to one GET each
        assert reads == {"list ConfigMap": 1, **{f"get ConfigMap/demo-many-{i}": 1 for i in range(MANY)}}
    else:
        assert reads == {"list ConfigMap": 1}

    # upgrade: the owned objects' versions come from one LIST too; changed and unchanged are told apart
    counting.calls.clear()
    up = upgrade.run(cfg, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"level": "debug"},
                                                 values_given=True))
    assert up.applied is not None
    assert set(many) <= set(up.applied.updated) and "Service/default/demo-svc" in up.applied.unchanged
    assert not set(many) & (set(up.applied.unchanged) | set(up.applied.created))
    assert counting.calls["list ConfigMap"] == 1
    assert not any(k.startswith("get ConfigMap/demo-many") for k in counting.calls) or refuse_lists
    again = upgrade.run(cfg, upgrade.UpgradeOptions(name="demo", chart_ref=str(app_chart), values={"level": "debug"},
                                                    values_given=True))
    assert again.applied is not None and set(many) <= set(again.applied.unchanged)
    kube.close()


_PARSE_IN_A_NEW_PROCESS = """
import json, sys
from helmpy.action import apply as applying
from helmpy.kube.embedded import EmbeddedCluster
kube = EmbeddedCluster(sys.argv[1])
objects = applying.parse_manifest(open(sys.argv[2]).read(), kube, "team")
print(json.dumps({"yaml": "yaml" in sys.modules, "objects": objects, "sources": sorted(objects.sources.values())}))
"""


def test_a_manifest_parsed_once_is_not_parsed_again_by_another_process(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("".join(f"---\n# Source: app/templates/cm{i}.yaml\napiVersion: v1\nkind: ConfigMap\n"
                                f"metadata:\n  name: cm-{i}\ndata:\n  k: \"{i}\"\n  list: [a, {i}]\n" for i in range(5)))
    root = Path(__file__).resolve().parents[2]

    def parse(**env: str) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-c", _PARSE_IN_A_NEW_PROCESS, str(tmp_path / "c.db"), str(manifest)],
                              capture_output=True, text=True, check=True, cwd=root,
                              env={"PYTHONPATH": str(root), "HELMPY_CACHE_HOME": str(tmp_path / "cache"), **env})
        return json.loads(proc.stdout)  # type: ignore[no-any-return]

    first, second, uncached = parse(), parse(), parse(HELMPY_PARSE_CACHE="0")
    assert first["yaml"] and not second["yaml"] and uncached["yaml"]  # the second process read the cache
    assert first["objects"] == second["objects"] == uncached["objects"]
    assert [o["metadata"] for o in second["objects"]] == [{"name": f"cm-{i}", "namespace": "team"} for i in range(5)]
    assert second["objects"][3]["data"] == {"k": "3", "list": ["a", 3]}
    assert first["sources"] == second["sources"] == [f"app/templates/cm{i}.yaml" for i in range(5)]
    manifest.write_text(manifest.read_text().replace('k: "3"', 'k: "three"'))  # changed text: parsed afresh
    changed = parse()
    assert changed["yaml"] and changed["objects"][3]["data"]["k"] == "three"
