"""The error funnel in ``helmpy.cli.main.main``: user errors are one message (also under --debug);
only bugs get a traceback.
"""

from __future__ import annotations

import click
import pytest

from helmpy.cli.main import cli as root_group
from helmpy.errors import ChartError, UsageError


@pytest.fixture
def failing_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two throw-away sub-commands: one raising a user error, one a bug."""

    @click.command("user-fails")
    @click.option("--usage", is_flag=True)
    def user_fails(usage: bool) -> None:
        raise UsageError("bad flags") if usage else ChartError("Chart.yaml: version is required")

    @click.command("bug-fails")
    def bug_fails() -> None:
        raise KeyError("oops")

    monkeypatch.setitem(root_group.commands, "user-fails", user_fails)
    monkeypatch.setitem(root_group.commands, "bug-fails", bug_fails)


@pytest.mark.parametrize("debug_args, env", [([], None), (["--debug"], None), ([], {"HELMPY_DEBUG": "1"})])
def test_user_error_is_one_message_even_under_debug(cli, failing_commands, debug_args, env) -> None:
    r = cli(*debug_args, "user-fails", env=env)
    assert r.exit_code == 1 and r.stdout == "", r
    assert "Traceback" not in r.stderr, r
    assert r.stderr.count("Error: ") == 1 and r.stderr.endswith("Error: Chart.yaml: version is required\n"), r
    r = cli(*debug_args, "user-fails", "--usage", env=env)
    assert r.exit_code == 2 and "Traceback" not in r.stderr and r.stderr.endswith("Error: bad flags\n"), r


def test_internal_error_traceback_only_under_debug(cli, failing_commands) -> None:
    r = cli("bug-fails")
    assert r.exit_code == 1 and "Traceback" not in r.stderr, r
    assert "Error: internal error: KeyError: 'oops' (run with --debug for a traceback)" in r.stderr
    for args, env in ((["--debug", "bug-fails"], None), (["bug-fails"], {"HELMPY_DEBUG": "true"})):
        r = cli(*args, env=env)
        assert r.exit_code == 1 and "Traceback (most recent call last)" in r.stderr, r
        assert "KeyError: 'oops'" in r.stderr


def test_helmpy_debug_env_still_reported(cli) -> None:
    assert 'HELMPY_DEBUG="true"' in cli("env", env={"HELMPY_DEBUG": "1"}).stdout
    assert 'HELMPY_DEBUG="false"' in cli("env").stdout
