"""helmpy's Python API: :class:`Client` and the result types it returns (re-exported by :mod:`helmpy`)."""

from __future__ import annotations

from helmpy.api.client import Client
from helmpy.api.results import (
                                ChartLint,
                                ChartVersion,
                                Dependency,
                                DiffResult,
                                Hook,
                                LintMessage,
                                LintResult,
                                PackageResult,
                                PullResult,
                                PushResult,
                                Release,
                                ReleaseStatus,
                                ReleaseSummary,
                                Repository,
                                Revision,
                                TemplateResult,
                                UninstallResult,
)
from helmpy.release.model import Status

__all__ = ["ChartLint", "ChartVersion", "Client", "Dependency", "DiffResult", "Hook", "LintMessage", "LintResult",
           "PackageResult", "PullResult", "PushResult", "Release", "ReleaseStatus", "ReleaseSummary", "Repository",
           "Revision", "Status", "TemplateResult", "UninstallResult"]
