"""Helm's ``toYaml`` text for plain values, byte for byte.

Helm 4's ``toYaml`` is ``sigs.k8s.io/yaml.Marshal`` (v1.6.0) with the final newline trimmed. That is not a
YAML encoder of the value itself but a round trip: ``encoding/json`` writes the value, go.yaml.in/yaml/v2
(v2.4.3) reads the JSON back into ``map[interface{}]interface{}`` -- choosing int, uint64 or float64 for each
number from its JSON text -- and yaml/v2's encoder writes that. The round trip decides a lot:

* numbers: a float64 that is integral and below 1e21 comes back as an integer (``1.0`` prints ``1``, a
  float64 ``1e20`` prints ``1e+20`` because it no longer fits uint64); other floats print in Go's
  shortest ``%g`` (``0.1``, ``1.5e+06``, ``1e-07``, ``1e+21``); NaN and infinities fail (toYaml gives "").
  Helm reads values files into float64 (``a: 1`` is float64 1), so an integer above 2**53 in a values file
  reaches toYaml already rounded; ``--set`` integers are int64 and exact. A Python ``int`` here is exact
  (int64/uint64 range; beyond it, the float64 Go would hold).
* strings: a byte that is not UTF-8 becomes U+FFFD; a raw DEL, C1 control or U+FFFE/U+FFFF makes go-yaml's
  reader refuse the JSON (toYaml gives ""); a raw NEL (U+0085) is a line break to YAML inside the quoted JSON
  string, so it folds to a space like any quoted line break.
* keys are re-sorted by yaml/v2's "natural" order (digit runs compare as numbers, non-letters before
  letters), not JSON's byte order.

The emitter then quotes what would read back as another type (YAML 1.1 words such as ``yes``/``on``/``~``,
anything Go's ParseInt/ParseFloat takes such as ``0o17``/``1e3``/``1234e56``, timestamps, ``1:20``), uses
``|`` blocks for strings with a newline unless trailing spaces, tabs or other unprintable characters force
double quotes, escapes characters beyond U+FFFF (emoji become ``\\U0001F600``), folds long plain and quoted
strings at 80 columns, and does not indent a sequence under a mapping key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from helmpy.engine.gotemplate._yamlemit import DOUBLE, LITERAL, PLAIN, Emitter
from helmpy.engine.gotemplate._yamlresolve import resolves_to_string
from helmpy.engine.gotemplate.ftoa import format_float
from helmpy.engine.gotemplate.gojson import INT64_MIN, UINT64_END, float_text, number_text, quote, to_json
from helmpy.errors import RenderError
from helmpy.gokeys import natural_key

logger = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")
_READER_REFUSES = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_SIMPLE_KEY_LIMIT = 1024  # go-yaml's lookahead for an implicit key, opening quote included
_SHORTEST_LONG_KEY = (_SIMPLE_KEY_LIMIT - 2) // 6  # no escape is longer than 6 characters (\u003c)


def to_yaml(value: Any) -> str:
    """``toYaml``/``mustToYaml``: the YAML Helm prints for ``value``; RenderError where Helm's marshal fails."""
    try:
        tree = json_round_trip(value)
        # The round trip leaves only str/int/float/bool/None, lists and str-keyed dicts, whose repr tells
        # any two apart: charts dump the same labels and config hundreds of times, the emitter runs once.
        key = repr(tree)
        text = _EMITTED.get(key) if len(key) <= _EMIT_MEMO_KEY else None
        if text is None:
            text = Emitter(v2_style).document(tree)
            if len(key) <= _EMIT_MEMO_KEY:
                if len(_EMITTED) >= _EMIT_MEMO_SIZE:
                    _EMITTED.clear()
                _EMITTED[key] = text
    except RecursionError as err:
        raise RenderError("toYaml: value nested too deeply") from err
    return text[:-1] if text.endswith("\n") else text


_EMITTED: dict[str, str] = {}  # repr of a round-tripped tree -> its YAML
_EMIT_MEMO_SIZE = 512
_EMIT_MEMO_KEY = 16 * 1024  # larger trees are emitted each time (their repr would cost memory, not time)


