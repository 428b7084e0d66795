"""Release storage against a real API: ``list`` and ``history`` ask for the Secrets (or ConfigMaps) and nothing else,
as Helm's typed storage clients do - no discovery round trip before the one list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import recording_kubeapi
from tests.support.recording_kubeapi import RecordingApi


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RecordingApi]:
    yield from recording_kubeapi.serve(tmp_path)


@pytest.mark.parametrize(("driver", "plural"), [("secret", "secrets"), ("configmap", "configmaps")])
def test_list_all_namespaces_is_one_request(cli, api: RecordingApi, monkeypatch: pytest.MonkeyPatch, driver: str,
                                            plural: str) -> None:
    monkeypatch.setenv("KUBECONFIG", str(api.kubeconfig))
    monkeypatch.setenv("HELM_DRIVER", driver)
    r = cli("list", "-A")
    assert r.exit_code == 0, r
    assert [(s.method, s.path) for s in api.seen] == [("GET", f"/api/v1/{plural}?labelSelector=owner%3Dhelm&limit=500")]


def test_history_of_one_namespace_is_one_request(cli, api: RecordingApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(api.kubeconfig))
    r = cli("history", "web", "-n", "team-a")
    assert r.exit_code != 0 and "release: not found" in r.stderr  # the tiny API stores nothing
    assert [(s.method, s.path.split("?")[0]) for s in api.seen] == [("GET", "/api/v1/namespaces/team-a/secrets")]
