"""Executing Go templates: each parse tree is compiled once into nested Python closures.

The closures follow ``text/template/exec.go`` step by step (``walk``, ``evalPipeline``,
``evalCommand``, ``evalField``, ``evalCall``...), including where Go records the node it is at
(``s.at(node)``), so execution errors name the same template, position and node as Go's::

    template: FILE:LINE:COL: executing "NAME" at <NODE>: DETAIL

Compiling removes the per-node type dispatch of an interpreter: executing a template is calling
its root closure. Compiled templates depend only on the tree, so they are cached (see
:mod:`helmpy.engine.gotemplate.templateset`) and shared by every render.

Data model: see :mod:`helmpy.engine.gotemplate.values`. A nil reached through a map or slice is
``None`` (Go's nil interface: ``.a.b`` on it is ``nil pointer evaluating interface {}.b``); a
pipeline's nil result becomes :data:`NO_VALUE` (Go's invalid value, printed ``<no value>``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from helmpy.engine.gotemplate import nodes as n
from helmpy.engine.gotemplate.builtins import ANY, BUILTINS, RV, FuncSpec, truth
from helmpy.engine.gotemplate.fmt import format_value, sort_keys, sprint
from helmpy.engine.gotemplate.lazyfuncs import Loader
from helmpy.engine.gotemplate.strconv import quote
from helmpy.engine.gotemplate.values import NO_VALUE, GoMethod, GoObject, type_name
from helmpy.errors import RenderLimitError, TemplateExecError, TemplateFuncError

if TYPE_CHECKING:
    from helmpy.engine.sandbox import Guard

_MISSING = object()  # Go's missingVal: "no final argument from the pipeline"

Fn = Callable[["State", object], None]
ValueFn = Callable[["State", object], object]
CmdFn = Callable[["State", object, object], object]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Compiled:
    """One template: its tree (for error positions) and its body, each made when first needed.

    ``tree`` is given, or loaded by ``load`` on first use (a tree kept on disk is decoded only if the
    template runs or fails); ``body`` is compiled from the tree on first execution, so the many
    ``define``s of a library chart that a render never includes cost nothing but their parse.
    ``empty`` is Go's ``IsEmptyTree`` of the tree, known without loading it.
    """

    __slots__ = ("_body", "_load", "_tree", "empty", "name")

    def __init__(self, tree: n.Tree | None = None, *, name: str = "", empty: bool | None = None,
                 load: Callable[[], n.Tree] | None = None) -> None:
        if tree is None and load is None:
            raise ValueError("a compiled template needs its tree or a way to load it")
        self._tree = tree
        self._load = load
        self._body: Fn | None = None
        self.name = tree.name if tree is not None else name
        self.empty = n.is_empty_tree(tree.root) if empty is None and tree is not None else bool(empty)

    @property
    def tree(self) -> n.Tree:
        tree = self._tree
        if tree is None:
            assert self._load is not None
            tree = self._tree = self._load()
        return tree

    @property
    def body(self) -> Fn:
        body = self._body
        if body is None:
            body = self._body = Compiler().list(self.tree.root)
        return body


class State:
    """Go's ``*state``: the executing template, its variables, the output and the shared budget."""

    __slots__ = ("depth", "funcs", "guard", "node", "out", "strict", "templates", "tree", "vars")

    def __init__(self, tree: n.Tree, out: list[str], funcs: Mapping[str, FuncSpec],
                 templates: Mapping[str, Compiled], strict: bool, guard: Guard, depth: int) -> None:
        self.tree = tree
        self.node: n.Node | None = None
        self.vars: list[list[object]] = []
        self.out = out
        self.funcs = funcs
        self.templates = templates
        self.strict = strict
        self.guard = guard
        self.depth = depth

    def error(self, detail: str) -> TemplateExecError:
        """Go's ``s.errorf``: the error at the node last recorded."""
        if self.node is None:
            return TemplateExecError(self.tree.name, detail)
        location, context = self.tree.error_context(self.node)
        return TemplateExecError(self.tree.name, detail, location, context)

    def write(self, text: str) -> None:
        self.out.append(text)
        self.guard.add_output(len(text))

    def set_var(self, name: str, value: object) -> None:
        for slot in reversed(self.vars):
            if slot[0] == name:
                slot[1] = value
                return
        raise self.error(f"undefined variable: {name}")

    def var_value(self, name: str) -> object:
        for slot in reversed(self.vars):
            if slot[0] == name:
                return slot[1]
        raise self.error(f"undefined variable: {name}")


