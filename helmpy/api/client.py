"""``helmpy.Client``: every helmpy command as a method, for deploy scripts, operators, CI steps and tests.

Arguments are named like the CLI's global flags, method keywords like each command's flags; results are frozen
dataclasses (:mod:`helmpy.api.results`) whose ``to_dict()`` is the command's ``-o json``; errors are the classes of
:mod:`helmpy.errors` (each a :class:`helmpy.HelmpyError` with ``.hint``). Nothing is printed: progress and notices
go to ``on_notice`` (else the ``helmpy.api`` logger, INFO). docs/python-api.md has examples.
"""

from __future__ import annotations

from collections.abc import Mapping

from helmpy import settings
from helmpy.api._charts import ChartMethods
from helmpy.api._installation import InstallationMethods
from helmpy.api._queries import QueryMethods
from helmpy.api._registry import RegistryMethods
from helmpy.api._releases import ReleaseMethods
from helmpy.api._repos import RepoMethods
from helmpy.api._session import Notice, PathLike, Session, path_text


class Client(ReleaseMethods, QueryMethods, ChartMethods, RepoMethods, RegistryMethods, InstallationMethods):
    """One helmpy "installation": a cluster, a namespace, a storage driver, the repository files.

    Every argument is optional and falls back as the CLI's flag does - to ``HELMPY_*``, then Helm's ``HELM_*``
    variables, then the default - read from ``environ`` (default: a copy of ``os.environ`` taken now). Nothing
    is process-global: two Clients with different clusters, namespaces or drivers work side by side, and one
    Client may be used from several threads.

    Args:
        namespace: ``-n``: the namespace of releases (default: the kubeconfig context's, else ``default``).
        kubeconfig: ``--kubeconfig``: the kubeconfig file (default ``KUBECONFIG``, else ``~/.kube/config``).
        kube_context: ``--kube-context``.
        cluster: ``--cluster local:PATH``: the embedded cluster in that SQLite file instead of a kubeconfig.
        driver: ``secret`` (default), ``configmap``, ``memory`` (kept for this Client's lifetime) or ``sql``.
        kube_apiserver, kube_token, kube_ca_file, kube_insecure_skip_tls_verify, kube_tls_server_name: the
            ``--kube-*`` connection overrides.
        repository_config, repository_cache, registry_config, content_cache: Helm's file locations.
        config_home, cache_home, data_home: where the files above default to (``HELMPY_CONFIG_HOME``, ...).
        max_history: revisions kept by upgrade and rollback when ``history_max`` is not given (default 10).
        environ: the environment to read the fallbacks from, instead of ``os.environ``.
        on_notice: gets each progress line and notice (``Saving 2 charts``, what a wait is waiting for).
        on_progress: gets the lines Helm writes to stderr (a registry's ``Pulled:``/``Digest:``, a skipped
            archive, a warning about a result); default: ``on_notice``.
    """

    def __init__(self, *, namespace: str | None = None, kubeconfig: PathLike | None = None,
                 kube_context: str | None = None, cluster: str | None = None, driver: str | None = None,
                 kube_apiserver: str | None = None, kube_token: str | None = None,
                 kube_ca_file: PathLike | None = None, kube_insecure_skip_tls_verify: bool = False,
                 kube_tls_server_name: str | None = None, repository_config: PathLike | None = None,
                 repository_cache: PathLike | None = None, registry_config: PathLike | None = None,
                 content_cache: PathLike | None = None, config_home: PathLike | None = None,
                 cache_home: PathLike | None = None, data_home: PathLike | None = None,
                 max_history: int | None = None, environ: Mapping[str, str] | None = None,
                 on_notice: Notice | None = None, on_progress: Notice | None = None) -> None:
        given: dict[str, str | None] = {  # each as the winning HELMPY_<KEY>, what the CLI's flag sets
            "NAMESPACE": namespace, "KUBECONFIG": path_text(kubeconfig), "KUBECONTEXT": kube_context,
            "CLUSTER": cluster, "DRIVER": driver, "KUBEAPISERVER": kube_apiserver, "KUBETOKEN": kube_token,
            "KUBECAFILE": path_text(kube_ca_file), "KUBETLS_SERVER_NAME": kube_tls_server_name,
            "KUBEINSECURE_SKIP_TLS_VERIFY": "true" if kube_insecure_skip_tls_verify else None,
            "REPOSITORY_CONFIG": path_text(repository_config), "REPOSITORY_CACHE": path_text(repository_cache),
            "REGISTRY_CONFIG": path_text(registry_config), "CONTENT_CACHE": path_text(content_cache),
            "CONFIG_HOME": path_text(config_home), "CACHE_HOME": path_text(cache_home),
            "DATA_HOME": path_text(data_home),
            "MAX_HISTORY": None if max_history is None else str(max_history),
        }
        self._session = Session(settings.Settings.snapshot(given, environ), on_notice, on_progress)

    @classmethod
    def from_settings(cls, snapshot: settings.Settings, *, on_notice: Notice | None = None,
                      on_progress: Notice | None = None, command: str | None = None) -> Client:
        """A Client over an already-built :class:`helmpy.settings.Settings` (the CLI's: its environment, read
        once, with its flags laid over); ``command`` is what the release lock records as its holder (the CLI's
        command line without secrets) instead of ``helmpy.Client.OP NAME``."""
        client = cls.__new__(cls)
        client._session = Session(snapshot, on_notice, on_progress, command=command)
        return client

    def connect(self) -> None:
        """Reach the cluster and its release storage now, instead of on the first call that needs them:
        :class:`helmpy.ClusterUnreachable` or :class:`helmpy.KubeConfigError` raises here."""
        self._session.connect()

    @property
    def namespace(self) -> str:
        """The namespace releases go to (connects to read the kubeconfig context's when none was given)."""
        return self._session.namespace

    def close(self) -> None:
        """Release this thread's connection to the embedded cluster; the Client stays usable."""
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self._session.settings!r})"
