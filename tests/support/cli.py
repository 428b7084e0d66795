"""Run the helmpy CLI in-process, the way a user would, and capture what it prints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

from helmpy.cli.main import main


@dataclass
class Result:
    """What a command printed and how it exited."""

    stdout: str
    stderr: str
    exit_code: int

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:  # shown by pytest on assertion failure
        return f"exit={self.exit_code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``helmpy ARGS`` through the real entry point (error mapping included)."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as streams:
        out, err = streams[0], streams[1]
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        stdout = out.getvalue().decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace") if err is not None else ""
    return Result(stdout, stderr, code)
