"""Helpers for the plugin tests: helmpy as a subprocess (plugins are processes and inherit its stdout)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def helmpy() -> Run:
    """``helmpy("plugin", "list")``: the real command in a fresh interpreter, with this test's homes."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        return subprocess.run([sys.executable, "-m", "helmpy", *args], cwd=cwd or ROOT, env=full,
                              capture_output=True, text=True, timeout=timeout)

    return run


def plugins_dir() -> Path:
    return Path(os.environ["HELMPY_DATA_HOME"]) / "plugins"


def write_plugin(root: Path, manifest: str, files: dict[str, str] | None = None) -> Path:
    """A plugin directory: plugin.yaml plus executable scripts."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plugin.yaml").write_text(manifest)
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    return root
