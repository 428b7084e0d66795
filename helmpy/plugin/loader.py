"""Finding installed plugins: every ``<plugin dir>/*/plugin.yaml``, as Helm's ``LoadAllDir`` does.

A plugin whose plugin.yaml is broken is skipped with a warning (one bad plugin must not break helmpy, nor the
other plugins), as Helm skips it; two plugins claiming one name is an error naming both directories.
"""

from __future__ import annotations

import logging
from pathlib import Path

from helmpy import paths
from helmpy.errors import PluginError
from helmpy.plugin.manifest import PLUGIN_FILE, Plugin, load_dir

logger = logging.getLogger(__name__)


def _candidates(directory: Path) -> list[Path]:
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [e for e in entries if not e.name.startswith(".") and (e / PLUGIN_FILE).is_file()]


def load_all(dirs: list[Path] | None = None, kind: str = "") -> list[Plugin]:
    """Every loadable plugin in ``dirs`` (default: the plugin directories), optionally of one ``kind``."""
    found: list[Plugin] = []
    seen: dict[str, Path] = {}
    for directory in dirs if dirs is not None else paths.plugin_dirs():
        for candidate in _candidates(directory):
            try:
                plugin = load_dir(candidate)
            except PluginError as err:
                logger.warning("failed to load plugin (ignoring) plugin_yaml=%s error=%s",
                               candidate / PLUGIN_FILE, err.message)
                continue
            if plugin.name in seen:
                raise PluginError(f'two plugins claim the name "{plugin.name}" at "{seen[plugin.name]}" and '
                                  f'"{candidate}"')
            seen[plugin.name] = candidate
            if not kind or plugin.manifest.type == kind:
                found.append(plugin)
    return found


def find(name: str, kind: str = "") -> Plugin | None:
    """The installed plugin called ``name`` (of ``kind`` when given), or None."""
    return next((p for p in load_all(kind=kind) if p.name == name), None)
