"""User-supplied values: ``-f`` files and the ``--set`` family merged into one map (the release config).

Sources are applied in Helm's fixed order whatever the command-line order: every ``-f`` in order,
then ``--set-json``, ``--set``, ``--set-string``, ``--set-file``, ``--set-literal`` (helm-reference
4.1). The result is *user* values only; chart defaults are laid underneath later by
:func:`helmpy.values.coalesce.coalesce_values`.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from helmpy import limits
from helmpy.errors import ValuesError
from helmpy.values.coalesce import merge_maps

logger = logging.getLogger(__name__)

URL_SCHEMES = ("http://", "https://")
HTTP_TIMEOUT = 30.0


@dataclass
class ValueOptions:
    """The ``-f``/``--set*`` flags of one command, as given."""

    values_files: list[str] = field(default_factory=list)
    set_json: list[str] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    set_string: list[str] = field(default_factory=list)
    set_file: list[str] = field(default_factory=list)
    set_literal: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when no value flag was given (upgrade then reuses the old config)."""
        return not (self.values_files or self.set_json or self.set_values or self.set_string
                    or self.set_file or self.set_literal)

    def merge(self, stdin: IO[Any] | None = None, *, after_files: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Read and merge every source in Helm's order; ``stdin`` serves ``-`` (default sys.stdin).

        ``after_files`` (the Python API's ``values=`` dict) is merged as one more ``-f`` file after the others,
        so ``--set`` still wins over it."""
        base: dict[str, Any] = {}
        if self.is_empty() and not after_files:
            return base  # no flag given: neither the YAML cache nor the --set parser is imported
        from helmpy import yamlcache
        from helmpy.values import strvals

        for source in self.values_files:
            text = read_source(source, stdin)
            try:
                current = yamlcache.load_values(text, source)
            except ValuesError as err:
                raise ValuesError(f"failed to parse {err.message}") from err
            base = merge_maps(base, current)
            logger.debug("merged values file source=%s keys=%d", source, len(current))
        if after_files:
            base = merge_maps(base, copy.deepcopy(dict(after_files)))
        for arg in self.set_json:
            strvals.parse_set_json(arg, base)
        for arg in self.set_values:
            strvals.parse_set(arg, base)
        for arg in self.set_string:
            strvals.parse_set_string(arg, base)
        for arg in self.set_file:
            strvals.parse_set_file(arg, base, lambda path: read_source(path, stdin).decode("utf-8", "replace"))
        for arg in self.set_literal:
            strvals.parse_set_literal(arg, base)
        return base


def read_source(source: str, stdin: IO[Any] | None = None) -> bytes:
    """Bytes of a values source: ``-`` (stdin), an http(s) URL, or a local path.

    At most :func:`helmpy.limits.values_size` bytes are read (one more to tell "too large"), so
    ``-f /dev/zero`` or an endless URL fails at once. Errors read like Helm's (``open <path>: no such
    file or directory``) so they name the source.
    """
    cap = limits.values_size()
    if source.strip() == "-":
        stream = stdin if stdin is not None else sys.stdin
        raw = getattr(stream, "buffer", stream)
        data = raw.read(cap + 1)
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    elif source.startswith(URL_SCHEMES):
        data = _fetch(source, cap)
    else:
        data = _read_file(source, cap)
    if len(data) > cap:
        raise _too_large(source, cap)
    return data


def _too_large(source: str, cap: int) -> ValuesError:
    return ValuesError(f"{limits.excerpt(source)}: larger than the maximum values size of {cap} bytes "
                       f"(limit {limits.MAX_VALUES_SIZE_ENV})")


def _read_file(source: str, cap: int) -> bytes:
    try:
        with open(source, "rb") as fh:
            return fh.read(cap + 1)
    except FileNotFoundError as err:
        raise ValuesError(f"open {source}: no such file or directory") from err
    except IsADirectoryError as err:
        raise ValuesError(f"read {source}: is a directory") from err
    except PermissionError as err:
        raise ValuesError(f"open {source}: permission denied") from err
    except OSError as err:
        raise ValuesError(f"open {source}: {(err.strerror or str(err)).lower()}") from err


def _fetch(url: str, cap: int) -> bytes:
    """The body at ``url``; more than ``cap`` bytes is an error (the rest is not read)."""
    from helmpy.errors import DownloadError
    from helmpy.repo.getter import Getter, GetterOptions, ResponseTooLarge  # lazy: only -f/--set-file URLs

    try:
        with Getter() as getter:
            resp = getter.request("GET", url, GetterOptions(timeout=HTTP_TIMEOUT), max_bytes=cap)
    except ResponseTooLarge as err:
        raise _too_large(url, cap) from err
    except DownloadError as err:
        raise ValuesError(f"failed to fetch {url}: {err.message.split(' : ', 1)[-1]}") from err
    if resp.status != 200:
        raise ValuesError(f"failed to fetch {url} : {resp.status} {resp.reason}")
    return resp.body
