"""Completion inside a plugin's command line: the plugin's ``completion.yaml`` (sub-commands, validArgs, flags) and
its ``plugin.complete`` executable (dynamic candidates), through the real shells (bash, zsh, fish) and PowerShell's
protocol - and compared, word list by word list, with what real Helm 4's ``helm __complete`` offers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_completion import SHELLS, complete

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_YAML = 'name: demo\nversion: 0.1.0\nusage: demo\ndescription: demo plugin\ncommand: "$HELM_PLUGIN_DIR/demo.sh"\n'
COMPLETION_YAML = """name: ignored
validArgs: [alpha, beta]
flags: [verbose, output, o]
commands:
- name: deploy
  validArgs: [prod, staging]
  flags: [force, f]
- name: destroy
  flags: [all-namespaces]
  commands:
  - name: all
- name: list
"""
# records its arguments (one line per call) and answers two candidates, one with a description, and ":4"
PLUGIN_COMPLETE = """#!/bin/sh
printf '%s|' "$@" >> "$CALLS"; echo >> "$CALLS"
printf 'dyn-one\\tfirst dynamic\\n'
echo dyn-two
echo :4
"""


def _plugin(root: Path, name: str, files: dict[str, str]) -> None:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "plugin.yaml").write_text(PLUGIN_YAML.replace("demo", name))
    for file, text in {"demo.sh": "#!/bin/sh\necho run\n", **files}.items():
        (directory / file).write_text(text)
        (directory / file).chmod(0o755)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("plugin-completion")
    bin_dir = base / "bin"
    bin_dir.mkdir()
    (bin_dir / "helmpy").write_text(f'#!/bin/sh\nexec {sys.executable} -m helmpy "$@"\n')
    (bin_dir / "helmpy").chmod(0o755)
    plugins = base / "plugins"
    _plugin(plugins, "demo", {"completion.yaml": COMPLETION_YAML, "plugin.complete": PLUGIN_COMPLETE})
    _plugin(plugins, "slow", {"plugin.complete": "#!/bin/sh\nsleep 60\n"})
    _plugin(plugins, "chatty", {"plugin.complete": "#!/bin/sh\nyes completion-candidate-line\n"})
    _plugin(plugins, "broken", {"completion.yaml": "commands: [\n", "plugin.complete": "#!/bin/sh\nexit 3\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELMPY_", "HELM_", "KUBECONFIG"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", PYTHONPATH=str(ROOT), HOME=str(base / "home"),
               HELMPY_CONFIG_HOME=str(base / "config"), HELMPY_CACHE_HOME=str(base / "cache"),
               HELMPY_DATA_HOME=str(base / "data"), HELMPY_QUIET="1", HELMPY_PLUGINS=str(plugins),
               HELM_PLUGINS=str(plugins), CALLS=str(base / "calls.log"))
    return env


def _calls(world: dict[str, str]) -> list[str]:
    path = Path(world["CALLS"])
    lines = path.read_text().splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("words, want, called", [
    (["demo", ""], ["alpha", "beta", "deploy", "destroy", "list"], None),  # sub-commands and validArgs, static
    (["demo", "de"], ["deploy", "destroy"], None),
    (["demo", "deploy", ""], ["prod", "staging"], None),  # validArgs: no dynamic call
    (["demo", "destroy", ""], ["all"], None),
    (["demo", "destroy", "all", ""], ["dyn-one", "dyn-two"], "destroy|all||"),  # a leaf: plugin.complete
    (["demo", "deploy", "--f"], ["--force", "dyn-one", "dyn-two"], "deploy|--f|"),
    (["demo", "list", "-n", "team", "--kube-context", "c", "--foo", "bar", ""], ["dyn-one", "dyn-two"],
     "list|--foo|bar||"),  # helmpy's global flags are taken out, as when the plugin runs
])
def test_static_and_dynamic_candidates(shell: str, world: dict[str, str], words: list[str], want: list[str],
                                       called: str | None) -> None:
    _calls(world)
    if shell == "fish":  # fish keeps only candidates starting with the word typed (the others are unfiltered)
        want = [w for w in want if w.startswith(words[-1])]
    assert sorted(complete(shell, words, world)) == want
    assert _calls(world) == ([called] if called else [])


@pytest.mark.parametrize("shell", SHELLS)
def test_flag_names_of_the_plugin_and_helmpys(shell: str, world: dict[str, str]) -> None:
    got = complete(shell, ["demo", "-"], world)
    assert {"--verbose", "--output", "-o", "--namespace", "--kube-context"} <= set(got)
    assert "--force" not in got and "dyn-one" not in got  # deploy's flag; the plugin root has sub-commands


FILES = {"bash": ["<compopt -o default>"], "zsh": ["<path -f>"], "fish": ["notes.txt"]}  # each shell's own files


@pytest.mark.parametrize("shell", SHELLS)
def test_a_failing_slow_or_broken_completer_offers_files(shell: str, world: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    for plugin in ("slow", "chatty", "broken"):
        started = time.monotonic()
        got = complete(shell, [plugin, "no"], world, cwd=tmp_path)
        assert time.monotonic() - started < 30  # plugin.complete gets 5 s, `yes` 1 MiB
        assert got == FILES[shell], (plugin, got)
        assert "completion-candidate-line" not in got


def test_powershell_protocol(world: dict[str, str]) -> None:
    env = {**world, "_HELMPY_COMPLETE": "powershell_complete", "COMP_WORDS": "helmpy demo destroy all x",
           "COMP_CWORD": "4"}
    out = subprocess.run(["helmpy"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.splitlines() == ["plain\tdyn-one\tfirst dynamic", "plain\tdyn-two\t"]


def _helm_answer(helm: Path, env: dict[str, str], words: list[str]) -> tuple[list[str], int]:
    lines = subprocess.run([str(helm), "__complete", *words], env=env, capture_output=True, text=True, timeout=60,
                           check=True).stdout.splitlines()
    return [x.split("\t")[0] for x in lines[:-1]], int(lines[-1][1:])


def _helmpy_answer(env: dict[str, str], words: list[str]) -> list[tuple[str, str]]:
    """click's bash protocol: ``type,value`` lines for the last word of ``words``."""
    env = {**env, "_HELMPY_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["helmpy", *words]),
           "COMP_CWORD": str(len(words))}
    out = subprocess.run(["helmpy"], env=env, capture_output=True, text=True, timeout=60, check=False).stdout
    return [(kind, value) for kind, _, value in (line.partition(",") for line in out.splitlines())]


