"""What the plugin methods of :class:`helmpy.Client` return besides ``plugin_list``'s rows (:class:`Plugin`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from helmpy.api._chart_results import Verification
from helmpy.api.results import _Fields

if TYPE_CHECKING:
    from helmpy.plugin.manifest import Plugin


@dataclass(frozen=True)
class InstalledPlugin(_Fields):
    """A plugin ``plugin_install``, ``plugin_update`` or ``plugin_uninstall`` acted on, as plugin.yaml names it."""

    name: str
    version: str
    type: str  #: ``cli/v1``, ``getter/v1``, ``postrenderer/v1``
    directory: str  #: where it is installed (where it was, for an uninstalled one)

    @classmethod
    def of(cls, plugin: Plugin) -> InstalledPlugin:
        return cls(plugin.name, plugin.manifest.version, plugin.manifest.type, str(plugin.directory))


@dataclass(frozen=True)
class PluginPackage(_Fields):
    """``plugin_package``: the tarball written and its provenance file (None when not signed)."""

    path: str
    provenance: str | None


@dataclass(frozen=True)
class PluginVerification(Verification):
    """``plugin_verify``: who signed a plugin tarball's provenance file; ``lines()`` is what ``plugin verify``
    prints (the hash named ``Plugin Hash``)."""

    def lines(self) -> list[str]:
        from helmpy.plugin.package import lines

        return lines(self._checked)
