"""What :class:`helmpy.Client` returns: frozen, typed dataclasses whose ``to_dict()`` is the CLI's ``-o json``.

Each result keeps the action's own object privately and shapes ``to_dict()`` through the same code the CLI
prints with (:mod:`helmpy.release.shapes`, ``HistoryEntry.to_dict``, ``Report.to_dict``, ...), so a script
that switches from ``helmpy ... -o json`` to the API reads the same document. The public fields are copies:
changing them changes nothing stored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy.api._transfers import PullResult as PullResult  # pull/push build only their own two (see there)
from helmpy.api._transfers import PushResult as PushResult
from helmpy.api._transfers import _Fields

if TYPE_CHECKING:  # the release model only as annotations: chart commands (``template``) never import it
    from helmpy.action.get import Metadata
    from helmpy.action.history import HistoryEntry
    from helmpy.action.lint import ChartLintResult, LintReport
    from helmpy.diff.drift import DriftReport
    from helmpy.diff.model import Report
    from helmpy.release import model
    from helmpy.release.model import Status
    from helmpy.repo import hub, provenance


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
class TemplateResult:
    """``template``: the rendered text (``helmpy template``'s stdout), or the files ``output_dir`` got."""

    release_name: str
    manifest: str
    files: tuple[Path, ...]  #: with ``output_dir``, every file written (in order; a path may repeat)

    def to_dict(self) -> dict[str, Any]:
        return {"release_name": self.release_name, "manifest": self.manifest, "files": [str(p) for p in self.files]}


@dataclass(frozen=True)
class LintMessage:
    """One finding: ``[WARNING] templates/x.yaml: ...``."""

    severity: str  #: ``INFO``, ``WARNING`` or ``ERROR``
    path: str
    text: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.path}: {self.text}"


@dataclass(frozen=True)
class ChartLint:
    """The findings of one chart path."""

    path: str
    messages: tuple[LintMessage, ...]
    errors: tuple[str, ...]  #: what stopped the chart being linted at all (not a chart, bad archive)
    failed: bool

    @classmethod
    def of(cls, res: ChartLintResult) -> ChartLint:
        return cls(res.path, tuple(LintMessage(m.severity.name, m.path, m.text) for m in res.messages),
                   tuple(res.fatal), res.failed)

    @property
    def has_findings(self) -> bool:
        """Anything above INFO, or an error that stopped the lint (what ``lint --quiet`` still shows)."""
        return bool(self.errors) or any(m.severity != "INFO" for m in self.messages)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "failed": self.failed, "errors": list(self.errors),
                "messages": [{"severity": m.severity, "path": m.path, "text": m.text} for m in self.messages]}


@dataclass(frozen=True)
class LintResult:
    """``lint``: every chart's findings. A failed chart is no exception (``ok`` says it); the CLI exits 1."""

    charts: tuple[ChartLint, ...]
    failed: int
    summary: str  #: ``1 chart(s) linted, 0 chart(s) failed``

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @classmethod
    def of(cls, report: LintReport) -> LintResult:
        return cls(tuple(ChartLint.of(r) for r in report.results), report.failed, report.summary)

    def to_dict(self) -> dict[str, Any]:
        return {"charts": [c.to_dict() for c in self.charts], "failed": self.failed, "summary": self.summary}


@dataclass(frozen=True)
class PackageResult:
    """``package``: the archive written, and its provenance file when signed."""

    path: Path
    prov_path: Path | None
    display_path: str = ""  #: how ``helmpy package`` names it (the destination as given; absolute for ``.``)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "prov_path": str(self.prov_path) if self.prov_path else None}


@dataclass(frozen=True)
class Repository(_Fields):
    """One configured chart repository (``repo list``)."""

    name: str
    url: str


@dataclass(frozen=True)
class ChartVersion(_Fields):
    """One row of ``search repo``: ``repo/chart`` and a version of it."""

    name: str
    version: str
    app_version: str
    description: str


@dataclass(frozen=True)
class Dependency(_Fields):
    """One dependency of a chart and whether ``charts/`` satisfies it (``dependency list``)."""

    name: str
    version: str
    repository: str
    status: str  #: ``ok``, ``missing``, ``wrong version``, ...


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
class HubChart:
    """One row of ``search hub``: a chart on Artifact Hub (or another Monocular-compatible hub)."""

    url: str  #: the chart's page on the hub
    version: str
    app_version: str
    description: str
    repo_url: str
    repo_name: str
    _found: hub.HubChart = field(repr=False, compare=False)

    @classmethod
    def of(cls, found: hub.HubChart) -> HubChart:
        return cls(found.url, found.version, found.app_version, found.description, found.repo_url, found.repo_name,
                   copy.copy(found))

    def to_dict(self) -> dict[str, Any]:
        """One element of ``search hub -o json`` (Helm's field order, the repository nested)."""
        return self._found.to_dict()


@dataclass(frozen=True)
class IndexResult:
    """``repo index``: the index written and what it lists."""

    path: Path  #: ``DIRECTORY/index.yaml``
    charts: dict[str, tuple[str, ...]]  #: chart name -> its versions, as the index orders them
    skipped: tuple[str, ...]  #: why each unreadable archive was left out (also a progress line each)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "charts": {k: list(v) for k, v in self.charts.items()},
                "skipped": list(self.skipped)}


@dataclass(frozen=True)
class Verification:
    """``verify``: who signed a chart archive's provenance file, with which key, and the archive's checked hash."""

    signed_by: tuple[str, ...]
    fingerprint: str
    file_hash: str  #: ``sha256:...``
    _checked: provenance.Verification = field(repr=False, compare=False)

    @classmethod
    def of(cls, checked: provenance.Verification) -> Verification:
        return cls(tuple(checked.signed_by), checked.fingerprint, checked.file_hash, copy.deepcopy(checked))

    def lines(self) -> list[str]:
        """What ``helmpy verify`` prints."""
        return self._checked.lines()

    def to_dict(self) -> dict[str, Any]:
        return {"signed_by": list(self.signed_by), "fingerprint": self.fingerprint, "file_hash": self.file_hash}


@dataclass(frozen=True)
class CreateResult:
    """``create``: the chart directory written, and the files in it that existed and were overwritten."""

    path: Path
    overwritten: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "overwritten": [str(p) for p in self.overwritten]}


@dataclass(frozen=True)
class Plugin(_Fields):
    """One row of ``plugin list``: an installed Helm plugin."""

    name: str
    version: str
    type: str  #: ``cli/v1``, ``getter/v1``, ``postrenderer/v1``
    api_version: str  #: ``v1`` (Helm 4's plugin.yaml) or ``legacy`` (Helm 3's)
    provenance: str  #: ``signed``, ``unsigned``, ``local dev``, ...
    source: str  #: where it was installed from, ``unknown`` when not recorded


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
