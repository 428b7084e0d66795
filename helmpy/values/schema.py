"""values.schema.json validation, reporting every failing path in every chart at once.

Like Helm (helm-reference 1.8), the root chart's schema sees the final coalesced values and each
sub-chart's schema sees ``values[<sub-chart name>]``, recursively. The ``$schema`` keyword picks
the draft; without it Helm's validator (santhosh-tekuri/jsonschema v6) uses draft 2020-12, and so
do we. Formats are asserted for drafts 4-7 only, as in Helm. Messages imitate Helm's wording
(``- at '/a': got string, want integer``). Deliberate difference: remote ``$ref`` (http, file) are
refused rather than downloaded, so rendering stays offline and pure.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any

import jsonschema
import referencing
import referencing.exceptions
from jsonschema import validators
from jsonschema.exceptions import SchemaError, ValidationError

from helmpy import yamlutil
from helmpy.errors import SchemaValidationError

logger = logging.getLogger(__name__)

SCHEMA_FILE = "values.schema.json"
DEFAULT_VALIDATOR: Any = jsonschema.Draft202012Validator
_FORMAT_ASSERTING = (jsonschema.Draft4Validator, jsonschema.Draft6Validator, jsonschema.Draft7Validator)
HEADER = "values don't meet the specifications of the schema(s) in the following chart(s):"

_RANGE_KEYWORDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                             "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"})
_COMBINATORS = frozenset({"anyOf", "allOf", "oneOf", "not"})


def validate_chart_values(chart: Any, values: dict[str, Any]) -> None:
    """Check ``values`` against the chart's schema and its sub-charts' schemas; raise listing all failures."""
    report = "".join(_chart_report(chart, values))
    if report:
        raise SchemaValidationError(f"{HEADER}\n{report.rstrip()}")


def _chart_report(chart: Any, values: dict[str, Any]) -> Iterable[str]:
    if chart.schema is not None:
        lines = validate_against_schema(values, chart.schema, f"{chart.full_path()}/{SCHEMA_FILE}")
        if lines:
            yield f"{chart.name}:\n" + "\n".join(lines) + "\n"
    for sub in chart.subcharts:
        raw = values.get(sub.name)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            yield f"{sub.name}:\ninvalid type for values: expected object (map), got {_json_type(raw)}\n"
            continue
        yield from _chart_report(sub, raw)


def _refuse_remote(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs field mypy misses


def validate_against_schema(values: Any, schema_bytes: bytes | str, where: str = SCHEMA_FILE) -> list[str]:
    """Helm-style lines (``- at '/x': ...``) for every violation; empty when valid.

    Raises SchemaValidationError naming ``where`` when the schema itself is not valid.
    """
    text = schema_bytes.decode("utf-8", "replace") if isinstance(schema_bytes, bytes) else schema_bytes
    yamlutil.check_json_depth(text, where, SchemaValidationError)
    try:
        schema = json.loads(text or "{}")
    except ValueError as err:
        raise SchemaValidationError(f"{where}: invalid JSON: {err}") from err
    if not isinstance(schema, (dict, bool)):
        raise SchemaValidationError(f"{where}: a JSON schema must be an object or a boolean")
    cls = validators.validator_for(schema, default=DEFAULT_VALIDATOR) if isinstance(schema, dict) \
        else DEFAULT_VALIDATOR
    try:
        cls.check_schema(schema)  # type: ignore[arg-type]  # true/false are schemas too; the stubs say dict
    except SchemaError as err:
        raise SchemaValidationError(
            f"{where}: not a valid JSON schema: at '{_pointer(err.absolute_path)}': {err.message}") from err
    kwargs: dict[str, Any] = {"registry": referencing.Registry(retrieve=_refuse_remote)}  # type: ignore[call-arg]
    if cls in _FORMAT_ASSERTING:
        kwargs["format_checker"] = cls.FORMAT_CHECKER
    validator = cls(schema, **kwargs)
    try:
        errors = list(validator.iter_errors(values))
    except referencing.exceptions.Unresolvable as err:
        raise SchemaValidationError(
            f"{where}: cannot resolve $ref {getattr(err, 'ref', '')!r} (remote references are not supported)"
        ) from err
    logger.debug("schema validated where=%s draft=%s errors=%d", where, cls.__name__, len(errors))
    return _format(errors, 0, schema if isinstance(schema, dict) else {})


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _format(errors: list[ValidationError], depth: int, root: dict[str, Any]) -> list[str]:
    """Group errors per (instance location, sub-schema) like santhosh-tekuri's output tree."""
    groups: dict[tuple[str, tuple[Any, ...]], list[ValidationError]] = {}
    for err in errors:
        key = (_pointer(err.absolute_path), tuple(err.absolute_schema_path)[:-1])
        groups.setdefault(key, []).append(err)
    indent = "  " * depth
    lines: list[str] = []
    for (pointer, _), group in groups.items():
        messages = _merge_required(group, root)
        if len(messages) == 1:
            msg, children = messages[0]
            lines.append(f"{indent}- at '{pointer}': {msg}")
            lines.extend(_format(children, depth + 1, root) if children else [])
            continue
        lines.append(f"{indent}- at '{pointer}': validation failed")
        for msg, children in messages:
            lines.append(f"{indent}  - at '{pointer}': {msg}")
            lines.extend(_format(children, depth + 2, root) if children else [])
    return lines


