"""Pick the release storage driver like Helm's ``HELM_DRIVER`` switch (``pkg/action/action.go``)."""

from __future__ import annotations

from helmpy import settings
from helmpy.errors import StorageError
from helmpy.kube.client import KubeClient
from helmpy.storage.driver import Driver

DRIVER_ENV = "HELMPY_DRIVER"  # or HELM_DRIVER (helmpy.settings)
SQL_DSN_ENV = "HELMPY_DRIVER_SQL_CONNECTION_STRING"  # or HELM_DRIVER_SQL_CONNECTION_STRING


def make_driver(name: str | None, kube: KubeClient | None, namespace: str) -> Driver:
    """``secret(s)`` (default), ``configmap(s)``, ``memory`` or ``sql``; ``name`` None reads HELMPY_DRIVER.

    Secret/ConfigMap drivers need ``kube`` (the default cluster is used when it is None); ``sql``
    reads its DSN from HELMPY_DRIVER_SQL_CONNECTION_STRING.
    """
    choice = (name if name is not None else settings.get("DRIVER") or "").strip().lower()
    if choice in ("", "secret", "secrets", "configmap", "configmaps"):
        if kube is None:
            from helmpy.kube.factory import make_kube_client
            kube = make_kube_client()
        if choice.startswith("configmap"):
            from helmpy.storage.configmaps import ConfigMapsDriver
            return ConfigMapsDriver(kube, namespace)
        from helmpy.storage.secrets import SecretsDriver
        return SecretsDriver(kube, namespace)
    if choice == "memory":
        from helmpy.storage.memory import MemoryDriver
        return MemoryDriver(namespace)
    if choice == "sql":
        dsn = settings.get("DRIVER_SQL_CONNECTION_STRING", "")
        if not dsn:
            raise StorageError(f"the sql driver needs a connection string in {SQL_DSN_ENV}")
        from helmpy.storage.sql import SQLDriver
        return SQLDriver(dsn, namespace)
    raise StorageError(f'unknown driver "{choice}"', hint="use secret, configmap, memory or sql")
