"""Running a CLI plugin (``helmpy NAME ARGS...``) and a plugin's install/update/delete hooks.

As Helm does, helmpy's own global flags on a plugin's command line (``-n``, ``--kube-context``,
``--kubeconfig``, ``--debug``, ...) are taken out and handed over as ``HELM_*`` variables; everything else
goes to the plugin untouched (nothing at all when plugin.yaml says ``ignoreFlags: true``). The plugin's exit
code becomes helmpy's.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping, Sequence

from helmpy.errors import PluginError, PluginExitError
from helmpy.plugin.command import prepare
from helmpy.plugin.environment import plugin_env
from helmpy.plugin.manifest import Plugin

logger = logging.getLogger(__name__)

# flag -> the HELM_* variable it sets (flags that take a value)
_VALUE_FLAGS = {
    "--namespace": "HELM_NAMESPACE", "-n": "HELM_NAMESPACE", "--kube-context": "HELM_KUBECONTEXT",
    "--kubeconfig": "KUBECONFIG", "--kube-apiserver": "HELM_KUBEAPISERVER", "--kube-token": "HELM_KUBETOKEN",
    "--kube-as-user": "HELM_KUBEASUSER", "--kube-as-group": "HELM_KUBEASGROUPS",
    "--kube-ca-file": "HELM_KUBECAFILE", "--registry-config": "HELM_REGISTRY_CONFIG",
    "--repository-cache": "HELM_REPOSITORY_CACHE", "--repository-config": "HELM_REPOSITORY_CONFIG",
    "--kube-tls-server-name": "HELM_KUBETLS_SERVER_NAME",
}
_REPEATED = frozenset({"HELM_KUBEASGROUPS"})
_BOOL_FLAGS = {"--debug": "HELM_DEBUG", "--kube-insecure-skip-tls-verify": "HELM_KUBEINSECURE_SKIP_TLS_VERIFY"}


def split_args(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Helm's ``manuallyProcessArgs``: (``HELM_*`` settings from helmpy's global flags, the plugin's args)."""
    settings: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        flag, eq, value = arg.partition("=")
        if flag in _VALUE_FLAGS and eq:
            _set(settings, _VALUE_FLAGS[flag], value)
        elif arg in _VALUE_FLAGS:
            i += 1
            if i < len(args):
                _set(settings, _VALUE_FLAGS[arg], args[i])
        elif flag in _BOOL_FLAGS:
            settings[_BOOL_FLAGS[flag]] = "false" if eq and value.lower() == "false" else "true"
        else:
            rest.append(arg)
        i += 1
    return settings, rest


def _set(settings: dict[str, str], name: str, value: str) -> None:
    """A repeated ``--kube-as-group`` adds a group (comma-joined, as Helm's ``HELM_KUBEASGROUPS``); others replace."""
    if name in _REPEATED and settings.get(name):
        value = f"{settings[name]},{value}"
    settings[name] = value


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode  # killed by signal N: the shell's 128+N


def _spawn(argv: list[str], env: Mapping[str, str], what: str) -> int:
    logger.debug("running plugin command what=%s argv=%s", what, argv)
    try:
        return subprocess.run(argv, env=dict(env), check=False).returncode
    except OSError as err:
        raise PluginError(f"{what}: cannot run {argv[0]!r}: {err.strerror or err}") from err


def run(plugin: Plugin, args: Sequence[str]) -> None:
    """Run a CLI plugin with helmpy's remaining command-line ``args``."""
    settings, rest = split_args(args)
    env = plugin_env(plugin, settings)
    argv = prepare(plugin.manifest.commands, env, [] if plugin.manifest.ignore_flags else rest,
                   what=f'plugin "{plugin.name}"')
    code = _spawn(argv, env, f'plugin "{plugin.name}"')
    if code != 0:
        raise PluginExitError(f'plugin "{plugin.name}" exited with error', _exit_code(code))


def run_hook(plugin: Plugin, event: str) -> None:
    """Run the plugin's hook for ``event`` (install, update, delete), if it has one."""
    commands = plugin.manifest.hooks.get(event)
    if not commands:
        return
    env = plugin_env(plugin)
    what = f'plugin {event} hook for "{plugin.name}"'
    argv = prepare(commands, env, expand_args=plugin.manifest.expand_hook_args, what=what)
    code = _spawn(argv, env, what)
    if code != 0:
        raise PluginError(f"{what} exited with error (exit code {_exit_code(code)})")
