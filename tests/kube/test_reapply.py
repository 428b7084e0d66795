"""Re-applying the configuration a field manager last applied, to an object nothing has written since, is answered
with the live object (``EmbeddedCluster._applied_as``): the answer must be exactly what the full server-side apply
gives. A property test runs random sequences of applies (two managers, forced or not), updates, status writes and
deletes on two clusters, one of which forgets every apply record before each call (as a file written by an
older helmpy has none), and compares what each call answered and what is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helmpy.errors import KubeError
from helmpy.kube.embedded import EmbeddedCluster

CONFIGS = [{"data": {"a": "1"}}, {"data": {"a": "2"}}, {"data": {"a": "1", "b": "x"}},
           {"data": {"b": "x"}, "metadata": {"labels": {"tier": "web"}}}]


def _obj(config: dict[str, Any], name: str) -> dict[str, Any]:
    meta = {"name": name, "namespace": "default", **config.get("metadata", {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, **{k: v for k, v in config.items()
                                                                          if k != "metadata"}}


def _view(obj: Any) -> Any:
    """An answer without what differs between two clusters by construction (uids, times, resourceVersions)."""
    if not isinstance(obj, dict):
        return obj
    out = {k: v for k, v in obj.items() if k != "metadata"}
    meta = dict(obj.get("metadata") or {})
    for key in ("uid", "creationTimestamp", "resourceVersion"):
        meta.pop(key, None)
    meta["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in meta.get("managedFields") or []]
    out["metadata"] = meta
    return out


def _call(kube: EmbeddedCluster, op: tuple[str, int, int, bool]) -> Any:
    verb, config, which, force = op
    name = f"cm-{which}"
    try:
        if verb == "apply-a":
            return kube.apply(_obj(CONFIGS[config], name), field_manager="helm", force=force)
        if verb == "apply-b":
            return kube.apply(_obj(CONFIGS[config], name), field_manager="kubectl", force=force)
        if verb == "update":
            live = kube.get("v1", "ConfigMap", name, "default")
            if live is None:
                return None
            live["data"] = {**(live.get("data") or {}), "a": str(config)}
            return kube.replace(live, field_manager="editor")
        return kube.delete("v1", "ConfigMap", name, "default")
    except KubeError as err:
        return f"{type(err).__name__}: {err}"


OPS = st.lists(st.tuples(st.sampled_from(["apply-a", "apply-a", "apply-b", "update", "delete"]),
                         st.integers(0, len(CONFIGS) - 1), st.integers(0, 1), st.booleans()), max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_reapplying_answers_what_the_full_apply_answers(tmp_path: Path, ops: list[tuple[str, int, int, bool]]) -> None:
    run = len(list(tmp_path.glob("*.db")))
    kept, forgetful = EmbeddedCluster(tmp_path / f"k{run}.db"), EmbeddedCluster(tmp_path / f"f{run}.db")
    forget = sqlite3.connect(tmp_path / f"f{run}.db")
    try:
        for op in ops:
            forget.execute("DELETE FROM applied")
            forget.commit()
            assert _view(_call(kept, op)) == _view(_call(forgetful, op)), op
        for which in (0, 1):
            assert _view(kept.get("v1", "ConfigMap", f"cm-{which}", "default")) == \
                _view(forgetful.get("v1", "ConfigMap", f"cm-{which}", "default"))
    finally:
        forget.close()
        kept.close()
        forgetful.close()


def test_an_unchanged_reapply_writes_nothing_and_a_foreign_write_is_seen(tmp_path: Path) -> None:
    kube = EmbeddedCluster(tmp_path / "c.db")
    first = kube.apply(_obj(CONFIGS[0], "cm"), field_manager="helm")
    again = kube.apply(_obj(CONFIGS[0], "cm"), field_manager="helm")
    assert again == first and again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    # another process sharing the file changes a field helm owns: the same apply is a conflict again, not an echo
    other = EmbeddedCluster(tmp_path / "c.db")
    other.apply(_obj(CONFIGS[1], "cm"), field_manager="kubectl", force=True)
    other.close()
    answer: str | None = None
    try:
        kube.apply(_obj(CONFIGS[0], "cm"), field_manager="helm")
    except KubeError as err:
        answer = str(err)
    assert answer is not None and "conflict" in answer.lower()
    forced = kube.apply(_obj(CONFIGS[0], "cm"), field_manager="helm", force=True)
    assert forced["data"] == {"a": "1"}
    # deleted and created again (a new uid): the record of the old object does not answer for the new one
    kube.delete("v1", "ConfigMap", "cm", "default")
    kube.create(_obj(CONFIGS[3], "cm"))
    fresh = kube.apply(_obj(CONFIGS[0], "cm"), field_manager="helm")
    assert fresh["data"] == {"a": "1", "b": "x"} and fresh["metadata"]["uid"] != first["metadata"]["uid"]
    kube.close()
