"""``helmpy env``: every setting's effective value, under Helm's ``HELM_*`` name and helmpy's ``HELMPY_*`` one.

Helm's ``helm env`` prints ``HELM_*`` lines that plugins and scripts read; helmpy prints the same keys (those it
honours, :data:`HELM_SHOWN`) with its own values, then its ``HELMPY_*`` settings, which include helmpy-only ones
(the cluster it will use, the kubeconfig files). Values come from :mod:`helmpy.settings` and :mod:`helmpy.paths`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from helmpy import paths, settings
from helmpy.errors import HelmpyError, UsageError

#: ``helm env`` keys helmpy honours (Helm's BURST_LIMIT, QPS, KUBEASUSER and KUBEASGROUPS it does not: docs/design.md);
#: HELM_DRIVER is honoured too but, as in ``helm env``, printed only as HELMPY_DRIVER.
HELM_SHOWN = ("BIN", "CACHE_HOME", "CONFIG_HOME", "CONTENT_CACHE", "DATA_HOME", "DEBUG", "KUBEAPISERVER",
              "KUBECAFILE", "KUBECONTEXT", "KUBEINSECURE_SKIP_TLS_VERIFY", "KUBETLS_SERVER_NAME", "KUBETOKEN",
              "MAX_HISTORY", "NAMESPACE", "PLUGINS", "REGISTRY_CONFIG", "REPOSITORY_CACHE", "REPOSITORY_CONFIG")
DEFAULT_MAX_HISTORY = 10


def helmpy_bin() -> str:
    """The command that runs this helmpy (``HELM_BIN`` for plugins): the script on PATH, else this interpreter's
    ``-m helmpy``."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "helmpy":
        return str(argv0.resolve()) if argv0.parent != Path() else shutil.which("helmpy") or str(argv0)
    return shutil.which("helmpy") or f"{sys.executable} -m helmpy"


def _cluster() -> dict[str, str]:
    """HELMPY_CLUSTER and HELMPY_KUBECONFIG as a command would choose them (without connecting)."""
    from helmpy.kube.factory import select

    try:
        chosen = select(kubeconfig=settings.get("KUBECONFIG"))
    except HelmpyError as err:  # env still prints; the value says why no cluster can be used
        return {"CLUSTER": "", "KUBECONFIG": f"({err.message})"}
    return {"CLUSTER": f"local:{chosen.embedded}" if chosen.embedded else "",
            "KUBECONFIG": os.pathsep.join(str(p) for p in chosen.kubeconfig)}


def values() -> dict[str, str]:
    """Every printed setting by key (the part after ``HELM_``/``HELMPY_``)."""
    max_history = settings.integer("MAX_HISTORY", DEFAULT_MAX_HISTORY)
    out = {
        "BIN": helmpy_bin(),
        "CACHE_HOME": str(paths.cache_home()),
        "CONFIG_HOME": str(paths.config_home()),
        "CONTENT_CACHE": str(paths.content_cache()),
        "DATA_HOME": str(paths.data_home()),
        "DEBUG": "true" if settings.flag("DEBUG") else "false",
        "DRIVER": settings.get("DRIVER", "secret") or "secret",
        "KUBEAPISERVER": settings.get("KUBEAPISERVER", "") or "",
        "KUBECAFILE": settings.get("KUBECAFILE", "") or "",
        "KUBECONTEXT": settings.get("KUBECONTEXT", "") or "",
        "KUBEINSECURE_SKIP_TLS_VERIFY": "true" if settings.flag("KUBEINSECURE_SKIP_TLS_VERIFY") else "false",
        "KUBETLS_SERVER_NAME": settings.get("KUBETLS_SERVER_NAME", "") or "",
        "KUBETOKEN": settings.get("KUBETOKEN", "") or "",
        "MAX_HISTORY": str(max_history),
        "NAMESPACE": settings.get("NAMESPACE", "default") or "default",
        "PLUGINS": str(paths.plugins_home()),
        "REGISTRY_CONFIG": str(paths.registry_config()),
        "REPOSITORY_CACHE": str(paths.repository_cache()),
        "REPOSITORY_CONFIG": str(paths.repository_config()),
    }
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
