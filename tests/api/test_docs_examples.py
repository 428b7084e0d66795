"""docs/python-api.md's examples run, in order, in a fresh directory holding a copy of charts/, against the
embedded cluster there and a real chart repository on 127.0.0.1 (``REPO_URL``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.http_repo import serve

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def examples() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_has_examples() -> None:
    assert len(examples()) >= 6


def test_every_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any,
                            capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "charts", tmp_path / "charts")
    repo = tmp_path / "served"
    repo.mkdir()
    assert cli("package", str(tmp_path / "charts" / "web"), "-d", str(repo)).exit_code == 0
    assert cli("repo", "index", str(repo)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    with serve(repo) as server:
        namespace: dict[str, Any] = {"__name__": "python_api_examples", "REPO_URL": server.url}
        for number, code in enumerate(examples(), 1):
            try:
                exec(compile(code, f"{DOC.name} example {number}", "exec"), namespace)  # noqa: S102 - our own docs
            except Exception as err:  # pragma: no cover - the failure message names the example
                raise AssertionError(f"example {number} failed: {type(err).__name__}: {err}\n{code}") from err
    printed = capsys.readouterr().out
    assert "1 deployed" in printed and "stable/web" in printed
