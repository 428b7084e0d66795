"""The sandboxed Jinja2 environment charts render in: Helm-like undefined values, limits, path checks.

Charts come from strangers, so templates run in Jinja's ``SandboxedEnvironment`` with extra rules:
underscore attributes raise :class:`SandboxViolation` instead of quietly rendering empty, ``include``/
``import``/``extends`` resolve only inside the chart's own ``templates/`` directory, and a per-render
:class:`Guard` enforces wall time, output size and recursion depth (checked on every loop iteration,
call, printed expression and output chunk). Values are maps whose attribute access reaches keys only,
so ``Values.items`` is the key ``items`` and never ``dict.items``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import math
import sys
from collections.abc import Callable, Iterator, Mapping
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

from jinja2 import BaseLoader, ChainableUndefined, TemplateNotFound, nodes
from jinja2.environment import Template
from jinja2.runtime import Macro, Undefined
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from helmpy.engine import budget
from helmpy.engine.codestore import CodeStore, code_store, set_code_store, source_fingerprint
from helmpy.engine.files import safe_relpath
from helmpy.engine.gofmt import go_str
from helmpy.engine.guard import Guard, GuardedRange, Limits
from helmpy.errors import RenderError, RenderLimitError, SandboxViolation

logger = logging.getLogger(__name__)

# Engine-neutral names that moved out of this module (so a Go chart's render never imports Jinja2), still
# importable from here: the limits and budget (helmpy.engine.guard), the compiled-code store
# (helmpy.engine.codestore) and the chart path rule (helmpy.engine.files).
__all__ = ["ChartEnvironment", "ChartLoader", "CodeStore", "Guard", "GuardedRange", "GuardedTemplate", "HelmUndefined",
           "Limits", "code_store", "safe_relpath", "set_code_store", "source_fingerprint"]

LOOP_GUARD = "_helmpy_loop"
CONCAT_GUARD = "_helmpy_concat"
_CODE_CACHE: dict[tuple[str, str | None, str | None], Any] = {}
_CODE_CACHE_SIZE = 1024
# Bump when the code this module generates changes shape (the store key also covers versions and files).
_CODE_FORMAT = 2
# Jinja's Context.call answer when a callable raises StopIteration (it would end a generator otherwise).
_STOP_ITERATION = "value was undefined because a callable raised a StopIteration exception"
_DIRECT_TYPES = (FunctionType, MethodType, BuiltinFunctionType)


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """What compiled code depends on besides the template: Python, Jinja2, helmpy and this engine's files."""
    import jinja2

    from helmpy import __version__
    from helmpy.engine import datafuncs, funcs, textfuncs

    parts = [sys.implementation.cache_tag or "", sys.version, jinja2.__version__, __version__, str(_CODE_FORMAT)]
    return source_fingerprint(parts, (__file__, funcs.__file__, textfuncs.__file__, datafuncs.__file__))


def _stored_code(source: str, name: str | None, filename: str | None, compile_fn: Callable[[], Any]) -> Any:
    store = code_store()
    if store is None:
        return compile_fn()
    digest = hashlib.sha256(_code_fingerprint())
    for part in (name or "", filename or "", source):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    data = store.load(key)
    if data is not None:
        try:
            return marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            logger.debug("ignoring a corrupt compiled template %s", key)
    code = compile_fn()
    store.save(key, marshal.dumps(code))
    return code


_DICT_METHODS = frozenset(n for n in dir(dict) if not n.startswith("_"))


class HelmUndefined(ChainableUndefined):
    """A missing value: prints as "", is falsy and empty, and attribute access on it stays missing.

    ``Engine`` subclasses it per render with ``_on_use`` set, which records each missing value a
    template actually used (printed, tested, iterated) and raises in strict mode.
    """

    __slots__ = ()
    _on_use: Callable[[str], None] | None = None

    @property
    def path(self) -> str:
        return str(self._undefined_name or "value")

    def _used(self) -> None:
        if self._on_use is not None:
            type(self)._on_use(self.path)  # type: ignore[misc]

    def child(self, name: Any) -> HelmUndefined:
        return type(self)(name=f"{self.path}.{name}")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)

    def __getitem__(self, key: Any) -> Any:
        return self.child(key)

    def __str__(self) -> str:
        self._used()
        return ""

    def __bool__(self) -> bool:
        self._used()
        return False

    def __iter__(self) -> Iterator[Any]:
        self._used()
        return iter(())

    def __len__(self) -> int:
        self._used()
        return 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        last = self.path.rsplit(".", 1)[-1]
        hint = ""
        if last in _DICT_METHODS:
            hint = (f" (values are maps: {last!r} is looked up as a key, never a dict method; "
                    "iterate with `| items` or `| dictsort`)")
        raise RenderError(f"{self.path!r} is undefined and cannot be called{hint}")


