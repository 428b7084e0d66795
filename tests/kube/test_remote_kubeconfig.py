"""Resolving a real cluster's connection like kubectl: merged KUBECONFIG, contexts, overrides, exec plugins,
client certificates and the in-cluster service account (the last two against a real ``cluster serve``)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from helmpy import yamlutil
from helmpy.errors import KubeConfigError, KubeUnauthorized
from helmpy.kube.credentials import ClientCert
from helmpy.kube.kubeconfig import Overrides, kubeconfig_files, load
from helmpy.kube.remote import RemoteCluster
from tests.support import kubeapi_server
from tests.support.kubeapi_server import write_kubeconfig


def _config(path: Path, contexts: dict[str, str], current: str | None, server: str = "https://a.example:6443",
            cluster: str = "c1") -> Path:
    doc: dict = {"apiVersion": "v1", "kind": "Config",
                 "clusters": [{"name": cluster, "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
                 "users": [{"name": f"u-{cluster}", "user": {"token": f"tok-{cluster}"}}],
                 "contexts": [{"name": n, "context": {"cluster": cluster, "user": f"u-{cluster}", "namespace": ns}}
                              for n, ns in contexts.items()]}
    if current is not None:
        doc["current-context"] = current
    path.write_text(yamlutil.dump(doc))
    return path


def test_kubeconfig_env_merges_files_first_wins(tmp_path: Path) -> None:
    a = _config(tmp_path / "a.yaml", {"dev": "team-a"}, "dev", "https://a.example:6443", "c1")
    b = _config(tmp_path / "b.yaml", {"prod": "team-b", "dev": "ignored"}, "prod", "https://b.example:6443", "c2")
    env = {"KUBECONFIG": f"{tmp_path / 'missing.yaml'}:{a}:{b}"}
    assert kubeconfig_files(None, env) == [a, b]
    conn = load(environ=env)  # current-context from the first file that sets one (kubectl's rule)
    assert (conn.context, conn.server, conn.namespace) == ("dev", "https://a.example:6443", "team-a")
    assert conn.configuration.credentials.authorization() == "Bearer tok-c1"
    prod = load(context="prod", environ=env)  # a context defined only in the second file
    assert (prod.server, prod.namespace) == ("https://b.example:6443", "team-b")
    assert prod.sources == [str(a), str(b)]


def test_explicit_kubeconfig_beats_env_and_overrides_apply(tmp_path: Path) -> None:
    a = _config(tmp_path / "a.yaml", {"dev": "team-a"}, "dev")
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    conn = load(str(a), environ={"KUBECONFIG": "/nonexistent"},
                overrides=Overrides(apiserver="https://override:443/", token="secret", ca_file=str(ca),
                                    namespace="other"))
    cfg = conn.configuration
    assert (cfg.host, conn.namespace, cfg.ssl_ca_cert, cfg.verify_ssl) == ("https://override:443", "other", str(ca), True)
    assert cfg.credentials.authorization() == "Bearer secret"
    insecure = load(str(a), overrides=Overrides(insecure_skip_tls_verify=True)).configuration
    assert insecure.verify_ssl is False


@pytest.mark.parametrize("current, context, message", [
    (None, None, "no current-context is set"),
    ("dev", "nope", 'context "nope" not found'),
])
def test_context_errors_name_file_and_choices(tmp_path: Path, current: str | None, context: str | None,
                                              message: str) -> None:
    a = _config(tmp_path / "a.yaml", {"dev": "x", "prod": "y"}, current)
    with pytest.raises(KubeConfigError, match=message) as info:
        load(str(a), context)
    assert str(a) in info.value.message and "dev, prod" in (info.value.hint or "")


def test_broken_kubeconfigs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters: [\n")
    with pytest.raises(KubeConfigError, match="bad.yaml"):
        load(str(bad))
    dangling = tmp_path / "dangling.yaml"
    dangling.write_text(yamlutil.dump({"current-context": "x", "contexts": [{"name": "x", "context": {"cluster": "gone"}}]}))
    with pytest.raises(KubeConfigError, match='refers to cluster "gone"'):
        load(str(dangling))
    with pytest.raises(KubeConfigError, match="no such file"):
        load(str(tmp_path / "absent.yaml"))
    with pytest.raises(KubeConfigError, match="no kubeconfig found"):
        load(environ={"KUBECONFIG": str(tmp_path / "absent.yaml")})


def test_client_certificate_data_is_handed_to_tls(tmp_path: Path) -> None:
    cert, key = b"-----BEGIN CERTIFICATE-----\nMIIB\n", b"-----BEGIN PRIVATE KEY-----\nMIIE\n"
    path = write_kubeconfig(tmp_path / "kc.yaml", "https://h.example:6443", insecure=True, user={
        "client-certificate-data": base64.b64encode(cert).decode(),
        "client-key-data": base64.b64encode(key).decode()})
    cfg = load(str(path)).configuration
    assert cfg.credentials.client_cert() == ClientCert(cert, key)


# --- against a real `helmpy cluster serve` -------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    server = kubeapi_server.start(tmp_path_factory.mktemp("kc-served"))
    yield server
    server.stop()


def test_exec_credential_plugin_supplies_the_token(served, tmp_path: Path) -> None:
    plugin = tmp_path / "plugin.py"
    plugin.write_text("import json\nprint(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', "
                      f"'kind': 'ExecCredential', 'status': {{'token': {served.token!r}}}}}))\n")
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    path = write_kubeconfig(tmp_path / "kc.yaml", served.url, ca_data=ca, user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable, "args": [str(plugin)],
        "interactiveMode": "Never"}})
    client = RemoteCluster.from_kubeconfig(str(path))
    assert client.server_version().startswith("v1.")
    assert client.get("v1", "Namespace", "default") is not None


def test_in_cluster_service_account(served, tmp_path: Path) -> None:
    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    (sa / "token").write_text(served.token)
    (sa / "ca.crt").write_bytes(served.ca_file.read_bytes())
    (sa / "namespace").write_text("kube-system\n")
    host, port = served.url.removeprefix("https://").rsplit(":", 1)
    env = {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port, "KUBECONFIG": str(tmp_path / "none")}
    conn = load(environ=env, serviceaccount_dir=sa)
    assert (conn.context, conn.namespace) == ("in-cluster", "kube-system")
    client = RemoteCluster(conn)
    assert client.list("v1", "Namespace", label_selector=None)
    (sa / "token").write_text("wrong-token")
    with pytest.raises(KubeUnauthorized, match="401"):
        RemoteCluster(load(environ=env, serviceaccount_dir=sa)).server_version()
    assert json.dumps(conn.describe())


def test_expiring_exec_credentials_are_renewed_but_not_on_every_request(served, tmp_path: Path) -> None:
    """A token about to expire is fetched again, at most every few seconds (not once per request), and a 401
    makes the next request ask the plugin again."""
    import datetime

    plugin, calls, token_file = tmp_path / "plugin.py", tmp_path / "calls", tmp_path / "token"
    token_file.write_text(served.token)
    soon = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")  # inside the library's 5-minute renewal window: renewed whenever asked
    plugin.write_text("import json, pathlib\n"
                      f"p = pathlib.Path({str(calls)!r}); p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
                      "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
                      f" 'status': {{'token': pathlib.Path({str(token_file)!r}).read_text(),"
                      f" 'expirationTimestamp': {soon!r}}}}}))\n")
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    path = write_kubeconfig(tmp_path / "kc.yaml", served.url, ca_data=ca, user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable, "args": [str(plugin)],
        "interactiveMode": "Never"}})
    client = RemoteCluster.from_kubeconfig(str(path))
    for _ in range(10):
        assert client.get("v1", "Namespace", "default") is not None
    assert len(calls.read_text()) <= 3  # loading the kubeconfig + at most a renewal or two, not 10
    token_file.write_text("revoked")
    client._auth_until = 0.0  # as if the refresh interval had passed
    with pytest.raises(KubeUnauthorized):
        client.get("v1", "Namespace", "default")
    token_file.write_text(served.token)
    before = len(calls.read_text())
    assert client.get("v1", "Namespace", "default") is not None  # the 401 made it ask the plugin again
    assert len(calls.read_text()) == before + 1


def test_server_urls_get_a_scheme_or_a_clear_error(tmp_path: Path) -> None:
    plain = _config(tmp_path / "plain.yaml", {"dev": "x"}, "dev", server="a.example:6443")
    assert load(str(plain)).server == "https://a.example:6443"
    assert load(str(plain), overrides=Overrides(apiserver="b.example:1/")).server == "https://b.example:1"
    odd = _config(tmp_path / "odd.yaml", {"dev": "x"}, "dev", server="ftp://a.example")
    with pytest.raises(KubeConfigError, match=r'odd\.yaml, cluster "c1": server .ftp://a\.example. is not an http'):
        load(str(odd))
    with pytest.raises(KubeConfigError, match="--kube-apiserver: server"):
        load(environ={"KUBECONFIG": str(tmp_path / "absent.yaml")}, overrides=Overrides(apiserver="https:///path"))


def test_cli_reports_a_bad_server_url_in_one_line(cli, tmp_path: Path) -> None:
    r = cli("list", "--kube-apiserver", "ftp://nowhere", "--kube-token", "t")
    assert r.exit_code == 1 and r.stderr.startswith("Error: ") and "is not an http(s) URL" in r.stderr
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr
