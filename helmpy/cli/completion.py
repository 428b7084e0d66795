"""Shell completion: which candidates each argument and option gets, and the PowerShell script click lacks.

click does the shell side for bash, zsh and fish; :class:`PowerShellComplete` adds PowerShell with the same
protocol (``COMP_WORDS``/``COMP_CWORD`` in, ``type<TAB>value<TAB>help`` lines out). :func:`attach` gives the
parameters of a command (and of its sub-commands) their completers, by command and parameter name, when a
completion is being computed only; the candidates themselves come from :mod:`helmpy.action.completion`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem, ShellComplete, add_completion_class, split_arg_string
from click.shell_completion import FishComplete as _FishComplete

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _root_value(ctx: click.Context, name: str, env: str) -> str | None:
    """An option typed so far on this command or (as a global option) before it, else the environment."""
    node: click.Context | None = ctx
    while node is not None:
        value = node.params.get(name) or node.params.get(f"global_{env.lower()}")
        if value:
            return str(value)
        node = node.parent
    return os.environ.get(env) or None


def _cluster(ctx: click.Context) -> dict[str, str | None]:
    return {"kubeconfig": _root_value(ctx, "kubeconfig", "HELMPY_KUBECONFIG"),
            "context": _root_value(ctx, "kube_context", "HELMPY_KUBECONTEXT")}


def _plain(words: list[str]) -> list[CompletionItem]:
    return [CompletionItem(w) for w in words]


def releases(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    ns = _root_value(ctx, "namespace", "HELMPY_NAMESPACE")
    return _plain(completion.releases(incomplete, ns, **_cluster(ctx)))


def revisions(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    # with "--revision" still waiting for its value click leaves the parsed arguments in ctx.args
    typed = [a for a in ctx.args if not a.startswith("-")]
    release = next((str(ctx.params[k]) for k in ("release_name", "name") if ctx.params.get(k)),
                   typed[0] if typed else "")
    ns = _root_value(ctx, "namespace", "HELMPY_NAMESPACE")
    return _plain(completion.revisions(release, incomplete, ns, **_cluster(ctx)))


def namespaces(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    return _plain(completion.namespaces(incomplete, **_cluster(ctx)))


def contexts(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    return _plain(completion.contexts(incomplete, _cluster(ctx)["kubeconfig"]))


def repositories(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    return _plain(completion.repositories(incomplete))


def plugins(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from helmpy.action import completion

    return _plain(completion.plugins(incomplete))


def files(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(incomplete, type="file")]


def directories(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(incomplete, type="dir")]


def charts(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A chart reference: REPO/CHART from the cached indexes, and local chart directories and archives."""
    from helmpy.action import completion

    # the file item first: bash's script empties its candidates when it meets one
    items = [CompletionItem(incomplete, type="file")] if completion.is_local(incomplete) else []
    return items + _plain(completion.repo_charts(incomplete))


# parameter name -> completer, everywhere
BY_PARAM: dict[str, Completer] = {
    "namespace": namespaces, "global_helmpy_namespace": namespaces,
    "kube_context": contexts, "global_helmpy_kubecontext": contexts,
    "kubeconfig": files, "global_helmpy_kubeconfig": files,
    "release_name": releases, "revision": revisions, "chart_ref": charts,
    "args": charts,  # install/template [NAME] CHART: a new release name has no candidates, the chart has
    "values": files, "paths": directories, "charts": directories,
}
# (command name, parameter name) -> completer, where a name means different things in different commands
BY_COMMAND: dict[tuple[str, str], Completer] = {
    **{(c, "name"): releases for c in ("history", "rollback", "status", "test", "upgrade")},
    ("uninstall", "names"): releases, ("upgrade", "chart"): charts, ("pull", "chart"): charts,
    ("build", "chart"): directories, ("list", "chart"): directories, ("update", "chart"): directories,
    ("remove", "names"): repositories, ("push", "chart"): files, ("verify", "chart"): files,
    ("lint", "paths"): directories, ("package", "charts"): directories,
}
# parent group -> sub-command names whose ``names`` are plugin names / repository names
_PLUGIN_NAMES = {"uninstall", "update"}


def attach(cmd: click.Command, parent: str = "") -> None:
    """Give ``cmd``'s parameters (and its sub-commands', recursively) their completers."""
    for param in cmd.params:
        if getattr(param, "_custom_shell_complete", None) is not None or param.name is None:
            continue
        completer = BY_COMMAND.get((cmd.name or "", param.name)) or BY_PARAM.get(param.name)
        if parent == "plugin" and param.name == "names" and cmd.name in _PLUGIN_NAMES:
            completer = plugins
        elif parent == "repo" and param.name == "names":
            completer = repositories
        if completer is not None:
            param._custom_shell_complete = completer  # type: ignore[attr-defined]
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            attach(sub, cmd.name or "")


