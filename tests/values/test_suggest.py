"""The "did you mean" search behind schema errors: siblings by similarity, whole paths by their spelling."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helmpy.values.suggest import declared_paths, suggestion

SCHEMA = {"properties": {
    "global": {"properties": {"imageTag": {}}},
    "server": {"properties": {"replicas": {}, "image": {"properties": {"tag": {}, "repository": {}}}}},
    "ingress": {"properties": {"host": {}, "enabled": {}}},
}}


def test_declared_paths() -> None:
    assert list(declared_paths(SCHEMA)) == ["global", "global.imageTag", "server", "server.replicas", "server.image",
                                            "server.image.tag", "server.image.repository", "ingress", "ingress.host",
                                            "ingress.enabled"]


def test_typo_among_siblings() -> None:
    assert suggestion("replcas", 3, ["replicas", "image"], ["server"], SCHEMA) == "replicas"


def test_another_charts_layout_finds_the_shortest_matching_path() -> None:
    assert suggestion("image", {"tag": "x"}, ["global", "server", "ingress"], [], SCHEMA) == "global.imageTag"


def test_nothing_close_is_no_suggestion() -> None:
    assert suggestion("zzz", 1, ["global", "server", "ingress"], [], SCHEMA) is None


@given(st.text(min_size=1, max_size=12), st.recursive(st.integers() | st.text(max_size=5),
                                                      lambda c: st.dictionaries(st.text(max_size=6), c, max_size=3),
                                                      max_leaves=6))
def test_a_suggestion_is_always_a_declared_key_or_path(key: str, value: object) -> None:
    siblings = ["global", "server", "ingress"]
    found = suggestion(key, value, siblings, [], SCHEMA)
    assert found is None or found in siblings or found in set(declared_paths(SCHEMA))
