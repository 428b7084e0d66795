"""The results of release commands (install, upgrade, rollback, uninstall, get, status, history, list, diff,
drift): see :mod:`helmpy.api.results`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the release model only as annotations: chart commands (``template``) never import it
    from helmpy.action.get import Metadata
    from helmpy.action.history import HistoryEntry
    from helmpy.diff.drift import DriftReport
    from helmpy.diff.model import Report
    from helmpy.release import model
    from helmpy.release.model import Status


@dataclass(frozen=True)
class Hook:
    """One hook of a revision (``get hooks``): its object, the events it runs on and its last run."""

    name: str
    kind: str
    path: str  #: the template it came from, ``web/templates/tests/test.yaml``
    events: tuple[str, ...]
    weight: int
    manifest: str
    last_run_phase: str  #: ``Succeeded``/``Failed``/... of the last run, ``""`` when it never ran
    last_run_started: datetime | None
    last_run_completed: datetime | None
    _record: model.Hook = field(repr=False, compare=False)

    @classmethod
    def of(cls, hook: model.Hook) -> Hook:
        run = hook.last_run
        return cls(hook.name, hook.kind, hook.path, tuple(hook.events), hook.weight, hook.manifest, run.phase,
                   run.started_at, run.completed_at, copy.deepcopy(hook))

    def to_dict(self) -> dict[str, Any]:
        """The hook as stored in the release record (Helm's JSON)."""
        return self._record.to_dict()


@dataclass(frozen=True)
class Release:
    """One revision of a release (what install, upgrade, rollback, get and test return)."""

    name: str
    namespace: str
    revision: int
    status: Status  #: a ``str`` enum: ``rel.status == "deployed"`` works
    description: str
    chart: str  #: the chart's name (``""`` when the record carries no chart)
    chart_version: str
    app_version: str
    first_deployed: datetime | None
    last_deployed: datetime | None
    notes: str
    manifest: str
    values: dict[str, Any]  #: the user-supplied values (Helm's ``config``), a copy
    labels: dict[str, str]
    hooks: tuple[Hook, ...]
    _record: model.Release = field(repr=False, compare=False)
    installed: bool = False  #: ``upgrade(install=True)`` installed it: the release did not exist
    simulated_tests: tuple[str, ...] = ()  #: ``test(accept_simulated=True)``: tests only simulated, accepted

    @classmethod
    def of(cls, rel: model.Release, *, installed: bool = False, simulated_tests: tuple[str, ...] = ()) -> Release:
        rec = copy.deepcopy(rel)
        chart = rec.chart
        return cls(rec.name, rec.namespace, rec.version, rec.info.status, rec.info.description,
                   chart.name if chart else "", chart.version if chart else "", chart.app_version if chart else "",
                   rec.info.first_deployed, rec.info.last_deployed, rec.info.notes, rec.manifest,
                   copy.deepcopy(rec.config), dict(rec.labels), tuple(Hook.of(h) for h in rec.hooks), rec,
                   installed, simulated_tests)

    def computed_values(self) -> dict[str, Any]:
        """The values the revision rendered with: the user's over the chart's defaults (``get values --all``)."""
        from helmpy.action.get import values

        return values(self._record, True)

    def to_dict(self) -> dict[str, Any]:
        """``install/upgrade -o json``: the whole record, chart included (maps sorted as Go prints them)."""
        from helmpy.release.shapes import release_data

        return release_data(self._record)


@dataclass(frozen=True)
class ReleaseStatus:
    """``status``: a revision, its live objects, and who holds the release lock (if anyone)."""

    release: Release
    resources: dict[str, list[dict[str, Any]]]  #: ``"v1/Deployment"`` -> live objects (Helm 4's grouping)
    lock: dict[str, Any] | None  #: the lock holder (host, pid, command, times) while an operation holds it
    note: str  #: why a pending revision is pending and what to do, else ``""``
    _lock: Any = field(repr=False, compare=False, default=None)
    cluster: str = ""  #: the cluster read: ``embedded (PATH)`` or the kubeconfig context
    read_at: datetime | None = None  #: when it was read (the objects' ages and the lock's are relative to it)
    locked_by: str = ""  #: the lock holder as ``status`` names it (host, pid, command, how long), else ``""``

    def to_dict(self) -> dict[str, Any]:
        """``status -o json``."""
        from helmpy.release.shapes import status_data

        return status_data(self.release._record, self.resources, self._lock, self.note)


@dataclass(frozen=True)
class Revision:
    """One row of ``history``."""

    revision: int
    updated: datetime | None
    status: str
    chart: str  #: ``name-version``, or ``MISSING``
    app_version: str
    description: str
    _entry: HistoryEntry = field(repr=False, compare=False)

    @classmethod
    def of(cls, entry: HistoryEntry) -> Revision:
        return cls(entry.revision, entry.updated, entry.status, entry.chart, entry.app_version, entry.description,
                   entry)

    def to_dict(self) -> dict[str, Any]:
        """One element of ``history -o json``."""
        return self._entry.to_dict()


@dataclass(frozen=True)
class ReleaseSummary:
    """One row of ``list``: the latest revision of a release."""

    name: str
    namespace: str
    revision: int
    updated: datetime | None
    status: Status
    chart: str  #: ``name-version``, or ``MISSING``
    app_version: str
    _record: model.Release = field(repr=False, compare=False)

    @classmethod
    def of(cls, rel: model.Release) -> ReleaseSummary:
        chart = f"{rel.chart.name}-{rel.chart.version}" if rel.chart else "MISSING"
        return cls(rel.name, rel.namespace, rel.version, rel.info.last_deployed, rel.info.status, chart,
                   rel.chart.app_version if rel.chart else "MISSING", rel)

    def to_dict(self) -> dict[str, Any]:
        """One element of ``list -o json`` (revision as a string, as Helm prints it)."""
        from helmpy.release.shapes import list_item

        return list_item(self._record)


@dataclass(frozen=True)
class UninstallResult:
    """``uninstall``: what was deleted, what ``helm.sh/resource-policy: keep`` kept."""

    name: str
    release: Release | None  #: the last revision (None when it did not exist and ``ignore_not_found``)
    deleted: tuple[str, ...]
    kept: tuple[str, ...]
    not_found: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "deleted": list(self.deleted), "kept": list(self.kept),
                "not_found": self.not_found, "release": self.release.to_dict() if self.release else None}