# --- the JSON round trip --------------------------------------------------------------------------
def json_round_trip(value: Any, *, retype_numbers: bool = True) -> Any:
    """What yaml/v2 decodes from Go's JSON of ``value``: numbers retyped, strings as the reader sees them,
    map keys in yaml/v2's sorted order. ``retype_numbers=False`` keeps each number's Go type (go-yaml v3
    encoding the value itself, as ``toYamlPretty`` does: a float64 ``1000000`` stays ``1e+06``)."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        return _string(value)
    if getattr(value, "go_json", None) is not None or isinstance(value, (datetime, bytes, bytearray)):
        from helmpy.engine.gotemplate.funcs.gojson import JSONError, unmarshal

        try:  # a Go value with its own JSON form (a time, []byte, a nil map, *semver.Version): that JSON's value
            return json_round_trip(unmarshal(to_json(value)), retype_numbers=retype_numbers)
        except JSONError as err:
            raise RenderError(f"error converting JSON to YAML: {err}") from err
    if isinstance(value, (int, float)):
        return _number(value) if retype_numbers else value
    if isinstance(value, Mapping):
        items: dict[str, Any] = {}
        for key in sorted(value, key=_json_key_order):
            if not isinstance(key, str):
                raise RenderError(f"error marshaling into JSON: json: unsupported type: map with "
                                  f"{type(key).__name__} keys")
            _check_key(key)
            items[_string(key)] = json_round_trip(value[key], retype_numbers=retype_numbers)
        return {k: items[k] for k in sorted(items, key=natural_key)}
    if isinstance(value, (list, tuple)):
        return [json_round_trip(v, retype_numbers=retype_numbers) for v in value]
    raise RenderError(f"error marshaling into JSON: json: unsupported type: {type(value).__name__}")


def _number(value: int | float) -> int | float:
    try:
        text = number_text(value) if isinstance(value, int) else float_text(value)
    except RenderError as err:  # NaN, ±Inf: sigs.k8s.io/yaml wraps encoding/json's error
        raise RenderError(f"error marshaling into JSON: {err}") from err
    if "." in text or "e" in text:
        return float(text)
    number = int(text)
    return number if INT64_MIN <= number < UINT64_END else float(text)


def _string(text: str) -> str:
    if text.isascii():
        if "\x7f" in text:
            raise RenderError("error converting JSON to YAML: yaml: control characters are not allowed")
        return text
    text = _SURROGATE.sub("\ufffd", text)
    if _READER_REFUSES.search(text):
        raise RenderError("error converting JSON to YAML: yaml: control characters are not allowed")
    return _fold_nel(text) if "\x85" in text else text


def _fold_nel(text: str) -> str:
    """A raw NEL inside a double-quoted scalar is a line break: yaml/v2's scanner folds it (and the spaces
    around it) to one space, or keeps the extra breaks as ``\\n``; ``---``/``...`` right after it is an error."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] not in " \x85":
            out.append(text[i])
            i += 1
            continue
        spaces: list[str] = []
        breaks = 0
        while i < n and text[i] in " \x85":
            if text[i] == "\x85":
                breaks += 1
                if text[i + 1:i + 4] in ("---", "...") and text[i + 4:i + 5] in (" ", "\x85"):
                    raise RenderError("error converting JSON to YAML: yaml: found unexpected document "
                                      "indicator")
            elif not breaks:
                spaces.append(" ")
            i += 1
        if breaks:
            out.append("\n" * (breaks - 1) if breaks > 1 else " ")
        else:
            out.extend(spaces)
    return "".join(out)


def _check_key(key: str) -> None:
    """yaml/v2 reads a JSON key as a flow "simple key": one line, its ``:`` at most 1024 characters after the
    opening quote. A key whose JSON spelling is longer, or that holds a raw NEL (a line break to YAML),
    makes the whole document unreadable."""
    if "\x85" in key or (len(key) > _SHORTEST_LONG_KEY and len(quote(key)) > _SIMPLE_KEY_LIMIT):
        raise RenderError("error converting JSON to YAML: yaml: did not find expected ',' or '}'")


def _json_key_order(key: Any) -> bytes:
    if not isinstance(key, str):
        return b""
    return key.encode("utf-8", "surrogatepass")




# --- scalar styles --------------------------------------------------------------------------------
def v2_style(value: Any) -> tuple[str, str]:
    """yaml/v2's encoder: a scalar's text and the style it asks the emitter for."""
    if isinstance(value, str):
        if "\n" in value:
            return value, LITERAL
        return value, PLAIN if resolves_to_string(value) else DOUBLE
    if value is None:
        return "null", PLAIN
    if value is True or value is False:
        return ("true" if value else "false"), PLAIN
    if isinstance(value, int):
        return str(value), PLAIN
    text = format_float(value)
    return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text), PLAIN
