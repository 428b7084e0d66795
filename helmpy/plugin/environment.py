"""The environment a plugin runs in: the caller's, plus Helm's ``HELM_*`` settings as helmpy sees them.

Helm hands every plugin ``settings.EnvVars()`` (``HELM_BIN``, ``HELM_NAMESPACE``, ``HELM_KUBECONTEXT``,
``HELM_DEBUG``, ``HELM_PLUGINS``, ``HELM_REPOSITORY_CONFIG``, ...) and ``HELM_PLUGIN_NAME``/``HELM_PLUGIN_DIR``;
the values are those ``helmpy env`` prints (:func:`helmpy.action.env.helm_env_vars`), so plugins calling
``$HELM_BIN`` back run this helmpy with the same settings.
"""

from __future__ import annotations

from collections.abc import Mapping

from helmpy import settings
from helmpy.action.env import helm_env_vars
from helmpy.plugin.manifest import Plugin


def plugin_env(plugin: Plugin, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment for one run of ``plugin``, built explicitly: the caller's (the settings in effect -
    the CLI's environment with its flags, or a Client's), helmpy's ``HELM_*`` settings, ``extra``
    (settings from the plugin's command line, a downloader's credentials), then the plugin's name and directory."""
    env = dict(settings.environ())
    env.update(helm_env_vars())
    env.update(extra or {})
    env["HELM_PLUGIN_NAME"] = plugin.name
    env["HELM_PLUGIN_DIR"] = str(plugin.directory)
    return env
