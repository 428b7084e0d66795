"""Safe YAML in and Helm-shaped YAML/JSON out, in one place.

Charts and indexes come from strangers, so only the safe loader is used (the C one when PyYAML was
built with libyaml). Output mimics what Helm writes: block style, keys in go-yaml's "natural" order,
no anchors, unicode kept.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from helmpy import _yamlguard, limits
from helmpy.errors import HelmpyError, ValuesError
from helmpy.gokeys import natural_key
from helmpy.jsondepth import check_json_depth as check_json_depth  # re-exported: its home has no PyYAML

try:  # pragma: no cover - depends on how PyYAML was built
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


class _HelmLoader(_Loader):  # type: ignore[misc, valid-type]
    """go-yaml v2 semantics: y/n are booleans too, timestamps and ``=`` stay strings.

    Guarded against hostile documents (see :mod:`helmpy._yamlguard`): the stream's nesting depth is
    bounded before anything is composed, and each composed document is checked for excessive aliasing
    (go-yaml's rule), self-containing anchors and depth after alias expansion before it is constructed.
    """

    def __init__(self, stream: Any) -> None:
        if not isinstance(stream, (str, bytes)):
            stream = stream.read()
        super().__init__(stream)
        self._guard_text: str | bytes | None = stream
        self._max_depth = limits.nesting_depth()
        self._aliases_possible = True

    def _guard_stream(self) -> None:
        text, self._guard_text = self._guard_text, None
        if text is not None:
            _yamlguard.check_text_depth(text, self._max_depth, _Loader)
            self._aliases_possible = _yamlguard.may_alias(text)

    def _guard_node(self, node: Any) -> Any:
        if node is not None and self._aliases_possible:
            _yamlguard.check_aliases(node, self._max_depth)
        return node

    def get_single_node(self) -> Any:  # noqa: D102 - PyYAML hook
        self._guard_stream()
        return self._guard_node(super().get_single_node())

    def check_node(self) -> bool:  # noqa: D102 - PyYAML hook (load_all asks this before each document)
        self._guard_stream()
        return bool(super().check_node())

    def get_node(self) -> Any:  # noqa: D102 - PyYAML hook
        self._guard_stream()
        return self._guard_node(super().get_node())


# PyYAML resolves a plain "=" to yaml.org's "value" tag, which no safe constructor handles (an error
# where go-yaml reads the string "=").
_STRING_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")
_HelmLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _STRING_TAGS]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_BOOL_RE = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
for _first in "yYnNtTfFoO":
    _HelmLoader.yaml_implicit_resolvers[_first] = [
        (tag, rx) for tag, rx in _HelmLoader.yaml_implicit_resolvers.get(_first, [])
        if tag != "tag:yaml.org,2002:bool"
    ] + [("tag:yaml.org,2002:bool", _BOOL_RE)]
_TRUE = frozenset(("y", "yes", "true", "on"))
# go-yaml reads an exponent without a dot as a float ("1e+06", "1e-07": how Go's toYaml writes floats);
# YAML 1.1's float pattern, which PyYAML follows, needs the dot.
_DOTLESS_FLOAT_RE = re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
for _first in "-+0123456789":
    _HelmLoader.yaml_implicit_resolvers[_first] = [
        *_HelmLoader.yaml_implicit_resolvers.get(_first, []), ("tag:yaml.org,2002:float", _DOTLESS_FLOAT_RE)]
# go-yaml v2 reads ints with Go's strconv.ParseInt(s, 0, 64), which takes the "0o" octal prefix ("0o17" is 15).
_OCTAL_O_RE = re.compile(r"^[-+]?0o[0-7_]+$")
for _first in "-+0":
    _HelmLoader.yaml_implicit_resolvers[_first] = [
        ("tag:yaml.org,2002:int", _OCTAL_O_RE), *_HelmLoader.yaml_implicit_resolvers.get(_first, [])]


def _construct_bool(loader: Any, node: Any) -> bool:
    return str(loader.construct_scalar(node)).lower() in _TRUE


def _construct_int(loader: Any, node: Any) -> Any:
    """PyYAML's int, except that digit-less forms its pattern admits ("0b_", "0x_") stay strings (as in
    go-yaml) instead of raising a bare ValueError."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_HelmLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_HelmLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_HelmLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _mark(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    if mark is None:
        return ""
    return f"line {mark.line + 1}, column {mark.column + 1}: "


def _problem(err: yaml.YAMLError) -> str:
    problem = getattr(err, "problem", None)
    context = getattr(err, "context", None)
    if problem:
        return f"{context + ' ' if context else ''}{problem}".strip()
    return str(err).splitlines()[0]


