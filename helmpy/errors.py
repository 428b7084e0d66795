"""Every exception helmpy raises on purpose lives here.

The CLI maps these to one line on stderr and an exit code (see ``helmpy/cli/root.py``); anything
else is a bug and only shows a traceback under ``--debug``.
"""

from __future__ import annotations

from enum import IntEnum

TYPE_CHECKING = False  # typing is not needed at run time (``helmpy --help`` does without it)

if TYPE_CHECKING:
    from helmpy.api import results
    from helmpy.release.model import Release


class ExitCode(IntEnum):
    """Exit codes scripts can rely on."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a process SIGTERM killed


class HelmpyError(Exception):
    """Base of all user-facing errors: a message, an optional hint and an exit code."""

    exit_code: int = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(HelmpyError):
    """Bad combination of command-line arguments."""

    exit_code = ExitCode.USAGE


# --- charts -------------------------------------------------------------------------------------
class ChartError(HelmpyError):
    """A chart could not be loaded or is invalid."""


class ChartNotFoundError(ChartError):
    """The chart reference points at nothing."""


class ChartValidationError(ChartError):
    """Chart.yaml or the chart layout breaks Helm's rules."""


class ArchiveError(ChartError):
    """A chart archive is corrupt, too large, or tries to escape its directory."""


class IgnoreRuleError(ChartError):
    """A .helmignore rule is invalid."""


class DependencyError(ChartError):
    """Chart dependencies are missing, invalid, or cannot be resolved."""


# --- values -------------------------------------------------------------------------------------
class ValuesError(HelmpyError):
    """Values could not be read, parsed or merged."""


class StrvalsError(ValuesError):
    """A --set style argument does not follow the grammar."""


class SchemaValidationError(ValuesError):
    """Values do not satisfy values.schema.json."""


# --- rendering ----------------------------------------------------------------------------------
class RenderError(HelmpyError):
    """A template failed to render; the message names chart, template file and line."""


class SandboxViolation(RenderError):
    """A template tried to leave the sandbox."""


class RenderLimitError(RenderError):
    """A template exceeded a time, size or recursion limit."""


class TemplateParseError(RenderError):
    """A Go template does not parse; ``str()`` is Go's text, ``helm_message`` the line Helm prints."""

    def __init__(self, template: str, line: int, detail: str) -> None:
        super().__init__(f"template: {template}:{line}: {detail}")
        self.template = template
        self.line = line
        self.detail = detail

    @property
    def helm_message(self) -> str:
        """Helm's rewording (``parse error at (FILE:LINE): LAST-PART``), split on ": " as Helm does."""
        tokens = self.message.split(": ")
        return f"parse error at ({tokens[1]}): {tokens[-1]}"


class LintError(HelmpyError):
    """One or more charts failed linting."""


# --- repositories -------------------------------------------------------------------------------
class RepoError(HelmpyError):
    """Repository configuration, index or download problems."""


class RepoIndexError(RepoError):
    """An index.yaml is malformed."""


class DownloadError(RepoError):
    """A download failed (HTTP status, connection, digest mismatch)."""


class ProvenanceError(RepoError):
    """A provenance file is missing or does not verify."""


# --- releases -----------------------------------------------------------------------------------
class ReleaseError(HelmpyError):
    """A release operation failed."""


class ReleaseNotFound(ReleaseError):
    """No such release (or revision)."""


class ReleaseExists(ReleaseError):
    """A release record with this key already exists."""


class OperationInProgress(ReleaseError):
    """Another operation holds the release lock."""


class StorageError(ReleaseError):
    """The release storage backend failed."""


# --- clusters -----------------------------------------------------------------------------------
class KubeError(HelmpyError):
    """The cluster refused or failed an operation."""


class KubeNotFound(KubeError):
    """The object does not exist."""


class KubeConflict(KubeError):
    """The object changed or already exists (HTTP 409)."""


class OwnershipConflict(KubeError):
    """An object belongs to another release (or to nobody) and may not be taken over."""


class WaitTimeout(KubeError):
    """Objects did not become ready in time."""


