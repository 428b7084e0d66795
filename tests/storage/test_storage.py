"""The Storage facade: history order, deployed lookup, pruning."""

from __future__ import annotations

import pytest

from helmpy.errors import ReleaseExists, ReleaseNotFound
from helmpy.release.model import Status
from helmpy.storage.memory import MemoryDriver
from helmpy.storage.storage import Storage, make_key
from tests.storage.conftest import make_release


@pytest.fixture
def store() -> Storage:
    return Storage(MemoryDriver("default"))


def fill(store: Storage, statuses: list[Status], name: str = "app") -> None:
    for i, status in enumerate(statuses, start=1):
        store.create(make_release(name, i, status))


def test_make_key() -> None:
    assert make_key("web", 3) == "sh.helm.release.v1.web.v3" == make_release("web", 3).key


def test_history_sorted_and_last(store: Storage) -> None:
    for v in (3, 1, 2):
        store.create(make_release("app", v, Status.SUPERSEDED))
    store.create(make_release("other", 1))
    assert [r.version for r in store.history("app")] == [1, 2, 3]
    assert store.last("app").version == 3
    with pytest.raises(ReleaseNotFound, match="release: not found"):
        store.history("missing")
    with pytest.raises(ReleaseNotFound):
        store.last("missing")


def test_deployed_newest(store: Storage) -> None:
    fill(store, [Status.DEPLOYED, Status.DEPLOYED, Status.FAILED])
    assert store.deployed("app").version == 2
    with pytest.raises(ReleaseNotFound, match='"nope" has no deployed releases'):
        store.deployed("nope")
    store.create(make_release("f", 1, Status.FAILED))
    with pytest.raises(ReleaseNotFound, match='"f" has no deployed releases'):
        store.deployed("f")


def test_create_existing_is_release_exists(store: Storage) -> None:
    store.create(make_release())
    with pytest.raises(ReleaseExists, match="release: already exists"):
        store.create(make_release())


def test_update_get_delete(store: Storage) -> None:
    rls = make_release()
    store.create(rls)
    rls.info.status = Status.SUPERSEDED
    store.update(rls)
    assert store.get("demo", 1).status == Status.SUPERSEDED
    assert store.delete("demo", 1).version == 1
    with pytest.raises(ReleaseNotFound):
        store.get("demo", 1)
    with pytest.raises(ReleaseNotFound):
        store.update(rls)


def test_list_releases_namespace_and_predicate() -> None:
    store = Storage(MemoryDriver(""))
    store.create(make_release("a", 1, namespace="ns1"))
    store.create(make_release("b", 1, Status.FAILED, namespace="ns2"))
    assert sorted(r.name for r in store.list_releases()) == ["a", "b"]
    assert [r.name for r in store.list_releases("ns2")] == ["b"]
    assert [r.name for r in store.list_releases(predicate=lambda r: r.status == Status.DEPLOYED)] == ["a"]
    assert [r.name for r in store.list_deployed()] == ["a"]


@pytest.mark.parametrize("statuses, max_history, left", [
    ([Status.SUPERSEDED] * 4 + [Status.DEPLOYED], 3, [4, 5]),
    ([Status.DEPLOYED] + [Status.FAILED] * 4, 3, [1, 5]),  # the deployed one survives
    ([Status.SUPERSEDED, Status.DEPLOYED], 5, [1, 2]),
    ([Status.SUPERSEDED] * 3, 0, [1, 2, 3]),  # 0 = unlimited
    ([Status.FAILED] * 3, 1, []),
])
def test_prune(store: Storage, statuses: list[Status], max_history: int, left: list[int]) -> None:
    fill(store, statuses)
    store.prune("app", max_history)
    try:
        versions = [r.version for r in store.history("app")]
    except ReleaseNotFound:
        versions = []
    assert versions == left


def test_prune_unknown_release_is_noop(store: Storage) -> None:
    assert store.prune("nothing", 2) == []
