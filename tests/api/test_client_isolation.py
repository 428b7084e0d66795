"""No process-global state: Clients with different clusters, namespaces, drivers and repository files work side by
side, in one thread and in many, and none of them writes into os.environ."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helmpy import Client, settings


def CACHED(repo: str) -> list[str]:  # noqa: N802 - what repo add leaves in the cache directory
    return [f"{repo}-charts.txt", f"{repo}-helmpy.json", f"{repo}-index.yaml"]


def test_two_clients_side_by_side(make_client: Callable[..., Client], app_chart: Path, tmp_path: Path) -> None:
    before = dict(os.environ)
    a = make_client("a", namespace="alpha")
    b = make_client("b", namespace="beta", driver="configmap")
    a.install("app", app_chart, create_namespace=True, values={"message": "from a"})
    b.install("app", app_chart, create_namespace=True, values={"message": "from b"})
    b.upgrade("app", app_chart, values={"message": "b again"})
    assert [(r.namespace, r.revision) for r in a.list_releases()] == [("alpha", 1)]
    assert [(r.namespace, r.revision) for r in b.list_releases()] == [("beta", 2)]
    assert a.get_values("app") == {"message": "from a"} and b.get_values("app") == {"message": "b again"}
    assert (a.namespace, b.namespace) == ("alpha", "beta")
    assert dict(os.environ) == before and settings.current() is None


def test_environment_is_read_once(make_client: Callable[..., Client]) -> None:
    hp = make_client()
    os.environ["HELMPY_NAMESPACE"] = "later"
    try:
        assert hp.namespace == "default"  # the snapshot was taken when the Client was built
        assert Client(cluster=hp._session.settings.get("CLUSTER")).namespace == "later"
    finally:
        del os.environ["HELMPY_NAMESPACE"]


def test_separate_repository_files(tmp_path: Path) -> None:
    from tests.support.http_repo import build_repo, serve

    root = build_repo(tmp_path / "repo", [{"name": "alpha", "version": "1.0.0"}])
    with serve(root) as server:
        a = Client(repository_config=tmp_path / "a" / "repositories.yaml", repository_cache=tmp_path / "a" / "cache")
        b = Client(repository_config=tmp_path / "b" / "repositories.yaml", repository_cache=tmp_path / "b" / "cache")
        a.repo_add("one", server.url)
        b.repo_add("two", server.url)
        assert [r.name for r in a.repo_list()] == ["one"] and [r.name for r in b.repo_list()] == ["two"]
        assert [c.name for c in a.search_repo("alpha")] == ["one/alpha"]
        assert b.search_repo("alpha")[0].name == "two/alpha"
        assert sorted(p.name for p in (tmp_path / "a" / "cache").iterdir()) == CACHED("one")
        assert sorted(p.name for p in (tmp_path / "b" / "cache").iterdir()) == CACHED("two")


def test_threads_install_into_different_namespaces_and_clusters(make_client: Callable[..., Client],
                                                                 app_chart: Path) -> None:
    shared = make_client("shared", namespace="default")
    own = [make_client(f"own{i}", namespace=f"ns{i}") for i in range(3)]
    barrier = threading.Barrier(6)

    def on_own(i: int) -> tuple[str, int]:
        barrier.wait()
        rel = own[i].install(f"app{i}", app_chart, create_namespace=True, values={"message": f"m{i}"})
        rel = own[i].upgrade(f"app{i}", app_chart, reuse_values=True, set=["extra=true"])
        return rel.namespace, rel.revision

    def on_shared(i: int) -> tuple[str, int]:
        barrier.wait()
        rel = shared.install(f"s{i}", app_chart, values={"message": f"s{i}"})
        return rel.namespace, rel.revision

    with ThreadPoolExecutor(max_workers=6) as pool:
        mine = [pool.submit(on_own, i) for i in range(3)]
        theirs = [pool.submit(on_shared, i) for i in range(3)]
        assert [f.result(timeout=300) for f in mine] == [(f"ns{i}", 2) for i in range(3)]
        assert [f.result(timeout=300) for f in theirs] == [("default", 1)] * 3
    for i, client in enumerate(own):
        assert [(r.name, r.namespace) for r in client.list_releases()] == [(f"app{i}", f"ns{i}")]
        assert client.get_values(f"app{i}") == {"message": f"m{i}", "extra": True}
    assert sorted(r.name for r in shared.list_releases()) == ["s0", "s1", "s2"]
    assert settings.current() is None
