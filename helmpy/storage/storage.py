"""Release storage facade over a Driver (Helm's ``pkg/storage/storage.go``).

Actions talk to this, not to drivers: it knows record keys, history order, which revision is
"deployed" and how ``--history-max`` prunes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from helmpy.errors import ReleaseNotFound
from helmpy.release.model import Release, Status
from helmpy.storage.driver import Driver

logger = logging.getLogger(__name__)

ALL_NAMESPACES = None


def make_key(name: str, version: int) -> str:
    """``sh.helm.release.v1.NAME.vN``."""
    return f"sh.helm.release.v1.{name}.v{version}"


class Storage:
    """Release history operations on top of one driver."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver

    def get(self, name: str, version: int) -> Release:
        """One revision; ReleaseNotFound when absent."""
        logger.debug("getting release key=%s", make_key(name, version))
        return self.driver.get(make_key(name, version))

    def create(self, rls: Release) -> None:
        """Store a new revision; ReleaseExists when that revision is already stored."""
        logger.debug("creating release key=%s", rls.key)
        self.driver.create(rls.key, rls)

    def update(self, rls: Release) -> None:
        """Rewrite a stored revision; ReleaseNotFound when absent."""
        logger.debug("updating release key=%s", rls.key)
        self.driver.update(rls.key, rls)

    def delete(self, name: str, version: int) -> Release:
        """Remove one revision and return it."""
        logger.debug("deleting release key=%s", make_key(name, version))
        return self.driver.delete(make_key(name, version))

    def history(self, name: str) -> list[Release]:
        """Every revision of ``name``, oldest first; ReleaseNotFound when there is none (like Helm)."""
        logger.debug("getting release history name=%s", name)
        return sorted(self.driver.query({"name": name, "owner": "helm"}), key=lambda r: r.version)

    def last(self, name: str) -> Release:
        """The newest revision, whatever its status."""
        return self.history(name)[-1]

    def deployed_all(self, name: str) -> list[Release]:
        """Every revision with status deployed, newest first (more than one only after a crash)."""
        try:
            found = self.driver.query({"name": name, "owner": "helm", "status": Status.DEPLOYED.value})
        except ReleaseNotFound:
            found = []
        if not found:
            raise ReleaseNotFound(f'"{name}" has no deployed releases')
        return sorted(found, key=lambda r: r.version, reverse=True)

    def deployed(self, name: str) -> Release:
        """The newest deployed revision; ReleaseNotFound ``"NAME" has no deployed releases``."""
        return self.deployed_all(name)[0]

    def list_releases(self, namespace: str | None = ALL_NAMESPACES,
                      predicate: Callable[[Release], bool] | None = None) -> list[Release]:
        """Every stored revision the driver can see, optionally of one namespace and passing ``predicate``."""
        def keep(rls: Release) -> bool:
            if namespace and rls.namespace != namespace:
                return False
            return predicate is None or predicate(rls)

        return self.driver.list(keep)

    def summaries(self) -> list[Release]:
        """Every stored revision the driver can see, holding what ``list`` shows (``Driver.summaries``)."""
        return self.driver.summaries()

    def list_deployed(self) -> list[Release]:
        return self.list_releases(predicate=lambda r: r.status == Status.DEPLOYED)

    def prune(self, name: str, max_history: int) -> list[Release]:
        """Delete oldest revisions until ``max_history - 1`` remain (room for one more), keeping the newest
        deployed one; returns what was deleted. ``max_history <= 0`` means unlimited."""
        if max_history <= 0:
            return []
        keep_count = max_history - 1
        try:
            history = self.history(name)
        except ReleaseNotFound:
            return []
        if len(history) <= keep_count:
            return []
        deployed = [r.version for r in history if r.status == Status.DEPLOYED]
        protected = max(deployed) if deployed else None
        doomed: list[Release] = []
        for rls in history:
            if len(history) - len(doomed) <= keep_count:
                break
            if rls.version != protected:
                doomed.append(rls)
        for rls in doomed:
            self.delete(rls.name, rls.version)
        logger.debug("pruned records count=%d release=%s", len(doomed), name)
        return doomed
