"""Cross-cutting CLI promises: help with examples everywhere, shell completion, clean errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from helmpy.cli.main import cli as root

ROOT = Path(__file__).resolve().parents[2]


def _all_commands() -> list[list[str]]:
    ctx = click.Context(root)
    out: list[list[str]] = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        out.append(path)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, path + [name])

    walk(root, [])
    return out


COMMANDS = _all_commands()


def test_the_command_tree_is_complete() -> None:
    names = {" ".join(p) for p in COMMANDS}
    for expected in ("create", "template", "lint", "show chart", "package", "verify", "repo add", "repo index",
                     "search repo", "pull", "push", "serve", "dependency update", "install", "upgrade",
                     "rollback", "uninstall", "history", "status", "list", "get values", "test",
                     "cluster serve", "completion", "version", "env"):
        assert expected in names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "helmpy")
def test_help_has_examples(cli, path: list[str]) -> None:
    r = cli(*path, "--help")
    assert r.exit_code == 0, r
    assert "Examples:" in r.stdout and "Usage: helmpy" in r.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_scripts(cli, shell: str) -> None:
    r = cli("completion", shell)
    assert r.exit_code == 0 and "_HELMPY_COMPLETE" in r.stdout


def test_completion_completes_commands_and_flags() -> None:
    env = {**os.environ, "_HELMPY_COMPLETE": "bash_complete", "COMP_WORDS": "helmpy ins", "COMP_CWORD": "1"}
    out = subprocess.run([sys.executable, "-m", "helmpy"], env=env, capture_output=True, text=True, timeout=60)
    assert "install" in out.stdout
    env.update(COMP_WORDS="helmpy list --out", COMP_CWORD="2")
    out = subprocess.run([sys.executable, "-m", "helmpy"], env=env, capture_output=True, text=True, timeout=60)
    assert "--output" in out.stdout


BAD_INPUTS = [
    ["template", "x", "/no/such/chart"],
    ["template", "x", str(ROOT / "charts" / "web"), "--set", "novalue"],
    ["template", "x", str(ROOT / "charts" / "web"), "-f", "/no/such/values.yaml"],
    ["template", "BAD_NAME!", str(ROOT / "charts" / "web")],
    ["lint", "/no/such/chart"],
    ["show", "chart", "/no/such/chart"],
    ["package", "/no/such/chart"],
    ["verify", "/no/such.tgz"],
    ["repo", "add", "x", "http://127.0.0.1:1"],
    ["repo", "remove", "nope"],
    ["pull", "nope/chart"],
    ["install", "web", "/no/such/chart"],
    ["upgrade", "nope", str(ROOT / "charts" / "web")],
    ["rollback", "nope", "1"],
    ["uninstall", "nope"],
    ["history", "nope"],
    ["status", "nope"],
    ["get", "values", "nope"],
    ["list", "--filter", "("],
    ["install", "web", str(ROOT / "charts" / "web"), "--cluster", "bogus"],
    ["dependency", "build", "/no/such/chart"],
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=lambda a: " ".join(a[:2]))
def test_bad_input_is_one_clear_error(cli, tmp_path: Path, args: list[str]) -> None:
    if args[0] in ("install", "upgrade", "rollback", "uninstall", "history", "status", "get", "list") \
            and "--cluster" not in args:
        args = [*args, "--cluster", f"local:{tmp_path / 'c.db'}"]
    r = cli(*args)
    assert r.exit_code != 0, r
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r
    assert r.stderr.strip(), r
    assert r.stderr.lstrip().startswith(("Error", "Usage")), r


def test_json_output_is_valid_everywhere(cli, tmp_path: Path) -> None:
    cluster = ["--cluster", f"local:{tmp_path / 'c.db'}"]
    assert cli("install", "web", str(ROOT / "charts" / "web"), *cluster).exit_code == 0
    for args in (["list", "-o", "json"], ["history", "web", "-o", "json"], ["status", "web", "-o", "json"],
                 ["get", "values", "web", "-o", "json"], ["repo", "list", "-o", "json"]):
        extra = cluster if args[0] != "repo" else []
        r = cli(*args, *extra)
        assert r.exit_code == 0, r
        json.loads(r.stdout)


def test_global_flags_work_before_the_sub_command_like_helm(cli, tmp_path: Path) -> None:
    r = cli("--kube-context", "nope", "--kubeconfig", str(tmp_path / "missing.yaml"), "list")
    assert r.exit_code == 1 and "missing.yaml" in r.stderr
    db = f"local:{tmp_path / 'c.db'}"
    assert cli("--cluster", db, "-n", "team", "install", "web", str(ROOT / "charts" / "web"),
               "--create-namespace").exit_code == 0
    before = cli("--cluster", db, "-n", "team", "list", "-o", "json")
    assert before.exit_code == 0, before
    assert [(r["name"], r["namespace"]) for r in json.loads(before.stdout)] == [("web", "team")]
    after = cli("list", "--cluster", db, "-n", "team", "-o", "json")
    assert json.loads(after.stdout) == json.loads(before.stdout)
    other = cli("--cluster", db, "-n", "team", "list", "-n", "default", "-o", "json")  # the later flag wins
    assert json.loads(other.stdout) == []


def test_the_command_listing_uses_no_deprecated_click_api(tmp_path: Path) -> None:
    """The group's listing is built with click APIs that are not going away in click 9 (a deprecation warning
    raised as an error fails it)."""
    root_dir = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "helmpy", "--help"],
                          capture_output=True, text=True, cwd=root_dir, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(root_dir), "HELMPY_PARSE_CACHE": "0",
                               "HELMPY_CACHE_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "Commands:" in proc.stdout and "install" in proc.stdout
