"""``helmpy version`` and ``helmpy --help`` without click (helmpy/cli/fastpath.py): byte for byte what the click
commands print, a kept help text that is never stale, and click again whenever the fast path cannot answer.

Each run is a real process through the console script's entry point; click's own answer comes from invoking the
group itself (``cli.main``), which never goes through the fast path.
"""

from __future__ import annotations

import marshal
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from helmpy.cli.main import main; sys.argv[0] = 'helmpy'; main()"
# what the run imported, written by the process itself at exit
PROBE = ("import atexit, sys; out = sys.argv.pop(1); atexit.register(lambda: open(out, 'w').write(' '.join(sys.modules)))"
         "; " + ENTRY)
CLICK = "import sys; from helmpy.cli.root import cli; cli.main(sys.argv[1:], prog_name='helmpy')"


def run(tmp_path: Path, code: str, args: tuple[str, ...], env: dict[str, str] | None) -> str:
    """stdout of ``python -S -c CODE ARGS`` (COLUMNS=100 unless ``env`` says otherwise); ``-S`` with the site
    directories on the path: helmpy's imports, not those of a machine's ``.pth`` files."""
    path = os.pathsep.join([str(ROOT), *site.getsitepackages(), site.getusersitepackages()])
    proc = subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path, "COLUMNS": "100", **(env or {})},
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc
    return proc.stdout


def helmpy(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """stdout of ``helmpy ARGS`` through the console script's entry point, and the modules the run imported."""
    modules = tmp_path / "modules.txt"
    out = run(tmp_path, PROBE, (str(modules), *args), env)
    return out, set(modules.read_text().split())


def clicks(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """What the click group itself prints for ``helmpy ARGS`` (its ``main``, which no fast path precedes)."""
    return run(tmp_path, CLICK, args, env)


def store() -> Path:
    return Path(os.environ["HELMPY_CACHE_HOME"]) / "cli" / "help"


@pytest.mark.parametrize("args", [["version"], ["version", "--short"]])
def test_version_prints_what_the_click_command_prints_without_importing_click(tmp_path: Path, args: list[str]) -> None:
    out, modules = helmpy(tmp_path, *args)
    assert out == clicks(tmp_path, *args)
    assert not {"click", "typing", "re", "helmpy.cli.root"} & modules


def test_help_is_clicks_text_kept_for_the_next_run(tmp_path: Path) -> None:
    expected = clicks(tmp_path, "--help")
    assert "Usage: helmpy [OPTIONS] COMMAND [ARGS]..." in expected and "template" in expected
    first, cold = helmpy(tmp_path, "--help")  # builds the text with click and keeps it
    assert first == expected and "click" in cold and store().is_file()
    for flag in ("--help", "-h"):
        again, warm = helmpy(tmp_path, flag)
        assert again == expected, flag
        assert not {"click", "typing", "re", "helmpy.cli.root", "pathlib"} & warm, flag


def test_help_for_another_terminal_width_is_built_for_that_width(tmp_path: Path) -> None:
    helmpy(tmp_path, "--help")
    narrow, modules = helmpy(tmp_path, "--help", env={"COLUMNS": "60"})
    assert "click" in modules  # another width: another text
    assert narrow == clicks(tmp_path, "--help", env={"COLUMNS": "60"})
    assert narrow != clicks(tmp_path, "--help")
    again, modules = helmpy(tmp_path, "--help")  # both widths kept
    assert again == clicks(tmp_path, "--help") and "click" not in modules


def test_a_stale_or_corrupt_kept_text_is_never_printed(tmp_path: Path) -> None:
    helmpy(tmp_path, "--help")
    fmt, entries = marshal.loads(store().read_bytes())
    key, sources, _ = entries[0]
    # the text of a root.py of another size: stale, built again
    stale = [(path, size + 1, mtime) if path.endswith("root.py") else (path, size, mtime)
             for path, size, mtime in sources]
    store().write_bytes(marshal.dumps((fmt, [(key, stale, "STALE TEXT")])))
    out, modules = helmpy(tmp_path, "--help")
    assert out == clicks(tmp_path, "--help") and "click" in modules
    for junk in (b"", b"\x00garbage", marshal.dumps((fmt, "not a list")), marshal.dumps([1, 2, 3])):
        store().write_bytes(junk)
        out, modules = helmpy(tmp_path, "--help")
        assert out == clicks(tmp_path, "--help") and "click" in modules, junk
    assert helmpy(tmp_path, "--help")[0] == clicks(tmp_path, "--help")  # and kept again


def test_help_with_a_plugin_installed_is_clicks_every_time(tmp_path: Path) -> None:
    plugin = Path(os.environ["HELMPY_DATA_HOME"]) / "plugins" / "hello"
    plugin.mkdir(parents=True)
    (plugin / "plugin.yaml").write_text("name: hello\nversion: 0.1.0\nusage: say hello\ndescription: Say hello.\n"
                                        "command: echo hello\n")
    for _ in range(2):
        out, modules = helmpy(tmp_path, "--help")
        assert "hello" in out and "click" in modules
    assert out == clicks(tmp_path, "--help")


def test_the_parse_cache_switch_turns_the_kept_text_off(tmp_path: Path) -> None:
    for _ in range(2):
        out, modules = helmpy(tmp_path, "--help", env={"HELMPY_PARSE_CACHE": "0"})
        assert out == clicks(tmp_path, "--help") and "click" in modules
    assert not store().exists()


@pytest.mark.parametrize("args", [["version", "--debug"], ["--debug", "version"], ["--help", "--debug"]])
def test_other_command_lines_go_to_click(tmp_path: Path, args: list[str]) -> None:
    out, modules = helmpy(tmp_path, *args)
    assert out == clicks(tmp_path, *args) and "click" in modules