# --- function signatures ---------------------------------------------------------------------------
def func_spec(fn: Callable[..., object] | FuncSpec) -> FuncSpec:
    """A function map entry as a :class:`FuncSpec`: its declared Go signature (``go_params``/``go_variadic``,
    see :mod:`~helmpy.engine.gotemplate.funcs._sig`) or, undeclared, ``interface {}`` for every parameter."""
    if isinstance(fn, FuncSpec):
        return fn
    params = getattr(fn, "go_params", None)
    if params is not None:
        return FuncSpec(fn, tuple(params), getattr(fn, "go_variadic", None))
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return FuncSpec(fn, (), ANY)
    fixed = 0
    variadic = None
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            fixed += 1
        elif p.kind == p.VAR_POSITIONAL:
            variadic = ANY
    return FuncSpec(fn, (ANY,) * fixed, variadic)


class FuncMap(dict[str, FuncSpec]):
    """A template set's functions as :class:`FuncSpec` s; a lazy one (see
    :class:`~helmpy.engine.gotemplate.lazyfuncs.LazyFuncs`) is made on its first lookup by ``[]``.

    ``in``, ``get`` and iteration see only the functions made so far; :attr:`names` is every name.
    """

    __slots__ = ("_lazy", "names")

    def __init__(self, specs: Mapping[str, FuncSpec], lazy: Mapping[str, Loader]) -> None:
        super().__init__(specs)
        self._lazy = {name: loader for name, loader in lazy.items() if name not in specs}
        self.names = frozenset(self) | frozenset(self._lazy)

    def __missing__(self, name: str) -> FuncSpec:
        loader = self._lazy.get(name)
        if loader is None:
            raise KeyError(name)
        spec = self[name] = func_spec(loader(name))
        return spec


def func_names(funcs: Mapping[str, FuncSpec]) -> frozenset[str]:
    """Every function name of a map (a :class:`FuncMap`'s unmade ones too): what the parser accepts."""
    return funcs.names if isinstance(funcs, FuncMap) else frozenset(funcs)


def _method_spec(m: GoMethod) -> FuncSpec:
    if m.params is not None:
        return FuncSpec(m.fn, m.params, m.variadic)
    return func_spec(m.fn)


# --- constants and argument types -------------------------------------------------------------------
def _is_hex_int(s: str) -> bool:
    return len(s) > 2 and s[0] == "0" and s[1] in "xX" and not any(c in s for c in "pP")


def _ideal_constant(s: State, num: n.NumberNode) -> object:
    """Go's ``idealConstant``: an untyped number literal as int, float64 or complex128."""
    s.node = num
    if num.is_complex:
        return num.complex128
    if num.is_float and not _is_hex_int(num.text) and not num.text.startswith("'") and \
            any(c in num.text for c in ".eEpP"):
        return num.float64
    if num.is_int:
        return num.int64
    raise s.error(f"{num.text} overflows int")


_CONSTANTS = (n.BoolNode, n.NumberNode, n.StringNode, n.NilNode)
_NILLABLE = frozenset({ANY, RV, "[]interface {}", "map[string]interface {}"})


def _nil(typ: str) -> object:
    """Go's ``reflect.Zero(typ)`` of a nillable parameter type: a nil map or slice reads as empty."""
    from helmpy.engine.gotemplate.funcs._goval import NilList, NilMap  # only functions declare these types

    if typ == "map[string]interface {}":
        return NilMap()
    if typ == "[]interface {}":
        return NilList()
    return None


