"""Go's text/template for Helm charts, in pure Python: lexer and parser (execution comes next).

``parse(name, text, funcs)`` returns every template a file defines, by name, as :class:`Tree`
objects made of the dataclasses in :mod:`helmpy.engine.gotemplate.nodes`.
"""

from __future__ import annotations

from helmpy.engine.gotemplate.nodes import Tree, is_empty_tree
from helmpy.engine.gotemplate.parser import DEFAULT_MAX_DEPTH, GO_BUILTINS, parse

__all__ = ["DEFAULT_MAX_DEPTH", "GO_BUILTINS", "Tree", "is_empty_tree", "parse"]
