"""The environment a plugin runs in: the caller's, plus Helm's ``HELM_*`` settings as helmpy sees them.

Helm hands every plugin ``settings.EnvVars()`` (``HELM_BIN``, ``HELM_NAMESPACE``, ``HELM_KUBECONTEXT``,
``HELM_DEBUG``, ``HELM_PLUGINS``, ``HELM_REPOSITORY_CONFIG``, ...) and ``HELM_PLUGIN_NAME``/``HELM_PLUGIN_DIR``;
plugins call ``$HELM_BIN`` back, so it must run helmpy. When helmpy was not started as an executable named
``helmpy`` (``python -m helmpy``, or in-process), ``HELM_BIN`` is a two-line launcher script under the cache
home that runs this interpreter with ``-m helmpy``.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Mapping

from helmpy import paths
from helmpy.plugin.manifest import Plugin

_TRUE = ("1", "true", "yes")


def _setting(name: str, default: str = "") -> str:
    """``HELMPY_<name>``, else ``HELM_<name>``, else ``default`` (helmpy's variables take precedence)."""
    return os.environ.get(f"HELMPY_{name}") or os.environ.get(f"HELM_{name}") or default


def helm_bin() -> str:
    """A path that runs this helmpy: argv[0] when it is the ``helmpy`` executable, else a launcher script."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "helmpy" and os.access(argv0, os.X_OK):
        return os.path.abspath(argv0)
    from helmpy.fsutil import atomic_write

    launcher = paths.cache_home() / "bin" / "helmpy"
    text = f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m helmpy \"$@\"\n"
    try:
        current = launcher.read_text()
    except OSError:
        current = ""
    if current != text:
        atomic_write(launcher, text, mode=0o755)
    return str(launcher)


def helm_vars() -> dict[str, str]:
    """Helm's ``EnvVars()`` with helmpy's values (what ``helm env`` prints)."""
    debug = _setting("DEBUG").lower() in _TRUE
    values = {
        "HELM_BIN": helm_bin(),
        "HELM_CACHE_HOME": str(paths.cache_home()),
        "HELM_CONFIG_HOME": str(paths.config_home()),
        "HELM_DATA_HOME": str(paths.data_home()),
        "HELM_DEBUG": "true" if debug else "false",
        "HELM_PLUGINS": os.pathsep.join(str(p) for p in paths.plugin_dirs()),
        "HELM_REGISTRY_CONFIG": str(paths.registry_config()),
        "HELM_REPOSITORY_CACHE": str(paths.repository_cache()),
        "HELM_CONTENT_CACHE": str(paths.content_cache()),
        "HELM_REPOSITORY_CONFIG": str(paths.repository_config()),
        "HELM_NAMESPACE": _setting("NAMESPACE", "default"),
        "HELM_MAX_HISTORY": _setting("MAX_HISTORY", "10"),
        "HELM_BURST_LIMIT": _setting("BURST_LIMIT", "100"),
        "HELM_QPS": _setting("QPS", "0.00"),
        "HELM_KUBECONTEXT": _setting("KUBECONTEXT"),
        "HELM_KUBETOKEN": _setting("KUBETOKEN"),
        "HELM_KUBEASUSER": _setting("KUBEASUSER"),
        "HELM_KUBEASGROUPS": _setting("KUBEASGROUPS"),
        "HELM_KUBEAPISERVER": _setting("KUBEAPISERVER"),
        "HELM_KUBECAFILE": _setting("KUBECAFILE"),
        "HELM_KUBEINSECURE_SKIP_TLS_VERIFY":
            "true" if _setting("KUBEINSECURE_SKIP_TLS_VERIFY").lower() in _TRUE else "false",
        "HELM_KUBETLS_SERVER_NAME": _setting("KUBETLS_SERVER_NAME"),
    }
    kubeconfig = _setting("KUBECONFIG")
    if kubeconfig:
        values["KUBECONFIG"] = kubeconfig
    return values


def plugin_env(plugin: Plugin, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment for one run of ``plugin``."""
    env = dict(os.environ)
    env.update(helm_vars())
    env.update(extra or {})
    env["HELM_PLUGIN_NAME"] = plugin.name
    env["HELM_PLUGIN_DIR"] = str(plugin.directory)
    return env
