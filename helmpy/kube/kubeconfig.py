"""Where a real cluster is and how to authenticate to it, resolved like kubectl and Helm do.

Sources, in order: an explicit ``--kubeconfig`` file; else ``KUBECONFIG`` (several files, merged with
the first file winning for each named cluster/user/context and for ``current-context``); else
``~/.kube/config``; else, inside a Pod, the service account (``KUBERNETES_SERVICE_HOST`` + the mounted
token and CA). Command-line overrides (server, token, CA file, insecure TLS, namespace) are applied
last. The official ``kubernetes`` package does the credential work (client certificates, tokens,
token files, exec credential plugins as used by EKS/GKE/AKS); this module is imported only when a
real cluster is used.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from helmpy import settings, yamlutil
from helmpy.errors import ClusterUnreachable, KubeConfigError
from helmpy.redact import redact_url

logger = logging.getLogger(__name__)

SERVICEACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
IN_CLUSTER = "in-cluster"


@dataclass(frozen=True)
class Overrides:
    """kubectl/Helm's connection flags (``--kube-apiserver``, ``--kube-token``, ...); None keeps the kubeconfig's."""

    apiserver: str | None = None
    token: str | None = None
    ca_file: str | None = None
    insecure_skip_tls_verify: bool | None = None
    tls_server_name: str | None = None
    namespace: str | None = None


@dataclass
class Connection:
    """A ready ``kubernetes.client.Configuration`` plus what messages need to say where it points."""

    configuration: Any
    server: str
    context: str
    namespace: str
    sources: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``context "kind-dev" (server https://..., kubeconfig a.yaml:b.yaml)`` for errors and logs."""
        where = f"kubeconfig {os.pathsep.join(self.sources)}" if self.sources else "service account"
        return f'context "{self.context}" (server {redact_url(self.server)}, {where})'


def default_kubeconfig() -> Path:
    """``~/.kube/config`` (``HOME`` decides, as for kubectl)."""
    return Path.home() / ".kube" / "config"


def _unreadable(path: Path) -> str | None:
    """Why an existing kubeconfig cannot be read, in Go's wording (``read X: is a directory``), or None."""
    if path.is_dir():
        return f'error loading config file "{path}": read {path}: is a directory'
    try:
        with path.open("rb"):
            pass
    except OSError as err:
        reason = os.strerror(err.errno).lower() if err.errno else str(err)
        return f'error loading config file "{path}": open {path}: {reason}'
    return None


def kubeconfig_files(kubeconfig: str | None = None, environ: Mapping[str, str] | None = None) -> list[Path]:
    """The kubeconfig files to merge, in precedence order; only files that exist.

    Like client-go, entries of ``KUBECONFIG`` that do not exist are skipped; an explicit ``--kubeconfig``
    that does not exist, or any existing file that cannot be read, raises :class:`ClusterUnreachable`.
    """
    if kubeconfig:
        path = Path(kubeconfig).expanduser()
        if not path.exists():
            raise ClusterUnreachable(f"{ClusterUnreachable.PREFIX}stat {kubeconfig}: no such file or directory")
        candidates = [path]
    else:
        env = (settings.environ() if environ is None else environ).get("KUBECONFIG")
        candidates = [Path(p).expanduser() for p in env.split(os.pathsep) if p] if env else [default_kubeconfig()]
    found = [p for p in candidates if p.exists()]
    for path in found:
        reason = _unreadable(path)
        if reason:
            raise ClusterUnreachable(ClusterUnreachable.PREFIX + reason)
    return found


def configured_but_missing(environ: Mapping[str, str] | None = None) -> ClusterUnreachable | None:
    """The error for a ``KUBECONFIG`` that names files none of which exists, or None.

    Helm then talks to ``localhost:8080`` and fails with ``kubernetes cluster unreachable``; helmpy says
    which file is missing. Either way the embedded cluster is never used by surprise.
    """
    entries = [p for p in ((settings.environ() if environ is None else environ).get("KUBECONFIG") or "").split(os.pathsep)
               if p]
    if not entries:
        return None
    return ClusterUnreachable(f"{ClusterUnreachable.PREFIX}stat {entries[0]}: no such file or directory "
                              f"(KUBECONFIG={os.pathsep.join(entries)})",
                              hint="unset KUBECONFIG to use helmpy's embedded cluster, or point it at a kubeconfig")


def _read(path: Path) -> dict[str, Any]:
    doc = yamlutil.load(path.read_text(), f"kubeconfig {path}", KubeConfigError)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KubeConfigError(f"kubeconfig {path}: expected a map at the top level")
    return doc


def _names(docs: list[dict[str, Any]], section: str) -> list[str]:
    seen: list[str] = []
    for doc in docs:
        for item in doc.get(section) or []:
            if isinstance(item, dict) and item.get("name") and item["name"] not in seen:
                seen.append(str(item["name"]))
    return seen


def _first(docs: list[dict[str, Any]], section: str, name: str) -> dict[str, Any] | None:
    for doc in docs:
        for item in doc.get(section) or []:
            if isinstance(item, dict) and item.get("name") == name:
                return item
    return None


