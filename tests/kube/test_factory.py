"""make_kube_client picks local:PATH, a kubeconfig, or the default embedded cluster (announced once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy import paths
from helmpy.errors import KubeError
from helmpy.kube import factory
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.kube.factory import make_kube_client


@pytest.fixture(autouse=True)
def fresh_announcement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(factory, "_announced", False)
    monkeypatch.delenv("HELMPY_QUIET", raising=False)


def test_local_cluster_flag_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_kube_client(f"local:{tmp_path / 'a.db'}")
    assert isinstance(client, EmbeddedCluster) and client.path == tmp_path / "a.db"
    monkeypatch.setenv("HELMPY_CLUSTER", f"local:{tmp_path / 'b.db'}")
    assert make_kube_client().path == tmp_path / "b.db"  # type: ignore[attr-defined]
    assert make_kube_client(f"local:{tmp_path / 'c.db'}").path == tmp_path / "c.db"  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", ["remote:x", "local:"])
def test_bad_cluster_value(bad: str) -> None:
    with pytest.raises(KubeError, match="expected local:PATH"):
        make_kube_client(bad)


def test_default_embedded_cluster_announced_once(capsys: pytest.CaptureFixture[str]) -> None:
    first = make_kube_client()
    second = make_kube_client()
    assert isinstance(first, EmbeddedCluster) and first.path == paths.embedded_cluster_db()
    assert isinstance(second, EmbeddedCluster)
    err = capsys.readouterr().err
    assert err == f"helmpy: no kubeconfig found; using the embedded cluster at {paths.embedded_cluster_db()}\n"


def test_default_cluster_is_not_announced_again_once_it_exists(capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    make_kube_client()
    capsys.readouterr()
    monkeypatch.setattr(factory, "_announced", False)  # a later command is a new process
    assert isinstance(make_kube_client(), EmbeddedCluster)
    assert capsys.readouterr().err == ""


def test_announcement_suppressed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_QUIET", "1")
    make_kube_client()
    assert capsys.readouterr().err == ""


def test_kubeconfig_selects_the_remote_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helmpy.kube.remote import RemoteCluster

    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: "
                      "{cluster: k, user: u, namespace: team}\nclusters:\n- name: k\n  cluster: "
                      "{server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\n")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{config}")
    client = make_kube_client()
    assert isinstance(client, RemoteCluster)
    assert client.namespace == "team"  # the context's namespace becomes the default release namespace


def test_apiserver_flag_without_kubeconfig_selects_the_remote_cluster() -> None:
    from helmpy.kube.remote import RemoteCluster

    assert isinstance(make_kube_client(apiserver="https://127.0.0.1:1", token="t"), RemoteCluster)


def test_explicit_missing_kubeconfig(tmp_path: Path) -> None:
    with pytest.raises(KubeError, match="no such file"):
        make_kube_client(kubeconfig=str(tmp_path / "nope"))
