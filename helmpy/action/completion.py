"""Candidates for shell completion: release names and revisions, charts, repositories, namespaces, contexts.

Each function takes what was typed so far and returns the matching words; none raises (completion must never
print an error into a user's prompt): a cluster that cannot be reached or a file that cannot be read gives
no candidates. Release names, revisions and namespaces come from the cluster helmpy would use (the same
selection as every command: ``--kubeconfig``/``--kube-context``/``-n`` already typed, else the environment).
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def _config(namespace: str | None, kubeconfig: str | None, context: str | None) -> object | None:
    from helmpy.action.config import Configuration
    from helmpy.errors import HelmpyError

    try:
        return Configuration.from_env(namespace=namespace, kubeconfig=kubeconfig, context=context)
    except HelmpyError as err:
        logger.debug("completion: no cluster error=%s", err.message)
        return None


def releases(prefix: str, namespace: str | None = None, kubeconfig: str | None = None,
             context: str | None = None) -> list[str]:
    """Names of the releases in the namespace that start with ``prefix``."""
    from helmpy.action import list as list_action
    from helmpy.errors import HelmpyError

    cfg = _config(namespace, kubeconfig, context)
    if cfg is None:
        return []
    try:
        found = list_action.run(cfg, list_action.ListOptions(max=0))  # type: ignore[arg-type]
    except HelmpyError as err:
        logger.debug("completion: listing releases failed error=%s", err.message)
        return []
    return sorted({r.name for r in found if r.name.startswith(prefix)})


def revisions(release: str, prefix: str, namespace: str | None = None, kubeconfig: str | None = None,
              context: str | None = None) -> list[str]:
    """The revision numbers of ``release`` starting with ``prefix``, newest first."""
    from helmpy.errors import HelmpyError

    cfg = _config(namespace, kubeconfig, context)
    if cfg is None or not release:
        return []
    try:
        history = cfg.storage.history(release)  # type: ignore[attr-defined]
    except HelmpyError as err:
        logger.debug("completion: history failed error=%s", err.message)
        return []
    return [str(v) for v in sorted((r.version for r in history), reverse=True) if str(v).startswith(prefix)]


def namespaces(prefix: str, kubeconfig: str | None = None, context: str | None = None) -> list[str]:
    """Namespaces of the cluster starting with ``prefix``."""
    from helmpy.errors import HelmpyError

    cfg = _config(None, kubeconfig, context)
    if cfg is None:
        return []
    try:
        objects = cfg.kube.list("v1", "Namespace")  # type: ignore[attr-defined]
    except HelmpyError as err:
        logger.debug("completion: listing namespaces failed error=%s", err.message)
        return []
    names = {str((o.get("metadata") or {}).get("name", "")) for o in objects}
    return sorted(n for n in names if n and n.startswith(prefix))


def contexts(prefix: str, kubeconfig: str | None = None) -> list[str]:
    """Context names of the kubeconfig files in use."""
    from helmpy.errors import HelmpyError
    from helmpy.kube.kubeconfig import context_names

    try:
        return [n for n in context_names(kubeconfig) if n.startswith(prefix)]
    except (HelmpyError, OSError) as err:
        logger.debug("completion: reading kubeconfig failed error=%s", err)
        return []


def repositories(prefix: str) -> list[str]:
    """Names of the configured chart repositories."""
    from helmpy import paths
    from helmpy.errors import HelmpyError
    from helmpy.repo import repofile

    try:
        entries = repofile.load(paths.repository_config()).repositories
    except (HelmpyError, OSError):
        return []
    return [e.name for e in entries if e.name.startswith(prefix)]


def repo_charts(prefix: str) -> list[str]:
    """``REPO/`` for each configured repository, and ``REPO/CHART`` from its cached index once REPO is typed."""
    from helmpy.errors import HelmpyError
    from helmpy.repo import cache

    repo, sep, _ = prefix.partition("/")
    if not sep:
        return [f"{name}/" for name in repositories(prefix)]
    if repo not in repositories(repo) or not repo:
        return []
    try:
        names = cache.charts_file(repo).read_text().split()  # the chart names, written beside the index
    except (HelmpyError, OSError):
        return []
    return sorted(f"{repo}/{name}" for name in names if f"{repo}/{name}".startswith(prefix))


def plugins(prefix: str) -> list[str]:
    """Names of the installed plugins."""
    from helmpy.errors import HelmpyError
    from helmpy.plugin.loader import load_all

    try:
        return [p.name for p in load_all() if p.name.startswith(prefix)]
    except HelmpyError:
        return []


def is_local(prefix: str) -> bool:
    """True when ``prefix`` looks like a path (so file completion should be offered)."""
    return not prefix or prefix.startswith((".", "/", "~")) or Path(prefix).exists() or "/" not in prefix
