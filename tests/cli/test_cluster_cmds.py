"""`helmpy cluster serve`: flags, the kubeconfig it writes, plain-HTTP debugging mode and clean shutdown."""

from __future__ import annotations

import base64

import pytest
import requests

from helmpy import yamlutil
from helmpy.cli.cluster_cmds import parse_address
from tests.server.kubeapi.conftest import start_server, stop_server


def test_help_has_examples(cli):
    r = cli("cluster", "serve", "--help")
    assert r.exit_code == 0 and "Examples:" in r.stdout and "--write-kubeconfig" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--address", "nope"], "--address 'nope': expected HOST:PORT"),
    (["--address", "127.0.0.1:99999"], "expected HOST:PORT"),
    (["--cluster", "kube:ctx"], "only the embedded cluster can be served; use local:PATH")])
def test_usage_errors(cli, args, message):
    r = cli("cluster", "serve", *args)
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_parse_address():
    assert parse_address("127.0.0.1:0") == ("127.0.0.1", 0)
    assert parse_address("[::1]:6443") == ("::1", 6443)
    assert parse_address(":8443") == ("127.0.0.1", 8443)


def test_serve_writes_an_https_kubeconfig_and_stops_on_sigterm(tmp_path):
    served = start_server(tmp_path)
    try:
        assert served.url.startswith("https://127.0.0.1:")
        config = yamlutil.load(served.kubeconfig.read_text())
        assert config["current-context"] == "helmpy"
        cluster = config["clusters"][0]["cluster"]
        assert cluster["server"] == served.url
        assert base64.b64decode(cluster["certificate-authority-data"]).startswith(b"-----BEGIN CERTIFICATE-----")
        assert (served.kubeconfig.stat().st_mode & 0o777) == 0o600
        ok = requests.get(served.url + "/version", headers={"Authorization": f"Bearer {served.token}"},
                          verify=str(served.ca_file), timeout=10)
        assert ok.json()["gitVersion"] == "v1.35.0"
    finally:
        stop_server(served)
    assert served.proc.returncode == 0
    assert served.db.exists()


def test_insecure_http_serves_without_authentication(tmp_path):
    served = start_server(tmp_path, "--insecure-http")
    try:
        assert served.url.startswith("http://")
        config = yamlutil.load(served.kubeconfig.read_text())
        assert config["users"][0]["user"] == {} and "certificate-authority-data" not in config["clusters"][0]["cluster"]
        assert requests.get(served.url + "/api/v1/namespaces", timeout=10).json()["kind"] == "NamespaceList"
    finally:
        stop_server(served)


def test_port_in_use_is_a_clean_error(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "helmpy", "cluster", "serve", "--address", f"127.0.0.1:{port}",
                               "--cluster", f"local:{tmp_path / 'c.db'}"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr


OTHER_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: 'https://prod.example.com:6443'}
- name: helmpy
  cluster: {server: 'https://127.0.0.1:1'}
users:
- name: prod-admin
  user: {token: prod-secret}
contexts:
- name: prod
  context: {cluster: prod, user: prod-admin, namespace: payments}
current-context: prod
preferences: {colors: true}
"""


@pytest.mark.helm
def test_write_kubeconfig_merges_into_an_existing_file(tmp_path, helm_bin_dir):
    import subprocess

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "kubeconfig.yaml").write_text(OTHER_KUBECONFIG)
    (tmp_path / "kubeconfig.yaml").chmod(0o644)
    served = start_server(tmp_path)
    try:
        config = served.config()
        assert [c["name"] for c in config["clusters"]] == ["prod", "helmpy"]
        assert config["clusters"][0]["cluster"] == {"server": "https://prod.example.com:6443"}
        assert config["clusters"][1]["cluster"]["server"] == served.url  # the stale entry was replaced
        assert [u["name"] for u in config["users"]] == ["prod-admin", "helmpy"]
        assert config["users"][0]["user"] == {"token": "prod-secret"}
        assert [c["name"] for c in config["contexts"]] == ["prod", "helmpy"]
        assert config["current-context"] == "helmpy" and config["preferences"] == {"colors": True}
        assert (served.kubeconfig.stat().st_mode & 0o777) == 0o600
        kubectl = str(helm_bin_dir / "kubectl")
        contexts = subprocess.run([kubectl, "config", "get-contexts", "-o", "name"], capture_output=True, text=True,
                                  env=served.env(), timeout=60, check=True).stdout.split()
        assert sorted(contexts) == ["helmpy", "prod"]
        ns = subprocess.run([kubectl, "get", "ns", "default", "-o", "name"], capture_output=True, text=True,
                            env=served.env(), timeout=60)
        assert ns.returncode == 0 and ns.stdout.strip() == "namespace/default"
    finally:
        stop_server(served)


def test_write_kubeconfig_refuses_a_file_it_cannot_merge(tmp_path):
    import subprocess
    import sys

    kc = tmp_path / "kc.yaml"
    kc.write_text("clusters: {not: a list}\n")
    proc = subprocess.run([sys.executable, "-m", "helmpy", "cluster", "serve", "--address", "127.0.0.1:0",
                           "--cluster", f"local:{tmp_path / 'c.db'}", "--write-kubeconfig", str(kc)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "'clusters' is not a list" in proc.stderr and str(kc) in proc.stderr
    assert kc.read_text() == "clusters: {not: a list}\n"


def test_help_says_the_kubeconfig_is_merged(cli):
    r = cli("cluster", "serve", "--help")
    assert "other clusters, users and contexts" in " ".join(r.stdout.split()).lower()
