"""A template function map whose functions are imported on first use: :class:`LazyFuncs`.

Helm's map has 221 functions from a dozen modules (crypto, dates, decimals, YAML ...), and a chart calls a
few of them. A :class:`LazyFuncs` knows every name without importing anything; a name's *loader* makes its
function when the name is looked up. :class:`~helmpy.engine.gotemplate.templateset.TemplateSet` keeps the
loaders and calls one the first time a template calls that function (the parser only needs the names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from helmpy.engine.gotemplate.builtins import FuncSpec

Entry: TypeAlias = "Callable[..., object] | FuncSpec"
"""A function map entry: a callable (with its Go signature, see ``funcs._sig``) or a ``FuncSpec``."""
Loader: TypeAlias = "Callable[[str], Entry]"
"""Makes the function of a name (a callable with its Go signature, or a ``FuncSpec``); gets the name."""


class LazyFuncs(Mapping[str, "Entry"]):
    """Function map entries, some made on lookup: ``eager`` ones as given, ``lazy`` ones by their loader.

    A later :meth:`set`/:meth:`merge` replaces an entry of the same name, lazy or not, as ``dict.update``
    does. Looking a lazy name up calls its loader each time (the loaders cache what must be made once);
    ``in``, ``len`` and iteration load nothing.
    """

    __slots__ = ("_eager", "_lazy")

    def __init__(self, eager: Mapping[str, Entry] | None = None, lazy: Mapping[str, Loader] | None = None) -> None:
        self._eager: dict[str, Entry] = {}
        self._lazy: dict[str, Loader] = {}
        if lazy:
            self._lazy.update(lazy)
        for name, entry in (eager or {}).items():
            self.set(name, entry)

    def __getitem__(self, name: str) -> Entry:
        try:
            return self._eager[name]
        except KeyError:
            return self._lazy[name](name)

    def __contains__(self, name: object) -> bool:
        return name in self._eager or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from self._eager

    def __len__(self) -> int:
        return len(self._lazy) + len(self._eager)

    def set(self, name: str, entry: Entry) -> None:
        """Put ``entry`` under ``name`` (replacing a lazy one)."""
        self._lazy.pop(name, None)
        self._eager[name] = entry

    def merge(self, other: Mapping[str, Entry]) -> None:
        """``dict.update`` with ``other``'s entries; a :class:`LazyFuncs`'s lazy ones stay lazy."""
        if isinstance(other, LazyFuncs):
            for name, loader in other._lazy.items():
                self._eager.pop(name, None)
                self._lazy[name] = loader
            other = other._eager
        for name, entry in other.items():
            self.set(name, entry)

    def split(self) -> tuple[dict[str, Entry], dict[str, Loader]]:
        """The eager entries and the loaders of the lazy ones (copies)."""
        return dict(self._eager), dict(self._lazy)