_EXPECT = {"string": "string", "int": "integer", "int64": "integer", "float64": "float", "bool": "bool",
           "uint32": "unsigned integer"}


def _constant_arg(s: State, node: n.Node, typ: str) -> object:
    """evalArg of a literal for a parameter of type ``typ`` (Go converts by the parameter's kind)."""
    s.node = node
    if isinstance(node, n.NilNode):
        if typ == RV:
            return NO_VALUE
        if typ in _NILLABLE:
            return _nil(typ)
        raise s.error(f"cannot assign nil to {typ}")
    if typ in (ANY, RV):
        if isinstance(node, n.NumberNode):
            return _ideal_constant(s, node)
        return node.text if isinstance(node, n.StringNode) else node.value  # type: ignore[attr-defined]
    if typ == "string" and isinstance(node, n.StringNode):
        return node.text
    if typ == "bool" and isinstance(node, n.BoolNode):
        return node.value
    if typ in ("int", "int64") and isinstance(node, n.NumberNode) and node.is_int:
        return node.int64
    if typ == "float64" and isinstance(node, n.NumberNode) and node.is_float:
        return node.float64
    if typ == "uint32" and isinstance(node, n.NumberNode) and node.is_uint:
        if node.uint64 >= 1 << 32:
            raise s.error(f"{node} overflows uint32")
        return node.uint64
    if typ in _EXPECT:
        raise s.error(f"expected {_EXPECT[typ]}; found {node}")
    raise s.error(f"can't handle {node} for arg of type {typ}")


_ASSIGNABLE: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    # Go's AssignableTo: an int64 (``--set``, Sprig's arithmetic) is not an int, nor a Duration an int64
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and type_name(v) == "int",
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool) and type_name(v) == "int64",
    "float64": lambda v: isinstance(v, float),
    "uint32": lambda v: type_name(v) == "uint32",
    "[]interface {}": lambda v: isinstance(v, (list, tuple)),
    "map[string]interface {}": lambda v: isinstance(v, dict),
}


def _validate(s: State, value: object, typ: str, iface: bool = False) -> object:
    """Go's ``validateType``: check a computed value against a parameter type."""
    if typ == RV:
        return value
    if value is NO_VALUE:
        if typ in _NILLABLE:
            return _nil(typ)
        raise s.error(f"invalid value; expected {typ}")
    if typ == ANY:
        return value
    ok = _ASSIGNABLE.get(typ)
    if ok is None and typ.startswith("*"):  # a Go pointer type (``*semver.Version``): only that type fits
        ok = lambda v: type_name(v) == typ  # noqa: E731
    if ok is None or ok(value):
        return value
    got = "interface {}" if value is None else type_name(value)
    raise s.error(f"wrong type for value; expected {typ}; got {got}")


class _Arg:
    """A compiled argument: its node (literals convert by parameter type) and its evaluator."""

    __slots__ = ("constant", "converted", "eval", "node")

    def __init__(self, node: n.Node, eval_fn: ValueFn) -> None:
        self.node = node
        self.eval = eval_fn
        self.constant = isinstance(node, _CONSTANTS)
        self.converted: dict[str, object] = {}  # a literal's value per parameter type (immutable scalars)

    def value(self, s: State, dot: object, typ: str) -> object:
        if self.constant:
            value = self.converted.get(typ, _MISSING)
            if value is _MISSING:
                value = self.converted[typ] = _constant_arg(s, self.node, typ)
            else:
                s.node = self.node  # as the conversion does: a later error names the last argument
            return value
        return _validate(s, self.eval(s, dot), typ)


