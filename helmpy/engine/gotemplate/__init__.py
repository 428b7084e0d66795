"""Go's text/template for Helm charts, in pure Python: lexer, parser, compiler and executor.

``parse(name, text, funcs)`` returns every template a file defines, by name, as :class:`Tree`
objects made of the dataclasses in :mod:`helmpy.engine.gotemplate.nodes`.
:class:`TemplateSet` is the executable side: ``add(name, text)`` files, then
``execute(name, data)``; functions (Sprig, Helm's) plug in through its ``funcs`` map.
"""

from __future__ import annotations

from helmpy.engine.gotemplate.builtins import FuncSpec
from helmpy.engine.gotemplate.nodes import Tree, is_empty_tree
from helmpy.engine.gotemplate.parser import DEFAULT_MAX_DEPTH, GO_BUILTINS, parse
from helmpy.engine.gotemplate.templateset import TemplateSet, helm_parse_order
from helmpy.engine.gotemplate.values import NO_VALUE, GoMethod, GoObject, json_numbers

__all__ = ["DEFAULT_MAX_DEPTH", "GO_BUILTINS", "NO_VALUE", "FuncSpec", "GoMethod", "GoObject", "TemplateSet",
           "Tree", "helm_parse_order", "is_empty_tree", "json_numbers", "parse"]
