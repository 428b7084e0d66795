"""make_kube_client picks local:PATH, a kubeconfig, or - only when no kubeconfig is configured at all - the
default embedded cluster, announced on stderr by every command that uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy import paths
from helmpy.errors import ClusterUnreachable, KubeError
from helmpy.kube.embedded import EmbeddedCluster
from helmpy.kube.factory import embedded_notice, make_kube_client, select

KUBECONFIG_TEXT = ("apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: "
                   "{cluster: k, user: u, namespace: team}\nclusters:\n- name: k\n  cluster: "
                   "{server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\n")


def test_local_cluster_flag_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    client = make_kube_client(f"local:{tmp_path / 'a.db'}")
    assert isinstance(client, EmbeddedCluster) and client.path == tmp_path / "a.db"
    monkeypatch.setenv("HELMPY_CLUSTER", f"local:{tmp_path / 'b.db'}")
    assert make_kube_client().path == tmp_path / "b.db"  # type: ignore[attr-defined]
    assert make_kube_client(f"local:{tmp_path / 'c.db'}").path == tmp_path / "c.db"  # type: ignore[attr-defined]
    assert capsys.readouterr().err == ""  # an explicit choice of the embedded cluster is no surprise


def test_local_cluster_wins_over_a_broken_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing.yaml"))
    assert isinstance(make_kube_client(f"local:{tmp_path / 'a.db'}"), EmbeddedCluster)


@pytest.mark.parametrize("bad", ["remote:x", "local:"])
def test_bad_cluster_value(bad: str) -> None:
    with pytest.raises(KubeError, match="expected local:PATH"):
        make_kube_client(bad)


def test_default_embedded_cluster_announced_by_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    first = make_kube_client()
    second = make_kube_client()  # the file exists now; it is announced again
    assert isinstance(first, EmbeddedCluster) and first.path == paths.embedded_cluster_db()
    assert isinstance(second, EmbeddedCluster)
    line = f"helmpy: using the embedded cluster at {paths.embedded_cluster_db()} (no kubeconfig found)\n"
    assert embedded_notice(paths.embedded_cluster_db()) + "\n" == line
    assert capsys.readouterr().err == line * 2


def test_announcement_suppressed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMPY_QUIET", "1")
    make_kube_client()
    assert capsys.readouterr().err == ""


def test_empty_kubeconfig_env_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", "")
    assert select() == select() and select().implicit
    monkeypatch.setenv("KUBECONFIG", ":")
    assert select().embedded == paths.embedded_cluster_db()


def test_kubeconfig_selects_the_remote_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helmpy.kube.remote import RemoteCluster

    config = tmp_path / "config"
    config.write_text(KUBECONFIG_TEXT)
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{config}")  # missing entries are skipped, like kubectl
    client = make_kube_client()
    assert isinstance(client, RemoteCluster)
    assert client.namespace == "team"  # the context's namespace becomes the default release namespace


def test_home_kubeconfig_selects_the_remote_cluster() -> None:
    from helmpy.kube.remote import RemoteCluster

    default = Path.home() / ".kube" / "config"
    default.parent.mkdir(parents=True)
    default.write_text(KUBECONFIG_TEXT)
    assert select().kubeconfig == (default,)
    assert isinstance(make_kube_client(), RemoteCluster)


def test_apiserver_flag_without_kubeconfig_selects_the_remote_cluster(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from helmpy.kube.remote import RemoteCluster

    assert isinstance(make_kube_client(apiserver="https://127.0.0.1:1", token="t"), RemoteCluster)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))  # kubectl and Helm ignore it given a server
    assert isinstance(make_kube_client(apiserver="https://127.0.0.1:1", token="t"), RemoteCluster)


def test_explicit_missing_kubeconfig(tmp_path: Path) -> None:
    with pytest.raises(ClusterUnreachable) as info:
        make_kube_client(kubeconfig=str(tmp_path / "nope"))
    assert info.value.message == f"kubernetes cluster unreachable: stat {tmp_path / 'nope'}: no such file or directory"


def test_missing_kubeconfig_env_is_an_error_not_the_embedded_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'a.yaml'}:{tmp_path / 'b.yaml'}")
    with pytest.raises(ClusterUnreachable, match=r"^kubernetes cluster unreachable: stat .*a\.yaml: no such file"):
        make_kube_client()
    assert not paths.embedded_cluster_db().exists() and capsys.readouterr().err == ""


@pytest.mark.parametrize("where", ["env", "flag", "home"])
def test_unreadable_kubeconfig_is_an_error(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = Path.home() / ".kube" / "config" if where == "home" else tmp_path / "kc"
    target.mkdir(parents=True)  # a directory cannot be read as a file, even by root
    if where == "env":
        monkeypatch.setenv("KUBECONFIG", str(target))
    with pytest.raises(ClusterUnreachable) as info:
        make_kube_client(kubeconfig=str(target) if where == "flag" else None)
    assert info.value.message == (f'kubernetes cluster unreachable: error loading config file "{target}": '
                                  f"read {target}: is a directory")
