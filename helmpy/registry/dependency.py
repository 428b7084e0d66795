"""``repository: oci://host/path`` dependencies: the versions a registry holds, and pulling one for charts/.

Helm's rules (``pkg/resolver``, ``pkg/downloader/manager.go``): the chart lives at
``<repository>/<name>``; a range is matched against the repository's strict-SemVer tags (``_`` read as
``+``, highest first), a plain version is used as the tag without listing them; the archive is saved
as ``<name>-<version>.tgz``. One client per registry host is kept for the run, so its session and
Bearer tokens serve every dependency there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from helmpy.registry import reference
from helmpy.registry.client import RegistryClient, RegistryOptions
from helmpy.registry.pull import Pulled, pull_chart, semver_tags

if TYPE_CHECKING:
    from helmpy.chart.model import Dependency

logger = logging.getLogger(__name__)


def chart_reference(dep: Dependency) -> str:
    """``oci://host/path/name`` for a dependency (Helm: ``repository + "/" + name``)."""
    return f"{dep.repository.rstrip('/')}/{dep.name}"


class OciDependencies:
    """The registries a ``dependency update/build`` run talks to."""

    def __init__(self, options: RegistryOptions, notice: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.notice = notice
        self._clients: dict[str, RegistryClient] = {}

    def _client(self, registry: str) -> RegistryClient:
        if registry not in self._clients:
            self._clients[registry] = RegistryClient(registry, self.options)
        return self._clients[registry]

    def versions(self, dep: Dependency) -> list[str]:
        """The chart versions the registry has for ``dep``, highest first (Helm's ``Tags``)."""
        ref = reference.parse(chart_reference(dep))
        found = semver_tags(self._client(ref.registry).tags(ref.repository))
        logger.debug("oci tags ref=%s versions=%d", ref, len(found))
        return found

    def pull(self, dep: Dependency) -> Pulled:
        """Pull the locked version of ``dep`` (digest-checked) into the content cache."""
        ref = reference.parse(chart_reference(dep))
        return pull_chart(chart_reference(dep), dep.version, False, self.options, self.notice, progress=False,
                          client=self._client(ref.registry))

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


__all__ = ["OciDependencies", "chart_reference"]