def plugin_candidates(ctx: click.Context, plugin: Any, incomplete: str) -> list[CompletionItem]:
    """The words after ``helmpy PLUGIN``: what completion.yaml and plugin.complete offer (helmpy/plugin/completion.py),
    helmpy's global flags offered for a ``-`` word as Helm offers its own."""
    from helmpy.cli.root import _global_options
    from helmpy.plugin.completion import Flag, complete

    typed = [*(ctx.params.get("args") or ()), *ctx.args]
    options = [*_global_options(), *(p for p in (ctx.parent.command.params if ctx.parent else [])
                                     if isinstance(p, click.Option) and p.name == "debug")]
    flags, takes_value = [], set()
    for option in options:
        longs = [o[2:] for o in option.opts if o.startswith("--")]
        shorts = [o[1:] for o in option.opts if not o.startswith("--")]
        flags.append(Flag(longs[0], shorts[0] if shorts else ""))
        if not option.is_flag:
            takes_value.update(option.opts)
    found = complete(plugin, typed, incomplete, global_flags=flags, value_flags=frozenset(takes_value))
    return [CompletionItem(c.value, type=c.kind, help=c.help or None) for c in found]


# --- PowerShell ---------------------------------------------------------------------------------------------
_SOURCE_POWERSHELL = """\
# helmpy completion for PowerShell: helmpy completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName %(prog_name)s -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $line = $commandAst.ToString()
    if ($cursorPosition -lt $line.Length) { $line = $line.Substring(0, $cursorPosition) }
    $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
    $cword = $words.Count
    if ($wordToComplete -ne '') { $cword = $words.Count - 1 }
    $env:COMP_WORDS = $line
    $env:COMP_CWORD = $cword
    $env:%(complete_var)s = 'powershell_complete'
    $lines = & %(prog_name)s 2>$null
    Remove-Item Env:%(complete_var)s, Env:COMP_WORDS, Env:COMP_CWORD -ErrorAction SilentlyContinue
    foreach ($entry in $lines) {
        $type, $value, $help = $entry -split "`t", 3
        if ($type -eq 'plain') {
            $tip = if ($help) { $help } else { $value }
            [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $tip)
        } elseif ($type -eq 'file' -or $type -eq 'dir') {
            Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue |
                Where-Object { $type -eq 'file' -or $_.PSIsContainer } |
                ForEach-Object { [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.FullName) }
        }
    }
}
"""


_SOURCE_FISH = """\
function %(complete_func)s
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) COMP_CWORD=(commandline -t) %(prog_name)s)
    for completion in $response
        set -l metadata (string split -m 2 \\t -- $completion)
        switch $metadata[1]
            case dir
                __fish_complete_directories $metadata[2]
            case file
                __fish_complete_path $metadata[2]
            case plain
                if test "$metadata[3]" != "_"
                    printf '%%s\\t%%s\\n' $metadata[2] $metadata[3]
                else
                    printf '%%s\\n' $metadata[2]
                end
        end
    end
end

complete --no-files --command %(prog_name)s --arguments "(%(complete_func)s)"
"""


class FishComplete(_FishComplete):
    """click 8.4's fish script splits each answer on a newline it writes unescaped into the script (fish then
    runs the rest as a command); this one answers ``type<TAB>value<TAB>help`` per line and splits on the tab."""

    source_template = _SOURCE_FISH

    def format_completion(self, item: CompletionItem) -> str:
        def flat(text: str) -> str:
            return text.replace("\t", " ").replace("\n", " ")

        return f"{item.type}\t{flat(item.value)}\t{flat(item.help or '') or '_'}"


class PowerShellComplete(ShellComplete):
    """PowerShell, on click's protocol: the script sets COMP_WORDS/COMP_CWORD as bash's does."""

    name = "powershell"
    source_template = _SOURCE_POWERSHELL

    def get_completion_args(self) -> tuple[list[str], str]:
        words = split_arg_string(os.environ.get("COMP_WORDS", ""))
        cword = int(os.environ.get("COMP_CWORD", "0") or 0)
        return words[1:cword], words[cword] if cword < len(words) else ""

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.type}\t{item.value}\t{item.help or ''}"


def register() -> None:
    """Make ``powershell`` (and the fixed ``fish``) known to click (idempotent)."""
    add_completion_class(PowerShellComplete)
    add_completion_class(FishComplete)


def script(root: Any, shell: str) -> str:
    """The completion script for ``shell``."""
    from click.shell_completion import get_completion_class

    register()
    comp_cls = get_completion_class(shell)
    assert comp_cls is not None
    return comp_cls(root, {}, "helmpy", "_HELMPY_COMPLETE").source()
