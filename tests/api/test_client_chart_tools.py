"""The Client methods the CLI's chart, repository, registry and settings commands stand on - create, verify,
repo_index, search_hub, registry_login/logout, env, plugin_list - against real servers (``helmpy serve``, the real
docker registry, a hub speaking Artifact Hub's API), each with its error: the typed exception and its hint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import helmpy
from helmpy import Client
from tests.repo.gpg_fixture import SigningKey, signing_key  # noqa: F401 - the fixture
from tests.repo.test_search_hub import HubServer
from tests.server.serve_helper import start_server
from tests.support.oci_registry import PASSWORD, USERNAME, Registry, oci_registry_tls  # noqa: F401 - the fixture


@pytest.fixture
def hub() -> Iterator[HubServer]:
    server = HubServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_create_package_sign_and_verify(tmp_path: Path, signing_key: SigningKey) -> None:
    seen: list[str] = []
    hp = Client(on_notice=seen.append)
    made = hp.create(tmp_path / "web")
    assert made.path == tmp_path / "web" and (made.path / "Chart.yaml").is_file() and made.overwritten == ()
    assert hp.create(tmp_path / "web").overwritten  # the scaffold's files existed: each is listed
    assert (hp.create(tmp_path / "gweb", engine="go").path / "templates" / "_helpers.tpl").is_file()

    packaged = hp.package(made.path, destination=tmp_path, sign=True, key=signing_key.uid,
                          keyring=signing_key.secring)
    assert packaged.prov_path == tmp_path / "web-0.1.0.tgz.prov" and packaged.display_path.endswith("web-0.1.0.tgz")
    checked = hp.verify(packaged.path, keyring=signing_key.pubring)
    assert checked.signed_by == (signing_key.uid,) and checked.fingerprint == signing_key.fingerprint
    assert checked.file_hash.startswith("sha256:") and checked.lines()[0] == f"Signed by: {signing_key.uid}"
    assert checked.to_dict()["signed_by"] == [signing_key.uid]
    assert seen == []  # nothing to report, nothing printed

    packaged.path.write_bytes(packaged.path.read_bytes() + b"\0")  # the archive no longer matches its .prov
    with pytest.raises(helmpy.ProvenanceError, match="sha256 sum does not match") as info:
        hp.verify(packaged.path, keyring=signing_key.pubring)
    assert info.value.hint is None
    with pytest.raises(helmpy.UsageError, match="--sign requires --key"):
        hp.package(made.path, destination=tmp_path, sign=True)


def test_create_errors(tmp_path: Path) -> None:
    hp = Client()
    with pytest.raises(helmpy.ChartError, match="no-such-starter"):
        hp.create(tmp_path / "web", starter="no-such-starter")
    with pytest.raises(helmpy.HelmpyError, match="missing"):
        hp.create(tmp_path / "missing" / "web")  # the parent must exist, as in Helm
    assert not (tmp_path / "web").exists()


def test_repo_index_served_by_helmpy_serve(tmp_path: Path) -> None:
    progress: list[str] = []
    hp = Client(on_progress=progress.append)
    site = tmp_path / "site"
    site.mkdir()
    for name in ("alpha", "beta"):
        hp.package(hp.create(tmp_path / name).path, destination=site)
    (site / "broken-1.0.0.tgz").write_bytes(b"not a gzip stream")
    server = start_server(site)
    try:
        index = hp.repo_index(site, url=server.url)
        assert index.path == site / "index.yaml" and index.charts == {"alpha": ("0.1.0",), "beta": ("0.1.0",)}
        assert len(index.skipped) == 1 and "broken-1.0.0.tgz" in index.skipped[0]
        assert progress == [f"WARNING: skipping archive {index.skipped[0]}"]
        hp.repo_add("site", server.url)
        assert [c.name for c in hp.search_repo()] == ["site/alpha", "site/beta"]
        assert hp.pull("site/beta", destination=tmp_path).path == tmp_path / "beta-0.1.0.tgz"
    finally:
        server.stop()
    (tmp_path / "bad-index.yaml").write_text("entries: [")
    with pytest.raises(helmpy.RepoIndexError, match="merge failed") as info:
        hp.repo_index(site, merge=tmp_path / "bad-index.yaml")
    assert info.value.hint is None
    with pytest.raises(helmpy.RepoIndexError, match="no such directory"):
        hp.repo_index(tmp_path / "absent")


def test_search_hub(hub: HubServer) -> None:
    hp = Client()
    found = hp.search_hub("nginx server", endpoint=hub.url)
    assert [(c.url, c.version, c.app_version, c.repo_name) for c in found] == [
        ("https://artifacthub.io/packages/helm/bitnami/nginx", "18.2.4", "1.27.2", "bitnami"),
        (f"{hub.url}/charts/local/web", "0.1.0", "", "local")]
    assert found[0].to_dict()["repository"] == {"url": "https://charts.bitnami.com/bitnami", "name": "bitnami"}
    assert hub.queries == ["/api/chartsvc/v1/charts/search?q=nginx+server"]
    assert hp.search_hub("nothing", endpoint=hub.url) == []
    with pytest.raises(helmpy.RepoError, match="500 Internal Server Error") as info:
        hp.search_hub("boom", endpoint=hub.url, timeout=10)
    assert info.value.message.startswith(f'unable to perform search against "{hub.url}"') and info.value.hint is None


def test_registry_login_push_pull_logout(tmp_path: Path, oci_registry_tls: Registry) -> None:
    reg = oci_registry_tls
    seen: list[str] = []
    progress: list[str] = []
    hp = Client(registry_config=tmp_path / "config.json", on_notice=seen.append, on_progress=progress.append)
    with pytest.raises(helmpy.RegistryAuthError) as info:
        hp.registry_login(reg.host, username=USERNAME, password="wrong", ca_file=reg.ca_file)
    assert info.value.hint is None and not (tmp_path / "config.json").exists()  # nothing stored
    assert hp.registry_login(f"oci://{reg.host}", username=USERNAME, password=PASSWORD,
                             ca_file=reg.ca_file) == reg.host
    assert seen == ["Login Succeeded"]
    assert reg.host in json.loads((tmp_path / "config.json").read_text())["auths"]

    packaged = hp.package(hp.create(tmp_path / "web").path, destination=tmp_path)
    pushed = hp.push(packaged.path, f"oci://{reg.host}/charts", ca_file=reg.ca_file)  # the stored login
    assert pushed.reference == f"{reg.host}/charts/web:0.1.0" and pushed.digest.startswith("sha256:")
    assert any(line.startswith("Pushed: ") for line in progress)  # Helm's stderr lines: progress, not notices
    (tmp_path / "got").mkdir()
    hp.pull(f"oci://{reg.host}/charts/web", version="0.1.0", destination=tmp_path / "got", ca_file=reg.ca_file)
    assert any(line.startswith("Pulled: ") for line in progress) and not any("Pulled" in line for line in seen)

    assert hp.registry_logout(reg.host) == reg.host
    assert seen[-1] == f"Removing login credentials for {reg.host}"
    with pytest.raises(helmpy.RegistryAuthError):
        hp.pull(f"oci://{reg.host}/charts/web", version="0.1.0", destination=tmp_path, ca_file=reg.ca_file)


def test_env_is_the_clients_settings(tmp_path: Path) -> None:
    hp = Client(namespace="shop", repository_config=tmp_path / "repos.yaml", environ={"HOME": str(tmp_path)})
    env = hp.env()
    assert env["HELM_NAMESPACE"] == env["HELMPY_NAMESPACE"] == "shop"
    assert env["HELM_REPOSITORY_CONFIG"] == str(tmp_path / "repos.yaml")
    assert hp.env_var("HELM_NAMESPACE") == "shop" and Client(environ={}).env_var("HELM_NAMESPACE") == "default"
    with pytest.raises(helmpy.UsageError, match="unknown variable 'HELM_NOPE'") as info:
        hp.env_var("HELM_NOPE")
    assert info.value.hint == "run `helmpy env` for the list"


def test_plugin_list(tmp_path: Path) -> None:
    from tests.plugin.conftest import write_plugin

    plugins = tmp_path / "plugins"
    write_plugin(plugins / "hello", "name: hello\nversion: 1.2.3\nusage: hi\ncommand: echo hi\n")
    write_plugin(plugins / "getme", "name: getme\nversion: 2.0.0\ndownloaders:\n- command: get.sh\n"
                 "  protocols: [getme]\n", {"get.sh": "#!/bin/sh\n"})
    hp = Client(environ={"HELMPY_PLUGINS": str(plugins), "HOME": str(tmp_path)})
    listed = hp.plugin_list()
    assert [(p.name, p.version, p.type, p.api_version) for p in listed] == [
        ("getme", "2.0.0", "getter/v1", "legacy"), ("hello", "1.2.3", "cli/v1", "legacy")]
    assert listed[1].to_dict() == {"name": "hello", "version": "1.2.3", "type": "cli/v1", "api_version": "legacy",
                                   "provenance": "unsigned", "source": "unknown"}
    assert [p.name for p in hp.plugin_list(type="getter/v1")] == ["getme"]
    assert Client(environ={"HELMPY_PLUGINS": str(tmp_path / "none"), "HOME": str(tmp_path)}).plugin_list() == []
