"""Helm's own template functions, the ones that need the render: ``include``, ``tpl``, ``required``,
``fail`` and ``lookup`` (Helm's ``pkg/engine/engine.go`` ``initFunMap``), and the function map.

``include`` and ``tpl`` receive the executing state (``FuncSpec.takes_state``), so the template they
run shares the caller's templates, render budget and nesting depth: ``include`` executes a named
template one level deeper; ``tpl`` parses its text as the template ``gotpl`` into a copy of the
caller's templates (its ``define`` s stay local, the chart's are visible, as Helm 4 clones the set)
and removes ``<no value>`` from the result as Helm does.

``required`` and ``fail`` wrap their message in Helm's ``HELM_ERR_START``/``HELM_ERR_END`` markers;
the renderer finds them in the error chain and prints ``execution error at (FILE:L:C): MESSAGE``.
In lint mode both return "" instead, as Helm's linter does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from helmpy.engine.context import LookupFn
from helmpy.engine.gotemplate.builtins import ANY, FuncSpec
from helmpy.engine.gotemplate.exec import State, func_names
from helmpy.engine.gotemplate.funcs.seams import Seams
from helmpy.engine.gotemplate.lazyfuncs import LazyFuncs
from helmpy.engine.gotemplate.nodes import DEFAULT_MAX_DEPTH
from helmpy.engine.gotemplate.strconv import quote
from helmpy.engine.gotemplate.templateset import associate, execute_template, parse_compiled
from helmpy.engine.gotemplate.values import json_numbers
from helmpy.errors import HelmpyError, TemplateExecError, TemplateFuncError, TemplateParseError

logger = logging.getLogger(__name__)


WARN_START = "HELM_ERR_START"
WARN_END = "HELM_ERR_END"
WARN_RE = re.compile(WARN_START + "(.*)" + WARN_END, re.S)
TPL_NAME = "gotpl"  # the name Helm 4 gives every tpl text (its root template's name)


def warn_wrap(message: str) -> str:
    return f"{WARN_START}{message}{WARN_END}"


@dataclass
class HelmContext:
    """What Helm's functions need from the render: the cluster lookup, lint mode, the parser's depth limit."""

    lookup: LookupFn | None = None
    lint_mode: bool = False
    max_parse_depth: int = DEFAULT_MAX_DEPTH
    seams: Seams | None = None  # the clock and randomness of the time/random functions (None: the real ones)


def _include(s: State, name: str, data: object) -> str:
    return execute_template(s.templates, s.funcs, s.strict, name, data, s.guard, s.depth + 1)


def _make_tpl(ctx: HelmContext) -> Callable[[State, str, object], str]:
    def tpl(s: State, text: str, vals: object) -> str:
        try:
            compiled = parse_compiled(TPL_NAME, text, func_names(s.funcs), ctx.max_parse_depth)
        except TemplateParseError as err:
            raise TemplateFuncError(f"cannot parse template {quote(text)}: {err}") from err
        templates = dict(s.templates)
        associate(templates, compiled)
        try:
            out = execute_template(templates, s.funcs, s.strict, TPL_NAME, vals, s.guard, s.depth + 1)
        except TemplateExecError as err:
            raise TemplateFuncError(f"error during tpl function execution for {quote(text)}: {err}") from err
        return out.replace("<no value>", "")
    return tpl


def _make_required(ctx: HelmContext) -> Callable[[str, object], object]:
    def required(warn: str, val: object) -> object:
        if val is None or val == "":
            if ctx.lint_mode:
                logger.debug("lint: missing required value message=%s", warn)
                return ""
            raise TemplateFuncError(warn_wrap(warn))
        return val
    return required


def _make_fail(ctx: HelmContext) -> Callable[[str], str]:
    def fail(msg: str) -> str:
        if ctx.lint_mode:
            logger.debug("lint: fail called message=%s", msg)
            return ""
        raise TemplateFuncError(warn_wrap(msg))
    return fail


def _make_lookup(ctx: HelmContext) -> Callable[[str, str, str, str], object]:
    def lookup(api_version: str, resource: str, namespace: str, name: str) -> object:
        if ctx.lookup is None or ctx.lint_mode:
            return {}  # Helm's offline lookup: an empty map
        try:
            found = ctx.lookup(api_version, resource, namespace, name)
        except HelmpyError as err:
            raise TemplateFuncError(str(err)) from err
        return json_numbers(found or {})  # objects from the API server are JSON: numbers are float64
    return lookup


def helm_functions(ctx: HelmContext) -> dict[str, FuncSpec]:
    """Helm's context-dependent functions, with their Go signatures."""
    s2 = ("string", ANY)
    return {
        "include": FuncSpec(_include, s2, takes_state=True),
        "tpl": FuncSpec(_make_tpl(ctx), s2, takes_state=True),
        "required": FuncSpec(_make_required(ctx), s2),
        "fail": FuncSpec(_make_fail(ctx), ("string",)),
        "lookup": FuncSpec(_make_lookup(ctx), ("string", "string", "string", "string")),
    }


# Helm's data functions (helmpy.engine.gotemplate.helmdata.data_functions), named here so that the map
# knows them without importing helmdata (PyYAML) before a template calls one.
DATA_FUNCTIONS = ("toYaml", "mustToYaml", "toYamlPretty", "fromYaml", "fromYamlArray", "toToml", "fromToml")


def _load_data_function(name: str) -> Callable[..., object]:
    from helmpy.engine.gotemplate.helmdata import data_function

    return data_function(name)


def sprig_functions(seams: Seams | None = None) -> LazyFuncs:
    """Helm's function map below its render-bound functions: Sprig (``funcs.lazy_funcs``, each callable
    with its Go signature) with the placeholders replaced by Helm's data functions (``toYaml``,
    ``fromYaml``, ``toToml`` ...). ``include``/``tpl``/``required``/``lookup`` stay placeholders here;
    :func:`function_map` puts Helm's real ones on top. ``seams`` injects the clock and randomness.
    A function (and its module) is made when it is first looked up."""
    from helmpy.engine.gotemplate.funcs import lazy_funcs

    funcs = lazy_funcs(seams)
    funcs.merge(LazyFuncs(lazy=dict.fromkeys(DATA_FUNCTIONS, _load_data_function)))
    return funcs


def function_map(ctx: HelmContext) -> LazyFuncs:
    """The function map of a Go chart render: Sprig, then Helm's functions on top (text/template's
    built-ins are always there, under both)."""
    funcs = sprig_functions(ctx.seams)
    funcs.merge(helm_functions(ctx))
    return funcs