# --- calls -----------------------------------------------------------------------------------------
def _call(s: State, dot: object, spec: FuncSpec, name: str, node: n.Node, args: list[_Arg],
          final: object) -> object:
    """Go's ``evalCall``: check the argument count, convert arguments, call, wrap errors."""
    num_in = len(args) + (final is not _MISSING)
    num_fixed = len(args)
    if spec.variadic is not None:
        num_fixed = len(spec.params)
        if num_in < num_fixed:
            raise s.error(f"wrong number of args for {name}: want at least {num_fixed} got {len(args)}")
    elif num_in != len(spec.params):
        raise s.error(f"wrong number of args for {name}: want {len(spec.params)} got {num_in}")

    if spec.builtin and name in ("and", "or"):
        want = name == "or"
        v: object = NO_VALUE
        for arg in args:
            v = arg.value(s, dot, RV)
            if truth(v) == want:
                return v
        if final is not _MISSING:
            v = final
        return v

    argv: list[object] = []
    for i, arg in enumerate(args):
        typ = spec.params[i] if i < num_fixed else spec.variadic
        argv.append(arg.value(s, dot, typ or ANY))
    if final is not _MISSING:
        if spec.variadic is not None:
            typ = spec.params[num_in - 1] if num_in - 1 < num_fixed else spec.variadic
        else:
            typ = spec.params[-1]
        argv.append(_validate(s, final, typ))
    if spec.builtin and name == "call":
        callee = str(args[0].node) if args else sprint(final)
        argv.insert(0, callee)
    if spec.takes_state:
        argv.insert(0, s)
    try:
        result = spec.fn(*argv)
    except (TemplateFuncError, TemplateExecError) as err:
        s.node = node
        raise s.error(f"error calling {name}: {err}") from err
    return result


def _caller(spec: FuncSpec, name: str, node: n.Node, args: list[_Arg]) -> CmdFn:
    """:func:`_call` of one call site made for one function (on the site's second call with it): the arity
    checks and each argument's Go type are worked out once instead of on every call."""
    def generic(s: State, dot: object, final: object) -> object:
        return _call(s, dot, spec, name, node, args, final)

    if spec.builtin and name in ("and", "or", "call"):
        return generic
    fn = spec.fn
    params, variadic = spec.params, spec.variadic
    n_args = len(args)

    def arity_ok(num_in: int) -> bool:
        return num_in >= len(params) if variadic is not None else num_in == len(params)

    ok_alone, ok_piped = arity_ok(n_args), arity_ok(n_args + 1)
    typed = tuple((arg, (params[i] if i < len(params) else variadic) or ANY) for i, arg in enumerate(args))
    final_type = (params[n_args] if n_args < len(params) else variadic) or ANY
    takes_state = spec.takes_state

    def values(s: State, dot: object) -> list[object]:
        return [arg.value(s, dot, typ) for arg, typ in typed]

    if len(typed) == 1:
        ((arg0, typ0),) = typed

        def values(s: State, dot: object) -> list[object]:
            return [arg0.value(s, dot, typ0)]
    elif len(typed) == 2:
        (arg0, typ0), (arg1, typ1) = typed

        def values(s: State, dot: object) -> list[object]:
            return [arg0.value(s, dot, typ0), arg1.value(s, dot, typ1)]

    def call(s: State, dot: object, final: object) -> object:
        if final is _MISSING:
            if not ok_alone:
                return generic(s, dot, final)  # raises Go's arity error
            argv = values(s, dot) if typed else []
        else:
            if not ok_piped:
                return generic(s, dot, final)
            argv = values(s, dot) if typed else []
            argv.append(_validate(s, final, final_type))
        if takes_state:
            argv.insert(0, s)
        try:
            return fn(*argv)
        except (TemplateFuncError, TemplateExecError) as err:
            s.node = node
            raise s.error(f"error calling {name}: {err}") from err
    return call


