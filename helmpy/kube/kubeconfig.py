"""Where a real cluster is and how to authenticate to it, resolved like kubectl and Helm do.

Sources, in order: an explicit ``--kubeconfig`` file; else ``KUBECONFIG`` (several files, merged with
the first file winning for each named cluster/user/context and for ``current-context``); else
``~/.kube/config``; else, inside a Pod, the service account (``KUBERNETES_SERVICE_HOST`` + the mounted
token and CA). Command-line overrides (server, token, CA file, insecure TLS, namespace) are applied
last. The result is a :class:`ClientConfig`: the server, how to check its certificate, a proxy, and the
user's :class:`~helmpy.kube.credentials.Credentials` (client certificates, tokens, token files, exec
credential plugins as used by EKS/GKE/AKS, OIDC). Relative paths in a kubeconfig are taken from the
directory of the file that defines the entry (client-go). This module is imported only when a real
cluster is used; it needs neither the ``kubernetes`` package nor urllib3.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmpy import settings, yamlutil
from helmpy.errors import ClusterUnreachable, KubeConfigError
from helmpy.kube import credentials as creds
from helmpy.kube.impersonation import Impersonation
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
    as_user: str | None = None  # --kube-as-user / HELM_KUBEASUSER
    as_groups: tuple[str, ...] | None = None  # --kube-as-group (repeated) / HELM_KUBEASGROUPS


@dataclass
class ClientConfig:
    """How to reach one API server: URL, TLS checks, proxy and the user's credentials."""

    host: str
    verify_ssl: bool = True
    ssl_ca_cert: str | None = None  # a CA file (certificate-authority, --kube-ca-file, the service account's)
    ca_data: bytes | None = None  # certificate-authority-data
    tls_server_name: str | None = None
    proxy: str | None = None  # proxy-url
    credentials: creds.Credentials = field(default_factory=creds.Credentials)
    impersonation: Impersonation = field(default_factory=Impersonation)  # as:, as-groups:, --kube-as-user, ...


@dataclass
class Connection:
    """A :class:`ClientConfig` plus what messages need to say where it points."""

    configuration: ClientConfig
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
    env = settings.environ() if environ is None else environ
    entries = [p for p in (env.get("KUBECONFIG") or "").split(os.pathsep) if p]
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
    for section in ("clusters", "users", "contexts"):
        if doc.get(section) is not None and not isinstance(doc[section], list):
            raise KubeConfigError(f"kubeconfig {path}: {section} must be a list")
    return doc


def _names(docs: list[dict[str, Any]], section: str) -> list[str]:
    seen: list[str] = []
    for doc in docs:
        for item in doc.get(section) or []:
            if isinstance(item, dict) and item.get("name") and item["name"] not in seen:
                seen.append(str(item["name"]))
    return seen


def _first(docs: list[dict[str, Any]], files: list[Path], section: str,
           name: str) -> tuple[dict[str, Any], Path] | None:
    """The first entry named ``name`` (client-go's merge: the first file wins) and the file it came from."""
    for doc, path in zip(docs, files, strict=True):
        for item in doc.get(section) or []:
            if isinstance(item, dict) and item.get("name") == name:
                return item, path
    return None


