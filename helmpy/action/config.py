"""The one object every release action is given: storage, cluster, namespace, clock (Helm's ``action.Configuration``).

Actions never build their own backends; the CLI (or a test) builds a Configuration once, usually with
:meth:`Configuration.from_env`, and tests inject the memory driver, the embedded cluster and a frozen clock.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from helmpy import settings
from helmpy.redact import scrub_command
from helmpy.release.model import now

if TYPE_CHECKING:
    from helmpy.engine.context import Capabilities
    from helmpy.kube.client import KubeClient
    from helmpy.storage.storage import Storage

logger = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "default"
DEFAULT_TIMEOUT = 300.0


_CONNECTION_SETTINGS = {"apiserver": "KUBEAPISERVER", "token": "KUBETOKEN", "ca_file": "KUBECAFILE",
                        "tls_server_name": "KUBETLS_SERVER_NAME"}


def connection_settings() -> dict[str, Any]:
    """The API server overrides set in the environment (``HELMPY_KUBETOKEN``/``HELM_KUBETOKEN``, ...), for commands
    without the flags (``template --validate``) and for flags left out."""
    out: dict[str, Any] = {k: settings.get(key) for k, key in _CONNECTION_SETTINGS.items() if settings.get(key)}
    if settings.flag("KUBEINSECURE_SKIP_TLS_VERIFY"):
        out["insecure_skip_tls_verify"] = True
    if settings.get("KUBEASUSER"):
        out["as_user"] = settings.get("KUBEASUSER")
    if settings.get("KUBEASGROUPS"):
        from helmpy.kube.impersonation import groups_setting

        out["as_groups"] = groups_setting(settings.get("KUBEASGROUPS"))
    return out


@dataclass
class Configuration:
    """Shared dependencies of the release actions."""

    storage: Storage
    kube: KubeClient
    namespace: str = DEFAULT_NAMESPACE
    clock: Callable[[], datetime] = now
    capabilities: Capabilities | None = None  # read from the cluster on first use
    log: logging.Logger = field(default=logger)
    driver_name: str = "secret"
    command: str = field(default_factory=lambda: scrub_command(" ".join(["helmpy", *sys.argv[1:]])))

    @classmethod
    def from_env(cls, namespace: str | None = None, cluster: str | None = None, driver: str | None = None,
                 kubeconfig: str | None = None, context: str | None = None,
                 kube_overrides: dict[str, Any] | None = None, command: str | None = None,
                 notice: Callable[[str], None] | None = None, progress: TextIO | None = None) -> Configuration:
        """Build from flags, falling back to the NAMESPACE / CLUSTER / DRIVER settings
        (``HELMPY_*``, else Helm's ``HELM_*``; :mod:`helmpy.settings`).

        Without ``-n``, a real cluster's namespace comes from the kubeconfig context (like kubectl and Helm).
        ``command`` is what the release lock records as its holder's command (never flag values: the CLI
        passes ``helmpy.cli.holder.summarize``); without it, ``sys.argv`` through ``scrub_command``.
        ``notice`` and ``progress`` replace stderr for the embedded-cluster notice and wait progress
        (:func:`helmpy.kube.factory.make_kube_client`).
        """
        from helmpy.kube.factory import make_kube_client
        from helmpy.storage.factory import make_driver
        from helmpy.storage.storage import Storage

        cluster = cluster or settings.get("CLUSTER")
        driver_name = driver or settings.get("DRIVER") or "secret"
        kube = make_kube_client(cluster=cluster, kubeconfig=kubeconfig or settings.get("KUBECONFIG"),
                                context=context or settings.get("KUBECONTEXT"), notice=notice, progress=progress,
                                **{**connection_settings(), **(kube_overrides or {})})
        ns = (namespace or settings.get("NAMESPACE") or getattr(kube, "namespace", None)
              or DEFAULT_NAMESPACE)
        storage = Storage(make_driver(driver_name, kube, ns))
        logger.debug("configuration namespace=%s cluster=%s driver=%s", ns, cluster, driver_name)
        cfg = cls(storage=storage, kube=kube, namespace=ns, driver_name=driver_name)
        if command is not None:
            cfg.command = command
        return cfg

    def all_namespaces_storage(self) -> Storage:
        """A Storage over every namespace (``list -A``); same driver kind and cluster."""
        from helmpy.storage.factory import make_driver
        from helmpy.storage.storage import Storage

        return Storage(make_driver(self.driver_name, self.kube, ""))

    def get_capabilities(self) -> Capabilities:
        """Capabilities of the cluster (server version and API versions), read once."""
        if self.capabilities is None:
            from helmpy.engine.render import Capabilities

            self.capabilities = Capabilities(kube_version=self.kube.server_version(),
                                             api_versions=list(self.kube.api_versions()))
        return self.capabilities

    @property
    def record_size_limited(self) -> bool:
        """Records stored as Kubernetes objects must fit in one object (1 MiB)."""
        return self.driver_name.lower() in ("", "secret", "secrets", "configmap", "configmaps")
