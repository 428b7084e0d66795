"""The diff use cases: a rollback's plan, two revisions, two releases, and drift (``helmpy diff ...``).

An upgrade's or install's plan is :meth:`helmpy.api.operation.Operation.plan` (``Client.diff_upgrade``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from helmpy.api import results
from helmpy.api._session import Session
from helmpy.api.flags import DiffFlags, check

if TYPE_CHECKING:
    from typing import Unpack

    from helmpy.action.diff import DiffOptions


def diff_options(flags: Mapping[str, Any], method: str = "plan", *, hooks: bool = True) -> DiffOptions:
    """:class:`helmpy.api.flags.DiffFlags` as the diff action's options."""
    import re

    from helmpy.action.diff import DiffOptions
    from helmpy.diff.compute import Options
    from helmpy.diff.mask import SHOW_DECODED, SHOW_MASKED, SHOW_RAW
    from helmpy.errors import UsageError

    check(flags, DiffFlags, method)
    patterns = []
    for pattern in flags.get("suppress_output_line_regex", ()):
        try:
            patterns.append(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern))
        except re.error as err:
            raise UsageError(f"suppress_output_line_regex {pattern!r}: {err}") from err
    kinds = tuple(flags.get("suppress", ())) + (("Secret",) if flags.get("suppress_secrets") else ())
    show = (SHOW_DECODED if flags.get("show_secrets_decoded") else SHOW_RAW if flags.get("show_secrets")
            else SHOW_MASKED)
    compare = Options(show_secrets=show, suppress_kinds=kinds, suppress_patterns=patterns,
                      strip_trailing_cr=bool(flags.get("strip_trailing_cr")),
                      normalize_manifests=bool(flags.get("normalize_manifests")))
    return DiffOptions(compare=compare, hooks=hooks, include_tests=bool(flags.get("include_tests")))


class DiffMethods:
    """diff_rollback, diff_revisions, diff_releases, drift (mixed into :class:`helmpy.Client`)."""

    _session: Session

    def diff_rollback(self, name: str, revision: int = 0, *, no_hooks: bool = False, force: bool = False,
                      **flags: Unpack[DiffFlags]) -> results.DiffResult:
        """What ``rollback(name, revision)`` would change in the cluster (``helmpy diff rollback``)."""
        from helmpy.action import diff

        opts = diff_options(flags, "diff_rollback", hooks=not no_hooks)
        return results.DiffResult.of(self._session.run(
            "diff", name, lambda cfg: diff.rollback(cfg, name, revision, opts, force=force)))

    def diff_revisions(self, name: str, first: int, second: int = 0, *, no_hooks: bool = False,
                       **flags: Unpack[DiffFlags]) -> results.DiffResult:
        """How revision ``first`` of ``name`` differs from ``second`` (0: the latest), as stored
        (``helmpy diff revision``)."""
        from helmpy.action import diff

        opts = diff_options(flags, "diff_revisions", hooks=not no_hooks)
        return results.DiffResult.of(self._session.run(
            "diff", name, lambda cfg: diff.revisions(cfg, name, first, second, opts)))

    def diff_releases(self, first: str, second: str, *, no_hooks: bool = False,
                      **flags: Unpack[DiffFlags]) -> results.DiffResult:
        """How the latest revisions of two releases differ (``NAMESPACE/NAME`` for another namespace),
        objects matched by the template they came from (``helmpy diff release``)."""
        from helmpy.action import diff

        opts = diff_options(flags, "diff_releases", hooks=not no_hooks)
        return results.DiffResult.of(self._session.run(
            "diff", first, lambda cfg: diff.releases(cfg, first, second, opts)))

    def drift(self, name: str, revision: int = 0, *, show_secrets: bool = False) -> results.DriftResult:
        """Which objects of release ``name``'s deployed revision (or ``revision``) differ from the cluster,
        and which field manager changed them (``helmpy diff drift``, ``status --drift``)."""
        from helmpy.action import drift

        return results.DriftResult.of(self._session.run(
            "drift", name, lambda cfg: drift.run(cfg, name, revision, show_secrets=show_secrets)))
