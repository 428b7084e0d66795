"""YAML inputs through the parsed-inputs cache (:mod:`helmpy.diskcache`): values files and single documents.

A hit costs a hash of the input and one small file read instead of a libyaml parse with PyYAML's
Python-level constructor (~0.1 s per 100 KB of values), and does not import PyYAML at all. The results are
exactly :func:`helmpy.yamlutil.load_values` / :func:`helmpy.yamlutil.load`'s (same types, key order and
sharing); errors always come from a fresh parse, and so do inputs whose parse cannot be stored exactly.
"""

from __future__ import annotations

from typing import Any

from helmpy import limits
from helmpy.diskcache import ValueCache
from helmpy.errors import HelmpyError, ValuesError

#: The modules whose code decides a YAML parse's result.
YAML_PARSER_MODULES = ("helmpy.yamlutil", "helmpy._yamlguard", "helmpy.values.coalesce", "yaml")



def yaml_settings() -> str:
    """What a YAML parse's result depends on besides the text: the nesting limit (a document within one depth
    limit may be refused under another)."""
    return str(limits.nesting_depth())


_VALUES = ValueCache("values", 1, depends_on=YAML_PARSER_MODULES, settings=yaml_settings)
_DOCUMENT = ValueCache("yaml-document", 1, depends_on=YAML_PARSER_MODULES, settings=yaml_settings)


def _raw(text: str | bytes) -> bytes:
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text


def load_values(text: str | bytes, source: str) -> dict[str, Any]:
    """:func:`helmpy.yamlutil.load_values`, cached by content."""
    def parse() -> dict[str, Any]:
        from helmpy import yamlutil

        return yamlutil.load_values(text, source)

    kind = b"s" if isinstance(text, str) else b"b"  # a str and its UTF-8 bytes may not parse alike (BOMs)
    return _VALUES.cached(kind + _raw(text), parse)


def load(text: str | bytes, source: str = "<input>", exc: type[HelmpyError] = ValuesError) -> Any:
    """:func:`helmpy.yamlutil.load` (one document), cached by content."""
    def parse() -> Any:
        from helmpy import yamlutil

        return yamlutil.load(text, source, exc)

    kind = b"s" if isinstance(text, str) else b"b"
    return _DOCUMENT.cached(kind + _raw(text), parse)