def _merge_required(group: list[ValidationError], root: dict[str, Any]) -> list[tuple[str, list[ValidationError]]]:
    out: list[tuple[str, list[ValidationError]]] = []
    missing: list[str] = []
    for err in group:
        if err.validator == "required":
            missing.append(_missing_name(err))
            continue
        message = _message(err)
        if err.validator == "additionalProperties":
            message += suggest(err, root)
        out.append((message, list(err.context or []) if err.validator in _COMBINATORS else []))
    if missing:
        word = "property" if len(missing) == 1 else "properties"
        out.insert(0, (f"missing {word} " + ", ".join(f"'{m}'" for m in missing), []))
    return out


def suggest(err: ValidationError, root: dict[str, Any]) -> str:
    """`` (did you mean 'x'?)`` for the first unknown key of an additionalProperties error that has a near match."""
    from helmpy.values.suggest import suggestion

    schema = err.schema if isinstance(err.schema, dict) else {}
    props = schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else {}
    patterns = list(schema.get("patternProperties", {}) or {})
    got = err.instance if isinstance(err.instance, dict) else {}
    location = [str(p) for p in err.absolute_path]
    for key in got:
        if key in props or any(re.search(p, key) for p in patterns):
            continue
        found = suggestion(str(key), got[key], [str(p) for p in props], location, root)
        if found:
            return f" (did you mean '{found}'?)"
    return ""


def _missing_name(err: ValidationError) -> str:
    instance = err.instance if isinstance(err.instance, dict) else {}
    for name in err.validator_value if isinstance(err.validator_value, list) else []:
        if name not in instance and f"'{name}'" in err.message:
            return str(name)
    return err.message.split("'")[1] if "'" in err.message else err.message


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value, sort_keys=True, default=str)


def _number(value: Any) -> str:
    """Numbers the way Helm's validator prints them: with thousands separators."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}"
    return _quote(value)


def _message(err: ValidationError) -> str:
    kw, want = err.validator, err.validator_value
    got: Any = err.instance
    if kw == "type":
        wants = want if isinstance(want, list) else [want]
        return f"got {_json_type(got)}, want {' or '.join(str(w) for w in wants)}"
    if kw == "enum":
        items = list(want) if isinstance(want, list) else [want]
        if len(items) == 1:
            return f"value must be {_quote(items[0])}"
        return "value must be one of " + ", ".join(_quote(v) for v in items)
    if kw == "const":
        return f"value must be {_quote(want)}"
    if kw in _RANGE_KEYWORDS:
        actual = len(got) if kw.endswith(("Length", "Items", "Properties")) else got
        if kw in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(want, bool):
            want = err.schema.get(kw.replace("exclusiveM", "m"), want) if isinstance(err.schema, dict) else want
        return f"{kw}: got {_number(actual)}, want {_number(want)}"
    if kw == "pattern":
        return f"{_quote(got)} does not match pattern {_quote(want)}"
    if kw == "additionalProperties" and isinstance(got, dict):
        schema = err.schema if isinstance(err.schema, dict) else {}
        props, patterns = schema.get("properties", {}), list(schema.get("patternProperties", {}))
        extra = [k for k in got if k not in props and not any(re.search(p, k) for p in patterns)]
        return "additional properties " + ", ".join(f"'{k}'" for k in extra) + " not allowed"
    if kw == "multipleOf":
        return f"{_quote(got)} not multipleOf {_quote(want)}"
    if kw == "uniqueItems":
        return "items are not unique"
    if kw == "format":
        return f"{_quote(got)} is not valid {want}"
    if kw == "oneOf":
        return "'oneOf' failed, none matched" if err.context else "'oneOf' failed, more than one subschema matched"
    if kw in _COMBINATORS:
        return f"'{kw}' failed"
    if kw is None or err.message == "False schema does not allow " + repr(got):
        return "false schema"
    return err.message
