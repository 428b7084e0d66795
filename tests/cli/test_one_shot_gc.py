"""The console script's process collects garbage in larger batches and freezes what is left at exit
(helmpy/gctune.py); a library user's process keeps CPython's collector as it was."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from helmpy.gctune import ONE_SHOT_THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
# printed by an exit handler registered before helmpy runs: exit handlers run last-registered first, so it
# sees the state the interpreter's last collection will see
PROBE = ("import atexit, gc, sys\n"
         "atexit.register(lambda: print('GC', gc.get_threshold(), gc.get_freeze_count() > 0, file=sys.stderr))\n")


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELMPY_CACHE_HOME": str(tmp_path / "cache"),
           "HELMPY_CONFIG_HOME": str(tmp_path / "config"), "HELMPY_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-c", PROBE + code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


def test_the_console_script_collects_in_batches_and_freezes_at_exit(tmp_path: Path) -> None:
    for args in (["env"], ["create", "web"], ["template", "x", "web"], ["no-such-command"]):
        proc = _run(f"sys.argv = ['helmpy', *{args!r}]\nfrom helmpy.cli.main import main\nmain()", tmp_path)
        assert f"GC {ONE_SHOT_THRESHOLDS} True" in proc.stderr.splitlines(), (args, proc.stderr)
    assert ONE_SHOT_THRESHOLDS[0] > gc.get_threshold()[0]  # (and the test session's own collector is untouched)


def test_a_library_user_keeps_the_collector_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    code = ("before = gc.get_threshold()\n"
            "import helmpy\nhelmpy.Client().create('web')\n"
            "from helmpy.cli.main import main\n"
            "try:\n    main(['template', 'x', 'web'])\nexcept SystemExit:\n    pass\n"
            "assert gc.get_threshold() == before, gc.get_threshold()\n")
    proc = _run(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    threshold = tuple(int(x) for x in proc.stderr.split("GC (")[1].split(")")[0].split(","))
    assert threshold != ONE_SHOT_THRESHOLDS and "True" not in proc.stderr.split("GC ")[1], proc.stderr
