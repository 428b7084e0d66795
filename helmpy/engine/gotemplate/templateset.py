"""A set of associated Go templates (Go's ``*template.Template``): add files, execute by name.

Every ``define``/``block`` of every added file lands in one namespace, as when Helm parses all of a
chart's files into one template: a later definition replaces an earlier one unless it is empty
(Go's ``AddParseTree``/``associate``), so the order files are added decides which definition
wins; Helm adds them in :func:`helm_parse_order`.

Parsing and compiling are cached by content (SHA-256 of name, text, the function names and the parser's
version), so a library chart's templates are compiled once per process however many charts include them;
the parse trees of chart files are also kept in the code store across processes (see :func:`parse_compiled`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

from helmpy.engine.codestore import code_store, source_fingerprint
from helmpy.engine.gotemplate import nodes as n
from helmpy.engine.gotemplate import treecodec
from helmpy.engine.gotemplate.builtins import BUILTINS, FuncSpec
from helmpy.engine.gotemplate.exec import Compiled, FuncMap, compile_tree, execute_compiled, func_spec
from helmpy.engine.gotemplate.lazyfuncs import LazyFuncs
from helmpy.engine.gotemplate.nodes import DEFAULT_MAX_DEPTH
from helmpy.engine.gotemplate.strconv import quote
from helmpy.engine.gotemplate.values import NO_VALUE
from helmpy.engine.guard import Guard, Limits
from helmpy.errors import RenderLimitError, TemplateNotDefined

logger = logging.getLogger(__name__)

_CACHE: OrderedDict[str, dict[str, Compiled]] = OrderedDict()
_CACHE_SIZE = 4096
# Stored parse trees of files: bump with anything that changes what the parser makes of a text.
_STORE_FORMAT = f"go-trees/{treecodec.FORMAT}"


@functools.lru_cache(maxsize=1)
def _parser_fingerprint() -> bytes:
    """What a parse depends on besides its inputs: helmpy's version and the parser's own files."""
    import importlib.util

    from helmpy import __version__

    # the parser's files by their spec: a render whose trees all come from the store never imports it
    files = [spec.origin if (spec := importlib.util.find_spec(f"{__package__}.{name}")) else None
             for name in ("lexer", "parser", "nodes", "strconv", "treecodec")]
    return source_fingerprint([_STORE_FORMAT, __version__], files)


@functools.lru_cache(maxsize=8)
def _funcs_fingerprint(func_names: frozenset[str]) -> bytes:
    return "\0".join(sorted(func_names)).encode("utf-8", "surrogatepass")


@functools.lru_cache(maxsize=1024)  # asked twice per file of a render (add_files, then add): hashed once
def entry_key(name: str, text: str, func_names: frozenset[str], max_depth: int) -> str:
    """The content hash a file's parse is cached under (in this process and in the code store)."""
    digest = hashlib.sha256(_parser_fingerprint())
    for part in (name, text, str(max_depth)):
        digest.update(b"\0\1" + part.encode("utf-8", "surrogatepass"))
    digest.update(b"\0\1" + _funcs_fingerprint(func_names))
    return digest.hexdigest()


def _uncached(name: str, text: str, func_names: frozenset[str], max_depth: int) -> bool:
    """Whether parsing the file is still to do: neither this process nor the code store has it (a store that
    cannot tell cheaply counts as having it)."""
    key = entry_key(name, text, func_names, max_depth)
    if key in _CACHE:
        return False
    contains = getattr(code_store(), "contains", None)
    return callable(contains) and not contains(key)


def parse_compiled(name: str, text: str, func_names: frozenset[str], max_depth: int, *,
                   persist: bool = False) -> dict[str, Compiled]:
    """Every template one file defines, parsed and compiled (cached by content).

    With ``persist`` (chart files, not ``tpl`` strings) the parse trees are also kept in the code store
    (:func:`~helmpy.engine.codestore.code_store`), keyed by the same content hash, so a later process loads
    them instead of parsing; a stored tree is decoded only when its template is first used.

    Raises:
        TemplateParseError: with Go's text, when the file does not parse.
    """
    key = entry_key(name, text, func_names, max_depth)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    store = code_store() if persist else None
    compiled = _stored(store.load(key), name, text, func_names, max_depth) if store is not None else None
    if compiled is None:
        from helmpy.engine.gotemplate.parser import parse  # here: stored trees need no parser

        trees = parse(name, text, func_names, max_depth=max_depth)
        compiled = {tname: compile_tree(tree) for tname, tree in trees.items()}
        if store is not None:
            store.save(key, _entry(trees))
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def _entry(trees: Mapping[str, n.Tree]) -> bytes:
    """A file's trees as one store entry: per template its name, emptiness and encoded tree."""
    return marshal.dumps((_STORE_FORMAT, [(tname, n.is_empty_tree(tree.root), treecodec.encode_tree(tree.root))
                                          for tname, tree in trees.items()]))