@pytest.mark.helm
@pytest.mark.parametrize("words", [
    ["demo", ""], ["demo", "d"], ["demo", "-"], ["demo", "--"], ["demo", "deploy", ""], ["demo", "deploy", "-"],
    ["demo", "deploy", "--f"], ["demo", "deploy", "prod", ""], ["demo", "destroy", ""], ["demo", "destroy", "-"],
    ["demo", "destroy", "all", ""], ["demo", "list", ""], ["demo", "--verbose", ""], ["demo", "alpha", ""],
    ["demo", "list", "-n", "ns", "--foo", "bar", ""], ["demo", "list", "--foo=bar", "ba"],
])
def test_candidates_are_helms(world: dict[str, str], helm_bin_dir: Path, words: list[str]) -> None:
    """The plugin's part of the answer (Helm's and helmpy's global flags differ: those are left out on both
    sides), whether files are offered, and the plugin.complete calls all match Helm 4's."""
    helm = helm_bin_dir / "helm"
    helm_globals = set(_helm_answer(helm, world, ["broken", "-"])[0])  # a plugin offering no flags of its own
    helmpy_globals = {value for _, value in _helmpy_answer(world, ["broken", "-"])}
    _calls(world)
    theirs, directive = _helm_answer(helm, world, words)
    theirs_calls = _calls(world)
    got = _helmpy_answer(world, words)
    ours_calls = _calls(world)
    assert [v for k, v in got if k == "plain" and v not in helmpy_globals] == [v for v in theirs
                                                                             if v not in helm_globals]
    assert (("file", "") in got) == (not theirs and not directive & 4)
    assert ours_calls == theirs_calls
