"""``helmpy test``: run a release's ``test`` hooks and record their ``last_run`` (Helm's ``action.ReleaseTesting``).

Honest on the embedded cluster: no container runs there, so a test Pod/Job that "completes" by simulation
(:func:`helmpy.kube.controllers.pods.simulated`) was not run. It is recorded with phase ``Unknown`` (Helm's
word for a hook whose outcome is not known) and the run fails with :class:`~helmpy.errors.TestsNotRun`,
unless ``accept_simulated`` (``--accept-simulated``, ``HELMPY_ACCEPT_SIMULATED``) counts it as ``Succeeded``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from helmpy.action.config import DEFAULT_TIMEOUT, Configuration
from helmpy.action.hooks import run_hooks
from helmpy.action.lock import ReleaseLock
from helmpy.action.status import get_release
from helmpy.errors import HelmpyError, ReleaseFailed, TestsNotRun, UsageError
from helmpy.release.model import Hook, Release

logger = logging.getLogger(__name__)


@dataclass
class TestOptions:
    timeout: float = DEFAULT_TIMEOUT
    filters: list[str] = field(default_factory=list)  # "name=x" keeps, "!name=x" drops
    accept_simulated: bool = False  # count a simulated completion (no container ran) as a pass
    flag: str = "--accept-simulated"  # how the caller spells the opt-in, for the error message


@dataclass
class TestRun:
    """The release with its tests' ``last_run``, and the tests that passed only by simulation (accepted)."""

    __test__ = False  # not a pytest test class

    release: Release
    simulated: list[str] = field(default_factory=list)


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


def run(cfg: Configuration, name: str, opts: TestOptions) -> TestRun:
    """Run the tests of the latest revision; ReleaseFailed names the failing test, TestsNotRun the simulated ones."""
    selected = _selector(opts.filters)
    with ReleaseLock(cfg.kube, cfg.namespace, name, cfg.command, clock=cfg.clock):
        rel = get_release(cfg, name)
        try:
            faked = run_hooks(cfg.kube, rel, "test", opts.timeout, clock=cfg.clock, record=cfg.storage.update,
                              selected=selected, simulated_phase="Succeeded" if opts.accept_simulated else "Unknown")
        except HelmpyError as err:
            raise ReleaseFailed(str(err), hint=err.hint) from err
    names = [h.name for h in faked]
    if names and not opts.accept_simulated:
        raise TestsNotRun(names, opts.flag, release=rel)
    return TestRun(rel, names)
