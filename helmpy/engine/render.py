"""Render a chart's templates into files: Jinja2 charts here, Go charts through :mod:`helmpy.engine.gorender`.

``render(chart, values, release, caps)`` returns ``{"<chart path>/templates/<file>": text}`` for every
enabled (sub-)chart: each chart's templates see that chart's scoped ``Values`` (with ``global``),
``Release``, ``Chart``, ``Capabilities``, ``Template``, ``Files`` and ``Subcharts``, and can call the
macros of the chart's partials (``templates/_*.tpl``, also those of its sub-charts) by name or through
``include``. The engine is pure: no file system, no network (``lookup`` is injected).
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Callable

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from jinja2.runtime import Macro

from helmpy.chart.model import Chart
from helmpy.engine import budget, funcs
from helmpy.engine.files import Files
from helmpy.engine.sandbox import ChartEnvironment, Guard, HelmUndefined, Limits
from helmpy.errors import RenderError, RenderLimitError, SandboxViolation, TemplateFailError
from helmpy.semverutil import try_parse
from helmpy.values.coalesce import scoped_values

logger = logging.getLogger(__name__)

__all__ = ["Capabilities", "Limits", "MissingValue", "ReleaseContext", "Renderer", "render",
           "DEFAULT_API_VERSIONS", "HELM_VERSION"]

# Helm 4.1.4's built-in API versions for offline rendering (helm template without a cluster).
DEFAULT_API_VERSIONS: tuple[str, ...] = (
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
    "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1", "autoscaling/v2",
    "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1", "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
    "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
)
# The Helm release whose template behaviour helmpy follows (reported as Capabilities.HelmVersion).
HELM_VERSION = {"Version": "v4.1.4", "GitCommit": "", "GitTreeState": "", "GoVersion": "",
                "KubeClientVersion": "v1.35"}
NOTES_SUFFIX = "NOTES.txt"

LookupFn = Callable[[str, str, str, str], dict]


@dataclass
class ReleaseContext:
    """What ``Release`` shows templates."""

    name: str = "release-name"
    namespace: str = "default"
    revision: int = 1
    is_install: bool = True
    is_upgrade: bool = False
    service: str = "Helm"

    def template_view(self) -> dict[str, Any]:
        return {"Name": self.name, "Namespace": self.namespace, "IsInstall": self.is_install,
                "IsUpgrade": self.is_upgrade, "Revision": self.revision, "Service": self.service}


@dataclass
class Capabilities:
    """The cluster as templates see it (Helm's offline defaults unless a cluster or flags say otherwise)."""

    kube_version: str = "v1.35.0"
    api_versions: list[str] = field(default_factory=lambda: list(DEFAULT_API_VERSIONS))

    def normalized_kube_version(self) -> str:
        """``v<major>.<minor>.<patch>`` (what Helm 4 prints and compares against ``kubeVersion``)."""
        v = try_parse(self.kube_version)
        return f"v{v.major}.{v.minor}.{v.patch}" if v else self.kube_version

    def template_view(self) -> "_CapabilitiesView":
        return _CapabilitiesView(self)


class KubeVersionView:
    """``Capabilities.KubeVersion``: prints as the normalised version."""

    def __init__(self, caps: Capabilities) -> None:
        v = try_parse(caps.kube_version)
        self.Version = caps.kube_version
        self.GitVersion = caps.kube_version
        self.Major = str(v.major) if v else ""
        self.Minor = str(v.minor) if v else ""
        self._text = caps.normalized_kube_version()

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text


class VersionSet(list):  # type: ignore[type-arg]
    """``Capabilities.APIVersions``: a list with Helm's ``Has``."""

    def Has(self, version: str) -> bool:  # noqa: N802 - Helm's spelling
        return version in self


class _CapabilitiesView:
    def __init__(self, caps: Capabilities) -> None:
        self.KubeVersion = KubeVersionView(caps)
        self.APIVersions = VersionSet(caps.api_versions)
        self.HelmVersion = dict(HELM_VERSION)


@dataclass(frozen=True)
class MissingValue:
    """A missing value a template used (printed, tested, iterated): what ``lint --strict`` reports."""

    template: str
    path: str

    def __str__(self) -> str:
        return f"{self.template}: {self.path}"


def is_partial(name: str) -> bool:
    return posixpath.basename(name).startswith("_")


def _walk(chart: Chart) -> list[Chart]:
    out = [chart]
    for sub in chart.subcharts:
        out.extend(_walk(sub))
    return out


class _ChartScope:
    """Everything rendering one (sub-)chart needs: its environment and its top-level objects."""

    def __init__(self, chart: Chart, env: ChartEnvironment, objects: dict[str, Any]) -> None:
        self.chart = chart
        self.env = env
        self.objects = objects
        self.path = chart.full_path()
        self.depth = self.path.count("/")


class Renderer:
    """One render: shared limits budget, strict-mode policy and the record of missing values used."""

    def __init__(self, release: ReleaseContext | None = None, caps: Capabilities | None = None, *,
                 lookup: LookupFn | None = None, limits: Limits | None = None, strict: bool = False,
                 lint_mode: bool = False) -> None:
        self.release = release or ReleaseContext()
        self.lint_mode = lint_mode
        self.caps = caps or Capabilities()
        self.lookup = lookup
        self.limits = limits or Limits()
        self.strict = strict
        self.missing: list[MissingValue] = []
        self._current = ""
        self._keep: list[Any] = []  # objects whose id() is in _paths stay alive

    # --- missing values ---------------------------------------------------------------------------
    def _on_missing(self, path: str) -> None:
        record = MissingValue(self._current, path)
        if record not in self.missing:
            self.missing.append(record)
        if self.strict:
            raise RenderError(f"value {path!r} is not set (strict mode)")

    def _remember(self, paths: dict[int, str], obj: Any, path: str) -> None:
        """Note where each map lives (``Values.image``) so a missing key can be reported by path."""
        if isinstance(obj, dict):
            paths[id(obj)] = path
            self._keep.append(obj)
            for k, v in obj.items():
                self._remember(paths, v, f"{path}.{k}")
        elif isinstance(obj, list):
            self._keep.append(obj)
            for i, v in enumerate(obj):
                self._remember(paths, v, f"{path}[{i}]")

    # --- rendering --------------------------------------------------------------------------------
    def render(self, chart: Chart, values: dict[str, Any]) -> dict[str, str]:
        """Render every template of ``chart`` and its sub-charts; ``values`` are the root's coalesced values.

        Jinja2 charts (annotated ``helmpy.io/template-engine: jinja2``) render here, Go charts in
        :class:`helmpy.engine.gorender.GoRenderer`; one release may mix both, under one budget.
        """
        charts = _walk(chart)
        guard = Guard(self.limits)
        with budget.active(guard), budget.deadline_alarm(guard):
            out: dict[str, str] = {}
            if any(c.uses_jinja() and c.templates for c in charts):
                out.update(self._render_all(chart, values, guard))
            if any(not c.uses_jinja() and c.templates for c in charts):
                from helmpy.engine.gorender import GoRenderer  # only Go charts pay for importing the engine

                go = GoRenderer(self.release, self.caps, lookup=self.lookup, limits=self.limits,
                                strict=self.strict, lint_mode=self.lint_mode)
                out.update(go.render(chart, values, guard))
            return out

    def _render_all(self, chart: Chart, values: dict[str, Any], guard: Guard) -> dict[str, str]:
        undefined = type("BoundUndefined", (HelmUndefined,), {"__slots__": (), "_on_use": self._on_missing})
        scopes = {id(c): self._scope(c, values, guard, undefined) for c in _walk(chart)}
        for scope in scopes.values():
            scope.objects["Subcharts"] = {sub.name: scopes[id(sub)].objects for sub in scope.chart.subcharts}
        out: dict[str, str] = {}
        for c in _walk(chart):
            if not c.uses_jinja():
                continue  # the Go renderer's
            scope = scopes[id(c)]
            partials = self._partials(c, scopes)
            if c.metadata.type == "library":
                continue
            for tfile in sorted(c.templates, key=lambda f: f.name):
                if is_partial(tfile.name):
                    continue
                name = f"{scope.path}/{tfile.name}"
                out[name] = self._render_one(scope, name, partials, guard)
        return out

    def _scope(self, chart: Chart, values: dict[str, Any], guard: Guard, undefined: type) -> _ChartScope:
        path = chart.full_path()
        sources = {f"{path}/{t.name}": t.data.decode("utf-8", "replace") for t in chart.templates}
        paths: dict[int, str] = {}
        env = ChartEnvironment(chart_path=path, sources=sources, guard=guard, undefined=undefined,
                               value_paths=paths)
        funcs.install(env, self.lookup)
        scoped = scoped_values(values, chart)
        objects = {
            "Values": scoped,
            "Release": self.release.template_view(),
            "Chart": chart.metadata.template_view(chart.is_root),
            "Capabilities": self.caps.template_view(),
            "Files": Files({f.name: f.data for f in chart.files}),
        }
        for key in ("Values", "Release", "Chart"):
            self._remember(paths, objects[key], key)
        return _ChartScope(chart, env, objects)

    def _partials(self, chart: Chart, scopes: dict[int, _ChartScope]) -> list[tuple[ChartEnvironment, str]]:
        """Partials of the chart and its sub-charts in Helm's parse order (later ones win on name clashes):
        deepest first, ties in reverse lexicographic order, so the chart's own definitions win."""
        found = []
        for c in _walk(chart):
            if not c.uses_jinja():
                continue
            scope = scopes[id(c)]
            for t in c.templates:
                if is_partial(t.name):
                    found.append((scope.env, f"{scope.path}/{t.name}"))
        return sorted(found, key=lambda p: (p[1].count("/"), p[1]), reverse=True)

    def _render_one(self, scope: _ChartScope, name: str, partials: list[tuple[ChartEnvironment, str]],
                    guard: Guard) -> str:
        env = scope.env
        self._current = name
        template_obj = {"Name": name, "BasePath": f"{scope.path}/templates"}
        ns: dict[str, Any] = dict(env.globals)
        ns.update(scope.objects)
        ns["Template"] = template_obj
        macros: dict[str, Macro] = {}
        ns[funcs.MACROS_KEY] = macros
        parts: list[str] = []
        try:
            for penv, pname in partials:
                module = penv.get_template(pname).make_module(ns, shared=True)
                for key, value in vars(module).items():
                    if isinstance(value, Macro):
                        macros[key] = value
            ns.update(macros)
            for chunk in env.get_template(name).generate(ns):
                guard.add_output(len(chunk))
                parts.append(chunk)
        except Exception as err:  # noqa: BLE001 - every failure becomes a located RenderError
            raise _located(err, name) from err
        return "".join(parts)


def _location(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost template frame of a traceback: (template name, template line)."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        tmpl = frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            try:
                found = (tmpl.name, tmpl.get_corresponding_lineno(tb.tb_lineno))
            except Exception:  # noqa: BLE001 - debug info is best effort
                found = (tmpl.name, tb.tb_lineno)
        elif "__jinja_exception__" in frame.f_globals:
            found = (frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _located(err: BaseException, fallback: str) -> RenderError:
    """Turn any failure inside a template into a RenderError naming file and line."""
    if getattr(err, "_helmpy_located", False):
        return err  # type: ignore[return-value]
    if isinstance(err, TemplateSyntaxError):
        where = err.filename or err.name or fallback
        out: RenderError = RenderError(f"parse error at ({where}:{err.lineno}): {err.message}")
    else:
        loc = _location(err.__traceback__)
        where = f"{loc[0]}:{loc[1]}" if loc else fallback
        if isinstance(err, TemplateFailError):
            out = TemplateFailError(f"execution error at ({where}): {err.message}")
        elif isinstance(err, RenderError):
            out = type(err)(f"{where}: {err.message}")
        elif isinstance(err, SecurityError):
            out = SandboxViolation(f"{where}: {err} (sandbox)")
        elif isinstance(err, RecursionError):
            out = RenderLimitError(f"{where}: templates nest too deeply (recursion?)")
        elif isinstance(err, MemoryError):
            out = RenderLimitError(f"{where}: out of memory while rendering")
        elif isinstance(err, TemplateNotFound):
            out = RenderError(f"{where}: template {err.name!r} not found in this chart's templates/")
        elif isinstance(err, UndefinedError):
            out = RenderError(f"{where}: {err.message}")
        else:
            out = RenderError(f"{where}: {type(err).__name__}: {err}")
    out._helmpy_located = True  # type: ignore[attr-defined]
    return out


def render(chart: Chart, values: dict[str, Any], release: ReleaseContext, caps: Capabilities, *,
           lookup: LookupFn | None = None, limits: Limits | None = None, strict: bool = False,
           missing: list[MissingValue] | None = None) -> dict[str, str]:
    """Render all templates of ``chart`` (and enabled sub-charts) into ``{path: text}``.

    ``missing``, when given, receives the missing values templates used (for ``lint``).
    """
    renderer = Renderer(release, caps, lookup=lookup, limits=limits, strict=strict)
    try:
        return renderer.render(chart, values)
    finally:
        if missing is not None:
            missing.extend(renderer.missing)