class KubeApiStatus(KubeError):
    """A Kubernetes API request failed: the HTTP code, Status ``reason`` and ``details`` the server answers with."""

    def __init__(self, message: str, *, code: int = 500, reason: str = "InternalError",
                 details: dict | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.reason = reason
        self.details = details or {}


class FieldConflict(KubeApiStatus, KubeConflict):
    """HTTP 409 from a server-side apply: fields another manager owns (the embedded cluster's own conflict,
    with the API server's Status; a remote server's comes back as a plain :class:`KubeConflict`)."""


# --- release actions (appended by the release-actions helper) --------------------------------------
class InvalidReleaseName(ReleaseError):
    """A release name breaks Helm's rules (DNS-1123 label-ish, at most 53 characters)."""


class ReleaseFailed(ReleaseError):
    """An install/upgrade/rollback/uninstall ran and failed; the release is recorded as failed."""


class HookFailed(ReleaseError):
    """A release hook could not be created or did not succeed."""


class RecordTooLarge(ReleaseError):
    """The encoded release record would not fit in one Kubernetes object (1 MiB)."""


class TemplateFailError(RenderError):
    """A template called ``fail`` or ``required``: ``execution error at (<file>:<line>): <message>``."""


# --- chart repository server (appended by the packaging/serve helper) ------------------------------
class ServerRequestError(RepoError):
    """A request to ``helmpy serve`` was refused; ``status`` is the HTTP status answered."""

    status = 400


class ChartAlreadyExists(ServerRequestError):
    """An upload would overwrite a chart (or .prov) and overwriting is not allowed."""

    status = 409


class ChartNotInRepository(ServerRequestError):
    """The chart or version asked for is not in the served repository."""

    status = 404


# --- real clusters (appended by the remote-cluster helper) ------------------------------------------
class KubeConfigError(KubeError):
    """The kubeconfig (or in-cluster service account) cannot be used: missing file, context, cluster or user."""


class KubeConnectionError(KubeError):
    """The Kubernetes API server could not be reached (refused, reset, DNS, timeout)."""


class KubeTLSError(KubeConnectionError):
    """The TLS handshake with the API server failed (unknown CA, wrong host name, bad client certificate)."""


class KubeUnauthorized(KubeApiStatus):
    """HTTP 401: the server did not accept the credentials."""


class KubeForbidden(KubeApiStatus):
    """HTTP 403: the credentials are valid but lack permission (RBAC)."""


class KubeInvalid(KubeApiStatus):
    """HTTP 422: the server rejected an object as invalid."""


class KubeServerError(KubeApiStatus):
    """HTTP 5xx or 429 that did not go away after retries."""


# --- hostile clients of `helmpy serve` (appended by the serve-hardening helper) -------------------
class RequestBodyTooLarge(ServerRequestError):
    """A request body is (or says it is) bigger than the server accepts."""

    status = 413


class LengthRequired(ServerRequestError):
    """A request that needs a body sent neither ``Content-Length`` nor a chunked body."""

    status = 411


class RequestBodyTimeout(ServerRequestError):
    """A request body did not arrive within the server's read deadline."""

    status = 408


# --- interrupts (appended by the secrets/signals helper) --------------------------------------------
class Terminated(KeyboardInterrupt):
    """SIGTERM while a command runs: raised in the main thread like Ctrl-C's KeyboardInterrupt, so the same
    cleanup runs (the revision is recorded as failed, the release lock released)."""


class Interrupted(HelmpyError):
    """Ctrl-C stopped a command; for an install/upgrade/rollback the message says what was recorded and how to
    recover."""

    exit_code = ExitCode.INTERRUPTED


class InterruptedBySigterm(Interrupted):
    """SIGTERM stopped a command (exit 143)."""

    exit_code = ExitCode.TERMINATED


def interrupted_error(exc: KeyboardInterrupt, what: str = "") -> Interrupted:
    """The error for ``exc`` (Ctrl-C or SIGTERM): ``<what>: interrupted (Ctrl-C)...``."""
    how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted (Ctrl-C)"
    cls = InterruptedBySigterm if isinstance(exc, Terminated) else Interrupted
    return cls(f"{how}: {what}" if what else how)


# --- Go template execution (appended by the gotemplate execution helper) ---------------------------
class TemplateExecError(RenderError):
    """A Go template failed while executing; ``str()`` is Go's ``ExecError`` text.

    ``template: LOCATION: executing "NAME" at <CONTEXT>: DETAIL`` where LOCATION is ``FILE:LINE:COL``;
    the parts stay available so the chart renderer can print them as Helm does.
    """

    def __init__(self, name: str, detail: str, location: str | None = None, context: str | None = None) -> None:
        if location is None:
            text = f"template: {name}: {detail}"
        else:
            text = f'template: {location}: executing {_go_quote(name)} at <{context}>: {detail}'
        super().__init__(text)
        self.name = name
        self.detail = detail
        self.location = location
        self.context = context


class TemplateFuncError(RenderError):
    """Raised by a template function to return Go's ``error``: the engine reports ``error calling F: MSG``."""


def _go_quote(text: str) -> str:
    from helmpy.engine.gotemplate.strconv import quote

    return quote(text)


# --- OCI registries ---------------------------------------------------------------------------------
class RegistryError(RepoError):
    """An OCI registry refused a request, answered something malformed, or could not be reached."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials (401) or the access (403)."""


class DigestMismatch(RegistryError):
    """A manifest or blob does not hash to the digest that named it."""


class TemplateNotDefined(TemplateExecError):
    """``ExecuteTemplate`` (Helm's ``include``) of a name no file or ``define`` gave; Go's text has no location:
    ``template: no template "x" associated with template "gotpl"``."""

    def __init__(self, name: str) -> None:
        detail = f"no template {_go_quote(name)} associated with template \"gotpl\""
        super().__init__(name, detail)
        self.message = f"template: {detail}"
        self.args = (self.message,)


# --- helmpy serve's web pages (appended by the web UI helper) ------------------------------------------------
class CrossOriginRequest(ServerRequestError):
    """A browser sent a write (upload, delete) from another site's page: refused so a cached login cannot be
    used by a page the user merely visits (cross-site request forgery)."""

    status = 403


# --- cluster selection (appended by the embedded-cluster helper) -----------------------------------
class ClusterUnreachable(KubeConfigError):
    """A kubeconfig is configured (``--kubeconfig``, ``KUBECONFIG``, ``~/.kube/config``) but cannot be read.

    Never a reason to fall back to the embedded cluster: a CI job with a broken kubeconfig must fail, as
    Helm's ``kubernetes cluster unreachable`` does, rather than "deploy" to a local file.
    """

    PREFIX = "kubernetes cluster unreachable: "


# --- helmpy diff (appended by the diff helper) -------------------------------------------------------
class ChangesFound(HelmpyError):
    """``helmpy diff ... --detailed-exitcode`` found changes: exit 2, as the helm-diff plugin (whose callers
    already tell it from an error, exit 1). The same number as a usage error, which CI scripts of helm-diff
    never see from a well-formed command line."""

    exit_code = 2

    def __init__(self, what: str = "change") -> None:
        super().__init__(f"identified at least one {what}, exiting with non-zero exit code (detailed-exitcode "
                         "parameter enabled)")


# --- plugins (appended by the plugins helper) --------------------------------------------------------
class PluginError(HelmpyError):
    """A plugin cannot be installed, loaded or run: a bad plugin.yaml, a missing plugin, a failed hook."""


class PluginExitError(PluginError):
    """A plugin's command ran and exited non-zero: helmpy exits with the plugin's code, as Helm does."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code if 0 < code < 256 else ExitCode.ERROR

# --- Helm 4 habits: post-renderers (appended by the habits helper) ---------------------------------
class PostRenderError(RenderError):
    """``--post-renderer``: the executable is missing, fails, prints nothing or prints what is not YAML.

    The message names the post-renderer and what it said on stderr, so the user knows the chart rendered and
    their own tool (kustomize, a script) is what failed.
    """


# --- honest tests on the embedded cluster (appended by the cluster2 helper) ------------------------
class TestsNotRun(ReleaseError):
    """``helmpy test``: some test Pods/Jobs "completed" only by the embedded cluster's simulation (no container
    ran), and the user did not opt into counting that as a pass. Exit 1, like a failed test: a CI job must not
    go green on tests that never ran. ``release`` is the release as recorded (those tests' phase ``Unknown``)."""

    __test__ = False  # not a pytest test class

    def __init__(self, names: list[str], flag: str, release: Release | results.Release) -> None:
        listed = ", ".join(names)
        super().__init__(f"{len(names)} test{'s' if len(names) != 1 else ''} not run: {listed} (helmpy's "
                         f"embedded cluster runs no containers; pass {flag} to accept a simulated pass)")
        self.names = names
        self.release: Release | results.Release = release  # the API hands on its typed ``helmpy.Release``
