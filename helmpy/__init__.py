"""helmpy: a Helm-compatible package manager for Kubernetes with Jinja2 charts.

The Python API (docs/python-api.md)::

    from helmpy import Client
    hp = Client(namespace="shop")
    rel = hp.upgrade("app", "./chart", install=True, values={"image": {"tag": "v2"}}, wait=True)

Everything in ``__all__`` is imported on first use (so ``import helmpy`` - and the CLI's start-up - stays light):
:class:`Client`, its result types, and the exceptions of :mod:`helmpy.errors` (each a :class:`HelmpyError` with
``.message`` and ``.hint``). Anything not listed is internal.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is imported by the modules that need it, not by ``helmpy version``

__version__ = "0.1.0"

_API = ("ChartLint", "ChartVersion", "Client", "Dependency", "DiffResult", "Hook", "LintMessage", "LintResult",
        "PackageResult", "PullResult", "PushResult", "Release", "ReleaseStatus", "ReleaseSummary", "Repository",
        "Revision", "Status", "TemplateResult", "UninstallResult",
        "CreateResult", "HubChart", "IndexResult", "Plugin", "Verification", "DriftResult", "Operation",
        "ReleaseMetadata", "InstalledPlugin", "PluginPackage", "PluginVerification")
_ERRORS = ("ArchiveError", "ChangesFound", "ChartError", "ChartNotFoundError", "ChartValidationError",
           "ClusterUnreachable", "DependencyError", "DigestMismatch", "DownloadError", "HelmpyError", "HookFailed",
           "IgnoreRuleError", "Interrupted", "InvalidReleaseName", "KubeApiStatus", "KubeConfigError", "KubeConflict",
           "KubeConnectionError", "KubeError", "KubeForbidden", "KubeInvalid", "KubeNotFound", "KubeServerError",
           "KubeTLSError", "KubeUnauthorized", "LintError", "OperationInProgress", "OwnershipConflict",
           "PluginError", "PostRenderError", "ProvenanceError", "RecordTooLarge", "RegistryAuthError",
           "RegistryError", "ReleaseError", "ReleaseExists", "ReleaseFailed", "ReleaseNotFound", "RenderError",
           "RenderLimitError", "RepoError", "RepoIndexError", "SandboxViolation", "SchemaValidationError",
           "StorageError", "StrvalsError", "TemplateExecError", "TemplateFailError", "TemplateFuncError",
           "TemplateNotDefined", "TemplateParseError", "TestsNotRun", "UsageError", "ValuesError", "WaitTimeout",
           "FieldConflict")

__all__ = ["__version__", *_API, *_ERRORS]

if TYPE_CHECKING:
    from typing import Any

    from helmpy.api import (
        ChartLint,
        ChartVersion,
        Client,
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
        Operation,
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
        Status,
        TemplateResult,
        UninstallResult,
        Verification,
    )
    from helmpy.errors import (
        ArchiveError,
        ChangesFound,
        ChartError,
        ChartNotFoundError,
        ChartValidationError,
        ClusterUnreachable,
        DependencyError,
        DigestMismatch,
        DownloadError,
        FieldConflict,
        HelmpyError,
        HookFailed,
        IgnoreRuleError,
        Interrupted,
        InvalidReleaseName,
        KubeApiStatus,
        KubeConfigError,
        KubeConflict,
        KubeConnectionError,
        KubeError,
        KubeForbidden,
        KubeInvalid,
        KubeNotFound,
        KubeServerError,
        KubeTLSError,
        KubeUnauthorized,
        LintError,
        OperationInProgress,
        OwnershipConflict,
        PluginError,
        PostRenderError,
        ProvenanceError,
        RecordTooLarge,
        RegistryAuthError,
        RegistryError,
        ReleaseError,
        ReleaseExists,
        ReleaseFailed,
        ReleaseNotFound,
        RenderError,
        RenderLimitError,
        RepoError,
        RepoIndexError,
        SandboxViolation,
        SchemaValidationError,
        StorageError,
        StrvalsError,
        TemplateExecError,
        TemplateFailError,
        TemplateFuncError,
        TemplateNotDefined,
        TemplateParseError,
        TestsNotRun,
        UsageError,
        ValuesError,
        WaitTimeout,
    )


def __getattr__(name: str) -> Any:
    """Import the API (or an error class) on first use: ``helmpy version`` never loads it."""
    if name in _API:
        from helmpy import api

        return getattr(api, name)
    if name in _ERRORS:
        from helmpy import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'helmpy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
