"""``helmpy test``: run a release's ``test`` hooks and record their ``last_run`` (Helm's ``action.ReleaseTesting``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from helmpy.action.config import DEFAULT_TIMEOUT, Configuration
from helmpy.action.hooks import run_hooks
from helmpy.action.lock import ReleaseLock
from helmpy.action.status import get_release
from helmpy.errors import HelmpyError, ReleaseFailed, UsageError
from helmpy.release.model import Hook, Release

logger = logging.getLogger(__name__)


@dataclass
class TestOptions:
    timeout: float = DEFAULT_TIMEOUT
    filters: list[str] = field(default_factory=list)  # "name=x" keeps, "!name=x" drops


def _selector(filters: list[str]) -> Callable[[Hook], bool]:
    keep: set[str] = set()
    drop: set[str] = set()
    for f in filters:
        negate = f.startswith("!")
        key, _, value = f.lstrip("!").partition("=")
        if key != "name" or not value:
            raise UsageError(f"invalid --filter {f!r}: expected name=NAME or !name=NAME")
        (drop if negate else keep).add(value)

    def selected(hook: Hook) -> bool:
        return (not keep or hook.name in keep) and hook.name not in drop

    return selected


def run(cfg: Configuration, name: str, opts: TestOptions) -> Release:
    """Run the tests of the latest revision; ReleaseFailed names the failing test."""
    selected = _selector(opts.filters)
    with ReleaseLock(cfg.kube, cfg.namespace, name, cfg.command, clock=cfg.clock):
        rel = get_release(cfg, name)
        try:
            run_hooks(cfg.kube, rel, "test", opts.timeout, clock=cfg.clock, record=cfg.storage.update,
                      selected=selected)
        except HelmpyError as err:
            raise ReleaseFailed(str(err), hint=err.hint) from err
    return rel
