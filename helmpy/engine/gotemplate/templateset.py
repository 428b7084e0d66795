"""A set of associated Go templates (Go's ``*template.Template``): add files, execute by name.

Every ``define``/``block`` of every added file lands in one namespace, as when Helm parses all of a
chart's files into one template: a later definition replaces an earlier one unless it is empty
(Go's ``AddParseTree``/``associate``), so the order files are added decides which definition
wins; Helm adds them in :func:`helm_parse_order`.

Parsing and compiling are cached by content (SHA-256 of name, text and the function names), so a
library chart's templates are compiled once per process however many charts include them.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from helmpy.engine.gotemplate import nodes as n
from helmpy.engine.gotemplate.builtins import BUILTINS, FuncSpec
from helmpy.engine.gotemplate.exec import Compiled, compile_tree, execute_compiled, func_spec
from helmpy.engine.gotemplate.parser import DEFAULT_MAX_DEPTH, parse
from helmpy.engine.gotemplate.strconv import quote
from helmpy.engine.gotemplate.values import NO_VALUE
from helmpy.engine.sandbox import Guard, Limits
from helmpy.errors import RenderLimitError, TemplateNotDefined

logger = logging.getLogger(__name__)

_CACHE: OrderedDict[str, dict[str, Compiled]] = OrderedDict()
_CACHE_SIZE = 4096


def parse_compiled(name: str, text: str, func_names: frozenset[str], max_depth: int) -> dict[str, Compiled]:
    """Every template one file defines, parsed and compiled (cached by content).

    Raises:
        TemplateParseError: with Go's text, when the file does not parse.
    """
    digest = hashlib.sha256()
    for part in (name, text, "\0".join(sorted(func_names)), str(max_depth)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0\1")
    key = digest.hexdigest()
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    trees = parse(name, text, func_names, max_depth=max_depth)
    compiled = {tname: compile_tree(tree) for tname, tree in trees.items()}
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def associate(templates: dict[str, Compiled], compiled: Mapping[str, Compiled]) -> None:
    """Add a file's templates to a namespace as Go's ``AddParseTree`` does: an empty (re)definition
    never replaces a real one."""
    for tname, tmpl in compiled.items():
        old = templates.get(tname)
        if old is not None and n.is_empty_tree(tmpl.tree.root) and not n.is_empty_tree(old.tree.root):
            continue
        templates[tname] = tmpl


def execute_template(templates: Mapping[str, Compiled], funcs: Mapping[str, FuncSpec], strict: bool, name: str,
                     data: object, guard: Guard, depth: int) -> str:
    """Go's ``ExecuteTemplate`` on a namespace of compiled templates (see :meth:`TemplateSet.execute`)."""
    target = templates.get(name)
    if target is None:
        raise TemplateNotDefined(name)
    out: list[str] = []
    dot = NO_VALUE if data is None else data
    try:
        execute_compiled(target, dot, out, funcs, templates, strict, guard, depth)
    except RecursionError:
        raise RenderLimitError(f"template {quote(name)} nests too deeply for the Python stack "
                               "(recursion? limit HELMPY_RENDER_MAX_DEPTH)") from None
    return "".join(out)


def helm_parse_order(names: Iterable[str]) -> list[str]:
    """The order Helm parses a chart's template files in: deeper paths first, then reverse by name.

    (``sort.Sort(sort.Reverse(byPathLen(keys)))`` in Helm's ``pkg/engine/engine.go``.) Since a later
    definition wins, a parent chart's ``define`` replaces a subchart's of the same name.
    """
    return sorted(names, key=lambda p: (p.count("/"), p), reverse=True)


class TemplateSet:
    """Templates that can call each other, plus the functions they may use.

    Args:
        funcs: the function map (name to callable or :class:`FuncSpec`); it extends and may replace
            text/template's built-ins, as ``template.Funcs`` does. Plain callables take
            ``interface {}`` parameters; raise :class:`~helmpy.errors.TemplateFuncError` to return
            Go's ``error``.
        strict: Go's ``missingkey=error`` (Helm's ``--strict`` lint): a missing map key is an error
            instead of the zero value.
        limits: the render limits (deadline, output size, template nesting depth).
        max_parse_depth: the parser's nesting limit.
    """

    def __init__(self, funcs: Mapping[str, Callable[..., object] | FuncSpec] | None = None, *,
                 strict: bool = False, limits: Limits | None = None,
                 max_parse_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self.funcs: dict[str, FuncSpec] = dict(BUILTINS)
        for fname, fn in (funcs or {}).items():
            self.funcs[fname] = func_spec(fn)
        self._func_names = frozenset(self.funcs)
        self.strict = strict
        self.limits = limits or Limits()
        self.max_parse_depth = max_parse_depth
        self.templates: dict[str, Compiled] = {}

    def add(self, name: str, text: str) -> list[str]:
        """Parse a file and add every template it defines; returns their names.

        Raises:
            TemplateParseError: with Go's text, when the file does not parse.
        """
        compiled = parse_compiled(name, text, self._func_names, self.max_parse_depth)
        associate(self.templates, compiled)
        return list(compiled)

    def has(self, name: str) -> bool:
        """Whether a template of this name was defined (a file or a ``define``)."""
        return name in self.templates

    def execute(self, name: str, data: object, *, guard: Guard | None = None, depth: int = 0) -> str:
        """Execute the named template on ``data`` and return its output (Go's ``ExecuteTemplate``).

        ``guard`` is the render's shared budget (a fresh one from :attr:`limits` if omitted); pass the
        same guard, and ``depth + 1``, when a function such as ``include`` executes a template from
        inside another, so the deadline, output cap and nesting limit cover the whole render.

        Raises:
            TemplateExecError: Go's execution error text.
            RenderLimitError: the deadline, the output cap or the nesting limit was exceeded.
        """
        guard = guard if guard is not None else Guard(self.limits)
        return execute_template(self.templates, self.funcs, self.strict, name, data, guard, depth)
