"""Render a chart's Go templates the way Helm 4's ``pkg/engine`` does.

Every template file of every Go (sub-)chart is parsed into ONE template set, in Helm's parse order
(deeper paths first, then reverse by name, so a parent's ``define`` wins over a subchart's), then
each file that is not a partial (``_*``) is executed on its own chart's top-level map (``Values``
scoped to the chart, ``Release``, ``Chart``, ``Capabilities``, ``Files``, ``Subcharts``, and
``Template`` set just before the file runs), and ``<no value>`` is removed from its output.
Library charts contribute only their partials. Values are seen as Helm sees them: numbers from
values files are float64 (:func:`~helmpy.engine.gotemplate.json_numbers`), ``--set`` integers
int64.

Errors are reworded as Helm 4 prints them (``reformatExecErrorMsg``): ``required``/``fail`` as
``execution error at (FILE:L:C): MESSAGE``, errors whose whole chain is template errors over
``FILE:L:C`` / ``executing "NAME" at <NODE>:`` / ``DETAIL`` lines, the rest as Go's one line;
parse errors as ``parse error at (FILE:LINE): DETAIL``.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helmpy.engine.context import LookupFn
from helmpy.engine.gotemplate import TemplateSet, helm_parse_order, json_numbers
from helmpy.engine.gotemplate.helmfuncs import WARN_RE, HelmContext, function_map
from helmpy.engine.gotemplate.helmobjects import GoCapabilities, chart_map, files_object
from helmpy.errors import RenderError, RenderLimitError, TemplateExecError, TemplateFailError, TemplateParseError
from helmpy.values.coalesce import scoped_values

if TYPE_CHECKING:
    from helmpy.chart.model import Chart
    from helmpy.engine.context import Capabilities, ReleaseContext
    from helmpy.engine.guard import Guard, Limits

logger = logging.getLogger(__name__)

__all__ = ["GoRenderer", "helm_exec_message"]


def _walk(chart: Chart) -> list[Chart]:
    out = [chart]
    for sub in chart.subcharts:
        out.extend(_walk(sub))
    return out


def _is_partial(name: str) -> bool:
    return posixpath.basename(name).startswith("_")


@dataclass
class _Source:
    text: str
    scope: dict[str, Any]
    base_path: str


class GoRenderer:
    """One render of the Go charts of a chart tree (the Jinja2 ones are left to the Jinja2 renderer)."""

    def __init__(self, release: ReleaseContext, caps: Capabilities, *, lookup: LookupFn | None = None,
                 limits: Limits, strict: bool = False, lint_mode: bool = False) -> None:
        self.release = release
        self.caps = caps
        self.limits = limits
        self.strict = strict
        self.ctx = HelmContext(lookup=lookup, lint_mode=lint_mode)

    def render(self, chart: Chart, values: dict[str, Any], guard: Guard) -> dict[str, str]:
        """``{path: text}`` for every non-partial template of the Go charts under ``chart``."""
        sources = self._sources(chart, values)
        if not sources:
            return {}
        tset = TemplateSet(function_map(self.ctx), strict=self.strict, limits=self.limits,
                           max_parse_depth=self.ctx.max_parse_depth)
        order = helm_parse_order(sources)
        try:
            tset.add_files([(name, sources[name].text) for name in order], seconds_left=guard.remaining(),
                           tick=guard.tick)
        except TemplateParseError as err:
            raise RenderError(err.helm_message) from err
        from helmpy.engine.gotemplate.funcs import limits as func_limits

        with func_limits.bind(guard.check_size):  # Sprig's allocating functions check the render's budget
            out = self._execute(tset, order, sources, guard)
        logger.debug("rendered go templates files=%d parsed=%d", len(out), len(order))
        return out

    def _execute(self, tset: TemplateSet, order: list[str], sources: dict[str, _Source],
                 guard: Guard) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in order:
            if _is_partial(name):
                continue
            src = sources[name]
            src.scope["Template"] = {"Name": name, "BasePath": src.base_path}
            try:
                text = tset.execute(name, src.scope, guard=guard)
            except TemplateExecError as err:
                message = helm_exec_message(name, err)
                cls = TemplateFailError if message.startswith("execution error at (") else RenderError
                raise cls(message) from err
            except RenderLimitError as err:  # a budget ran out: name the file being rendered, as the Jinja2 engine does
                if str(err).startswith(name):
                    raise
                raise RenderLimitError(f"{name}: {err}") from err
            out[name] = text.replace("<no value>", "")
        return out

    def _sources(self, chart: Chart, values: dict[str, Any]) -> dict[str, _Source]:
        """Each Go chart's template files with its top-level map (built for every chart, for ``.Subcharts``)."""
        go_values = json_numbers(values)
        assert isinstance(go_values, dict)
        release = self.release.template_view()
        caps = GoCapabilities(self.caps)
        sources: dict[str, _Source] = {}

        def scope_of(c: Chart) -> dict[str, Any]:
            scope: dict[str, Any] = {
                "Chart": chart_map(c), "Files": files_object(c), "Release": release, "Capabilities": caps,
                "Values": scoped_values(go_values, c),
            }
            scope["Subcharts"] = {sub.name: scope_of(sub) for sub in c.subcharts}
            if c.uses_jinja():
                return scope
            path = c.full_path()
            library = c.metadata.type == "library"
            for t in c.templates:
                if library and not _is_partial(t.name):
                    continue
                sources[f"{path}/{t.name}"] = _Source(t.data.decode("utf-8", "replace"), scope,
                                                      f"{path}/templates")
            return scope

        scope_of(chart)
        return sources


