"""The results of chart commands (template, lint, package, create, verify, dependency list): see
:mod:`helmpy.api.results`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from helmpy.api.results import _Fields

if TYPE_CHECKING:  # the actions' own types only as annotations
    from helmpy.action.lint import ChartLintResult, LintReport
    from helmpy.repo import provenance


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
class CreateResult:
    """``create``: the chart directory written, and the files in it that existed and were overwritten."""

    path: Path
    overwritten: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "overwritten": [str(p) for p in self.overwritten]}


@dataclass(frozen=True)
class Verification:
    """``verify``: who signed a chart archive's provenance file, with which key, and the archive's checked hash."""

    signed_by: tuple[str, ...]
    fingerprint: str
    file_hash: str  #: ``sha256:...``
    _checked: provenance.Verification = field(repr=False, compare=False)

    @classmethod
    def of(cls, checked: provenance.Verification) -> Self:
        return cls(tuple(checked.signed_by), checked.fingerprint, checked.file_hash, copy.deepcopy(checked))

    def lines(self) -> list[str]:
        """What ``helmpy verify`` prints."""
        return self._checked.lines()

    def to_dict(self) -> dict[str, Any]:
        return {"signed_by": list(self.signed_by), "fingerprint": self.fingerprint, "file_hash": self.file_hash}


@dataclass(frozen=True)
class Dependency(_Fields):
    """One dependency of a chart and whether ``charts/`` satisfies it (``dependency list``)."""

    name: str
    version: str
    repository: str
    status: str  #: ``ok``, ``missing``, ``wrong version``, ...
