"""What a Client's installation has besides charts and releases: its settings (``env``) and plugins."""

from __future__ import annotations

import os
from collections.abc import Iterable

from helmpy.api import results
from helmpy.api._session import PathLike, Session, path_text


class InstallationMethods:
    """``env`` and the ``plugin`` commands (mixed into :class:`helmpy.Client`)."""

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

    def plugin_install(self, source: PathLike, *, version: str = "", verify: bool = True,
                       keyring: PathLike | None = None, username: str = "", password: str = "", ca_file: str = "",
                       cert_file: str = "", key_file: str = "", insecure_skip_tls_verify: bool = False,
                       plain_http: bool = False, reserved_names: Iterable[str] = ()) -> results.InstalledPlugin:
        """Install a plugin (``helmpy plugin install``) from a local directory (linked), a ``.tgz`` path or
        ``http(s)://`` URL, an ``oci://`` reference or a git repository (``version``: a ref or a SemVer constraint
        over its tags). A tarball's ``.prov`` signature is checked against ``keyring`` unless ``verify=False``.
        The TLS and credential keywords reach registries and tarball downloads. ``reserved_names``: names the
        plugin may not take (the CLI passes its own commands). The install hook runs; a failing one undoes the
        install and raises :class:`helmpy.PluginError`. Progress lines go to ``on_notice``."""
        from helmpy.action.chartref import RemoteOptions
        from helmpy.plugin.installer import InstallOptions, install

        remote = RemoteOptions(username=username, password=password, ca_file=ca_file, cert_file=cert_file,
                               key_file=key_file, insecure_skip_tls_verify=insecure_skip_tls_verify,
                               plain_http=plain_http)
        opts = InstallOptions(os.fspath(source), version, verify, path_text(keyring),
                              frozenset(reserved_names), remote)
        with self._session.scope():
            return results.InstalledPlugin.of(install(opts, self._session.notice))

    def plugin_uninstall(self, *names: str) -> list[results.InstalledPlugin]:
        """Uninstall plugins by name (``helmpy plugin uninstall``; each delete hook runs first): the plugins
        removed. A name not installed or a failing hook raises :class:`helmpy.PluginError` once the others are
        done. Each ``Uninstalled plugin: NAME`` goes to ``on_notice``."""
        from helmpy.plugin.installer import uninstall

        with self._session.scope():
            return [results.InstalledPlugin.of(p) for p in uninstall(list(names), self._session.notice)]

    def plugin_update(self, *names: str) -> list[results.InstalledPlugin]:
        """Update plugins by name (``helmpy plugin update``: a git checkout is pulled, a linked directory is
        current; the update hook runs): the plugins as they are now. A name not installed or a failed update
        raises :class:`helmpy.PluginError` once the others are done."""
        from helmpy.plugin.installer import update

        with self._session.scope():
            return [results.InstalledPlugin.of(p) for p in update(list(names), self._session.notice)]

    def plugin_package(self, path: PathLike, *, destination: PathLike = ".", sign: bool = True, key: str = "",
                       keyring: PathLike | None = None, passphrase: str | None = None) -> results.PluginPackage:
        """Write the plugin directory ``path`` as ``destination/NAME-VERSION.tgz`` (``helmpy plugin package``),
        signed with ``key`` from the secret ``keyring`` (and ``passphrase``) into ``.tgz.prov`` unless
        ``sign=False``. What Helm prints (the unsigned warning, where it was saved) goes to ``on_notice``."""
        from pathlib import Path

        from helmpy.plugin.package import package

        with self._session.scope():
            archive = package(Path(path), Path(destination), self._session.notice, sign=sign, key=key,
                              keyring=path_text(keyring),
                              passphrase=passphrase if sign else None)
        prov = f"{archive}.prov"
        return results.PluginPackage(str(archive), prov if sign else None)

    def plugin_verify(self, path: PathLike, *, keyring: PathLike | None = None) -> results.PluginVerification:
        """Check a plugin tarball against ``PATH.prov`` and ``keyring`` (``helmpy plugin verify``); a bad or
        missing signature, or a directory, raises :class:`helmpy.PluginError`."""
        from pathlib import Path

        from helmpy.plugin.package import check

        with self._session.scope():
            return results.PluginVerification.of(
                check(Path(path), path_text(keyring)))
