"""What :class:`helmpy.Client` returns: frozen, typed dataclasses whose ``to_dict()`` is the CLI's ``-o json``.

Each result keeps the action's own object privately and shapes ``to_dict()`` through the same code the CLI
prints with (:mod:`helmpy.release.shapes`, ``HistoryEntry.to_dict``, ``Report.to_dict``, ...), so a script
that switches from ``helmpy ... -o json`` to the API reads the same document. The public fields are copies:
changing them changes nothing stored.

The classes live in modules by family (release, chart, repository results; ``template``'s and ``pull``'s each in
one of its own), each imported on first use of one of its names here: ``helmpy template`` builds one dataclass,
not all two dozen (a frozen dataclass is milliseconds of start-up).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers; at run time :func:`__getattr__` imports each family on first use
    from typing import Any

    from helmpy.api._chart_results import ChartLint as ChartLint
    from helmpy.api._chart_results import CreateResult as CreateResult
    from helmpy.api._chart_results import Dependency as Dependency
    from helmpy.api._chart_results import LintMessage as LintMessage
    from helmpy.api._chart_results import LintResult as LintResult
    from helmpy.api._chart_results import PackageResult as PackageResult
    from helmpy.api._chart_results import Verification as Verification
    from helmpy.api._plugin_results import InstalledPlugin as InstalledPlugin
    from helmpy.api._plugin_results import PluginPackage as PluginPackage
    from helmpy.api._plugin_results import PluginVerification as PluginVerification
    from helmpy.api._pull_result import PullResult as PullResult
    from helmpy.api._release_results import DiffResult as DiffResult
    from helmpy.api._release_results import DriftResult as DriftResult
    from helmpy.api._release_results import Hook as Hook
    from helmpy.api._release_results import Release as Release
    from helmpy.api._release_results import ReleaseMetadata as ReleaseMetadata
    from helmpy.api._release_results import ReleaseStatus as ReleaseStatus
    from helmpy.api._release_results import ReleaseSummary as ReleaseSummary
    from helmpy.api._release_results import Revision as Revision
    from helmpy.api._release_results import UninstallResult as UninstallResult
    from helmpy.api._repo_results import ChartVersion as ChartVersion
    from helmpy.api._repo_results import HubChart as HubChart
    from helmpy.api._repo_results import IndexResult as IndexResult
    from helmpy.api._repo_results import Plugin as Plugin
    from helmpy.api._repo_results import PushResult as PushResult
    from helmpy.api._repo_results import Repository as Repository
    from helmpy.api._template_result import TemplateResult as TemplateResult


_FAMILY = {
    "Hook": "_release_results",
    "Release": "_release_results",
    "ReleaseStatus": "_release_results",
    "Revision": "_release_results",
    "ReleaseSummary": "_release_results",
    "UninstallResult": "_release_results",
    "DiffResult": "_release_results",
    "DriftResult": "_release_results",
    "ReleaseMetadata": "_release_results",
    "TemplateResult": "_template_result",
    "LintMessage": "_chart_results",
    "ChartLint": "_chart_results",
    "LintResult": "_chart_results",
    "PackageResult": "_chart_results",
    "CreateResult": "_chart_results",
    "Verification": "_chart_results",
    "Dependency": "_chart_results",
    "PullResult": "_pull_result",
    "PushResult": "_repo_results",
    "Repository": "_repo_results",
    "ChartVersion": "_repo_results",
    "HubChart": "_repo_results",
    "IndexResult": "_repo_results",
    "Plugin": "_repo_results",
    "InstalledPlugin": "_plugin_results",
    "PluginPackage": "_plugin_results",
    "PluginVerification": "_plugin_results",
}

__all__ = sorted(_FAMILY)


class _Fields:
    """``to_dict()`` of a result whose fields are its JSON document, in field order (``repo list -o json``'s
    ``{"name", "url"}``, ``search repo``'s ``{"name", "version", "app_version", "description"}``)."""

    def to_dict(self) -> dict[str, Any]:
        import dataclasses

        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


def __getattr__(name: str) -> Any:
    """A result class, its family's module imported now."""
    family = _FAMILY.get(name)
    if family is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"helmpy.api.{family}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
