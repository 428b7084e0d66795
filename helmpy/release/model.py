"""The release record, field for field as Helm stores it (``pkg/release/v1``).

``to_dict``/``from_dict`` use Helm's JSON names so that records written by helmpy are read by Helm and
vice versa. The chart inside a release is kept as its JSON form (``ChartRecord``): a release must be
able to carry a chart helmpy never loaded (one Helm wrote).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Release statuses (``pkg/release/common/status.go``)."""

    UNKNOWN = "unknown"
    DEPLOYED = "deployed"
    UNINSTALLED = "uninstalled"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    UNINSTALLING = "uninstalling"
    PENDING_INSTALL = "pending-install"
    PENDING_UPGRADE = "pending-upgrade"
    PENDING_ROLLBACK = "pending-rollback"

    @property
    def is_pending(self) -> bool:
        return self in (Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK)

    def __str__(self) -> str:
        return self.value


ZERO_TIME = "0001-01-01T00:00:00Z"


def format_time(ts: datetime | None) -> str | None:
    """RFC3339Nano like Go (trailing zeros of the fraction dropped); None for a zero time."""
    if ts is None:
        return None
    ts = ts.astimezone(UTC)
    base = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        base += "." + f"{ts.microsecond:06d}".rstrip("0")
    return base + "Z"


def parse_time(text: str | None) -> datetime | None:
    """Parse Go's RFC3339(Nano) times; "" and the zero time are None."""
    if not text or text.startswith("0001-01-01"):
        return None
    t = text.strip()
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    # Python handles at most 6 fractional digits
    if "." in t:
        head, rest = t.split(".", 1)
        digits = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            digits += rest[i]
            i += 1
        t = f"{head}.{(digits + '000000')[:6]}{rest[i:]}"
    try:
        return datetime.fromisoformat(t)
    except ValueError:
        return None


def keep_time(value: datetime | None, raw: str | None) -> str | None:
    """``format_time(value)``, or the string it was read from when the time is unchanged.

    Helm writes nanoseconds and Python keeps microseconds: rewriting a Helm record (say, marking it
    superseded) must not truncate the times Helm wrote.
    """
    if raw and value is not None and parse_time(raw) == value:
        return raw
    return format_time(value)


def now() -> datetime:
    return datetime.now(UTC)


def _raw_times(d: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: d[k] for k in keys if isinstance(d.get(k), str) and d[k]}


@dataclass
class HookRun:
    """``last_run`` of a hook."""

    started_at: datetime | None = None
    completed_at: datetime | None = None
    phase: str = ""
    raw_times: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # as read

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.started_at:
            out["started_at"] = keep_time(self.started_at, self.raw_times.get("started_at"))
        if self.completed_at:
            out["completed_at"] = keep_time(self.completed_at, self.raw_times.get("completed_at"))
        out["phase"] = self.phase
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> HookRun:
        d = d or {}
        return cls(parse_time(d.get("started_at")), parse_time(d.get("completed_at")), d.get("phase") or "",
                   raw_times=_raw_times(d, ("started_at", "completed_at")))


@dataclass
class Hook:
    """A hook as stored in the release."""

    name: str
    kind: str
    path: str
    manifest: str
    events: list[str] = field(default_factory=list)
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    output_log_policies: list[str] = field(default_factory=list)
    last_run: HookRun = field(default_factory=HookRun)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "path": self.path,
                               "manifest": self.manifest, "events": list(self.events),
                               "last_run": self.last_run.to_dict()}
        if self.weight:
            out["weight"] = self.weight
        if self.delete_policies:
            out["delete_policies"] = list(self.delete_policies)
        if self.output_log_policies:
            out["output_log_policies"] = list(self.output_log_policies)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Hook:
        return cls(name=d.get("name", ""), kind=d.get("kind", ""), path=d.get("path", ""),
                   manifest=d.get("manifest", ""), events=list(d.get("events") or []),
                   weight=int(d.get("weight") or 0), delete_policies=list(d.get("delete_policies") or []),
                   output_log_policies=list(d.get("output_log_policies") or []),
                   last_run=HookRun.from_dict(d.get("last_run")))


@dataclass
class Info:
    """``info`` of a release."""

    first_deployed: datetime | None = None
    last_deployed: datetime | None = None
    deleted: datetime | None = None
    description: str = ""
    status: Status = Status.UNKNOWN
    notes: str = ""
    resources: dict[str, Any] | None = None
    raw_times: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # as read

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("first_deployed", "last_deployed", "deleted"):
            value = getattr(self, key)
            if value is not None:
                out[key] = keep_time(value, self.raw_times.get(key))
        if self.description:
            out["description"] = self.description
        out["status"] = self.status.value
        if self.notes:
            out["notes"] = self.notes
        if self.resources:
            out["resources"] = self.resources
        return out

    def first_deployed_of(self, other: Info) -> Info:
        """Copy ``first_deployed`` from an earlier revision, keeping the exact string it was stored as."""
        self.first_deployed = other.first_deployed
        if "first_deployed" in other.raw_times:
            self.raw_times["first_deployed"] = other.raw_times["first_deployed"]
        return self

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Info:
        d = d or {}
        try:
            status = Status(d.get("status") or "unknown")
        except ValueError:
            status = Status.UNKNOWN
        return cls(parse_time(d.get("first_deployed")), parse_time(d.get("last_deployed")),
                   parse_time(d.get("deleted")), d.get("description") or "", status, d.get("notes") or "",
                   d.get("resources"), raw_times=_raw_times(d, ("first_deployed", "last_deployed", "deleted")))


