"""The whole release lifecycle through ``helmpy install/upgrade/rollback/uninstall`` with a kubeconfig pointing at a
real ``helmpy cluster serve``; real kubectl and Helm look at the result."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import kubeapi_server
from tests.support.kubeapi_server import KubeApiServer

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: \"1.0\"\n"
                  "annotations: {helmpy.io/template-engine: jinja2}\n",
    "values.yaml": "extra: true\nsize: 3\n",
    "crds/gadget.yaml": """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
""",
    "templates/gadget.yaml": """apiVersion: example.com/v1
kind: Gadget
metadata:
  name: {{ Release.Name }}-gadget
  labels: {release: {{ Release.Name }}}
spec:
  size: {{ Values.size }}
""",
    "templates/config.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-config
  labels: {release: {{ Release.Name }}}
data:
  size: "{{ Values.size }}"
""",
    "templates/extra.yaml": """{% if Values.extra %}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-extra
  labels: {release: {{ Release.Name }}}
data: {kept: "no"}
{% endif %}
""",
    "templates/deploy.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-web
  labels: {release: {{ Release.Name }}}
spec:
  replicas: 1
  selector: {matchLabels: {app: {{ Release.Name }}}}
  template:
    metadata: {labels: {app: {{ Release.Name }}}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
""",
}


def write_chart(root: Path, *, crd: bool = True) -> Path:
    for rel, text in CHART.items():
        if not crd and "gadget" in rel:
            continue
        path = root / "shop" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "shop"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("remote-cli"))
    yield server
    server.stop()


@pytest.fixture
def tools(served: KubeApiServer, helm_bin_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """(kubectl, helm) runners against the server; in-process helmpy uses the same kubeconfig."""
    monkeypatch.setenv("KUBECONFIG", str(served.kubeconfig))

    def runner(binary: str):
        def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
            proc = subprocess.run([str(helm_bin_dir / binary), *args], capture_output=True, text=True,
                                  env=served.env(), timeout=120, cwd=served.home)
            if check and proc.returncode != 0:
                raise AssertionError(f"{binary} {' '.join(args)}: {proc.stdout}{proc.stderr}")
            return proc
        return run

    return runner("kubectl"), runner("helm")


def test_lifecycle_against_a_real_api_server(cli, tools, tmp_path: Path) -> None:
    kubectl, helm = tools
    chart = write_chart(tmp_path)
    kubectl("apply", "-f", str(chart / "crds" / "gadget.yaml"))  # see test_crds_dir_then_custom_resource

    r = cli("install", "shop", str(chart), "--wait", "--timeout", "60s")
    assert r.exit_code == 0, r
    assert "STATUS: deployed" in r.stdout
    gadget = json.loads(kubectl("get", "gadgets", "shop-gadget", "-o", "json").stdout)
    assert gadget["spec"] == {"size": 3}
    assert gadget["metadata"]["annotations"]["meta.helm.sh/release-name"] == "shop"
    names = json.loads(kubectl("get", "configmaps", "-l", "release=shop", "-o", "json").stdout)["items"]
    assert sorted(i["metadata"]["name"] for i in names) == ["shop-config", "shop-extra"]
    assert "sh.helm.release.v1.shop.v1" in kubectl("get", "secret", "-l", "owner=helm").stdout
    listed = json.loads(helm("list", "-o", "json").stdout)
    assert [(x["name"], x["status"], x["revision"]) for x in listed] == [("shop", "deployed", "1")]

    r = cli("upgrade", "shop", str(chart), "--set", "extra=false", "--set", "size=5")
    assert r.exit_code == 0, r
    assert kubectl("get", "configmap", "shop-extra", check=False).returncode != 0  # removed on upgrade
    assert json.loads(kubectl("get", "gadgets", "shop-gadget", "-o", "json").stdout)["spec"] == {"size": 5}
    history = json.loads(helm("history", "shop", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "deployed")]

    r = cli("rollback", "shop", "1")
    assert r.exit_code == 0, r
    assert json.loads(kubectl("get", "configmap", "shop-extra", "-o", "json").stdout)["data"] == {"kept": "no"}
    assert json.loads(kubectl("get", "configmap", "shop-config", "-o", "json").stdout)["data"] == {"size": "3"}
    assert [h["status"] for h in json.loads(helm("history", "shop", "-o", "json").stdout)] == [
        "superseded", "superseded", "deployed"]

    r = cli("uninstall", "shop")
    assert r.exit_code == 0, r
    assert json.loads(kubectl("get", "configmaps", "-l", "release=shop", "-o", "json").stdout)["items"] == []
    assert kubectl("get", "crd", "gadgets.example.com").returncode == 0  # CRDs are never deleted (Helm's rule)
    assert "shop" not in kubectl("get", "secret", "-l", "owner=helm").stdout
    assert json.loads(helm("list", "-o", "json").stdout) == []


def test_crds_dir_then_custom_resource_in_one_install(cli, served: KubeApiServer, tmp_path: Path, monkeypatch) -> None:
    server = kubeapi_server.start(tmp_path / "fresh")
    try:
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig))
        r = cli("install", "fresh", str(write_chart(tmp_path)))
        assert r.exit_code == 0, r
    finally:
        server.stop()


def test_ownership_conflict_with_an_object_made_by_kubectl(cli, tools, tmp_path: Path) -> None:
    kubectl, _helm = tools
    kubectl("create", "configmap", "taken-config", "--from-literal", "a=b")
    r = cli("install", "taken", str(write_chart(tmp_path, crd=False)))
    assert r.exit_code == 1
    assert "ConfigMap" in r.stderr and "taken-config" in r.stderr and "exists and cannot be imported" in r.stderr
    assert json.loads(kubectl("get", "configmap", "taken-config", "-o", "json").stdout)["data"] == {"a": "b"}


def test_refused_token_through_the_cli(cli, served: KubeApiServer, tmp_path: Path, monkeypatch) -> None:
    from helmpy import yamlutil

    config = served.config()
    config["users"][0]["user"]["token"] = "wrong"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yamlutil.dump(config))
    monkeypatch.setenv("KUBECONFIG", str(bad))
    r = cli("list")
    assert r.exit_code == 1 and r.stderr.startswith("Error: ")
    assert "rejected the credentials" in r.stderr and "Traceback" not in r.stderr


def test_install_wait_times_out_naming_the_deployment(cli, tmp_path: Path, monkeypatch) -> None:
    server = kubeapi_server.start(tmp_path / "noctl", "--no-controller")
    try:
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig))
        r = cli("install", "slow", str(write_chart(tmp_path, crd=False)), "--wait", "--timeout", "2s")
        assert r.exit_code == 1, r
        assert "Deployment/default/slow-web not ready" in r.stderr and "Replicas: 0/1" in r.stderr
        assert "waiting for 1 of" in r.stderr  # progress while waiting
        assert "ConfigMap" not in r.stderr.split("Error:")[-1]
    finally:
        server.stop()


def test_connection_flags_without_a_kubeconfig(cli, served: KubeApiServer, tmp_path: Path) -> None:
    """--kube-apiserver/--kube-token/--kube-ca-file reach a real API server with no kubeconfig at all."""
    flags = ["--kube-apiserver", served.config()["clusters"][0]["cluster"]["server"],
             "--kube-token", served.token, "--kube-ca-file", str(served.ca_file)]
    r = cli("install", "flagged", str(write_chart(tmp_path, crd=False)), "-n", "default", *flags)
    assert r.exit_code == 0, r
    listed = cli("list", "-o", "json", *flags)
    assert listed.exit_code == 0, listed
    assert "flagged" in [item["name"] for item in json.loads(listed.stdout)]
    bad = cli("list", "--kube-apiserver", flags[1], "--kube-token", "wrong", "--kube-ca-file", str(served.ca_file))
    assert bad.exit_code == 1 and "rejected the credentials" in bad.stderr
    assert cli("uninstall", "flagged", *flags).exit_code == 0


def test_namespace_comes_from_the_kubeconfig_context(cli, served: KubeApiServer, tmp_path: Path,
                                                     monkeypatch) -> None:
    from helmpy import yamlutil

    config = served.config()
    config["contexts"][0]["context"]["namespace"] = "team-a"
    path = tmp_path / "ns.yaml"
    path.write_text(yamlutil.dump(config))
    r = cli("install", "scoped", str(write_chart(tmp_path, crd=False)), "--kubeconfig", str(path),
            "--create-namespace", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["namespace"] == "team-a"
    assert cli("uninstall", "scoped", "--kubeconfig", str(path)).exit_code == 0


def test_field_conflict_then_force_conflicts(cli, tools, tmp_path: Path) -> None:
    kubectl, _helm = tools
    chart = write_chart(tmp_path, crd=False)
    assert cli("install", "owned", str(chart)).exit_code == 0
    kubectl("patch", "configmap", "owned-config", "--type", "merge", "-p", '{"data":{"size":"9"}}',
            "--field-manager", "intruder")
    r = cli("upgrade", "owned", str(chart))
    assert r.exit_code == 1 and r.stderr.startswith("Error: UPGRADE FAILED: ")
    assert "owned-config" in r.stderr and ".data.size" in r.stderr and '"intruder"' in r.stderr
    r = cli("upgrade", "owned", str(chart), "--force-conflicts")
    assert r.exit_code == 0, r
    assert json.loads(kubectl("get", "configmap", "owned-config", "-o", "json").stdout)["data"] == {"size": "3"}
    assert cli("uninstall", "owned").exit_code == 0


def test_a_half_applied_install_is_recorded_failed_and_unknown_kinds_are_named(cli, tools, tmp_path: Path) -> None:
    _kubectl, helm = tools
    chart = write_chart(tmp_path, crd=False)
    (chart / "templates" / "zz-bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")
    r = cli("install", "half", str(chart))
    assert r.exit_code == 1 and "422" in r.stderr and "Bad_Name" in r.stderr and "metadata.name" in r.stderr
    assert [(x["name"], x["status"]) for x in json.loads(helm("list", "--failed", "-o", "json").stdout)] == [
        ("half", "failed")]
    assert cli("uninstall", "half").exit_code == 0
    (chart / "templates" / "zz-bad.yaml").write_text("apiVersion: example.com/v9\nkind: Nope\nmetadata: {name: n}\n")
    r = cli("install", "unknown", str(chart))
    assert r.exit_code == 1 and r.stderr.count("\n") <= 2
    assert 'kind "Nope" in version "example.com/v9"' in r.stderr and "Traceback" not in r.stderr
    assert "not found" in helm("history", "unknown", check=False).stderr  # nothing was applied or recorded


def test_field_conflict_error_names_the_template_and_force_conflicts(cli, tools, tmp_path: Path) -> None:
    kubectl, _helm = tools
    chart = write_chart(tmp_path, crd=False)
    assert cli("install", "hinted", str(chart)).exit_code == 0
    kubectl("patch", "configmap", "hinted-config", "--type", "merge", "-p", '{"data":{"size":"9"}}',
            "--field-manager", "intruder")
    r = cli("upgrade", "hinted", str(chart))
    assert r.exit_code == 1
    assert "\nHint: use --force-conflicts to take the fields over" in r.stderr
    assert ('Error: UPGRADE FAILED: failed to update ConfigMap/default/hinted-config from "shop/templates/config.yaml": '
            "apply conflict") in r.stderr
    assert cli("uninstall", "hinted").exit_code == 0


def test_unknown_kind_names_its_template_once_with_the_crd_hint(cli, tools, tmp_path: Path) -> None:
    chart = write_chart(tmp_path, crd=False)
    (chart / "templates" / "zz-unknown.yaml").write_text("apiVersion: example.com/v9\nkind: Nope\n"
                                                         "metadata: {name: thing}\n")
    r = cli("install", "nokind", str(chart))
    assert r.exit_code == 1 and r.stderr.count("no matches for kind") == 1, r.stderr
    assert ('resource mapping not found for name: "thing" namespace: "" from "shop/templates/zz-unknown.yaml": '
            'no matches for kind "Nope" in version "example.com/v9"') in r.stderr
    assert "\nHint: install the CustomResourceDefinition first, or check apiVersion and kind" in r.stderr
