"""Helm's data functions (``pkg/engine/funcs.go``): ``toYaml``, ``mustToYaml``, ``toYamlPretty``, ``fromYaml``,
``fromYamlArray``, ``toToml`` and ``fromToml``, with Helm's error behaviour.

* ``toYaml`` is ``sigs.k8s.io/yaml.Marshal`` minus the final newline (:func:`goyaml.to_yaml`); on error
  it returns ``""``. ``mustToYaml`` panics instead, which text/template reports as
  ``error calling mustToYaml: MESSAGE``.
* ``fromYaml``/``fromYamlArray`` decode as ``sigs.k8s.io/yaml.Unmarshal`` does (YAML through JSON, so
  every number is a float64); on error ``fromYaml`` gives ``{"Error": MESSAGE}`` and ``fromYamlArray``
  ``[MESSAGE]``.
* ``toYamlPretty`` is go-yaml v3 with indent 2 in Helm 4: sequences are indented under their key and
  numbers keep their Go type (see :func:`to_yaml_pretty` for the known gap).
* ``fromToml`` decodes with :mod:`tomllib` (``{"Error": MESSAGE}`` on error); ``toToml`` writes
  BurntSushi/toml's layout for maps of scalars, lists and tables (:mod:`.gotoml`).
"""

from __future__ import annotations

from collections.abc import Callable

from helmpy.engine.gotemplate import goyaml
from helmpy.engine.gotemplate._yamlemit import Emitter
from helmpy.engine.gotemplate.ftoa import format_float
from helmpy.engine.gotemplate.funcs._sig import ANY, STR, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.values import json_numbers
from helmpy.errors import RenderError


@go(ANY)
def to_yaml(value: object) -> str:
    """Helm's ``toYaml``: ``""`` when the value cannot be marshalled."""
    try:
        return goyaml.to_yaml(value)
    except RenderError:
        return ""


@go(ANY)
def must_to_yaml(value: object) -> str:
    """Helm's ``mustToYaml``: Go panics with the marshal error."""
    try:
        return goyaml.to_yaml(value)
    except RenderError as err:
        raise FuncError(str(err), panic=True) from err


@go(ANY)
def to_yaml_pretty(value: object) -> str:
    """Helm 4's ``toYamlPretty`` (go-yaml v3, ``SetIndent(2)``): sequences indented under their mapping key.

    v3 encodes the value itself, not its JSON round trip, so numbers keep their Go type (a float64
    ``1000000`` prints ``1e+06``). Known gap: string quoting follows v2's rules, which agree with v3's on
    the YAML 1.1 words, number-like and date-like strings charts pass but not on every edge case.
    """
    try:
        tree = goyaml.json_round_trip(value, retype_numbers=False)
        text = Emitter(goyaml.v2_style, indent=2, indentless_sequences=False).document(tree)
    except (RenderError, RecursionError):
        return ""
    return text[:-1] if text.endswith("\n") else text


class _YAMLToJSONError(Exception):
    """``sigs.k8s.io/yaml`` could not read the text, or not turn it into JSON; ``str()`` is Helm's message."""


def _json_value(v: object) -> object:
    """The YAML value as JSON holds it: string keys, float64 numbers, no NaN or infinities."""
    if isinstance(v, dict):
        from helmpy import yamlutil  # here: only fromYaml's documents have keys to convert

        return {(k if isinstance(k, str) else yamlutil._key_str(k)): _json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        raise _YAMLToJSONError(f"error converting YAML to JSON: json: unsupported value: {format_float(v)}")
    return json_numbers(v)


def _load_yaml(text: str) -> object:
    """The first YAML document of ``text`` (``yaml.Unmarshal`` reads no further), as JSON values."""
    import yaml  # here: PyYAML only for fromYaml/fromYamlArray, which most renders never call

    from helmpy import yamlutil

    try:
        doc = next(yaml.load_all(text, Loader=yamlutil._HelmLoader), None)  # noqa: S506 - the safe loader
    except yaml.YAMLError as err:
        raise _YAMLToJSONError(f"error converting YAML to JSON: {yamlutil.go_yaml_message(err)}") from err
    return _json_value(doc)


def _json_kind(doc: object) -> str:
    return {dict: "object", list: "array", str: "string", float: "number", bool: "bool"}.get(type(doc), "value")


def _not_of_type(doc: object, go_type: str) -> str:
    return f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_json_kind(doc)} into Go value " \
           f"of type {go_type}"


@go(STR)
def from_yaml(text: str) -> dict[str, object]:
    """Helm's ``fromYaml``: a map; ``{"Error": MESSAGE}`` when the text is not YAML of a map."""
    try:
        doc = _load_yaml(text)
    except _YAMLToJSONError as err:
        return {"Error": str(err)}
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        return {"Error": _not_of_type(doc, "map[string]interface {}")}
    return doc


@go(STR)
def from_yaml_array(text: str) -> list[object]:
    """Helm's ``fromYamlArray``: a list; ``[MESSAGE]`` when the text is not YAML of a list."""
    try:
        doc = _load_yaml(text)
    except _YAMLToJSONError as err:
        return [str(err)]
    if doc is None:
        return []
    if not isinstance(doc, list):
        return [_not_of_type(doc, "[]interface {}")]
    return doc


@go(STR)
def from_toml(text: str) -> dict[str, object]:
    """Helm's ``fromToml`` (BurntSushi/toml ``Decode`` into a map); ``{"Error": MESSAGE}`` on error.

    Known gap: the error text is Python's tomllib message, not BurntSushi's.
    """
    import tomllib  # here: most renders never call fromToml

    from helmpy.values.numbers import Int64

    def typed(v: object) -> object:  # TOML integers are int64, floats float64
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return Int64(v)
        if isinstance(v, dict):
            return {k: typed(x) for k, x in v.items()}
        if isinstance(v, list):
            return [typed(x) for x in v]
        return v

    try:
        return typed(tomllib.loads(text))  # type: ignore[return-value]
    except tomllib.TOMLDecodeError as err:
        return {"Error": str(err)}


def data_function(name: str) -> Callable[..., object]:
    """One of Helm's data functions by template name; ``toToml`` imports :mod:`.gotoml` (and :mod:`decimal`)
    only when it is the one asked for."""
    if name == "toToml":
        from helmpy.engine.gotemplate.gotoml import to_toml

        return to_toml
    return _DATA_FUNCTIONS[name]


def data_functions() -> dict[str, Callable[..., object]]:
    """Helm's data functions by template name (``toJson``/``fromJson`` come with the Sprig table)."""
    from helmpy.engine.gotemplate.gotoml import to_toml

    return {**_DATA_FUNCTIONS, "toToml": to_toml}


_DATA_FUNCTIONS: dict[str, Callable[..., object]] = {
    "toYaml": to_yaml, "mustToYaml": must_to_yaml, "toYamlPretty": to_yaml_pretty,
    "fromYaml": from_yaml, "fromYamlArray": from_yaml_array, "fromToml": from_toml,
}