@dataclass
class ChartRecord:
    """The chart as serialised inside a release (sub-charts are not stored, like Helm)."""

    metadata: dict[str, Any]
    templates: list[dict[str, Any]] = field(default_factory=list)  # {name, data (base64), modtime?}
    values: dict[str, Any] = field(default_factory=dict)
    schema: str | None = None  # base64
    files: list[dict[str, Any]] = field(default_factory=list)
    lock: dict[str, Any] | None = None
    modtime: str | None = None
    schemamodtime: str = ZERO_TIME

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", ""))

    @property
    def app_version(self) -> str:
        return str(self.metadata.get("appVersion", ""))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metadata": self.metadata, "lock": self.lock,
                               "templates": self.templates or None, "values": self.values,
                               "schema": self.schema, "schemamodtime": self.schemamodtime,
                               "files": self.files or None}
        if self.modtime:
            out["modtime"] = self.modtime
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ChartRecord | None:
        if not d:
            return None
        return cls(metadata=d.get("metadata") or {}, templates=list(d.get("templates") or []),
                   values=d.get("values") or {}, schema=d.get("schema"), files=list(d.get("files") or []),
                   lock=d.get("lock"), modtime=d.get("modtime"), schemamodtime=d.get("schemamodtime") or ZERO_TIME)

    @classmethod
    def from_chart(cls, chart: Any) -> ChartRecord:
        """Snapshot a loaded ``helmpy.chart.model.Chart`` (after dependency processing)."""
        def files(items: list[Any]) -> list[dict[str, Any]]:
            out = []
            for f in items:
                entry: dict[str, Any] = {"name": f.name, "data": base64.b64encode(f.data).decode("ascii")}
                if f.modtime is not None:
                    entry["modtime"] = format_time(f.modtime)
                out.append(entry)
            return out

        lock = None
        if chart.lock is not None:
            lock = {"generated": chart.lock.generated, "digest": chart.lock.digest,
                    "dependencies": [d.to_dict() for d in chart.lock.dependencies]}
        return cls(
            metadata=chart.metadata.to_dict(),
            templates=files(chart.templates),
            values=chart.values,
            schema=base64.b64encode(chart.schema).decode("ascii") if chart.schema else None,
            files=files(chart.files),
            lock=lock,
            modtime=format_time(chart.modtime) if chart.modtime else None,
            schemamodtime=format_time(chart.schema_modtime) or ZERO_TIME if chart.schema_modtime else ZERO_TIME,
        )


@dataclass
class Release:
    """One revision of a release."""

    name: str
    namespace: str
    version: int
    info: Info = field(default_factory=Info)
    chart: ChartRecord | None = None
    config: dict[str, Any] = field(default_factory=dict)
    manifest: str = ""
    hooks: list[Hook] = field(default_factory=list)
    apply_method: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # custom labels; live on the storage object
    # every label of the storage object it was read from (system ones too), for ``get metadata``; not stored
    storage_labels: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """Storage key / object name: ``sh.helm.release.v1.NAME.vN``."""
        return f"sh.helm.release.v1.{self.name}.v{self.version}"

    @property
    def status(self) -> Status:
        return self.info.status

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON shape (key order as Helm writes it; empty values omitted)."""
        out: dict[str, Any] = {"name": self.name, "info": self.info.to_dict()}
        if self.chart is not None:
            out["chart"] = self.chart.to_dict()
        if self.config:
            out["config"] = self.config
        if self.manifest:
            out["manifest"] = self.manifest
        if self.hooks:
            out["hooks"] = [h.to_dict() for h in self.hooks]
        out["version"] = self.version
        if self.namespace:
            out["namespace"] = self.namespace
        if self.apply_method:
            out["apply_method"] = self.apply_method
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Release:
        return cls(name=d.get("name", ""), namespace=d.get("namespace", ""), version=int(d.get("version") or 0),
                   info=Info.from_dict(d.get("info")), chart=ChartRecord.from_dict(d.get("chart")),
                   config=d.get("config") or {}, manifest=d.get("manifest") or "",
                   hooks=[Hook.from_dict(h) for h in (d.get("hooks") or [])],
                   apply_method=d.get("apply_method") or "")