def _eval_field(s: State, dot: object, name: str, args: list[_Arg], final: object, receiver: object,
                iface: bool) -> object:
    """Go's ``evalField``: a method or field of a Go object, or a key of a map (a method's arguments are
    evaluated with the command's dot, not the receiver)."""
    if receiver is NO_VALUE:
        if s.strict:
            raise s.error(f"nil data; no entry for key {quote(name)}")
        return NO_VALUE
    if receiver is None:
        raise s.error(f"nil pointer evaluating interface {{}}.{name}")
    has_args = len(args) > 0 or final is not _MISSING
    if type(receiver) is dict or (isinstance(receiver, dict) and not isinstance(receiver, GoObject)):
        if has_args:
            raise s.error(f"{name} is not a method but has arguments")
        try:
            return receiver[name]
        except KeyError:
            if s.strict:
                raise s.error(f"map has no entry for key {quote(name)}") from None
            return None
    if isinstance(receiver, GoObject):
        try:
            member = receiver.go_member(name)
        except KeyError:
            typ = "interface {}" if iface else receiver.go_type  # Go names the type the value was held as
            raise s.error(f"can't evaluate field {name} in type {typ}") from None
        if isinstance(member, GoMethod):
            node = s.node
            assert node is not None
            return _call(s, dot, _method_spec(member), name, node, args, final)  # arguments see dot
        if has_args:
            raise s.error(f"{name} has arguments but cannot be invoked as function")
        return member
    typ = "interface {}" if iface else type_name(receiver)
    raise s.error(f"can't evaluate field {name} in type {typ}")


def _field_chain(s: State, dot: object, receiver: object, idents: list[str], args: list[_Arg], final: object,
                 iface: bool) -> object:
    last = len(idents) - 1
    plain = not args and final is _MISSING
    for i, name in enumerate(idents):
        if type(receiver) is dict and (plain or i < last):  # a key present in a map: _eval_field's answer
            try:
                receiver = receiver[name]
                iface = True
                continue
            except KeyError:
                pass
        # what a map holds is an interface {}; a Go object's field has its own type
        held_in_map = type(receiver) is dict or not hasattr(receiver, "go_member")
        if i < last:
            receiver = _eval_field(s, dot, name, [], _MISSING, receiver, iface)
        else:
            receiver = _eval_field(s, dot, name, args, final, receiver, iface)
        iface = held_in_map
    return receiver