def _apply_overrides(cfg: Any, overrides: Overrides) -> None:
    if overrides.apiserver:
        cfg.host = overrides.apiserver.rstrip("/")
    if overrides.token:
        cfg.api_key = {"BearerToken": f"Bearer {overrides.token}"}
        cfg.refresh_api_key_hook = None
    if overrides.ca_file:
        if not Path(overrides.ca_file).is_file():
            raise KubeConfigError(f"--kube-ca-file {overrides.ca_file}: no such file")
        cfg.ssl_ca_cert = overrides.ca_file
        cfg.verify_ssl = True
    if overrides.insecure_skip_tls_verify is not None:
        cfg.verify_ssl = not overrides.insecure_skip_tls_verify
    if overrides.tls_server_name:
        cfg.tls_server_name = overrides.tls_server_name


def _server_url(cfg: Any, where: str) -> str:
    """The API server URL, ``https://`` added when no scheme is given (kubectl does so for TLS clusters)."""
    url = str(cfg.host or "").rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        raise KubeConfigError(f"{where}: server {cfg.host!r} is not an http(s) URL",
                              hint="e.g. https://127.0.0.1:6443")
    cfg.host = url
    return url


def _new_configuration() -> Any:
    from kubernetes.client import Configuration

    cfg = Configuration()
    cfg.retries = False  # helmpy.kube.retry decides what to repeat
    return cfg


def load(kubeconfig: str | None = None, context: str | None = None, overrides: Overrides = Overrides(),
         *, environ: Mapping[str, str] | None = None, serviceaccount_dir: Path = SERVICEACCOUNT_DIR) -> Connection:
    """Resolve the connection; KubeConfigError says which file/context/key is wrong."""
    environ = settings.environ() if environ is None else environ
    files = kubeconfig_files(kubeconfig, environ)
    if not files:
        if environ.get("KUBERNETES_SERVICE_HOST"):
            return _in_cluster(overrides, environ, serviceaccount_dir)
        if overrides.apiserver:
            cfg = _new_configuration()
            _apply_overrides(cfg, overrides)
            return Connection(cfg, _server_url(cfg, "--kube-apiserver"), "(flags)", overrides.namespace or "default")
        raise KubeConfigError("no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster",
                              hint="pass --kubeconfig FILE or set KUBECONFIG")
    docs = [_read(p) for p in files]
    name = context or next((str(d["current-context"]) for d in docs if d.get("current-context")), "")
    where = os.pathsep.join(str(p) for p in files)
    if not name:
        raise KubeConfigError(f"kubeconfig {where}: no current-context is set",
                              hint="pass --kube-context NAME (contexts: "
                                   f"{', '.join(_names(docs, 'contexts')) or 'none'})")
    ctx = _first(docs, "contexts", name)
    if ctx is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" not found',
                              hint=f"contexts: {', '.join(_names(docs, 'contexts')) or 'none'}")
    body = ctx.get("context") or {}
    cluster_name = body.get("cluster")
    cluster = _first(docs, "clusters", str(cluster_name)) if cluster_name else None
    if cluster is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" refers to cluster "{cluster_name or ""}", '
                              "which is not defined")
    if not (cluster.get("cluster") or {}).get("server") and not overrides.apiserver:
        raise KubeConfigError(f'kubeconfig {where}: cluster "{cluster_name}" has no server')
    if body.get("user") and _first(docs, "users", str(body["user"])) is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" refers to user "{body["user"]}", '
                              "which is not defined")

    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader, KubeConfigMerger

    cfg = _new_configuration()
    try:
        merged = KubeConfigMerger(where)
        loader = KubeConfigLoader(config_dict=merged.config, active_context=name, config_base_path=None)
        loader.load_and_set(cfg)
    except ConfigException as err:
        raise KubeConfigError(f'kubeconfig {where}, context "{name}": {err}') from err
    except OSError as err:  # an exec plugin or certificate file that cannot be run/read
        raise KubeConfigError(f'kubeconfig {where}, context "{name}": {err}') from err
    _apply_overrides(cfg, overrides)
    _server_url(cfg, "--kube-apiserver" if overrides.apiserver else f'kubeconfig {where}, cluster "{cluster_name}"')
    namespace = overrides.namespace or str(body.get("namespace") or "") or "default"
    logger.debug("kubeconfig %s context=%s server=%s namespace=%s", where, name, redact_url(cfg.host), namespace)
    return Connection(cfg, cfg.host, name, namespace, [str(p) for p in files])


def _in_cluster(overrides: Overrides, environ: Mapping[str, str], sa_dir: Path) -> Connection:
    """The Pod's service account: token and CA mounted at ``sa_dir``, server from the environment."""
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import InClusterConfigLoader

    cfg = _new_configuration()
    try:
        InClusterConfigLoader(str(sa_dir / "token"), str(sa_dir / "ca.crt"), environ=dict(environ)).load_and_set(cfg)
    except (ConfigException, OSError) as err:
        raise KubeConfigError(f"in-cluster configuration ({sa_dir}): {err}") from err
    _apply_overrides(cfg, overrides)
    _server_url(cfg, "--kube-apiserver" if overrides.apiserver else "in-cluster configuration")
    ns_file = sa_dir / "namespace"
    namespace = overrides.namespace or (ns_file.read_text().strip() if ns_file.is_file() else "") or "default"
    return Connection(cfg, cfg.host, IN_CLUSTER, namespace)


def context_names(kubeconfig: str | None = None) -> list[str]:
    """The context names of the kubeconfig files in use (for shell completion), in file order."""
    docs = [_read(p) for p in kubeconfig_files(kubeconfig) if p.is_file()]
    return _names(docs, "contexts")
