"""Go's text/template for Helm charts, in pure Python: lexer, parser, compiler and executor.

``parse(name, text, funcs)`` returns every template a file defines, by name, as :class:`Tree`
objects made of the node classes in :mod:`helmpy.engine.gotemplate.nodes`.
:class:`TemplateSet` is the executable side: ``add(name, text)`` files, then
``execute(name, data)``; functions (Sprig, Helm's) plug in through its ``funcs`` map.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helmpy.engine.gotemplate.builtins import FuncSpec
    from helmpy.engine.gotemplate.nodes import Tree, is_empty_tree
    from helmpy.engine.gotemplate.parser import DEFAULT_MAX_DEPTH, GO_BUILTINS, parse
    from helmpy.engine.gotemplate.templateset import TemplateSet, helm_parse_order
    from helmpy.engine.gotemplate.values import NO_VALUE, GoMethod, GoObject, json_numbers

# The engine's names load on first use (PEP 562): a Jinja chart imports only the Go-compatible JSON/YAML
# writers of this package (gojson, goyaml) for toJson/toYaml, never the lexer, parser or executor.
_LAZY = {"FuncSpec": "builtins", "Tree": "nodes", "is_empty_tree": "nodes", "DEFAULT_MAX_DEPTH": "parser",
         "GO_BUILTINS": "parser", "parse": "parser", "TemplateSet": "templateset", "helm_parse_order": "templateset",
         "NO_VALUE": "values", "GoMethod": "values", "GoObject": "values", "json_numbers": "values"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

__all__ = ["DEFAULT_MAX_DEPTH", "GO_BUILTINS", "NO_VALUE", "FuncSpec", "GoMethod", "GoObject", "TemplateSet",
           "Tree", "helm_parse_order", "is_empty_tree", "json_numbers", "parse"]
