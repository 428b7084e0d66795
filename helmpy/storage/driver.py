"""The release storage driver Protocol (Helm's ``pkg/storage/driver/driver.go``).

Drivers store one record per revision under the key ``sh.helm.release.v1.NAME.vN``, scoped to a
namespace. ``list``/``query`` return records whose system labels (name, owner, status, version)
match; errors are ReleaseNotFound / ReleaseExists / StorageError from helmpy.errors.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from helmpy.release.model import Release

SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


@runtime_checkable
class Driver(Protocol):
    """Persistence for release records."""

    name: str

    def create(self, key: str, release: Release) -> None:
        """Store a new record; ReleaseExists when the key is taken (this serialises racing writers)."""

    def update(self, key: str, release: Release) -> None:
        """Replace an existing record; ReleaseNotFound when absent."""

    def delete(self, key: str) -> Release:
        """Remove and return a record; ReleaseNotFound when absent."""

    def get(self, key: str) -> Release:
        """One record; ReleaseNotFound when absent."""

    def list(self, keep: Callable[[Release], bool] | None = None) -> list[Release]:
        """Every record of this driver's namespace (all namespaces when it has none) passing ``keep``."""

    def summaries(self) -> builtins.list[Release]:
        """Every record of :meth:`list`, holding at least what ``list`` shows: name, namespace, version, info's
        times and status, the chart's name, version and appVersion, and the labels (other fields may be empty)."""

    def query(self, labels: dict[str, str]) -> builtins.list[Release]:
        """Records whose system labels equal ``labels``; ReleaseNotFound when none match."""
