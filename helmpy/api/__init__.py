"""helmpy's Python API: :class:`Client` and the result types it returns (re-exported by :mod:`helmpy`).

Each name is imported on first use, so a command going through the API loads only the modules it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helmpy.api.client import Client
    from helmpy.api.operation import Operation
    from helmpy.api.results import (
        ChartLint,
        ChartVersion,
        CreateResult,
        Dependency,
        DiffResult,
        DriftResult,
        Hook,
        HubChart,
        IndexResult,
        InstalledPlugin,
        LintMessage,
        LintResult,
        PackageResult,
        Plugin,
        PluginPackage,
        PluginVerification,
        PullResult,
        PushResult,
        Release,
        ReleaseMetadata,
        ReleaseStatus,
        ReleaseSummary,
        Repository,
        Revision,
        TemplateResult,
        UninstallResult,
        Verification,
    )
    from helmpy.release.model import Status

_RESULTS = ("ChartLint", "ChartVersion", "CreateResult", "Dependency", "DiffResult", "Hook", "HubChart",
            "IndexResult", "LintMessage", "LintResult", "PackageResult", "Plugin", "PullResult", "PushResult",
            "Release", "ReleaseStatus", "ReleaseSummary", "Repository", "Revision", "TemplateResult",
            "UninstallResult", "Verification", "DriftResult", "ReleaseMetadata",
            "InstalledPlugin", "PluginPackage", "PluginVerification")

__all__ = ["ChartLint", "ChartVersion", "Client", "CreateResult", "Dependency", "DiffResult", "Hook", "HubChart",
           "IndexResult", "LintMessage", "LintResult", "PackageResult", "Plugin", "PullResult", "PushResult", "Release",
           "ReleaseStatus", "ReleaseSummary", "Repository", "Revision", "Status", "TemplateResult", "UninstallResult",
           "Verification"]
__all__ += ["DriftResult", "InstalledPlugin", "Operation", "PluginPackage", "PluginVerification", "ReleaseMetadata"]


def __getattr__(name: str) -> Any:
    if name == "Client":
        from helmpy.api.client import Client

        return Client
    if name == "Operation":
        from helmpy.api.operation import Operation

        return Operation
    if name == "Status":
        from helmpy.release.model import Status

        return Status
    if name in _RESULTS:
        from helmpy.api import results

        return getattr(results, name)
    raise AttributeError(f"module 'helmpy.api' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
