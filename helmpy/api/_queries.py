"""The release use cases that only read: history, status, list, get values/manifest/notes/hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from helmpy.api import results
from helmpy.api._session import Session

if TYPE_CHECKING:
    from datetime import datetime

    from helmpy.action.config import Configuration
    from helmpy.release import model

_STATES = ("deployed", "failed", "pending", "superseded", "uninstalled", "uninstalling")


class QueryMethods:
    """history, status, list_releases, get_* (mixed into :class:`helmpy.Client`)."""

    _session: Session

    def history(self, name: str, *, max: int = 256) -> list[results.Revision]:
        """The revisions of release ``name``, oldest first, at most ``max`` (``helmpy history``).
        :class:`helmpy.ReleaseNotFound` when it has none."""
        from helmpy.action import history as action

        entries = self._session.run("history", name, lambda cfg: action.run(cfg, name, max))
        return [results.Revision.of(e) for e in entries]

    def status(self, name: str, *, revision: int = 0, show_resources: bool = True) -> results.ReleaseStatus:
        """Release ``name``'s latest revision (or ``revision``), its live objects and its lock holder
        (``helmpy status``)."""
        from helmpy.action import status as action
        from helmpy.kube.factory import describe

        def read(cfg: Configuration) -> tuple[action.StatusResult, str, datetime]:
            return action.run(cfg, name, revision, show_resources=show_resources), describe(cfg.kube), cfg.clock()

        out, cluster, read_at = self._session.run("status", name, read)
        lock = out.lock
        return results.ReleaseStatus(results.Release.of(out.release), out.resources,
                                     lock.to_dict() if lock is not None else None, out.explanation, lock,
                                     cluster, read_at, lock.describe(read_at) if lock is not None else "")

    def list_releases(self, *, all_namespaces: bool = False, states: Iterable[str] = (), filter: str = "",
                      selector: str = "", date: bool = False, reverse: bool = False, max: int = 256,
                      offset: int = 0) -> list[results.ReleaseSummary]:
        """The latest revision of every release of the namespace (``helmpy list``).

        ``states``: any of ``deployed``, ``failed``, ``pending``, ``superseded``, ``uninstalled``,
        ``uninstalling`` (Helm's ``--deployed``, ``--failed``, ...; none: every status). ``filter`` is a regular
        expression on names, ``selector`` a label selector on the releases' labels (``team=a,tier!=db``).
        """
        from helmpy.action import list as action
        from helmpy.errors import UsageError
        from helmpy.release.model import Status

        wanted: set[Status] = set()
        for state in states:
            if state not in _STATES:
                raise UsageError(f"unknown release state {state!r}", hint=f"one of {', '.join(_STATES)}")
            wanted |= action.PENDING if state == "pending" else {Status(state)}
        opts = action.ListOptions(all_namespaces=all_namespaces, states=wanted, filter=filter, selector=selector,
                                  by_date=date, reverse=reverse, max=max, offset=offset)
        return [results.ReleaseSummary.of(r) for r in self._session.run("list", "", lambda cfg: action.run(cfg, opts))]

    def get(self, name: str, *, revision: int = 0) -> results.Release:
        """Everything stored about one revision (``helmpy get all``): the latest unless ``revision``."""
        return results.Release.of(self._record(name, revision))

    def get_values(self, name: str, *, revision: int = 0, all: bool = False) -> dict[str, Any]:
        """The user-supplied values of a revision, or with ``all`` the computed ones (``helmpy get values``)."""
        from helmpy.action import get as action

        return action.values(self._record(name, revision), all)

    def get_manifest(self, name: str, *, revision: int = 0) -> str:
        """The stored manifest of a revision (``helmpy get manifest``)."""
        return self._record(name, revision).manifest

    def get_metadata(self, name: str, *, revision: int = 0) -> results.ReleaseMetadata:
        """The chart's name, version, annotations and dependencies and the revision's state
        (``helmpy get metadata``); for the latest revision the labels include Helm's system labels."""
        from helmpy.action import get as action

        return results.ReleaseMetadata.of(action.metadata(self._record(name, revision), revision))

    def get_notes(self, name: str, *, revision: int = 0) -> str:
        """The NOTES.txt the revision rendered (``""`` when the chart has none)."""
        return self._record(name, revision).info.notes

    def get_hooks(self, name: str, *, revision: int = 0) -> list[results.Hook]:
        """The hooks of a revision, with their last runs (``helmpy get hooks``)."""
        return [results.Hook.of(h) for h in self._record(name, revision).hooks]

    def _record(self, name: str, revision: int) -> model.Release:
        from helmpy.action import get as action

        return self._session.run("get", name, lambda cfg: action.run(cfg, name, revision))