# --- Helm's error wording --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Trace:
    location: str = ""
    message: str = ""
    executed: str = ""

    def text(self) -> str:
        out = ""
        if self.location:
            out += f"{self.location}\n  "
        if self.executed:
            out += f"{self.executed}\n    "
        if self.message:
            out += f"{self.message}\n"
        return out


def _cut_chained(msg: str) -> str:
    cut = msg.find(" template:")
    return msg[:cut] if cut != -1 else msg


def _parse_trace(s: str) -> _Trace | None:
    """Helm's ``parseTemplateExecErrorString``: one text/template error as location/function/message."""
    prefix = "template: "
    if not s.startswith(prefix):
        return None
    rest = s[len(prefix):]
    if rest.startswith("no template "):
        return _Trace(message=s)
    name, sep, after = rest.partition(": executing ")
    if sep:
        if not after.startswith('"'):
            return None
        end = after.find('"', 1)
        if end == -1:
            return None
        func, after_func = after[1:end], after[end + 1:]
        if not after_func.startswith(" at <"):
            return None
        where, sep2, msg = after_func[len(" at <"):].partition(">: ")
        if not sep2:
            return None
        return _Trace(name, _cut_chained(msg), f'executing "{func}" at <{where}>:')
    sep_at = rest.rfind(": ")
    if sep_at == -1:
        return None
    return _Trace(rest[:sep_at], _cut_chained(rest[sep_at + 2:]))


def helm_exec_message(filename: str, err: TemplateExecError) -> str:
    """Helm 4's ``reformatExecErrorMsg`` over the Python cause chain (Go's ``errors.Unwrap`` chain)."""
    text = str(err)
    tokens = text.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({filename}): {text}"
    warn = WARN_RE.search(tokens[2])
    if warn:
        return f"execution error at ({tokens[1]}): {warn.group(1)}"
    traces: list[_Trace] = []
    current: BaseException | None = err
    while current is not None:
        trace = _parse_trace(str(current))
        if trace is None:
            return text
        if not traces or traces[-1] != trace:
            traces.append(trace)
        current = current.__cause__
    return "".join(t.text() for t in traces).strip()
