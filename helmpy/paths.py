"""Where helmpy keeps its files: XDG directories, overridden like Helm's (``HELMPY_*``, else ``HELM_*``; see
:mod:`helmpy.settings`)."""

from __future__ import annotations

import os
from pathlib import Path

from helmpy import settings


def _xdg(var: str, fallback: str) -> Path:
    value = settings.environ().get(var)
    return Path(value) if value else Path.home() / fallback


def _setting(key: str) -> Path | None:
    value = settings.get(key)
    return Path(value) if value else None


def config_home() -> Path:
    """``HELMPY_CONFIG_HOME`` / ``HELM_CONFIG_HOME``, else ``$XDG_CONFIG_HOME/helmpy``."""
    return _setting("CONFIG_HOME") or _xdg("XDG_CONFIG_HOME", ".config") / "helmpy"


def cache_home() -> Path:
    """``HELMPY_CACHE_HOME`` / ``HELM_CACHE_HOME``, else ``$XDG_CACHE_HOME/helmpy``."""
    return _setting("CACHE_HOME") or _xdg("XDG_CACHE_HOME", ".cache") / "helmpy"


def data_home() -> Path:
    """``HELMPY_DATA_HOME`` / ``HELM_DATA_HOME``, else ``$XDG_DATA_HOME/helmpy``."""
    return _setting("DATA_HOME") or _xdg("XDG_DATA_HOME", ".local/share") / "helmpy"


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
    return (Path(override) if override else Path.home() / ".docker") / "config.json"


def known_blobs_file() -> Path:
    """Where pushed and pulled OCI blobs were seen, per registry: the cross-repository mount hints."""
    return cache_home() / "registry" / "blobs.json"


def plugin_dirs() -> list[Path]:
    """Where plugins live: ``HELMPY_PLUGINS``, else ``HELM_PLUGINS`` (both a path list, like Helm's), else
    ``<data home>/plugins``. The first directory is where ``plugin install`` puts new plugins."""
    raw = settings.get("PLUGINS") or ""
    dirs = [Path(p) for p in raw.split(os.pathsep) if p]
    return dirs or [data_home() / "plugins"]
