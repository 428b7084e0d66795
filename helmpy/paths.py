"""Where helmpy keeps its files: XDG directories, overridden like Helm's (``HELMPY_*``, else ``HELM_*``; see
:mod:`helmpy.settings`).

:mod:`pathlib` is imported on the first call that returns a :class:`~pathlib.Path`: the ``*_dir`` functions
(plain strings) serve the start-up path of ``helmpy --help`` (:mod:`helmpy.cli.fastpath`), which does without it.
"""

from __future__ import annotations

import os

from helmpy import settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


def _home_dir(key: str, xdg: str, fallback: str) -> str:
    """``HELMPY_<key>`` / ``HELM_<key>``, else ``$<xdg>/helmpy`` (``$<xdg>`` unset: ``~/<fallback>``)."""
    value = settings.get(key)
    if value:
        return value
    base = settings.environ().get(xdg) or os.path.join(os.path.expanduser("~"), fallback)
    return os.path.join(base, "helmpy")


def _setting(key: str) -> Path | None:
    value = settings.get(key)
    return _path(value) if value else None


def config_home() -> Path:
    """``HELMPY_CONFIG_HOME`` / ``HELM_CONFIG_HOME``, else ``$XDG_CONFIG_HOME/helmpy``."""
    return _path(_home_dir("CONFIG_HOME", "XDG_CONFIG_HOME", ".config"))


def cache_home_dir() -> str:
    """:func:`cache_home` as a string."""
    return _home_dir("CACHE_HOME", "XDG_CACHE_HOME", ".cache")


def cache_home() -> Path:
    """``HELMPY_CACHE_HOME`` / ``HELM_CACHE_HOME``, else ``$XDG_CACHE_HOME/helmpy``."""
    return _path(cache_home_dir())


def data_home() -> Path:
    """``HELMPY_DATA_HOME`` / ``HELM_DATA_HOME``, else ``$XDG_DATA_HOME/helmpy``."""
    return _path(_home_dir("DATA_HOME", "XDG_DATA_HOME", ".local/share"))


def repository_config() -> Path:
    """repositories.yaml (``HELMPY_REPOSITORY_CONFIG`` / ``HELM_REPOSITORY_CONFIG`` override)."""
    return _setting("REPOSITORY_CONFIG") or config_home() / "repositories.yaml"


def repository_cache() -> Path:
    """Cached repository indexes (``HELMPY_REPOSITORY_CACHE`` / ``HELM_REPOSITORY_CACHE`` override)."""
    return _setting("REPOSITORY_CACHE") or cache_home() / "repository"


def content_cache() -> Path:
    """Downloaded charts, content-addressed (``HELMPY_CONTENT_CACHE`` / ``HELM_CONTENT_CACHE`` override)."""
    return _setting("CONTENT_CACHE") or cache_home() / "content"


def embedded_cluster_db() -> Path:
    """Default SQLite file of the embedded cluster."""
    return data_home() / "cluster.db"


def registry_config() -> Path:
    """OCI registry credentials, Docker's config.json format (``HELMPY_REGISTRY_CONFIG`` / ``HELM_REGISTRY_CONFIG``)."""
    return _setting("REGISTRY_CONFIG") or config_home() / "registry" / "config.json"


def docker_config() -> Path:
    """Docker's own config.json (``DOCKER_CONFIG`` names its directory), read as a credentials fallback."""
    override = settings.environ().get("DOCKER_CONFIG")
    return _path(override or os.path.join(os.path.expanduser("~"), ".docker")) / "config.json"


def known_blobs_file() -> Path:
    """Where pushed and pulled OCI blobs were seen, per registry: the cross-repository mount hints."""
    return cache_home() / "registry" / "blobs.json"


def plugin_dirs() -> list[Path]:
    """Where plugins live: ``HELMPY_PLUGINS``, else ``HELM_PLUGINS`` (both a path list, like Helm's), else
    ``<data home>/plugins``. The first directory is where ``plugin install`` puts new plugins."""
    return [_path(d) for d in plugin_dir_names()]


def plugin_dir_names() -> list[str]:
    """:func:`plugin_dirs` as strings."""
    raw = settings.get("PLUGINS") or ""
    return [p for p in raw.split(os.pathsep) if p] or [
        os.path.join(_home_dir("DATA_HOME", "XDG_DATA_HOME", ".local/share"), "plugins")]


def plugins_installed() -> bool:
    """True when some plugin directory holds a ``*/plugin.yaml`` (a few stat calls; nothing is parsed)."""
    for directory in plugin_dir_names():
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        if any(os.path.isfile(os.path.join(directory, e, "plugin.yaml")) for e in entries):
            return True
    return False