def _stored(data: bytes | None, name: str, text: str, func_names: frozenset[str],
            max_depth: int) -> dict[str, Compiled] | None:
    """A file's templates from a store entry, or None when there is none or it is not one of ours."""
    if data is None:
        return None
    try:
        fmt, items = marshal.loads(data)
        if fmt != _STORE_FORMAT or type(items) is not list:
            raise ValueError("another format")
        out: dict[str, Compiled] = {}
        for tname, empty, blob in items:
            if type(tname) is not str or type(empty) is not bool or type(blob) is not bytes:
                raise ValueError("not a template entry")
            out[tname] = Compiled(name=tname, empty=empty,
                                  load=functools.partial(_load_tree, tname, blob, name, text, func_names, max_depth))
    except (ValueError, TypeError, EOFError) as err:
        logger.debug("ignoring a stored parse of %s: %s", name, err)
        return None
    return out


def _load_tree(tname: str, blob: bytes, name: str, text: str, func_names: frozenset[str], max_depth: int) -> n.Tree:
    """A stored tree, decoded; parsed again from the text should it not decode."""
    try:
        return n.Tree(tname, name, treecodec.decode_tree(blob), text)
    except treecodec.CorruptTree as err:
        logger.debug("parsing %s again: its stored tree %s is unreadable (%s)", name, tname, err)
        from helmpy.engine.gotemplate.parser import parse

        return parse(name, text, func_names, max_depth=max_depth)[tname]


def associate(templates: dict[str, Compiled], compiled: Mapping[str, Compiled]) -> None:
    """Add a file's templates to a namespace as Go's ``AddParseTree`` does: an empty (re)definition
    never replaces a real one."""
    for tname, tmpl in compiled.items():
        old = templates.get(tname)
        if old is not None and tmpl.empty and not old.empty:
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
            text/template's built-ins, as ``template.Funcs`` does. Plain callables take ``interface {}``
            parameters; raise :class:`~helmpy.errors.TemplateFuncError` to return Go's ``error``. The lazy
            entries of a :class:`~helmpy.engine.gotemplate.lazyfuncs.LazyFuncs` are made on their first call.
        strict: Go's ``missingkey=error`` (Helm's ``--strict`` lint): a missing map key is an error
            instead of the zero value.
        limits: the render limits (deadline, output size, template nesting depth).
        max_parse_depth: the parser's nesting limit.
    """

    def __init__(self, funcs: Mapping[str, Callable[..., object] | FuncSpec] | None = None, *,
                 strict: bool = False, limits: Limits | None = None,
                 max_parse_depth: int = DEFAULT_MAX_DEPTH) -> None:
        eager, lazy = funcs.split() if isinstance(funcs, LazyFuncs) else (funcs or {}, {})
        specs = dict(BUILTINS)
        for fname, fn in eager.items():
            specs[fname] = func_spec(fn)
        for fname in lazy:
            specs.pop(fname, None)  # a lazy function replaces a built-in of its name, as an eager one does
        self.funcs = FuncMap(specs, lazy)
        self._func_names = self.funcs.names
        self.strict = strict
        self.limits = limits or Limits()
        self.max_parse_depth = max_parse_depth
        self.templates: dict[str, Compiled] = {}

    def add(self, name: str, text: str) -> list[str]:
        """Parse a file and add every template it defines; returns their names.

        Raises:
            TemplateParseError: with Go's text, when the file does not parse.
        """
        compiled = parse_compiled(name, text, self._func_names, self.max_parse_depth, persist=True)
        associate(self.templates, compiled)
        return list(compiled)

    def add_files(self, files: Sequence[tuple[str, str]], *, seconds_left: float = 0.0,
                  tick: Callable[[], None] | None = None) -> None:
        """:meth:`add` each ``(name, text)`` in order (``tick`` before each: the render's deadline check). When
        the code store lacks much of their text and ``seconds_left`` allows, a forked helper parses the last
        share of them into the store meanwhile (:mod:`~helmpy.engine.gotemplate.prefetch`); the files are still
        added in order here, and the first that does not parse raises, as without it.

        Raises:
            TemplateParseError: with Go's text, for the first file that does not parse.
        """
        from helmpy.engine.gotemplate import prefetch

        names, depth = self._func_names, self.max_parse_depth
        helper = prefetch.start(
            files, lambda name, text: _uncached(name, text, names, depth),
            lambda name, text: parse_compiled(name, text, names, depth, persist=True), seconds_left)
        try:
            for i, (name, text) in enumerate(files):
                if helper is not None and i == helper.split:
                    helper.join()
                if tick is not None:
                    tick()
                self.add(name, text)
        finally:
            if helper is not None:
                helper.cancel()

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