def go_yaml_message(err: yaml.YAMLError) -> str:
    """go-yaml v2's text for a PyYAML error (``parser.fail``): ``yaml: line N: PROBLEM``, the problem alone,
    on the problem mark's 0-based line, 1-based for scanner errors (else the context mark's line)."""
    problem = getattr(err, "problem", None) or "unknown problem parsing YAML content"
    mark = getattr(err, "problem_mark", None)
    if mark is not None and mark.line:
        line = mark.line + (1 if isinstance(err, yaml.scanner.ScannerError) else 0)
    else:
        context = getattr(err, "context_mark", None)
        line = context.line if context is not None else 0
    return f"yaml: line {line}: {problem}" if line else f"yaml: {problem}"


def yaml_error(source: str, err: yaml.YAMLError, exc: type[HelmpyError] = ValuesError) -> HelmpyError:
    """Turn a PyYAML error into a one-line error naming the file and line."""
    return exc(f"{source}: {_mark(err)}{_problem(err)}")


def load(text: str | bytes, source: str = "<input>", exc: type[HelmpyError] = ValuesError) -> Any:
    """Parse one YAML document safely; errors name ``source`` and the line."""
    try:
        return yaml.load(text, Loader=_HelmLoader)
    except yaml.YAMLError as err:
        raise yaml_error(source, err, exc) from err
    except RecursionError as err:  # pragma: no cover - the depth guard runs first; kept as a backstop
        raise exc(f"{source}: nesting too deep to parse") from err


def load_all(text: str | bytes, source: str = "<input>", exc: type[HelmpyError] = ValuesError) -> list[Any]:
    """Parse a YAML stream safely into a list of documents."""
    try:
        return list(yaml.load_all(text, Loader=_HelmLoader))
    except yaml.YAMLError as err:
        raise yaml_error(source, err, exc) from err
    except RecursionError as err:  # pragma: no cover - the depth guard runs first; kept as a backstop
        raise exc(f"{source}: nesting too deep to parse") from err


def load_values(text: str | bytes, source: str) -> dict[str, Any]:
    """Parse a values file: every document deep-merged over the previous (Helm's rule)."""
    from helmpy.values.coalesce import merge_maps

    result: dict[str, Any] = {}
    for doc in load_all(text, source):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ValuesError(f"{source}: values must be a map of keys, got {type(doc).__name__}")
        result = merge_maps(result, _stringify_keys(doc))
    return result


def _stringify_keys(value: Any) -> Any:
    """YAML allows non-string keys; Helm's values are JSON, so keys become strings."""
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else _key_str(k)): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    return value


def _key_str(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


# --- output ---------------------------------------------------------------------------------------
go_key = natural_key  # go-yaml v2's key order (helmpy/gokeys.py)


class _HelmDumper(_Dumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:  # noqa: D102 - PyYAML hook
        return True


def _represent_dict(dumper: Any, data: dict[Any, Any]) -> Any:
    items = sorted(data.items(), key=lambda kv: go_key(str(kv[0])))
    return dumper.represent_mapping("tag:yaml.org,2002:map", items)


def _represent_str(dumper: Any, data: str) -> Any:
    if "\n" in data and not any(ord(c) < 32 and c not in "\n\t" for c in data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    if reads_as_non_string(data):
        # go-yaml double-quotes strings that would read back as another type ("1.0", "true", "y")
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


def reads_as_non_string(text: str) -> bool:
    """Whether ``text`` written plain would read back (go-yaml's rules) as a bool, number, null or time:
    :func:`dump` double-quotes such strings."""
    return _HelmLoader.resolve(_HelmLoader, yaml.ScalarNode, text, (True, False)) in _NON_STR_TAGS \
        or _TIMESTAMP_RE.match(text) is not None


def plain_is_string(text: str) -> bool:
    """Whether the emitter's own (YAML 1.1) resolver reads ``text`` written plain as a string; when it does
    not, the emitter quotes it even where :func:`dump` asked for no style."""
    return _HelmDumper.resolve(_HelmDumper, yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


_NON_STR_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "null"))
_TIMESTAMP_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


_HelmDumper.add_representer(dict, _represent_dict)
_HelmDumper.add_representer(str, _represent_str)


class _PlainDumper(_Dumper):  # type: ignore[misc, valid-type]
    """Keeps insertion order: used where the caller already ordered the keys."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D102
        return True


_PlainDumper.add_representer(str, _represent_str)
# ``--set`` integers are an int subclass (helmpy.values.numbers.Int64): written as plain integers.
_HelmDumper.add_multi_representer(int, yaml.SafeDumper.represent_int)
_PlainDumper.add_multi_representer(int, yaml.SafeDumper.represent_int)


def dump(data: Any, *, sort: bool = True) -> str:
    """Serialise like Helm: block style, natural key order, trailing newline."""
    return yaml.dump(
        data,
        Dumper=_HelmDumper if sort else _PlainDumper,
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=False,
        width=1 << 30,
    )
