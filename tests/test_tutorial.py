"""docs/tutorial.md, run: every ```bash block must succeed, in order, in one shell session's directory; every
```console block's ``$ command`` must print its expected lines (as a consecutive run of its output lines)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"
_BLOCK = re.compile(r"^```(bash|console)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(TUTORIAL.read_text())]


def test_the_tutorial_runs(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "charts", work / "charts")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helmpy").write_text(f'#!/bin/sh\nexec {sys.executable} -m helmpy "$@"\n')
    (bin_dir / "helmpy").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "HELMPY_QUIET": "1"}
    state = tmp_path / "vars.sh"  # the variable a block sets ($rev) reaches the later blocks
    state.write_text("")
    found = blocks()
    assert [kind for kind, _ in found].count("bash") >= 6 and len(found) >= 12
    for kind, body in found:
        if kind == "bash":
            script = f"set -euo pipefail\n. {state}\n{body}\n{{ declare -p rev 2>/dev/null || true; }} > {state}.new\n"
            proc = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=600)
            assert proc.returncode == 0, f"{body}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
            Path(f"{state}.new").replace(state)
            continue
        first, *expected = body.rstrip("\n").split("\n")
        assert first.startswith("$ "), body
        proc = subprocess.run(["bash", "-c", f". {state}\n{first[2:]}"], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)
        lines = (proc.stdout + proc.stderr).splitlines()
        assert proc.returncode == 0 or expected[0].startswith("Error:"), proc
        n = len(expected)
        assert any(lines[i:i + n] == expected for i in range(len(lines) - n + 1)), \
            f"{first}\n--- expected\n" + "\n".join(expected) + "\n--- got\n" + "\n".join(lines)
