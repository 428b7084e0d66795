"""``registry login`` / ``registry logout``: check credentials against a registry, then store or forget them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from helmpy.errors import RegistryError
from helmpy.registry import credentials, reference
from helmpy.registry.client import RegistryClient, RegistryOptions
from helmpy.registry.credentials import Credential

logger = logging.getLogger(__name__)


def login(host_arg: str, cred: Credential, options: RegistryOptions, out: Callable[[str], None] = print) -> str:
    """Ping ``/v2/`` with ``cred`` (answering basic or Bearer challenges); store it only when accepted. Returns the
    registry host it was stored for."""
    host = reference.registry_host(host_arg)
    if "/" in host_arg.removeprefix("oci://").split("://")[-1]:
        logger.warning("registry login currently only supports registry hostname, not a repository path "
                       "host=%s suggested=%s", host_arg, host)
    if not cred.password:
        raise RegistryError("password required" if cred.username else "token required")
    checked = RegistryOptions(plain_http=options.plain_http, ca_file=options.ca_file, cert_file=options.cert_file,
                              key_file=options.key_file, insecure_skip_tls_verify=options.insecure_skip_tls_verify,
                              timeout=options.timeout, username=cred.username or "<token>",
                              password=cred.password, registry_config=options.registry_config)
    with RegistryClient(host, checked) as client:
        client.ping()
    credentials.store(host, Credential(cred.username or "<token>", cred.password), options.registry_config)
    out("Login Succeeded")
    return host


def logout(host_arg: str, options: RegistryOptions, out: Callable[[str], None] = print) -> str:
    """Forget the stored credentials of ``host_arg``'s registry; returns its host."""
    host = reference.registry_host(host_arg)
    removed = credentials.erase(host, options.registry_config)
    logger.debug("registry logout host=%s removed=%s", host, removed)
    out(f"Removing login credentials for {host}")
    return host
