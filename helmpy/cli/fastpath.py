"""``helmpy version`` and ``helmpy --help`` answered without click, in little more than the interpreter's start-up.

Importing click (and the standard library modules it pulls in: typing, inspect, uuid with platform, datetime,
gettext) and building the group's options takes several times longer than everything else these two commands
do. :func:`answer` takes exactly ``version``, ``version --short``, ``--help`` and ``-h`` (any other argument, or
a shell asking for completions, goes to click) and prints what the click commands print, byte for byte:

* ``version``: :func:`version_line`, which the click command prints too.
* ``--help``: click's own text of the group (:func:`helmpy.cli.root.help_text`), kept by the first ``--help``
  that built it in ``$HELMPY_CACHE_HOME/cli/help`` (at most :data:`MAX_ENTRIES` texts, the newest kept). An
  entry is found only for the same helmpy and Python versions, module path, terminal width inputs (``COLUMNS``
  and the terminal's size, which click wraps to), and unchanged size and mtime of the files that make the text
  (helmpy's ``cli/main.py``, ``cli/fastpath.py`` and ``cli/root.py``, click's ``core.py`` and
  ``formatting.py``). With a plugin installed (plugins join the listing) click answers every time. A missing,
  stale, unreadable or corrupt file only means click builds the text again; ``HELMPY_PARSE_CACHE=0`` (the
  switch of helmpy's caches of what it computed, :mod:`helmpy.diskcache`) turns the kept text off.
"""

from __future__ import annotations

import marshal
import os
import sys

from helmpy import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

COMPLETE_VAR = "_HELMPY_COMPLETE"  # set by a shell asking for completions (click's shell completion)
MAX_ENTRIES = 8  # kept help texts (one per terminal width in use, per helmpy version)
_FORMAT = 1
_HELP_ARGS = (["--help"], ["-h"])
_VERSION_ARGS = (["version"], ["version", "--short"])


def version_line(short: bool) -> str:
    """What ``helmpy version`` (``--short``: only the version) prints."""
    if short:
        return f"v{__version__}"
    return f'version.BuildInfo{{Version:"v{__version__}", Python:"{sys.version.split()[0]}"}}'


def answer(args: list[str]) -> bool:
    """Print the answer to ``helmpy ARGS`` when it is one of this module's commands (True); False: ask click."""
    if COMPLETE_VAR in os.environ:
        return False
    if args in _VERSION_ARGS:
        _write(version_line(short=len(args) == 2))
        return True
    if args in _HELP_ARGS:
        text = _help()
        if text is not None:
            _write(text)
            return True
    return False


def _write(text: str) -> None:
    """``click.echo(text)``: the text and a newline on stdout, flushed; a closed pipe is exit 1, as for click."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(1)


def _help() -> str | None:
    """The group's help text, kept or built now (and kept); None when click must answer (plugins installed)."""
    from helmpy import limits, paths

    if paths.plugins_installed():
        return None
    if not limits.env_switch(limits.PARSE_CACHE_ENV):
        from helmpy.cli.root import help_text

        return help_text()
    store = os.path.join(paths.cache_home_dir(), "cli", "help")
    key = _key()
    entries = _read(store)
    for entry_key, sources, text in entries:
        if entry_key == key and unchanged(sources):
            return text
    from helmpy.cli.root import help_text

    text = help_text()
    _save(store, [(key, file_stamps(_source_files()), text), *(e for e in entries if e[0] != key)][:MAX_ENTRIES])
    return text


def _key() -> tuple[object, ...]:
    """What the text depends on besides its source files: versions, where modules come from, the width."""
    columns: int | None = None
    if sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            pass
    return (_FORMAT, __version__, sys.version, tuple(sys.path), os.path.dirname(__file__),
            os.environ.get("COLUMNS"), columns)


def _source_files() -> list[str]:
    """The files the help text is made from (click already imported: only a miss builds the text)."""
    import click.core
    import click.formatting

    here = os.path.dirname(__file__)
    return [os.path.join(here, "main.py"), __file__, os.path.join(here, "root.py"), click.core.__file__ or "",
            click.formatting.__file__ or ""]


def file_stamps(files: Sequence[str]) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of each file, (path, -1, -1) for one that cannot be read: what a kept result
    depends on (the help text here, the fork server's imported files)."""
    out = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            out.append((path, -1, -1))
            continue
        out.append((path, st.st_size, st.st_mtime_ns))
    return out


def unchanged(sources: list[tuple[str, int, int]]) -> bool:
    """True while every file of :func:`file_stamps`' list has its recorded size and mtime."""
    return file_stamps([path for path, _, _ in sources]) == sources


def _read(store: str) -> list[tuple[tuple[object, ...], list[tuple[str, int, int]], str]]:
    """The kept entries; an unreadable, corrupt or foreign file holds none."""
    try:
        with open(store, "rb") as fh:
            data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return []
    if not isinstance(data, tuple) or len(data) != 2 or data[0] != _FORMAT or not isinstance(data[1], list):
        return []
    entries = []
    for entry in data[1]:
        if (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], tuple)
                and isinstance(entry[1], list) and isinstance(entry[2], str)
                and all(isinstance(s, tuple) and len(s) == 3 for s in entry[1])):
            entries.append(entry)
    return entries


def _save(store: str, entries: list[tuple[tuple[object, ...], list[tuple[str, int, int]], str]]) -> None:
    """Write the entries atomically (mode 0600); a failure only means building the text again next time."""
    import tempfile

    directory = os.path.dirname(store)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".help.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps((_FORMAT, entries)))
            os.replace(tmp, store)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        pass
