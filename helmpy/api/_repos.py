"""The chart repository use cases: repo add/update/list/remove/index, search repo and search hub."""

from __future__ import annotations

import os

from helmpy.api import results
from helmpy.api._session import PathLike, Session, Timeout, seconds


class RepoMethods:
    """Repository commands (mixed into :class:`helmpy.Client`); they read and write the Client's
    ``repository_config`` and ``repository_cache``."""

    _session: Session

    def repo_add(self, name: str, url: str, *, username: str = "", password: str = "", pass_credentials: bool = False,
                 ca_file: PathLike = "", cert_file: PathLike = "", key_file: PathLike = "",
                 insecure_skip_tls_verify: bool = False, force_update: bool = False,
                 allow_deprecated_repos: bool = False, timeout: Timeout = 120.0) -> results.Repository:
        """Add a chart repository after fetching its index (``helmpy repo add``). The same name with another
        URL raises :class:`helmpy.RepoError` unless ``force_update``."""
        from helmpy.action.repo import AddOptions, add

        opts = AddOptions(name=name, url=url, username=username, password=password, pass_credentials=pass_credentials,
                          ca_file=os.fspath(ca_file), cert_file=os.fspath(cert_file), key_file=os.fspath(key_file),
                          insecure_skip_tls_verify=insecure_skip_tls_verify, force_update=force_update,
                          allow_deprecated_repos=allow_deprecated_repos, timeout=seconds(timeout))
        with self._session.scope():
            add(opts, self._session.notice)
        return results.Repository(name, url)

    def repo_update(self, *names: str, timeout: Timeout = 120.0) -> list[results.Repository]:
        """Refresh the cached indexes of every (or the named) repositories, in parallel (``helmpy repo
        update``); any failure raises :class:`helmpy.RepoError` naming the repositories that failed."""
        from helmpy.action.repo import update

        with self._session.scope():
            update(list(names), self._session.notice, seconds(timeout))
        return [r for r in self.repo_list() if not names or r.name in names]

    def repo_list(self) -> list[results.Repository]:
        """The configured repositories (``helmpy repo list``), none when there is no repositories.yaml."""
        from helmpy.action.repo import list_repos

        with self._session.scope():
            return [results.Repository(e.name, e.url) for e in list_repos()]

    def repo_remove(self, *names: str) -> None:
        """Remove repositories and their cached indexes (``helmpy repo remove``)."""
        from helmpy.action.repo import remove

        with self._session.scope():
            remove(list(names), self._session.notice)

    def repo_index(self, directory: PathLike, *, url: str = "", merge: PathLike | None = None,
                   as_json: bool = False) -> results.IndexResult:
        """Write ``DIRECTORY/index.yaml`` for the chart archives in ``directory`` and its sub-directories
        (``helmpy repo index``); entry URLs are joined onto ``url``, ``merge`` is an existing index whose entries
        are kept. An archive that cannot be read is skipped, with a progress line saying why."""
        from helmpy.repo.index import index_repository

        skipped: list[str] = []

        def skip(_path: object, reason: str) -> None:
            skipped.append(reason)
            self._session.progress(f"WARNING: skipping archive {reason}")

        with self._session.scope():
            target, index = index_repository(directory, url=url, merge=os.fspath(merge) if merge is not None else None,
                                             as_json=as_json, on_error=skip)
        return results.IndexResult(target, {name: tuple(v.version for v in versions)
                                            for name, versions in index.entries.items()}, tuple(skipped))

    def search_repo(self, keyword: str = "", *, regexp: bool = False, version: str = "", versions: bool = False,
                    devel: bool = False) -> list[results.ChartVersion]:
        """Search the configured repositories' cached indexes (``helmpy search repo``): names, descriptions
        and keywords, newest version of each chart unless ``versions``; ``version`` is a constraint."""
        from helmpy.repo.search import search_configured

        with self._session.scope():
            found = search_configured(keyword or None, regexp=regexp, version=version or None, versions=versions,
                                      devel=devel)
        return [results.ChartVersion(r.name, r.version, r.app_version, r.description) for r in found]

    def search_hub(self, keyword: str = "", *, endpoint: str = "https://hub.helm.sh",
                   timeout: Timeout = 120.0) -> list[results.HubChart]:
        """Search Artifact Hub - or any Monocular-compatible search API at ``endpoint`` - for charts
        (``helmpy search hub``). An unreachable hub or a failed query raises :class:`helmpy.RepoError`."""
        from helmpy.repo.hub import search

        with self._session.scope():
            found = search(endpoint, keyword, seconds(timeout))
        return [results.HubChart.of(r) for r in found]
