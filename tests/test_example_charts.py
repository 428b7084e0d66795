"""The example charts under charts/: they lint clean with --strict, render, and have the promised shape."""

from __future__ import annotations

import base64

import pytest
import yaml

from tests.conftest import EXAMPLE_CHARTS

CHARTS = ["web", "stateful", "multi"]


def render(cli, chart: str, *args: str) -> list[dict]:
    r = cli("template", "rel", str(EXAMPLE_CHARTS / chart), *args)
    assert r.exit_code == 0, r
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("chart", CHARTS)
def test_lints_clean_with_strict(cli, chart):
    path = EXAMPLE_CHARTS / chart
    r = cli("lint", str(path), "--strict")
    assert r.exit_code == 0, r
    assert r.stdout == f"==> Linting {path}\n\n1 chart(s) linted, 0 chart(s) failed\n"


@pytest.mark.parametrize("chart", CHARTS)
def test_is_jinja_and_documented(chart):
    root = EXAMPLE_CHARTS / chart
    meta = yaml.safe_load((root / "Chart.yaml").read_text())
    assert meta["annotations"]["helmpy.io/template-engine"] == "jinja2"
    assert (root / "README.md").read_text().startswith(f"# {chart}\n")


@pytest.mark.parametrize("chart", CHARTS)
def test_images_pinned(cli, chart):
    for doc in render(cli, chart):
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            repo, _, tag = container["image"].rpartition(":")
            assert repo and tag and tag != "latest", container["image"]


def _selects(service: dict, workload: dict) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(k) == v for k, v in service["spec"]["selector"].items())


