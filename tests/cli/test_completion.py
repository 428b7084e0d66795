"""Shell completion driven through the real shells: bash's completion function, zsh's (completion builtins
stubbed to print what they are given), fish's ``complete -C``; PowerShell through click's protocol (Debian
ships no PowerShell). Candidates come from the embedded cluster, repositories.yaml and a kubeconfig."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.http_repo import build_repo, serve

ROOT = Path(__file__).resolve().parents[2]

BASH_COMPOPT_STUB = r"""compopt() { printf '<compopt'; printf ' %s' "$@"; printf '>\n'; }; """
ZSH_STUBS = r"""compdef() { : }
compadd() { local a; for a in "${(@P)${@[-1]}}"; do print -r -- "$a"; done }
_describe() { local a; for a in "${(@P)3}"; do print -r -- "${a%%:*}"; done }
_path_files() { print -r -- "<path $*>" }
"""


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def complete(shell: str, words: list[str], env: dict[str, str], cwd: Path = ROOT) -> list[str]:
    """The candidates ``shell`` offers after ``helmpy WORDS`` (the last word is the one being completed)."""
    line = " ".join(["helmpy", *words])
    array = " ".join(_quote(w) for w in ["helmpy", *words])
    if shell == "bash":
        script = (BASH_COMPOPT_STUB +  # the real compopt works only inside an interactive completion
                  f"source <(helmpy completion bash); COMP_WORDS=({array}); COMP_CWORD={len(words)}; "
                  'COMPREPLY=(); _helmpy_completion helmpy; printf "%s\\n" "${COMPREPLY[@]}"')
        argv = ["bash", "--norc", "-c", script]
    elif shell == "zsh":
        script = f"{ZSH_STUBS}source <(helmpy completion zsh)\nwords=({array}); CURRENT={len(words) + 1}; _helmpy_completion"
        argv = ["zsh", "-f", "-c", script]
    else:
        argv = ["fish", "--no-config", "-c", f"helmpy completion fish | source; complete -C {_quote(line)}"]
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "rror" not in proc.stderr, proc
    return [c.split("\t")[0] for c in proc.stdout.splitlines() if c]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two releases (demo at revision 2), a repository with a chart, a kubeconfig with two contexts, and a
    ``helmpy`` on PATH, in homes of their own."""
    base = tmp_path_factory.mktemp("completion")
    bin_dir = base / "bin"
    bin_dir.mkdir()
    (bin_dir / "helmpy").write_text(f'#!/bin/sh\nexec {sys.executable} -m helmpy "$@"\n')
    (bin_dir / "helmpy").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELMPY_", "KUBECONFIG"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", PYTHONPATH=str(ROOT), HOME=str(base / "home"),
               HELMPY_CONFIG_HOME=str(base / "config"), HELMPY_CACHE_HOME=str(base / "cache"),
               HELMPY_DATA_HOME=str(base / "data"), HELMPY_QUIET="1")

    def helmpy(*args: str) -> None:
        proc = subprocess.run(["helmpy", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc

    helmpy("install", "demo", "charts/web")
    helmpy("upgrade", "demo", "charts/web")
    helmpy("install", "other", "charts/web", "-n", "team", "--create-namespace")
    build_repo(base / "repo", [{"name": "alpha", "version": "1.0.0"}, {"name": "beta", "version": "1.0.0"}])
    with serve(base / "repo") as server:
        helmpy("repo", "add", "myrepo", server.url)
    kubeconfig = base / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts:\n"
                          "- name: ctx-a\n  context: {cluster: a}\n- name: ctx-b\n  context: {cluster: b}\n")
    env["KC"] = str(kubeconfig)
    return env


SHELLS = ["bash", "zsh", "fish"]  # the real shells; .ci/run installs zsh and fish (a missing one fails, not skips)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("words, want", [
    (["status", "d"], ["demo"]),
    (["history", ""], ["demo"]),
    (["uninstall", "-n", "team", ""], ["other"]),
    (["rollback", "demo", ""], ["1", "2"]),
    (["get", "values", "demo", "--revision", ""], ["1", "2"]),
    (["list", "-n", "te"], ["team"]),
    (["-n", "kube-p"], ["kube-public"]),
    (["repo", "remove", ""], ["myrepo"]),
    (["pull", "myrepo/"], ["myrepo/alpha", "myrepo/beta"]),
    (["show", "chart", "myrepo/a"], ["myrepo/alpha"]),
])
def test_dynamic_candidates(shell: str, world: dict[str, str], words: list[str], want: list[str]) -> None:
    assert sorted(complete(shell, words, world)) == want


@pytest.mark.parametrize("shell", SHELLS)
def test_kube_contexts_from_the_kubeconfig_being_typed(shell: str, world: dict[str, str]) -> None:
    got = complete(shell, ["list", "--kubeconfig", world["KC"], "--kube-context", ""], world)
    assert sorted(got) == ["ctx-a", "ctx-b"]


@pytest.mark.parametrize("shell", SHELLS)
def test_chart_paths_complete_as_files(shell: str, world: dict[str, str]) -> None:
    got = complete(shell, ["lint", "charts/w"], world)
    if shell == "zsh":
        assert got == ["<path -/>"]  # zsh's own directory completion is asked for
    elif shell == "bash":
        assert got == ["<compopt -o dirnames>"]  # so is bash's
    else:
        assert [g.rstrip("/") for g in got] == ["charts/web"]
    assert "myrepo/" in complete(shell, ["install", "rel", "my"], world)  # with the shell's file completion


def test_powershell_protocol_and_script(world: dict[str, str]) -> None:
    script = subprocess.run(["helmpy", "completion", "powershell"], env=world, capture_output=True, text=True,
                            timeout=60).stdout
    assert "Register-ArgumentCompleter -Native -CommandName helmpy" in script
    env = {**world, "_HELMPY_COMPLETE": "powershell_complete", "COMP_WORDS": "helmpy status d", "COMP_CWORD": "2"}
    out = subprocess.run(["helmpy"], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["plain\tdemo\t"]


def test_completion_never_prints_an_error(world: dict[str, str]) -> None:
    env = {**world, "HELMPY_KUBECONFIG": "/no/such/kubeconfig"}
    for words in (["status", ""], ["list", "-n", ""]):
        assert complete("bash", words, env) == []
