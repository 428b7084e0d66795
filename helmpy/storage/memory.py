"""In-process release storage (Helm's ``memory`` driver), optionally preloaded from files.

``HELMPY_MEMORY_DRIVER_DATA=file1:file2`` preloads YAML/JSON lists of release objects, like Helm's
``HELM_MEMORY_DRIVER_DATA``, so release commands can be exercised without a cluster.
"""

from __future__ import annotations

import builtins
import copy
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from helmpy import settings, yamlutil
from helmpy.errors import ReleaseExists, ReleaseNotFound, StorageError
from helmpy.release.model import Release
from helmpy.storage import labels as lbl

logger = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "default"
DATA_ENV = "HELMPY_MEMORY_DRIVER_DATA"


class MemoryDriver:
    """Records kept in a dict keyed by (namespace, key); ``namespace=""`` sees every namespace."""

    name = "Memory"

    def __init__(self, namespace: str = DEFAULT_NAMESPACE, *, preload: bool = True) -> None:
        self.namespace = namespace
        self._records: dict[tuple[str, str], tuple[Release, dict[str, str]]] = {}
        self._lock = threading.RLock()
        preloaded = settings.get("MEMORY_DRIVER_DATA") if preload else None
        if preloaded:
            self.load_files(preloaded.split(os.pathsep))

    def scoped(self, namespace: str) -> MemoryDriver:
        """A view of the same in-process store limited to another namespace (Helm's SetNamespace)."""
        view = MemoryDriver(namespace, preload=False)
        view._records, view._lock = self._records, self._lock
        return view

    def load_files(self, paths: list[str]) -> None:
        """Add the releases listed in each YAML/JSON file (a list of release objects)."""
        for path in filter(None, paths):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as err:
                raise StorageError(f"{path}: cannot read memory driver data: {err.strerror}") from err
            items = yamlutil.load(text, path, StorageError) or []
            if not isinstance(items, list):
                raise StorageError(f"{path}: memory driver data must be a list of releases")
            for item in items:
                if not isinstance(item, dict):
                    raise StorageError(f"{path}: memory driver data must be a list of releases")
                rls = Release.from_dict(item)
                self.create(rls.key, rls)

    # -- helpers -------------------------------------------------------------------------------
    def _scoped(self, namespace: str) -> bool:
        return not self.namespace or namespace == self.namespace

    def _find(self, key: str) -> tuple[str, str] | None:
        if self.namespace:
            return (self.namespace, key) if (self.namespace, key) in self._records else None
        return next((k for k in sorted(self._records) if k[1] == key), None)

    # -- Driver --------------------------------------------------------------------------------
    def create(self, key: str, release: Release) -> None:
        """Store a copy; ReleaseExists when the key is taken in the release's namespace."""
        labels = lbl.record_labels(release, "createdAt")
        ns = release.namespace or DEFAULT_NAMESPACE
        with self._lock:
            if (ns, key) in self._records:
                raise ReleaseExists(lbl.ALREADY_EXISTS)
            self._records[(ns, key)] = (copy.deepcopy(release), labels)
        logger.debug("memory create key=%s namespace=%s", key, ns)

    def update(self, key: str, release: Release) -> None:
        labels = lbl.record_labels(release, "modifiedAt")
        ns = release.namespace or DEFAULT_NAMESPACE
        with self._lock:
            if (ns, key) not in self._records:
                raise ReleaseNotFound(lbl.NOT_FOUND)
            self._records[(ns, key)] = (copy.deepcopy(release), labels)

    def delete(self, key: str) -> Release:
        with self._lock:
            found = self._find(key)
            if found is None:
                raise ReleaseNotFound(lbl.NOT_FOUND)
            rls, _ = self._records.pop(found)
        return rls

    def get(self, key: str) -> Release:
        with self._lock:
            found = self._find(key)
            if found is None:
                raise ReleaseNotFound(lbl.NOT_FOUND)
            return copy.deepcopy(self._records[found][0])

    def list(self, keep: Callable[[Release], bool] | None = None) -> list[Release]:
        with self._lock:
            items = [copy.deepcopy(r) for (ns, _), (r, _l) in sorted(self._records.items()) if self._scoped(ns)]
        return [r for r in items if keep is None or keep(r)]

    def summaries(self) -> builtins.list[Release]:
        return self.list()

    def query(self, labels: dict[str, str]) -> builtins.list[Release]:
        with self._lock:
            items = [copy.deepcopy(r) for (ns, _), (r, rl) in sorted(self._records.items())
                     if self._scoped(ns) and lbl.matches(rl, labels)]
        if not items:
            raise ReleaseNotFound(lbl.NOT_FOUND)
        return items
