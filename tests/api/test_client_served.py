"""The release methods against a real Kubernetes API (``helmpy cluster serve``, over HTTPS with a kubeconfig),
and the chart repository methods against a real HTTP chart repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import helmpy
from helmpy import Client
from tests.support import kubeapi_server
from tests.support.http_repo import build_repo, serve
from tests.support.kubeapi_server import KubeApiServer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("served"))
    yield server
    server.stop()


def test_release_methods_over_the_api_server(served: KubeApiServer, app_chart: Path, tmp_path: Path) -> None:
    seen: list[str] = []
    hp = Client(kubeconfig=served.kubeconfig, namespace="served", on_notice=seen.append)
    rel = hp.install("app", app_chart, create_namespace=True, wait=True, values={"message": "remote"})
    assert (rel.revision, rel.status) == (1, "deployed")
    assert hp.upgrade("app", app_chart, values={"extra": True}, wait=True).revision == 2
    assert [r.revision for r in hp.history("app")] == [1, 2]
    assert [(r.name, r.namespace) for r in hp.list_releases()] == [("app", "served")]
    status = hp.status("app")
    assert {"v1/ConfigMap", "v1/Service"} <= set(status.resources) and status.lock is None
    assert hp.diff_upgrade("app", app_chart, values={"extra": False}).counts["removed"] == 1
    assert hp.test("app", accept_simulated=True).hooks[0].last_run_phase == "Succeeded"
    assert hp.rollback("app", 1).values == {"message": "remote"}
    assert hp.get_values("app") == {"message": "remote"} and "app-main" in hp.get_manifest("app")
    assert hp.get_notes("app") and [h.name for h in hp.get_hooks("app")] == ["app-test"]
    assert hp.uninstall("app", wait=True).deleted
    with pytest.raises(helmpy.ReleaseNotFound):
        hp.status("app")


def test_kube_overrides_and_a_wrong_token(served: KubeApiServer, app_chart: Path) -> None:
    by_flags = Client(kube_apiserver=served.url, kube_token=served.token, kube_ca_file=served.ca_file,
                      namespace="flags", environ={"HOME": str(served.home)})
    assert by_flags.install("app", app_chart, create_namespace=True).revision == 1
    wrong = Client(kube_apiserver=served.url, kube_token="wrong", kube_ca_file=served.ca_file, namespace="flags",
                   environ={"HOME": str(served.home)})
    with pytest.raises(helmpy.StorageError, match="401 Unauthorized") as info:
        wrong.list_releases()
    assert isinstance(info.value.__cause__, helmpy.KubeUnauthorized)


def test_served_and_embedded_side_by_side(served: KubeApiServer, app_chart: Path, tmp_path: Path) -> None:
    remote = Client(kubeconfig=served.kubeconfig, namespace="both")
    local = Client(cluster=f"local:{tmp_path / 'local.db'}", namespace="both")
    remote.install("r", app_chart, create_namespace=True)
    local.install("l", app_chart, create_namespace=True)
    assert [r.name for r in remote.list_releases()] == ["r"] and [r.name for r in local.list_releases()] == ["l"]


# --- chart repositories -------------------------------------------------------------------------------
def test_repository_methods(tmp_path: Path, web_chart: Path) -> None:
    root = build_repo(tmp_path / "repo", [{"name": "alpha", "version": "1.0.0", "keywords": ["db"]},
                                          {"name": "alpha", "version": "1.1.0"},
                                          {"name": "beta", "version": "0.1.0", "app_version": "2.0"}])
    seen: list[str] = []
    hp = Client(on_notice=seen.append)
    with serve(root) as server:
        assert hp.repo_add("stable", server.url) == helmpy.Repository("stable", server.url)
        assert seen[-1] == '"stable" has been added to your repositories'
        assert [r.to_dict() for r in hp.repo_list()] == [{"name": "stable", "url": server.url}]
        found = hp.search_repo("alpha", versions=True)
        assert [(c.name, c.version) for c in found] == [("stable/alpha", "1.1.0"), ("stable/alpha", "1.0.0")]
        assert [c.to_dict() for c in hp.search_repo("beta")] == [
            {"name": "stable/beta", "version": "0.1.0", "app_version": "2.0", "description": "The beta chart"}]
        assert [c.version for c in hp.search_repo("alpha", version="~1.0")] == ["1.0.0"]
        assert [r.name for r in hp.repo_update()] == ["stable"]

        pulled = hp.pull("stable/alpha", destination=tmp_path, version="1.0.0")
        assert pulled.path == tmp_path / "alpha-1.0.0.tgz" and pulled.path.is_file()
        untarred = hp.pull("alpha", repo=server.url, destination=tmp_path / "u", untar=True)
        assert (untarred.path / "Chart.yaml").is_file()
        assert hp.show_chart("stable/beta")["appVersion"] == "2.0"
        assert "name: x" in hp.template("rel", "stable/alpha").manifest

        packaged = hp.package(web_chart, destination=tmp_path).path
        assert hp.push(packaged, server.url) == helmpy.PushResult(server.url, "")
        assert (root / "web-0.1.0.tgz").read_bytes() == packaged.read_bytes()
        with pytest.raises(helmpy.RepoError, match="already exists") as dup:
            hp.push(pulled.path, server.url)
        assert "--force" in str(dup.value)
        assert hp.push(pulled.path, "stable", force=True).reference == "stable"

        with pytest.raises(helmpy.RepoError, match="not found in stable index"):
            hp.pull("stable/gamma", destination=tmp_path)
    hp.repo_remove("stable")
    assert hp.repo_list() == []
    with pytest.raises(helmpy.RepoError, match="no repositories configured"):
        hp.search_repo("alpha")


def test_repository_auth_and_unreachable(tmp_path: Path) -> None:
    root = build_repo(tmp_path / "repo", [{"name": "alpha", "version": "1.0.0"}])
    hp = Client()
    with serve(root, auth=("bob", "secret")) as server:
        with pytest.raises(helmpy.RepoError, match="401"):
            hp.repo_add("private", server.url)
        hp.repo_add("private", server.url, username="bob", password="secret")
        assert hp.pull("private/alpha", destination=tmp_path).path.is_file()
    with pytest.raises(helmpy.RepoError, match="failed to update the following repositories"):
        hp.repo_update("private")


def test_dependency_update_and_build(tmp_path: Path, web_chart: Path) -> None:
    root = build_repo(tmp_path / "repo", [{"name": "alpha", "version": "1.0.0"}])
    seen: list[str] = []
    hp = Client(on_notice=seen.append)
    with serve(root) as server:
        chart_yaml = web_chart / "Chart.yaml"
        chart_yaml.write_text(chart_yaml.read_text() + f"dependencies:\n  - name: alpha\n    version: ^1.0.0\n"
                                                        f"    repository: {server.url}\n")
        assert [d.status for d in hp.dependency_list(web_chart)] == ["missing"]
        deps = hp.dependency_update(web_chart)
        assert [(d.name, d.version, d.status) for d in deps] == [("alpha", "^1.0.0", "ok")]
        assert (web_chart / "Chart.lock").is_file() and (web_chart / "charts" / "alpha-1.0.0.tgz").is_file()
        assert "Saving 1 charts" in seen
        (web_chart / "charts" / "alpha-1.0.0.tgz").unlink()
        assert [d.status for d in hp.dependency_build(web_chart)] == ["ok"]