# --- web ------------------------------------------------------------------------------------------------
def test_web_objects(cli):
    docs = render(cli, "web")
    assert sorted(d["kind"] for d in docs) == ["ConfigMap", "Deployment", "Ingress", "Secret", "Service"]
    dep = by_kind(docs, "Deployment")["rel-web"]
    svc = by_kind(docs, "Service")["rel-web"]
    assert svc["spec"]["type"] == "ClusterIP" and "nodePort" not in svc["spec"]["ports"][0]
    assert _selects(svc, dep)
    env_from = dep["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert env_from == [{"configMapRef": {"name": "rel-web"}}, {"secretRef": {"name": "rel-web"}}]
    assert by_kind(docs, "ConfigMap")["rel-web"]["data"] == {"GREETING": "hello", "LOG_LEVEL": "info"}
    secret = by_kind(docs, "Secret")["rel-web"]
    assert base64.b64decode(secret["data"]["API_TOKEN"]).decode() == "change-me"
    ing = by_kind(docs, "Ingress")["rel-web"]
    path = ing["spec"]["rules"][0]["http"]["paths"][0]
    assert ing["spec"]["rules"][0]["host"] == "web.example.com"
    assert path["backend"]["service"] == {"name": "rel-web", "port": {"name": "http"}}


def test_web_nodeport_and_ingress_off(cli):
    docs = render(cli, "web", "--set", "service.type=NodePort", "--set", "service.nodePort=30080",
                  "--set", "ingress.enabled=false")
    assert "Ingress" not in {d["kind"] for d in docs}
    svc = by_kind(docs, "Service")["rel-web"]
    assert svc["spec"]["type"] == "NodePort" and svc["spec"]["ports"][0]["nodePort"] == 30080


def test_web_ingress_tls_and_config_change_rolls_pods(cli):
    base = by_kind(render(cli, "web"), "Deployment")["rel-web"]
    docs = render(cli, "web", "--set", "ingress.tlsSecretName=web-tls", "--set", "config.LOG_LEVEL=debug")
    ing = by_kind(docs, "Ingress")["rel-web"]
    assert ing["spec"]["tls"] == [{"hosts": ["web.example.com"], "secretName": "web-tls"}]
    changed = by_kind(docs, "Deployment")["rel-web"]
    key = "checksum/config"
    assert changed["spec"]["template"]["metadata"]["annotations"][key] != \
        base["spec"]["template"]["metadata"]["annotations"][key]


def test_web_rejects_other_service_types(cli):
    r = cli("template", "rel", str(EXAMPLE_CHARTS / "web"), "--set", "service.type=LoadBalancer")
    assert r.exit_code == 1
    # values.schema.json refuses it before the template's own check would
    assert "- at '/service/type': value must be one of 'ClusterIP', 'NodePort'" in r.stderr


# --- stateful -------------------------------------------------------------------------------------------
def test_stateful_objects(cli):
    docs = render(cli, "stateful", "--set", "persistence.storageClass=fast-ssd")
    assert sorted(d["kind"] for d in docs) == ["PersistentVolumeClaim", "Service", "StatefulSet"]
    sts = by_kind(docs, "StatefulSet")["rel-stateful"]
    svc = by_kind(docs, "Service")["rel-stateful-headless"]
    assert svc["spec"]["clusterIP"] == "None"
    assert sts["spec"]["serviceName"] == "rel-stateful-headless"
    assert _selects(svc, sts)
    (vct,) = sts["spec"]["volumeClaimTemplates"]
    assert vct["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert vct["spec"]["storageClassName"] == "fast-ssd"
    assert vct["spec"]["resources"]["requests"]["storage"] == "1Gi"
    pvc = by_kind(docs, "PersistentVolumeClaim")["rel-stateful-shared"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "storageClassName" not in pvc["spec"]  # "" = cluster default
    volumes = sts["spec"]["template"]["spec"]["volumes"]
    assert volumes == [{"name": "shared", "persistentVolumeClaim": {"claimName": "rel-stateful-shared"}}]


def test_stateful_storage_values(cli):
    docs = render(cli, "stateful", "--set", "sharedVolume.storageClass=-", "--set-json",
                  'sharedVolume.accessModes=["ReadWriteOnce","ReadOnlyMany"]', "--set", "sharedVolume.size=20Gi")
    pvc = by_kind(docs, "PersistentVolumeClaim")["rel-stateful-shared"]
    assert pvc["spec"]["storageClassName"] == ""
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce", "ReadOnlyMany"]
    assert pvc["spec"]["resources"]["requests"]["storage"] == "20Gi"


def test_stateful_without_persistence(cli):
    docs = render(cli, "stateful", "--set", "persistence.enabled=false", "--set", "sharedVolume.enabled=false")
    assert sorted(d["kind"] for d in docs) == ["Service", "StatefulSet"]
    sts = by_kind(docs, "StatefulSet")["rel-stateful"]
    assert "volumeClaimTemplates" not in sts["spec"]
    assert sts["spec"]["template"]["spec"]["volumes"] == [{"name": "data", "emptyDir": {}}]


# --- multi ----------------------------------------------------------------------------------------------
TIERS = ["client", "server", "worker"]


def test_multi_objects(cli):
    docs = render(cli, "multi")
    deployments, services = by_kind(docs, "Deployment"), by_kind(docs, "Service")
    assert sorted(deployments) == ["rel-multi-client", "rel-multi-redis", "rel-multi-server", "rel-multi-worker"]
    assert sorted(services) == ["rel-multi-client", "rel-multi-postgresql", "rel-multi-redis", "rel-multi-server",
                                "rel-multi-worker"]
    for name, dep in deployments.items():
        assert services[name]["spec"]["type"] == "ClusterIP"
        assert _selects(services[name], dep)
        other = [d for n, d in deployments.items() if n != name]
        assert not any(_selects(services[name], d) for d in other), name
    pg = by_kind(docs, "StatefulSet")["rel-multi-postgresql"]
    assert _selects(services["rel-multi-postgresql"], pg)
    assert pg["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"] == ["ReadWriteOnce"]
    mounts = pg["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]


def test_multi_ingress_routes(cli):
    ing = by_kind(render(cli, "multi"), "Ingress")["rel-multi"]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in ing["spec"]["rules"][0]["http"]["paths"]}
    assert routes == {"/": "rel-multi-client", "/api": "rel-multi-server"}


def _password_ref(container: dict) -> dict:
    env = {e["name"]: e for e in container["env"]}
    return env["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"]


def test_multi_password_secret(cli):
    docs = render(cli, "multi")
    secret = by_kind(docs, "Secret")["rel-multi-postgresql"]
    generated = base64.b64decode(secret["data"]["password"]).decode()
    assert len(generated) == 24 and generated.isalnum()
    for tier in ("server", "worker"):
        container = by_kind(docs, "Deployment")[f"rel-multi-{tier}"]["spec"]["template"]["spec"]["containers"][0]
        assert _password_ref(container) == {"name": "rel-multi-postgresql", "key": "password"}
    pg = by_kind(docs, "StatefulSet")["rel-multi-postgresql"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in pg["env"]}
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "rel-multi-postgresql", "key": "password"}
    docs = render(cli, "multi", "--set", "postgresql.password=s3cret")
    secret = by_kind(docs, "Secret")["rel-multi-postgresql"]
    assert base64.b64decode(secret["data"]["password"]).decode() == "s3cret"


def test_multi_password_kept_across_upgrades_via_lookup():
    """With a cluster answering lookup, the stored password is reused instead of a new random one."""
    from helmpy.action.render import render_release
    from helmpy.action.template import make_capabilities
    from helmpy.chart.loader import load
    from helmpy.engine.render import ReleaseContext

    stored = base64.b64encode(b"kept-from-first-install").decode()
    existing = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "rel-multi-postgresql"},
                "data": {"password": stored}}

    def lookup(api_version, kind, namespace, name):
        if (api_version, kind, namespace, name) == ("v1", "Secret", "prod", "rel-multi-postgresql"):
            return existing
        return {}

    release = ReleaseContext(name="rel", namespace="prod", revision=2, is_install=False, is_upgrade=True)
    rendered = render_release(load(EXAMPLE_CHARTS / "multi"), {}, release, make_capabilities(None, []),
                              lookup=lookup)
    docs = [yaml.safe_load(m.content) for m in rendered.manifests]
    secret = by_kind(docs, "Secret")["rel-multi-postgresql"]
    assert secret["data"]["password"] == stored


