"""The one number type Helm's values keep apart from the rest: an integer typed on the command line.

Helm reads values files (``values.yaml``, ``-f``) through JSON, so their numbers are float64 in Go
templates (``printf "%T"`` prints ``float64``, ``1000000`` prints ``1e+06``), while ``--set a=1``
gives an int64. helmpy keeps plain ``int`` for file numbers (the Jinja2 engine and every other
consumer want them) and marks ``--set`` integers with :class:`Int64`, so the Go engine can turn
the former into floats and keep the latter, as Helm does. An ``Int64`` is an ``int`` everywhere
else (JSON, YAML, arithmetic); a release record read back holds plain numbers again, exactly as
Helm's stored config decodes to float64.
"""

from __future__ import annotations


class Int64(int):
    """Go's ``int64``: an integer from ``--set``, and the Go engine's int64 results (Sprig's ``add``, ``int64`` ...)."""

    __slots__ = ()
    go_type = "int64"

    def __repr__(self) -> str:
        return int.__repr__(self)