@dataclass(frozen=True)
class DiffResult:
    """``diff upgrade``: what an upgrade would change, object by object (docs/diff.md)."""

    release: str
    namespace: str
    has_changes: bool  #: anything but objects kept by policy (``--detailed-exitcode``'s question)
    counts: dict[str, int]  #: ``changed``/``added``/``removed``/``kept`` -> objects
    _report: Report = field(repr=False, compare=False)

    @classmethod
    def of(cls, report: Report) -> DiffResult:
        return cls(report.release, report.namespace, report.has_changes, report.counts(), report)

    def text(self, fmt: str = "diff", *, context: int = -1, colour: bool = False) -> str:
        """The report as ``helmpy diff -o FMT`` prints it (``diff``, ``simple``, ``template``, ``json``);
        ``colour``: ANSI colours, as on a terminal."""
        from helmpy.diff.render import render

        return render(self._report, fmt, context=context, colour=colour)

    def to_dict(self) -> dict[str, Any]:
        """``diff upgrade -o json`` (schema ``helmpy.io/diff/v1``)."""
        return self._report.to_dict()


@dataclass(frozen=True)
class DriftResult:
    """``diff drift`` / ``status --drift``: each object of a revision against its live state, and who changed it."""

    release: str
    namespace: str
    revision: int
    has_drift: bool  #: an object differs or is missing (``--detailed-exitcode``'s question)
    counts: dict[str, int]  #: ``drifted``/``missing``/``in-sync`` -> objects
    _report: DriftReport = field(repr=False, compare=False)

    @classmethod
    def of(cls, report: DriftReport) -> DriftResult:
        return cls(report.release, report.namespace, report.revision, report.has_drift, report.counts(), report)

    def text(self, fmt: str = "text", *, colour: bool = False) -> str:
        """The report as ``helmpy diff drift -o FMT`` prints it (``text`` or ``json``)."""
        from helmpy.diff.drift import render

        return render(self._report, fmt, colour=colour)

    def to_dict(self) -> dict[str, Any]:
        """``diff drift -o json`` (a ``DriftReport`` of schema ``helmpy.io/diff/v1``)."""
        return self._report.to_dict()


@dataclass(frozen=True)
class ReleaseMetadata:
    """``get metadata``: the chart's identity and the revision's state (Helm 4's ``action.Metadata``)."""

    name: str
    chart: str
    version: str
    app_version: str
    annotations: dict[str, str]
    labels: dict[str, str]  #: the latest revision's: the storage object's labels, Helm's system labels included
    dependencies: list[dict[str, Any]]
    namespace: str
    revision: int
    status: str
    deployed_at: str  #: RFC 3339, seconds
    apply_method: str  #: ``ssa``, ``csa`` or ``""`` (client-side apply, defaulted)
    _meta: Metadata = field(repr=False, compare=False)

    @classmethod
    def of(cls, meta: Metadata) -> ReleaseMetadata:
        m = copy.deepcopy(meta)
        return cls(m.name, m.chart, m.version, m.app_version, m.annotations, m.labels, m.dependencies, m.namespace,
                   m.revision, m.status, m.deployed_at, m.apply_method, m)

    def to_dict(self) -> dict[str, Any]:
        """``get metadata -o json``."""
        return self._meta.to_dict()