def _tier_images(docs: list[dict]) -> dict[str, str]:
    out = {}
    for kind in ("Deployment", "StatefulSet"):
        for name, d in by_kind(docs, kind).items():
            out[name.removeprefix("rel-multi-")] = d["spec"]["template"]["spec"]["containers"][0]["image"]
    return out


def test_multi_global_image_tag_rolls_every_tier(cli):
    before = _tier_images(render(cli, "multi"))
    assert before == {"client": "ghcr.io/example/shop-client:1.4.2", "server": "ghcr.io/example/shop-api:1.4.2",
                      "worker": "ghcr.io/example/shop-worker:1.4.2", "redis": "docker.io/library/redis:7.2.5",
                      "postgresql": "docker.io/library/postgres:16.3"}
    after = _tier_images(render(cli, "multi", "--set", "global.imageTag=3f9c2e1"))
    for tier in TIERS:
        assert after[tier] == before[tier].rsplit(":", 1)[0] + ":3f9c2e1"
    # upstream images keep their own pinned tags
    assert after["redis"] == before["redis"] and after["postgresql"] == before["postgresql"]


@pytest.mark.parametrize("args", [["--set", "server.image.tag=latest"], ["--set", "global.imageTag=latest"],
                                  ["--set", "redis.image.tag="]])
def test_multi_refuses_unpinned_images(cli, args):
    r = cli("template", "rel", str(EXAMPLE_CHARTS / "multi"), *args)
    assert r.exit_code == 1
    assert "image.tag must be pinned to a version" in r.stderr


def test_multi_ingress_can_be_disabled(cli):
    assert "Ingress" not in {d["kind"] for d in render(cli, "multi", "--set", "ingress.enabled=false")}


# --- values.schema.json: mistakes fail at install, naming the key and the one meant --------------------
@pytest.mark.parametrize("chart, setting, where, suggested", [
    ("web", "replcaCount=3", "''", "replicaCount"),
    ("web", "service.tpye=NodePort", "'/service'", "type"),
    ("stateful", "persistance.size=2Gi", "''", "persistence"),
    ("multi", "server.replcas=3", "'/server'", "replicas"),
    ("multi", "image.tag=3f9c2e1", "''", "global.imageTag"),
    ("multi", "global.imagetag=3f9c2e1", "'/global'", "imageTag"),
])
def test_unknown_keys_fail_install_with_a_suggestion(cli, chart, setting, where, suggested):
    assert (EXAMPLE_CHARTS / chart / "values.schema.json").is_file()
    r = cli("install", "rel", str(EXAMPLE_CHARTS / chart), "--set", setting)
    assert r.exit_code == 1
    key = setting.split("=")[0].rsplit(".", 1)[-1] if where != "''" else setting.split(".")[0].split("=")[0]
    assert f"- at {where}: additional properties '{key}' not allowed (did you mean '{suggested}'?)" in r.stderr, r
    assert cli("list", "-q").stdout == ""  # nothing was installed


def test_unknown_key_without_a_close_one_has_no_suggestion(cli):
    r = cli("template", "rel", str(EXAMPLE_CHARTS / "multi"), "--set", "zzz=1")
    assert r.exit_code == 1 and r.stderr.rstrip().endswith("- at '': additional properties 'zzz' not allowed")


@pytest.mark.parametrize("chart", CHARTS)
def test_schema_types(cli, chart):
    key = {"web": "replicaCount", "stateful": "replicas", "multi": "server.replicas"}[chart]
    r = cli("template", "rel", str(EXAMPLE_CHARTS / chart), "--set", f"{key}=many")
    assert r.exit_code == 1 and "got string, want integer" in r.stderr


def test_multi_client_as_node_port_or_through_the_ingress(cli):
    docs = render(cli, "multi")
    assert by_kind(docs, "Service")["rel-multi-client"]["spec"]["type"] == "ClusterIP"
    assert "rel-multi" in by_kind(docs, "Ingress")
    docs = render(cli, "multi", "--set", "client.service.type=NodePort", "--set", "client.service.nodePort=30080",
                  "--set", "ingress.enabled=false")
    svc = by_kind(docs, "Service")["rel-multi-client"]["spec"]
    assert svc["type"] == "NodePort" and svc["ports"][0]["nodePort"] == 30080
    assert by_kind(docs, "Ingress") == {}
    chosen = by_kind(render(cli, "multi", "--set", "client.service.type=NodePort"), "Service")["rel-multi-client"]
    assert "nodePort" not in chosen["spec"]["ports"][0]  # Kubernetes picks one
    bad = cli("template", "rel", str(EXAMPLE_CHARTS / "multi"), "--set", "client.service.nodePort=80",
              "--set", "client.service.type=NodePort")
    assert bad.exit_code == 1 and "minimum: got 80, want 30,000" in bad.stderr