class ChartLoader(BaseLoader):
    """Serves one chart's ``templates/`` files by their full path (``web/templates/x.yaml``)."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source = self.sources.get(template)
        if source is None:
            raise TemplateNotFound(template)
        return source, template, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


class _ConcatGuard(NodeTransformer):
    """``a ~ b`` -> ``_helmpy_concat(a, b)``."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802 - Jinja's visitor naming
        self.generic_visit(node)
        return nodes.Call(nodes.Name(CONCAT_GUARD, "load"), list(node.nodes), [], None, None, lineno=node.lineno)


def _flat_size(value: str | list[Any] | tuple[Any, ...]) -> int:
    return len(value) if isinstance(value, str) else len(value) * budget.ITEM_BYTES


class GuardedTemplate(Template):
    """Counts template nesting (include/import/extends) against the recursion limit."""

    @classmethod
    def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> Template:  # noqa: A002
        tmpl = super()._from_namespace(environment, namespace, globals)
        inner = tmpl.root_render_func
        guard: Guard = environment.guard
        name = tmpl.name

        def root_render_func(context: Any) -> Iterator[str]:
            guard.enter(f"template {name!r}")
            try:
                yield from inner(context)
            finally:
                guard.leave()

        tmpl.root_render_func = root_render_func
        return tmpl


def _plain_macro_call(macro: Macro, count: int) -> bool:
    """Whether ``count`` positional arguments (and no keyword) are all ``macro`` takes, so Jinja's
    ``Macro.__call__`` would hand them to the macro's body unchanged (its attributes as Jinja 3.1 has them;
    a Jinja without them takes the generic call)."""
    try:
        return (count == macro._argument_count and not macro.caller and not macro.catch_kwargs
                and not macro.catch_varargs and not macro._environment.is_async)
    except AttributeError:
        return False


