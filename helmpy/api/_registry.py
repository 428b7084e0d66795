"""The OCI registry use cases: registry login and logout (the credentials go to the registry config.json)."""

from __future__ import annotations

import os

from helmpy.api._session import PathLike, Session, Timeout, seconds


class RegistryMethods:
    """Registry commands (mixed into :class:`helmpy.Client`); they read and write the Client's
    ``registry_config``."""

    _session: Session

    def registry_login(self, host: str, *, username: str = "", password: str = "", insecure: bool = False,
                       plain_http: bool = False, ca_file: PathLike = "", cert_file: PathLike = "",
                       key_file: PathLike = "", timeout: Timeout = 120.0) -> str:
        """Check ``username``/``password`` (no username: ``password`` is an identity token) against the registry
        at ``host`` and store them (``helmpy registry login``); returns the registry host they were stored for.
        Rejected credentials raise :class:`helmpy.RegistryAuthError` and store nothing."""
        from helmpy.registry.client import RegistryOptions
        from helmpy.registry.credentials import Credential
        from helmpy.registry.login import login

        options = RegistryOptions(plain_http=plain_http, ca_file=os.fspath(ca_file),
                                  cert_file=os.fspath(cert_file), key_file=os.fspath(key_file),
                                  insecure_skip_tls_verify=insecure, timeout=seconds(timeout))
        with self._session.scope():
            return login(host, Credential(username, password), options, self._session.notice)

    def registry_logout(self, host: str) -> str:
        """Forget the stored credentials of the registry at ``host`` (``helmpy registry logout``); returns the
        registry host. A host with none stored is no error (as in Helm)."""
        from helmpy.registry.client import RegistryOptions
        from helmpy.registry.login import logout

        with self._session.scope():
            return logout(host, RegistryOptions(), self._session.notice)