# --- the compiler ------------------------------------------------------------------------------------
class Compiler:
    """Turns one :class:`~helmpy.engine.gotemplate.nodes.Tree` into a :class:`Compiled` template.

    The compiler tracks, per lexical region, whether dot and each variable hold a value taken out
    of a map or slice (an ``interface {}`` in Go): that only changes the type Go names in a
    ``can't evaluate field`` error.
    """

    def __init__(self) -> None:
        self.dot_iface = False
        self.var_iface: list[tuple[str, bool]] = [("$", False)]

    def compile(self, tree: n.Tree) -> Compiled:
        return Compiled(tree)

    # nodes --------------------------------------------------------------------------------------
    def list(self, node: n.ListNode) -> Fn:
        fns = tuple(self.node(c) for c in node.nodes)
        if len(fns) == 1:
            return fns[0]

        def run_list(s: State, dot: object) -> None:
            for fn in fns:
                fn(s, dot)
        return run_list

    def deferred(self, node: n.ListNode) -> Fn:
        """A branch body compiled the first time it runs (most branches of a chart never do), in the
        compiler's scope of now."""
        dot_iface, var_iface = self.dot_iface, list(self.var_iface)
        compiled: list[Fn] = []

        def run_deferred(s: State, dot: object) -> None:
            if not compiled:
                inner = Compiler()
                inner.dot_iface, inner.var_iface = dot_iface, list(var_iface)
                compiled.append(inner.list(node))
            compiled[0](s, dot)
        return run_deferred

    def node(self, node: n.Node) -> Fn:
        kind = type(node)
        if kind is n.TextNode:  # the two most common kinds first, by exact type (no node class subclasses them)
            return self.text(node)  # type: ignore[arg-type]
        if kind is n.ActionNode:
            return self.action(node)  # type: ignore[arg-type]
        if isinstance(node, n.IfNode):
            return self.if_with(node, with_=False)
        if isinstance(node, n.WithNode):
            return self.if_with(node, with_=True)
        if isinstance(node, n.RangeNode):
            return self.range(node)
        if isinstance(node, n.TemplateNode):
            return self.template(node)
        if isinstance(node, n.ListNode):
            return self.list(node)
        if isinstance(node, n.BreakNode):
            def do_break(s: State, dot: object) -> None:
                raise _Break
            return do_break
        if isinstance(node, n.ContinueNode):
            def do_continue(s: State, dot: object) -> None:
                raise _Continue
            return do_continue
        raise TemplateExecError("", f"unknown node: {node}")

    def text(self, node: n.TextNode) -> Fn:
        text = node.text
        size = len(text)

        def write_text(s: State, dot: object) -> None:
            s.out.append(text)
            s.guard.add_output(size)
        return write_text

    def action(self, node: n.ActionNode) -> Fn:
        pipe = self.pipeline(node.pipe)
        if node.pipe.decl:
            def declare(s: State, dot: object) -> None:
                s.node = node
                pipe(s, dot)
            return declare

        def print_action(s: State, dot: object) -> None:
            s.node = node
            value = pipe(s, dot)
            s.node = node
            if type(value) is str:
                text = value
            elif callable(value) and not isinstance(value, GoObject):
                raise s.error(f"can't print {node} of type {type_name(value)}")
            elif hasattr(value, "go_fmt_string"):
                text = value.go_string()  # type: ignore[attr-defined]
            else:
                text = format_value(value)
            s.out.append(text)
            s.guard.add_output(len(text))
        return print_action

    def _scope(self) -> tuple[bool, int]:
        return self.dot_iface, len(self.var_iface)

    def _restore(self, saved: tuple[bool, int]) -> None:
        self.dot_iface = saved[0]
        del self.var_iface[saved[1]:]

    def if_with(self, node: n.IfNode | n.WithNode, *, with_: bool) -> Fn:
        saved = self._scope()
        pipe = self.pipeline(node.pipe)
        if with_:
            self.dot_iface = False
        body = self.deferred(node.list)
        self.dot_iface = saved[0]
        else_body = self.deferred(node.else_list) if node.else_list is not None else None
        self._restore(saved)

        def run_if_with(s: State, dot: object) -> None:
            mark = len(s.vars)
            s.node = node
            value = pipe(s, dot)
            if truth(value):
                body(s, value if with_ else dot)
            elif else_body is not None:
                else_body(s, dot)
            del s.vars[mark:]
        return run_if_with

    def range(self, node: n.RangeNode) -> Fn:
        saved = self._scope()
        pipe = self.pipeline(node.pipe)
        decl = node.pipe.decl
        names = [v.ident[0] for v in decl]
        # the element variable holds an interface {}; the index an int or a string key
        if not node.pipe.is_assign:
            for i, name in enumerate(names):
                self.var_iface[len(self.var_iface) - len(names) + i] = (name, i == len(names) - 1)
        self.dot_iface = True
        body = self.deferred(node.list)
        self.dot_iface = saved[0]
        else_body = self.deferred(node.else_list) if node.else_list is not None else None
        self._restore(saved)
        is_assign = node.pipe.is_assign
        two = len(names) > 1

        def set_vars(s: State, index: object, elem: object) -> None:
            if is_assign:
                if two:
                    s.set_var(names[0], index)
                    s.set_var(names[1], elem)
                else:
                    s.set_var(names[0], elem)
            else:
                s.vars[-1][1] = elem
                if two:
                    s.vars[-2][1] = index

        def run_range(s: State, dot: object) -> None:
            mark0 = len(s.vars)
            s.node = node
            value = pipe(s, dot)
            mark = len(s.vars)
            guard = s.guard
            if isinstance(value, dict):
                items = [(k, value[k]) for k in sort_keys(value)]
            elif isinstance(value, (list, tuple)):
                items = list(enumerate(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                if two:
                    raise s.error(f"can't use {format_value(value)} to iterate over more than one variable")
                items = ((NO_VALUE, i) for i in range(value))  # type: ignore[assignment]
            elif value is NO_VALUE:
                items = []
            else:
                raise s.error(f"range can't iterate over {format_value(value)}")
            ran = False
            try:
                for index, elem in items:
                    ran = True
                    guard.tick()
                    if decl:
                        set_vars(s, index, elem)
                    try:
                        body(s, elem)
                    except _Continue:
                        pass
                    finally:
                        del s.vars[mark:]
            except _Break:
                pass
            if not ran and else_body is not None:
                else_body(s, dot)
            del s.vars[mark0:]
        return run_range

    def template(self, node: n.TemplateNode) -> Fn:
        pipe = self.pipeline(node.pipe) if node.pipe is not None else None
        name = node.name

        def run_template(s: State, dot: object) -> None:
            s.node = node
            target = s.templates.get(name)
            if target is None:
                raise s.error(f"template {quote(name)} not defined")
            new_dot = pipe(s, dot) if pipe is not None else NO_VALUE
            execute_compiled(target, new_dot, s.out, s.funcs, s.templates, s.strict, s.guard, s.depth + 1)
        return run_template

    # pipelines ----------------------------------------------------------------------------------
    def pipeline(self, pipe: n.PipeNode) -> ValueFn:
        cmds = tuple(self.command(c) for c in pipe.cmds)
        decl = [v.ident[0] for v in pipe.decl]
        is_assign = pipe.is_assign
        for name in decl:
            if not is_assign:
                self.var_iface.append((name, False))

        def run_pipeline(s: State, dot: object) -> object:
            s.node = pipe
            value: object = _MISSING
            for cmd in cmds:
                value = cmd(s, dot, value)
                if value is None:
                    value = NO_VALUE
            for name in decl:
                if is_assign:
                    s.set_var(name, value)
                else:
                    s.vars.append([name, value])
            return value

        if len(cmds) == 1 and not decl:
            cmd0 = cmds[0]

            def run_single(s: State, dot: object) -> object:
                s.node = pipe
                value = cmd0(s, dot, _MISSING)
                return NO_VALUE if value is None else value
            return run_single
        return run_pipeline

    def command(self, cmd: n.CommandNode) -> CmdFn:
        first = cmd.args[0]
        args = [self.arg(a) for a in cmd.args[1:]]
        has_args = bool(args)
        if isinstance(first, n.FieldNode):
            idents = first.ident
            dot_iface = self.dot_iface

            def field_cmd(s: State, dot: object, final: object) -> object:
                s.node = first
                return _field_chain(s, dot, dot, idents, args, final, dot_iface)
            return field_cmd
        if isinstance(first, n.ChainNode):
            if isinstance(first.node, n.NilNode):
                def nil_chain(s: State, dot: object, final: object) -> object:
                    s.node = first
                    raise s.error(f"indirection through explicit nil in {first}")
                return nil_chain
            receiver = self.arg(first.node)
            fields = first.field

            def chain_cmd(s: State, dot: object, final: object) -> object:
                s.node = first
                value = receiver.eval(s, dot)
                return _field_chain(s, dot, value, fields, args, final, False)
            return chain_cmd
        if isinstance(first, n.IdentifierNode):
            name = first.ident
            # (function, its caller) last seen here: one tuple, so renders with other maps never mix them
            made: list[tuple[FuncSpec | None, CmdFn | None]] = [(None, None)]

            def func_cmd(s: State, dot: object, final: object) -> object:
                s.node = first
                try:
                    spec = s.funcs[name]  # a FuncMap makes a lazy function here, on its first call
                except KeyError:
                    raise s.error(f"{quote(name)} is not a defined function") from None
                seen, caller = made[0]
                if seen is not spec:  # a first call with this function: most call sites of a chart run once
                    made[0] = (spec, None)
                    return _call(s, dot, spec, name, cmd, args, final)
                if caller is None:
                    caller = _caller(spec, name, cmd, args)
                    made[0] = (spec, caller)
                return caller(s, dot, final)
            return func_cmd
        if isinstance(first, n.PipeNode):
            inner = self.pipeline(first)

            def pipe_cmd(s: State, dot: object, final: object) -> object:
                if has_args or final is not _MISSING:
                    raise s.error(f"can't give argument to non-function {first}")
                return inner(s, dot)
            return pipe_cmd
        if isinstance(first, n.VariableNode):
            var = first.ident[0]
            rest = first.ident[1:]
            iface = self._var_iface(var)

            def var_cmd(s: State, dot: object, final: object) -> object:
                s.node = first
                value = s.var_value(var)
                if not rest:
                    if has_args or final is not _MISSING:
                        raise s.error(f"can't give argument to non-function {first}")
                    return value
                return _field_chain(s, dot, value, rest, args, final, iface)
            return var_cmd
        return self.literal_command(first, has_args)

    def literal_command(self, first: n.Node, has_args: bool) -> CmdFn:
        def literal(s: State, dot: object, final: object) -> object:
            s.node = first
            if has_args or final is not _MISSING:
                raise s.error(f"can't give argument to non-function {first}")
            if isinstance(first, n.BoolNode):
                return first.value
            if isinstance(first, n.DotNode):
                return dot
            if isinstance(first, n.NilNode):
                raise s.error("nil is not a command")
            if isinstance(first, n.NumberNode):
                return _ideal_constant(s, first)
            if isinstance(first, n.StringNode):
                return first.text
            raise s.error(f"can't evaluate command {quote(str(first))}")
        return literal

    def _var_iface(self, name: str) -> bool:
        for var, iface in reversed(self.var_iface):
            if var == name:
                return iface
        return False

    def arg(self, node: n.Node) -> _Arg:
        """Go's ``evalArg`` for an ``interface {}`` parameter (literals are converted later by type)."""
        if isinstance(node, n.DotNode):
            def dot_arg(s: State, dot: object) -> object:
                s.node = node
                return dot
            return _Arg(node, dot_arg)
        if isinstance(node, (n.FieldNode, n.VariableNode, n.ChainNode, n.IdentifierNode)):
            cmd = self.command(n.CommandNode(node.pos, [node]))

            def ref_arg(s: State, dot: object) -> object:
                s.node = node
                return cmd(s, dot, _MISSING)
            return _Arg(node, ref_arg)
        if isinstance(node, n.PipeNode):
            inner = self.pipeline(node)

            def pipe_arg(s: State, dot: object) -> object:
                s.node = node
                return inner(s, dot)
            return _Arg(node, pipe_arg)

        def const_arg(s: State, dot: object) -> object:
            return _constant_arg(s, node, ANY)
        return _Arg(node, const_arg)


def execute_compiled(target: Compiled, dot: object, out: list[str], funcs: Mapping[str, FuncSpec],
                     templates: Mapping[str, Compiled], strict: bool, guard: Guard, depth: int) -> None:
    """Walk one compiled template with a fresh variable scope (``$`` is ``dot``), as Go's walkTemplate."""
    limit = guard.limits.max_recursion
    if depth > limit:
        raise RenderLimitError(f"template {quote(target.name)}: exceeded maximum template depth ({limit}) "
                               "(recursion? limit HELMPY_RENDER_MAX_DEPTH)")
    guard.tick()
    s = State(target.tree, out, funcs, templates, strict, guard, depth)
    s.vars.append(["$", dot])
    target.body(s, dot)


def compile_tree(tree: n.Tree) -> Compiled:
    """Compile one tree (no function map needed: functions are looked up when called)."""
    return Compiler().compile(tree)


BUILTIN_SPECS: Mapping[str, FuncSpec] = BUILTINS
