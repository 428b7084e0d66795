"""The `helmpy` command's entry point (the console script ``helmpy.cli.main:main``).

This module imports no more than the standard library's core: ``helmpy version`` and ``helmpy --help`` are
answered by :mod:`helmpy.cli.fastpath` without importing click (what they print is click's, byte for byte); the
console script then hands the command line to a fork server (:mod:`helmpy.forkserver`) when one may run it, and
every other command line goes to the lazy click group of :mod:`helmpy.cli.root`. The group's names (``cli``,
``LAZY_COMMANDS``, ``debug_option``, ...) can be imported from here too.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing (with re and enum) is a good part of these commands' start-up
if TYPE_CHECKING:
    from typing import Any


def main(argv: list[str] | None = None) -> Any:
    """Run ``helmpy ARGV`` (default: the process's arguments): maps errors to messages and exit codes."""
    from helmpy.cli import fastpath

    args = list(sys.argv[1:] if argv is None else argv)
    if fastpath.answer(args):
        sys.exit(0)
    if argv is None:  # the console script: the process ends with this command (helmpy/gctune.py)
        from helmpy.forkserver import client

        code = client.run(args)  # a fork server with helmpy imported runs it (helmpy/forkserver/)
        if code is not None:
            sys.exit(code)
        from helmpy.gctune import one_shot_process

        one_shot_process()
    from helmpy.cli.root import run

    return run(args, exiting=argv is None)


def __getattr__(name: str) -> Any:
    """The click group's names (:mod:`helmpy.cli.root`), imported on first use."""
    if name.startswith("__"):  # the import system asks for ``__path__`` & co.: this is no package
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from helmpy.cli import root

    try:
        return getattr(root, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
