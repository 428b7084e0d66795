"""Render a chart's Jinja2 templates (charts annotated ``helmpy.io/template-engine: jinja2``) into files.

:class:`JinjaRenderer` renders every Jinja2 (sub-)chart of a chart tree: each chart's templates see that
chart's scoped ``Values`` (with ``global``), ``Release``, ``Chart``, ``Capabilities``, ``Template``, ``Files``
and ``Subcharts``, and can call the macros of the chart's partials (``templates/_*.tpl``, also those of its
sub-charts) by name or through ``include``. Missing values templates used are recorded (and fail the render
in strict mode). :class:`helmpy.engine.render.Renderer` calls it when a chart tree has Jinja2 charts, so
only those renders import Jinja2.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from jinja2.runtime import Macro

from helmpy.chart.model import Chart
from helmpy.engine import funcs
from helmpy.engine.context import Capabilities, LookupFn, MissingValue, ReleaseContext, chart_tree, is_partial
from helmpy.engine.files import Files
from helmpy.engine.guard import Guard
from helmpy.engine.sandbox import ChartEnvironment, HelmUndefined
from helmpy.errors import RenderError, RenderLimitError, SandboxViolation, TemplateFailError
from helmpy.values.coalesce import scoped_values

__all__ = ["JinjaRenderer"]


class _ChartScope:
    """Everything rendering one (sub-)chart needs: its environment and its top-level objects."""

    def __init__(self, chart: Chart, env: ChartEnvironment, objects: dict[str, Any]) -> None:
        self.chart = chart
        self.env = env
        self.objects = objects
        self.path = chart.full_path()
        self.depth = self.path.count("/")


class JinjaRenderer:
    """The Jinja2 part of one render: records the missing values templates use in ``missing``."""

    def __init__(self, release: ReleaseContext, caps: Capabilities, *, lookup: LookupFn | None,
                 strict: bool, missing: list[MissingValue]) -> None:
        self.release = release
        self.caps = caps
        self.lookup = lookup
        self.strict = strict
        self.missing = missing
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
    def render(self, chart: Chart, values: dict[str, Any], guard: Guard) -> dict[str, str]:
        """``{path: text}`` for every non-partial template of the Jinja2 charts under ``chart``."""
        undefined = type("BoundUndefined", (HelmUndefined,), {"__slots__": (), "_on_use": self._on_missing})
        scopes = {id(c): self._scope(c, values, guard, undefined) for c in chart_tree(chart)}
        for scope in scopes.values():
            scope.objects["Subcharts"] = {sub.name: scopes[id(sub)].objects for sub in scope.chart.subcharts}
        out: dict[str, str] = {}
        for c in chart_tree(chart):
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
        for c in chart_tree(chart):
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