class ChartEnvironment(SandboxedEnvironment):
    """One chart's sandboxed environment (its own loader; a shared Guard for the whole render)."""

    template_class = GuardedTemplate
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, *, chart_path: str, sources: dict[str, str], guard: Guard,
                 undefined: type[HelmUndefined], value_paths: dict[int, str]) -> None:
        self.chart_path = chart_path
        self.templates_dir = f"{chart_path}/templates"
        self.guard = guard
        self.value_paths = value_paths
        super().__init__(loader=ChartLoader(sources), undefined=undefined, trim_blocks=True,
                         lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                         finalize=self._finalize, cache_size=-1, auto_reload=False)
        self.globals[LOOP_GUARD] = guard.iterate
        self.globals[CONCAT_GUARD] = self.guarded_concat
        self._direct: dict[int, tuple[Any, _PassArg | None]] = {}
        self.trust_globals()

    # --- output -----------------------------------------------------------------------------------
    def _finalize(self, value: Any) -> Any:
        """``{{ x }}`` prints like Go: true/false, None as "", ``3`` for 3.0, ``[a b]``, ``map[k:v]``."""
        self.guard.tick()
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (float, dict, list, tuple)):
            return go_str(value)
        return value

    # --- names and paths --------------------------------------------------------------------------
    def join_path(self, template: str, parent: str) -> str:
        """``include``/``import``/``extends`` names are relative to the chart's templates/ dir."""
        rel = safe_relpath(template, "include")
        if rel.startswith("templates/"):
            rel = rel[len("templates/"):]
        return f"{self.templates_dir}/{rel}"

    def compile(self, source: Any, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        """Compiled code is the same for every chart environment (same options, filters and tests), so it
        is cached process-wide (re-rendering a chart in install, upgrade, lint skips Jinja's compiler) and,
        through the :class:`CodeStore` when one is set, across runs."""
        if raw or defer_init or not isinstance(source, str):
            return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]
        key = (source, name, filename)
        code = _CODE_CACHE.get(key)
        if code is None:
            code = _stored_code(source, name, filename, lambda: super(ChartEnvironment, self).compile(
                source, name, filename))
            if len(_CODE_CACHE) >= _CODE_CACHE_SIZE:
                _CODE_CACHE.pop(next(iter(_CODE_CACHE)))
            _CODE_CACHE[key] = code
        return code

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Wrap every ``for`` loop's iterable so each iteration checks the deadline, and route every
        ``~`` concatenation through :meth:`guarded_concat` so its size is checked."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(LOOP_GUARD, "load"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
        guarded: nodes.Template = _ConcatGuard().visit(tree)
        return guarded

    # --- attribute access -------------------------------------------------------------------------
    def _missing(self, obj: Any, name: Any) -> HelmUndefined:
        base = self.value_paths.get(id(obj))
        path = f"{base}.{name}" if base else str(name)
        return self.undefined(name=path)  # type: ignore[return-value]

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                return self._missing(obj, attribute)
        if isinstance(attribute, str) and attribute.startswith("_"):
            raise SandboxViolation(f"access to attribute {attribute!r} of a {type(obj).__name__!r} value "
                                   "is not allowed in templates (sandbox)")
        if isinstance(obj, HelmUndefined):
            return obj.child(attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping):
            try:
                return obj[argument]
            except (KeyError, TypeError):
                return self._missing(obj, argument)
        if isinstance(obj, HelmUndefined):
            return obj.child(argument)
        if isinstance(argument, str) and argument.startswith("_"):
            raise SandboxViolation(f"access to attribute {argument!r} of a {type(obj).__name__!r} value "
                                   "is not allowed in templates (sandbox)")
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SandboxViolation(f"access to attribute {attribute!r} of a {type(obj).__name__!r} value "
                               "is not allowed in templates (sandbox)")

    # --- calls and operators ----------------------------------------------------------------------
    def trust_globals(self) -> None:
        """Let :meth:`call` take its direct path for the functions in ``globals`` now (helmpy's own, set
        once per environment before rendering): plain functions and methods the sandbox finds safe, with
        no ``__call__`` of their own that takes a Jinja argument and not bound to a string (whose methods
        have their result sized first)."""
        for obj in self.globals.values():
            if (isinstance(obj, _DIRECT_TYPES) and self.is_safe_callable(obj)
                    and _PassArg.from_obj(obj.__call__) is None
                    and not isinstance(getattr(obj, "__self__", None), str)):
                self._direct[id(obj)] = (obj, _PassArg.from_obj(obj))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Every call a template makes. A template-defined macro (always safe, takes the eval context)
        and a function of :meth:`trust_globals` skip the generic checks of Jinja's sandbox and
        ``Context.call`` and do what those layers would do for them: the same first argument, the two
        internal keyword arguments dropped, StopIteration turned into an undefined value."""
        guard = __self.guard
        guard.tick()
        if type(__obj) is Macro:
            guard.enter(f"macro {__obj.name!r}")
            try:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
                try:
                    if not kwargs and _plain_macro_call(__obj, len(args)):
                        # Macro.__call__ for exactly its positional arguments: no defaults, caller or
                        # varargs to fill in, so the body gets the arguments as they are
                        rv = __obj._func(*args)
                        return Markup(rv) if __context.eval_ctx.autoescape else rv
                    return __obj(__context.eval_ctx, *args, **kwargs)
                except StopIteration:
                    return __context.environment.undefined(_STOP_ITERATION)
            finally:
                guard.leave()
        entry = __self._direct.get(id(__obj))
        if entry is not None and entry[0] is __obj:
            pass_arg = entry[1]
            if pass_arg is None:
                pass
            elif pass_arg is _PassArg.context:
                context = __context
                loop_vars = kwargs.get("_loop_vars")
                if loop_vars:
                    context = context.derived(loop_vars)
                block_vars = kwargs.get("_block_vars")
                if block_vars:
                    context = context.derived(block_vars)
                args = (context, *args)
            elif pass_arg is _PassArg.eval_context:
                args = (__context.eval_ctx, *args)
            elif pass_arg is _PassArg.environment:
                args = (__context.environment, *args)
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __context.environment.undefined(_STOP_ITERATION)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and args:
            size = budget.str_method_size(owner, __obj.__name__, args)
            if size:
                guard.check_size(size, f"str.{__obj.__name__}")
        if isinstance(__obj, Macro):
            guard.enter(f"macro {__obj.name!r}")
            try:
                return super().call(__context, __obj, *args, **kwargs)
            finally:
                guard.leave()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and not isinstance(n, bool):
                    self.guard.check_size(budget.size_of(seq) * max(n, 0), "'*'")
            budget.check_product(left, right, "'*'")
        elif operator == "**":
            if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
                    and right * math.log2(abs(left)) > budget.MAX_INT_BITS):
                raise RenderLimitError(f"{left} ** {right} is too large to compute")
        elif operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                self.guard.check_size(_flat_size(left) + _flat_size(right), "'+'")
        elif operator == "%" and isinstance(left, str):
            self.guard.check_size(budget.format_size(left, right if isinstance(right, tuple) else (right,)), "'%'")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>9}'.format(x)``: Jinja's sandboxed formatter, with the result's size checked first."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt: str = value.__self__
        guard = self.guard

        def checked(*args: Any, **kwargs: Any) -> str:
            guard.check_size(budget.format_size(fmt, args + tuple(kwargs.values()), braces=True), "format")
            return wrapper(*args, **kwargs)

        return checked

    def guarded_concat(self, *parts: Any) -> str:
        """``a ~ b``: Jinja's string concatenation, refused before it is built when too large."""
        guard = self.guard
        size = 0
        texts: list[str] = []
        for part in parts:
            if not isinstance(part, str):
                guard.check_size(size + budget.size_of(part), "'~'")  # before printing a large list
                part = str(part)
            size += len(part)
            texts.append(part)
        guard.check_size(size, "'~'")
        return "".join(texts)
