"""Helm over the API and in-process helmpy on the same SQLite file share one release history."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.helm


def test_helm_installs_and_upgrades_helmpy_lists_and_rolls_back(served, khelm, kubectl, cli):
    khelm("create", "shared")
    chart = served.home / "shared"
    khelm("install", "hrel", str(chart))
    khelm("upgrade", "hrel", str(chart), "--set", "replicaCount=2")
    cluster = f"local:{served.db}"
    listed = cli("list", "--cluster", cluster, "-o", "json")
    assert listed.exit_code == 0, listed
    assert [(r["name"], r["revision"], r["status"]) for r in listed.json] == [("hrel", "2", "deployed")]
    rolled = cli("rollback", "hrel", "1", "--cluster", cluster)
    assert rolled.exit_code == 0, rolled
    history = json.loads(khelm("history", "hrel", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    assert json.loads(kubectl("get", "deploy", "hrel-shared", "-o", "json").stdout)["spec"]["replicas"] == 1
    assert cli("uninstall", "hrel", "--cluster", cluster).exit_code == 0
    assert json.loads(khelm("list", "-o", "json").stdout) == []


def test_helmpy_installs_helm_lists_and_rolls_back(served, khelm, kubectl, cli, tmp_path):
    cluster = f"local:{served.db}"
    chart = tmp_path / "pychart"
    assert cli("create", str(chart)).exit_code == 0
    assert cli("install", "prel", str(chart), "--cluster", cluster).exit_code == 0
    assert cli("upgrade", "prel", str(chart), "--set", "replicaCount=3", "--cluster", cluster).exit_code == 0
    listed = json.loads(khelm("list", "-o", "json").stdout)
    assert [(r["name"], r["revision"], r["status"]) for r in listed] == [("prel", "2", "deployed")]
    assert json.loads(kubectl("get", "deploy", "prel-pychart", "-o", "json").stdout)["spec"]["replicas"] == 3
    khelm("rollback", "prel", "1")
    assert json.loads(kubectl("get", "deploy", "prel-pychart", "-o", "json").stdout)["spec"]["replicas"] == 1
    history = cli("history", "prel", "--cluster", cluster, "-o", "json")
    assert [(h["revision"], h["status"]) for h in history.json] == [(1, "superseded"), (2, "superseded"),
                                                                   (3, "deployed")]
    khelm("uninstall", "prel")
    assert cli("list", "--cluster", cluster, "-o", "json").json == []