def _body(item: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """``item[key]`` (the ``cluster:``/``user:``/``context:`` map), {} when absent, an error when not a map."""
    body = item.get(key)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise KubeConfigError(f"{where}: {key} must be a map")
    return body


def _apply_overrides(cfg: ClientConfig, overrides: Overrides) -> None:
    if overrides.apiserver:
        cfg.host = overrides.apiserver.rstrip("/")
    if overrides.token:  # the flag beats every credential of the kubeconfig; a client certificate stays
        cfg.credentials = creds.StaticToken(overrides.token, cfg.credentials.client_cert())
    if overrides.ca_file:
        if not Path(overrides.ca_file).is_file():
            raise KubeConfigError(f"--kube-ca-file {overrides.ca_file}: no such file")
        cfg.ssl_ca_cert, cfg.ca_data = overrides.ca_file, None
        cfg.verify_ssl = True
    if overrides.insecure_skip_tls_verify is not None:
        cfg.verify_ssl = not overrides.insecure_skip_tls_verify
    if overrides.tls_server_name:
        cfg.tls_server_name = overrides.tls_server_name
    cfg.impersonation = cfg.impersonation.overridden(overrides.as_user, overrides.as_groups)


def _server_url(cfg: ClientConfig, where: str) -> str:
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


def load(kubeconfig: str | None = None, context: str | None = None, overrides: Overrides = Overrides(),
         *, environ: Mapping[str, str] | None = None, serviceaccount_dir: Path = SERVICEACCOUNT_DIR) -> Connection:
    """Resolve the connection; KubeConfigError says which file/context/key is wrong."""
    environ = settings.environ() if environ is None else environ
    files = kubeconfig_files(kubeconfig, environ)
    if not files:
        if environ.get("KUBERNETES_SERVICE_HOST"):
            return _in_cluster(overrides, environ, serviceaccount_dir)
        if overrides.apiserver:
            cfg = ClientConfig("")
            _apply_overrides(cfg, overrides)
            cfg.impersonation.check("--kube-as-group")
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
    found = _first(docs, files, "contexts", name)
    if found is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" not found',
                              hint=f"contexts: {', '.join(_names(docs, 'contexts')) or 'none'}")
    body = _body(found[0], "context", f'kubeconfig {found[1]}, context "{name}"')
    cluster_name = body.get("cluster")
    cluster_entry = _first(docs, files, "clusters", str(cluster_name)) if cluster_name else None
    if cluster_entry is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" refers to cluster "{cluster_name or ""}", '
                              "which is not defined")
    cluster_where = f'kubeconfig {cluster_entry[1]}, cluster "{cluster_name}"'
    cluster = _body(cluster_entry[0], "cluster", cluster_where)
    if not cluster.get("server") and not overrides.apiserver:
        raise KubeConfigError(f'kubeconfig {where}: cluster "{cluster_name}" has no server')
    user_name = body.get("user")
    user_entry = _first(docs, files, "users", str(user_name)) if user_name else None
    if user_name and user_entry is None:
        raise KubeConfigError(f'kubeconfig {where}: context "{name}" refers to user "{user_name}", '
                              "which is not defined")
    cfg = _cluster_config(cluster, cluster_entry[1].parent, cluster_where)
    if user_entry is not None:
        user_where = f'kubeconfig {user_entry[1]}, user "{user_name}"'
        user = _body(user_entry[0], "user", user_where)
        cfg.credentials = _credentials(user, user_entry[1].parent, user_where, cluster, environ,
                                       tls=str(cluster.get("server") or "").lower().startswith("https"))
        cfg.impersonation = Impersonation.from_user(user, user_where)
    _apply_overrides(cfg, overrides)
    cfg.impersonation.check(f'kubeconfig {user_entry[1]}, user "{user_name}"' if user_entry is not None
                            else f'kubeconfig {where}, context "{name}"')
    _server_url(cfg, "--kube-apiserver" if overrides.apiserver else f'kubeconfig {where}, cluster "{cluster_name}"')
    namespace = overrides.namespace or str(body.get("namespace") or "") or "default"
    logger.debug("kubeconfig %s context=%s server=%s namespace=%s auth=%s impersonate=%s", where, name,
                 redact_url(cfg.host), namespace, cfg.credentials.describe(),
                 cfg.impersonation.describe() if cfg.impersonation else "-")
    return Connection(cfg, cfg.host, name, namespace, [str(p) for p in files])


