"""``helmpy env``: every setting's effective value, under Helm's ``HELM_*`` name and helmpy's ``HELMPY_*`` one.

Helm's ``helm env`` prints ``HELM_*`` lines that plugins and scripts read; helmpy prints the same keys (those it
honours, :data:`HELM_SHOWN`) with its own values, then its ``HELMPY_*`` settings, which include helmpy-only ones
(the cluster it will use, the kubeconfig files). Values come from :mod:`helmpy.settings` and :mod:`helmpy.paths`.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from helmpy import paths, settings
from helmpy.errors import HelmpyError, UsageError

#: ``helm env`` keys, all of which helmpy honours; HELM_DRIVER is honoured too but, as in ``helm env``, printed only
#: as HELMPY_DRIVER.
HELM_SHOWN = ("BIN", "BURST_LIMIT", "CACHE_HOME", "CONFIG_HOME", "CONTENT_CACHE", "DATA_HOME", "DEBUG",
              "KUBEAPISERVER", "KUBEASGROUPS", "KUBEASUSER", "KUBECAFILE", "KUBECONTEXT",
              "KUBEINSECURE_SKIP_TLS_VERIFY",
              "KUBETLS_SERVER_NAME", "KUBETOKEN", "MAX_HISTORY", "NAMESPACE", "PLUGINS", "QPS", "REGISTRY_CONFIG",
              "REPOSITORY_CACHE", "REPOSITORY_CONFIG")
DEFAULT_MAX_HISTORY = 10


def helm_bin() -> str:
    """A path that runs this helmpy (``HELM_BIN``, which plugins call back): argv[0] when it is the ``helmpy``
    executable, else a two-line launcher script under the cache home running this interpreter with
    ``-m helmpy`` (``python -m helmpy``, or helmpy run in-process), rewritten only when it differs."""
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


def _cluster() -> dict[str, str]:
    """HELMPY_CLUSTER and HELMPY_KUBECONFIG as a command would choose them (without connecting)."""
    from helmpy.kube.factory import select

    try:
        chosen = select(kubeconfig=settings.get("KUBECONFIG"))
    except HelmpyError as err:  # env still prints; the value says why no cluster can be used
        return {"CLUSTER": "", "KUBECONFIG": f"({err.message})"}
    return {"CLUSTER": f"local:{chosen.embedded}" if chosen.embedded else "",
            "KUBECONFIG": os.pathsep.join(str(p) for p in chosen.kubeconfig)}


def helm_values() -> dict[str, str]:
    """The :data:`HELM_SHOWN` settings by key, with helmpy's values (what plugins get as ``HELM_<KEY>``)."""
    from helmpy.kube import ratelimit
    from helmpy.kube.impersonation import groups_setting

    return {
        "BIN": helm_bin(),
        "BURST_LIMIT": str(ratelimit.burst_limit()),
        "CACHE_HOME": str(paths.cache_home()),
        "CONFIG_HOME": str(paths.config_home()),
        "CONTENT_CACHE": str(paths.content_cache()),
        "DATA_HOME": str(paths.data_home()),
        "DEBUG": "true" if settings.flag("DEBUG") else "false",
        "KUBEAPISERVER": settings.get("KUBEAPISERVER", "") or "",
        "KUBEASGROUPS": ",".join(groups_setting(settings.get("KUBEASGROUPS"))),
        "KUBEASUSER": settings.get("KUBEASUSER", "") or "",
        "KUBECAFILE": settings.get("KUBECAFILE", "") or "",
        "KUBECONTEXT": settings.get("KUBECONTEXT", "") or "",
        "KUBEINSECURE_SKIP_TLS_VERIFY": "true" if settings.flag("KUBEINSECURE_SKIP_TLS_VERIFY") else "false",
        "KUBETLS_SERVER_NAME": settings.get("KUBETLS_SERVER_NAME", "") or "",
        "KUBETOKEN": settings.get("KUBETOKEN", "") or "",
        "MAX_HISTORY": str(settings.integer("MAX_HISTORY", DEFAULT_MAX_HISTORY)),
        "NAMESPACE": settings.get("NAMESPACE", "default") or "default",
        "PLUGINS": os.pathsep.join(str(p) for p in paths.plugin_dirs()),
        "QPS": f"{ratelimit.qps():.2f}",
        "REGISTRY_CONFIG": str(paths.registry_config()),
        "REPOSITORY_CACHE": str(paths.repository_cache()),
        "REPOSITORY_CONFIG": str(paths.repository_config()),
    }


def helm_env_vars() -> dict[str, str]:
    """Helm's ``EnvVars()`` as helmpy honours it: ``HELM_<KEY>`` for :data:`HELM_SHOWN`, and ``KUBECONFIG``
    when a kubeconfig was named (``--kubeconfig`` / ``HELMPY_KUBECONFIG``). This is what a plugin is handed."""
    out = {f"{settings.HELM_PREFIX}{k}": v for k, v in helm_values().items()}
    kubeconfig = settings.get("KUBECONFIG")
    if kubeconfig:
        out["KUBECONFIG"] = kubeconfig
    return out


def values() -> dict[str, str]:
    """Every printed setting by key (the part after ``HELM_``/``HELMPY_``)."""
    out = helm_values()
    out["DRIVER"] = settings.get("DRIVER", "secret") or "secret"
    out.update(_cluster())
    return out


def environment() -> dict[str, str]:
    """``HELM_<KEY>`` for :data:`HELM_SHOWN`, then ``HELMPY_<KEY>`` for every key, each group sorted."""
    vals = values()
    helm = {f"{settings.HELM_PREFIX}{k}": vals[k] for k in sorted(HELM_SHOWN)}
    own = {f"{settings.PREFIX}{k}": v for k, v in sorted(vals.items())}
    return {**helm, **own}


def lookup(name: str) -> str:
    """One variable's value (``helmpy env HELM_NAMESPACE``); an unknown name is a usage error listing the rest."""
    env = environment()
    if name not in env:
        raise UsageError(f"unknown variable {name!r}", hint="run `helmpy env` for the list")
    return env[name]
