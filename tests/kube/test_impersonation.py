"""Impersonation as Helm and kubectl send it: ``--kube-as-user``/``--kube-as-group`` (repeatable),
``HELM_KUBEASUSER``/``HELM_KUBEASGROUPS`` and kubeconfig's ``as``/``as-uid``/``as-groups``/``as-user-extra``,
checked on the wire by a real HTTP server that records header lines - and compared with real kubectl's."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.kube.impersonation import Impersonation, escape_key, groups_setting
from tests.support import recording_kubeapi
from tests.support.recording_kubeapi import RecordingApi

ROOT = Path(__file__).resolve().parents[2]
EXTRA_USER = {"as": "alice", "as-uid": "u-1", "as-groups": ["dev", "ops"],
              "as-user-extra": {"scopes": ["view", "edit"], "reason/why": ["on call"]}}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RecordingApi]:
    yield from recording_kubeapi.serve(tmp_path)


@pytest.fixture
def api_as(tmp_path: Path) -> Iterator[RecordingApi]:
    yield from recording_kubeapi.serve(tmp_path, EXTRA_USER)


def _helmpy(api: RecordingApi, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``helmpy list`` (a real command, in a fresh process) against the recording server."""
    return subprocess.run([sys.executable, "-m", "helmpy", "list", "--kubeconfig", str(api.kubeconfig), *args],
                          check=False, capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def test_flags_send_one_header_per_group(api: RecordingApi) -> None:
    r = _helmpy(api, "--kube-as-user", "bob", "--kube-as-group", "dev", "--kube-as-group", "sre team")
    assert r.returncode == 0, r.stderr
    assert api.seen and all(s.all("authorization") == ["Bearer tok"] for s in api.seen)  # bob's requester is us
    for index in range(len(api.seen)):  # every request, discovery and the list alike
        assert api.impersonation(index) == [("impersonate-user", "bob"), ("impersonate-group", "dev"),
                                            ("impersonate-group", "sre team")]


def test_flags_before_the_command_and_helm_variables(api: RecordingApi) -> None:
    r = subprocess.run([sys.executable, "-m", "helmpy", "--kube-as-user", "carol", "list", "--kubeconfig",
                        str(api.kubeconfig)], check=False, capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert api.impersonation() == [("impersonate-user", "carol")]
    assert _helmpy(api, HELM_KUBEASUSER="dave", HELM_KUBEASGROUPS=",a,b, ").returncode == 0
    assert api.impersonation() == [("impersonate-user", "dave"), ("impersonate-group", "a"),
                                   ("impersonate-group", "b")]
    assert _helmpy(api, HELM_KUBEASUSER="dave", HELMPY_KUBEASUSER="erin").returncode == 0
    assert api.impersonation() == [("impersonate-user", "erin")]  # HELMPY_* wins


def test_kubeconfig_as_keys_and_flags_override_user_and_groups(api_as: RecordingApi) -> None:
    assert _helmpy(api_as).returncode == 0
    assert api_as.impersonation() == [
        ("impersonate-user", "alice"), ("impersonate-uid", "u-1"), ("impersonate-group", "dev"),
        ("impersonate-group", "ops"), ("impersonate-extra-reason%2fwhy", "on call"),
        ("impersonate-extra-scopes", "view"), ("impersonate-extra-scopes", "edit")]  # the kubeconfig's key order
    assert _helmpy(api_as, "--kube-as-user", "bob", "--kube-as-group", "qa").returncode == 0
    assert api_as.impersonation() == [
        ("impersonate-user", "bob"), ("impersonate-uid", "u-1"), ("impersonate-group", "qa"),
        ("impersonate-extra-reason%2fwhy", "on call"), ("impersonate-extra-scopes", "view"),
        ("impersonate-extra-scopes", "edit")]


def test_helmpy_sends_what_kubectl_sends(api_as: RecordingApi, helm_bin_dir: Path) -> None:
    kubectl = subprocess.run([str(helm_bin_dir / "kubectl"), "--kubeconfig", str(api_as.kubeconfig), "get", "--raw",
                              "/version"], check=False, capture_output=True, text=True, timeout=60)
    assert kubectl.returncode == 0, kubectl.stderr
    theirs = api_as.impersonation()
    assert _helmpy(api_as).returncode == 0
    assert sorted(api_as.impersonation()) == sorted(theirs) and len(theirs) == 7
    kubectl = subprocess.run([str(helm_bin_dir / "kubectl"), "--kubeconfig", str(api_as.kubeconfig), "get", "--raw",
                              "/version", "--as", "bob", "--as-group", "x", "--as-group", "y"],
                             check=False, capture_output=True, text=True, timeout=60)
    assert kubectl.returncode == 0, kubectl.stderr
    theirs = api_as.impersonation()
    assert _helmpy(api_as, "--kube-as-user", "bob", "--kube-as-group", "x", "--kube-as-group", "y").returncode == 0
    assert sorted(api_as.impersonation()) == sorted(theirs)


@pytest.mark.parametrize("user, args, message", [
    ({"as-groups": ["dev"]}, [], 'user "test": requesting uid, groups or user-extra without impersonating a user'),
    ({}, ["--kube-as-group", "dev"], "requesting uid, groups or user-extra without impersonating a user"),
    ({"as": "a", "as-groups": "dev"}, [], 'user "test": as-groups must be a list of strings'),
    ({"as": "a", "as-user-extra": {"k": [1]}}, [], 'user "test": as-user-extra.k must be a list of strings'),
    ({"as": "a", "as-user-extra": ["k"]}, [], "as-user-extra must be a map of lists of strings"),
    ({"as": "a\r\nX-Evil: 1"}, [], "the Impersonate-User value holds a line break"),
])
def test_bad_impersonation_is_one_clear_error(tmp_path: Path, user: dict, args: list[str], message: str) -> None:
    for api in recording_kubeapi.serve(tmp_path, user):
        r = _helmpy(api, *args)
        assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.startswith("Error: ") and message in r.stderr.splitlines()[0], r.stderr
        assert str(api.kubeconfig) in r.stderr or args
        assert api.seen == []  # refused before anything was sent


def test_plugins_get_the_groups_comma_joined(cli, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    plugin = tmp_path / "plugins" / "who"
    plugin.mkdir(parents=True)
    (plugin / "plugin.yaml").write_text('name: who\nversion: 0.1.0\nusage: who\ndescription: d\n'
                                        'command: "$HELM_PLUGIN_DIR/who.sh"\n')
    (plugin / "who.sh").write_text('#!/bin/sh\necho "user=$HELM_KUBEASUSER groups=$HELM_KUBEASGROUPS args=$*"\n')
    (plugin / "who.sh").chmod(0o755)
    r = cli("who", "--kube-as-user", "u", "--kube-as-group", "a", "--kube-as-group=b", "x",
            env={"HELMPY_PLUGINS": str(tmp_path / "plugins")})
    assert r.exit_code == 0, r
    assert capfd.readouterr().out == "user=u groups=a,b args=x\n"  # the plugin writes to the terminal itself


# --- the header encoding on its own ------------------------------------------------------------------------
def test_extra_keys_are_escaped_as_client_go_does() -> None:
    assert escape_key("scopes") == "scopes"
    assert escape_key("example.com/team") == "example.com%2Fteam"
    assert escape_key("100%") == "100%25" and escape_key("a b") == "a%20b" and escape_key("é") == "%C3%A9"
    assert groups_setting(" , a, b ,") == ("a", " b") and groups_setting("") == ()


@given(st.text(min_size=1, max_size=30))
def test_escaped_keys_are_header_tokens_and_round_trip(key: str) -> None:
    from urllib.parse import unquote

    escaped = escape_key(key)
    assert all(c.isascii() and (c.isalnum() or c in "!#$%&'*+-.^_`|~") for c in escaped)
    assert unquote(escaped, errors="strict") == key  # what the API server's unescaping gives back


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n\0"), min_size=1, max_size=8),
                max_size=5))
def test_one_group_header_per_group(groups: list[str]) -> None:
    lines = Impersonation(user="u", groups=tuple(groups)).check("here").headers()
    assert lines == [("Impersonate-User", "u"), *(("Impersonate-Group", g) for g in groups)]


def test_groups_without_a_user_are_an_error_on_the_embedded_cluster_too(cli,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is impersonated on the embedded cluster, but the mistake is reported as a real cluster's would be."""
    r = cli("list", "--kube-as-group", "g")
    assert r.exit_code == 1 and r.stderr.splitlines()[0] == (
        "Error: --kube-as-group: requesting uid, groups or user-extra without impersonating a user"), r.stderr
    monkeypatch.setenv("HELM_KUBEASGROUPS", "g")
    assert cli("list").exit_code == 1
    assert cli("list", "--kube-as-user", "u").exit_code == 0