def _cluster_config(cluster: dict[str, Any], base: Path, where: str) -> ClientConfig:
    cfg = ClientConfig(str(cluster.get("server") or "").rstrip("/"))
    if cluster.get("certificate-authority-data"):
        cfg.ca_data = creds.read_file_or_data(cluster, "certificate-authority", "certificate-authority-data", base,
                                              where)
    elif cluster.get("certificate-authority"):
        path = creds.resolve(str(cluster["certificate-authority"]), base)
        if not path.is_file():
            raise KubeConfigError(f"{where}: certificate-authority {path}: no such file")
        cfg.ssl_ca_cert = str(path)
    if cluster.get("insecure-skip-tls-verify") is not None:
        cfg.verify_ssl = not _bool(cluster["insecure-skip-tls-verify"], "insecure-skip-tls-verify", where)
    if cluster.get("tls-server-name"):
        cfg.tls_server_name = str(cluster["tls-server-name"])
    if cluster.get("proxy-url"):
        cfg.proxy = str(cluster["proxy-url"])
    return cfg


def _bool(value: Any, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise KubeConfigError(f"{where}: {key} must be true or false")


def _credentials(user: dict[str, Any], base: Path, where: str, cluster: dict[str, Any],
                 environ: Mapping[str, str], *, tls: bool) -> creds.Credentials:
    """kubernetes-python's order: auth-provider, token/tokenFile, exec plugin, username/password; the client
    certificate (HTTPS servers only) goes along with whichever it is."""
    cert_pem = creds.read_file_or_data(user, "client-certificate", "client-certificate-data", base, where) \
        if tls else None
    key_pem = creds.read_file_or_data(user, "client-key", "client-key-data", base, where) if tls else None
    if bool(cert_pem) != bool(key_pem):
        raise KubeConfigError(f"{where}: client-certificate and client-key go together (only one is set)")
    cert = creds.ClientCert(cert_pem, key_pem) if cert_pem and key_pem else None
    provider = user.get("auth-provider")
    if isinstance(provider, dict) and provider.get("name"):
        from helmpy.kube import authprovider

        found = authprovider.load(provider, base, where, cert)
        if found is not None:
            return found
    if user.get("token"):
        return creds.StaticToken(str(user["token"]), cert)
    if user.get("tokenFile"):
        return creds.TokenFile(creds.resolve(str(user["tokenFile"]), base), where, cert)
    if user.get("exec") is not None:
        if not isinstance(user["exec"], dict):
            raise KubeConfigError(f"{where}: exec must be a map")
        return creds.ExecPlugin(user["exec"], base, where, cluster, cert, environ)
    if user.get("username") and user.get("password"):
        return creds.BasicAuth(str(user["username"]), str(user["password"]), cert)
    return creds.Credentials(cert)


def _in_cluster(overrides: Overrides, environ: Mapping[str, str], sa_dir: Path) -> Connection:
    """The Pod's service account: token and CA mounted at ``sa_dir``, server from the environment."""
    where = f"in-cluster configuration ({sa_dir})"
    host, port = environ.get("KUBERNETES_SERVICE_HOST", ""), environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise KubeConfigError(f"{where}: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
    token, ca = sa_dir / "token", sa_dir / "ca.crt"
    if not token.is_file():
        raise KubeConfigError(f"{where}: the service account token {token} does not exist")
    if not ca.is_file() or ca.stat().st_size == 0:
        raise KubeConfigError(f"{where}: the service account CA {ca} does not exist or is empty")
    netloc = f"[{host}]:{port}" if ":" in host or "%" in host else f"{host}:{port}"
    cfg = ClientConfig(f"https://{netloc}", ssl_ca_cert=str(ca), credentials=creds.TokenFile(token, where))
    _apply_overrides(cfg, overrides)
    cfg.impersonation.check(where)
    _server_url(cfg, "--kube-apiserver" if overrides.apiserver else "in-cluster configuration")
    ns_file = sa_dir / "namespace"
    namespace = overrides.namespace or (ns_file.read_text().strip() if ns_file.is_file() else "") or "default"
    return Connection(cfg, cfg.host, IN_CLUSTER, namespace)


def context_names(kubeconfig: str | None = None) -> list[str]:
    """The context names of the kubeconfig files in use (for shell completion), in file order."""
    docs = [_read(p) for p in kubeconfig_files(kubeconfig) if p.is_file()]
    return _names(docs, "contexts")
