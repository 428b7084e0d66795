"""Errors of the Python API: the typed exceptions of helmpy.errors (message and hint), never a print."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

import helmpy
from helmpy import Client


def test_missing_release(hp: Client, app_chart: Path) -> None:
    with pytest.raises(helmpy.ReleaseNotFound) as info:
        hp.status("absent")
    assert info.value.message == "release: not found" and isinstance(info.value, helmpy.HelmpyError)
    with pytest.raises(helmpy.KubeError, match="cannot lock release") as lock:
        hp.upgrade("absent", app_chart)
    assert lock.value.hint == "create the namespace first, or pass --create-namespace"
    hp.install("other", app_chart, create_namespace=True)
    with pytest.raises(helmpy.ReleaseNotFound, match="has no deployed releases") as up:
        hp.upgrade("absent", app_chart)
    assert "helmpy install" in (up.value.hint or "")


def test_name_in_use_has_a_hint(hp: Client, app_chart: Path) -> None:
    hp.install("app", app_chart, create_namespace=True)
    with pytest.raises(helmpy.ReleaseError, match="cannot reuse a name that is still in use") as info:
        hp.install("app", app_chart)
    assert "helmpy upgrade" in (info.value.hint or "")


def test_invalid_name_and_chart(hp: Client, app_chart: Path, tmp_path: Path) -> None:
    with pytest.raises(helmpy.InvalidReleaseName):
        hp.install("Bad_Name", app_chart)
    with pytest.raises(helmpy.ChartNotFoundError, match="not found"):
        hp.install("app", "./no-such-chart")
    with pytest.raises(helmpy.UsageError, match="must either provide a name"):
        hp.install(None, app_chart)


def test_template_error_names_file_and_line(hp: Client) -> None:
    chart = Path(__file__).parents[1] / "data" / "template-invalid-yaml"
    with pytest.raises(helmpy.RenderError, match="b-bad.yaml"):
        hp.template("rel", chart)


def test_values_that_yaml_cannot_hold(hp: Client, app_chart: Path) -> None:
    with pytest.raises(helmpy.ValuesError, match=r"values: when is a datetime") as info:
        hp.template("rel", app_chart, values={"when": datetime.datetime(2026, 1, 1)})
    assert info.value.hint
    with pytest.raises(helmpy.ValuesError, match=r"key 1 under a is a int"):
        hp.template("rel", app_chart, values={"a": {1: "x"}})
    with pytest.raises(helmpy.StrvalsError):
        hp.template("rel", app_chart, set=["a[x]=1"])


def test_unknown_keyword_is_a_type_error(hp: Client, app_chart: Path) -> None:
    with pytest.raises(TypeError, match="install\\(\\) got an unexpected keyword argument 'valuez'"):
        hp.install("app", app_chart, valuez={})  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="template\\(\\)"):
        hp.template("rel", app_chart, wait=True)  # type: ignore[call-arg]


def test_bad_cluster_and_kubeconfig(make_client: Callable[..., Client], app_chart: Path, tmp_path: Path) -> None:
    with pytest.raises(helmpy.KubeError, match="expected local:PATH") as info:
        make_client(cluster="bogus").list_releases()
    assert info.value.hint == "e.g. --cluster local:./cluster.db"
    missing = Client(kubeconfig=tmp_path / "absent.yaml")
    assert missing.template("rel", app_chart).manifest  # no cluster needed: nothing is read until one is
    with pytest.raises(helmpy.ClusterUnreachable, match="absent.yaml"):
        missing.list_releases()


def test_bad_arguments(hp: Client, app_chart: Path) -> None:
    with pytest.raises(helmpy.UsageError, match="timeout"):
        hp.install("app", app_chart, timeout=-1)
    with pytest.raises(helmpy.UsageError, match="unknown release state"):
        hp.list_releases(states=["happy"])
    with pytest.raises(helmpy.UsageError, match="unknown part"):
        hp.show(app_chart, "everything")
    with pytest.raises(helmpy.UsageError, match="post_renderer_args needs post_renderer"):
        hp.template("rel", app_chart, post_renderer_args=["x"])


def test_nothing_is_printed(hp: Client, app_chart: Path, capfd: pytest.CaptureFixture[str],
                            notices: list[str]) -> None:
    hp.install("app", app_chart, create_namespace=True, wait=True)
    hp.upgrade("app", app_chart, values={"jobHook": True}, wait=True)
    hp.test("app", accept_simulated=True)
    hp.template("rel", app_chart)
    with pytest.raises(helmpy.ReleaseNotFound):
        hp.history("absent")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_implicit_embedded_cluster_is_a_notice(tmp_path: Path, app_chart: Path) -> None:
    seen: list[str] = []
    home = tmp_path / "home"
    home.mkdir()
    hp = Client(environ={"HOME": str(home), "HELMPY_DATA_HOME": str(tmp_path / "data")}, on_notice=seen.append)
    hp.list_releases()
    assert seen == [f"helmpy: using the embedded cluster at {tmp_path / 'data' / 'cluster.db'} (no kubeconfig found)"]


def test_failed_install_is_recorded(make_client: Callable[..., Client], app_chart: Path) -> None:
    hp = make_client(namespace="default")
    with pytest.raises(helmpy.ReleaseFailed) as info:
        hp.install("app", app_chart, values={"broken": True})
    assert isinstance(info.value, helmpy.ReleaseError)
    assert hp.history("app")[-1].status == "failed"


