"""helmpy's Python API: :class:`Client` and the result types it returns (re-exported by :mod:`helmpy`).

Each name is imported on first use, so a command going through the API loads only the modules it uses.
"""

from __future__ import annotations

import types
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
        LintMessage,
        LintResult,
        PackageResult,
        Plugin,
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
            "UninstallResult", "Verification", "DriftResult", "ReleaseMetadata")

__all__ = ["ChartLint", "ChartVersion", "Client", "CreateResult", "Dependency", "DiffResult", "Hook", "HubChart",
           "IndexResult", "LintMessage", "LintResult", "PackageResult", "Plugin", "PullResult", "PushResult", "Release",
           "ReleaseStatus", "ReleaseSummary", "Repository", "Revision", "Status", "TemplateResult", "UninstallResult",
           "Verification"]
__all__ += ["DriftResult", "Operation", "ReleaseMetadata"]


class _Deferred(types.ModuleType):
    """What ``from helmpy.api import results`` (at the top of the method modules) binds while
    :mod:`helmpy.api.results` is not imported yet: that module, imported on its first attribute use (under the
    import lock, so threads are safe). Building a :class:`Client` then builds none of the two dozen result
    dataclasses, and ``pull``/``push`` (whose results live in :mod:`helmpy.api._transfers`) never do."""

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self.__name__), attr)


_results = _Deferred(f"{__name__}.results")


def __getattr__(name: str) -> Any:
    if name == "results":  # not imported yet (importing it makes it a plain attribute of this package)
        return _results
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
