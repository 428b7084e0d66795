"""What a Client's installation has besides charts and releases: its settings (``env``) and plugins."""

from __future__ import annotations

from helmpy.api import results
from helmpy.api._session import Session


class InstallationMethods:
    """``env`` and ``plugin list`` (mixed into :class:`helmpy.Client`)."""

    _session: Session

    def env(self) -> dict[str, str]:
        """Every setting as ``helmpy env`` prints it: Helm's ``HELM_*`` names, then helmpy's ``HELMPY_*``, with
        this Client's values (its arguments, else the environment, else the defaults)."""
        from helmpy.action import env

        with self._session.scope():
            return env.environment()

    def env_var(self, name: str) -> str:
        """One of :meth:`env` (``"HELM_NAMESPACE"``); a name it does not list raises :class:`helmpy.UsageError`."""
        from helmpy.action import env

        with self._session.scope():
            return env.lookup(name)

    def plugin_list(self, *, type: str = "") -> list[results.Plugin]:  # Helm's --type
        """The installed plugins (``helmpy plugin list``), optionally only those of one ``type``
        (``cli/v1``, ``getter/v1``, ``postrenderer/v1``)."""
        from helmpy.plugin.installer import provenance_status
        from helmpy.plugin.loader import load_all

        with self._session.scope():
            return [results.Plugin(p.name, p.manifest.version, p.manifest.type, p.manifest.api_version,
                                   provenance_status(p), p.manifest.source_url or "unknown")
                    for p in load_all(kind=type)]
