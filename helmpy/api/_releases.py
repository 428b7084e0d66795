"""The release use cases that change a cluster: install, upgrade, rollback, uninstall, test, and the upgrade plan.

``install``/``upgrade`` are ``prepare_install``/``prepare_upgrade`` (arguments checked, values read) then
:meth:`~helmpy.api.operation.Operation.run`; ``diff_upgrade`` is the same operation's ``plan()``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from helmpy.api import results
from helmpy.api._convert import deploy_of
from helmpy.api._diffs import DiffMethods
from helmpy.api._session import Session, Timeout, seconds
from helmpy.api.flags import DIFF_KEYS, DiffUpgradeFlags, InstallFlags, UpgradeFlags, check
from helmpy.api.operation import Operation

if TYPE_CHECKING:
    from typing import Unpack

    from helmpy.action.upgrade import UpgradeOptions
    from helmpy.api._session import PathLike


def _history_max(session: Session, flags: UpgradeFlags) -> int:
    from helmpy import settings
    from helmpy.action.upgrade import DEFAULT_HISTORY_MAX

    if "history_max" in flags:
        return int(flags["history_max"])
    with session.scope():
        return settings.integer("MAX_HISTORY", DEFAULT_HISTORY_MAX)


def _upgrade_options(session: Session, name: str, chart: PathLike, flags: UpgradeFlags) -> UpgradeOptions:
    from helmpy.action.upgrade import UpgradeOptions

    check(flags, UpgradeFlags, "upgrade")
    with session.scope():
        shared, given = deploy_of(flags)
    return UpgradeOptions(name=name, chart_ref=os.fspath(chart), **shared, values_given=given,
                          install=bool(flags.get("install")), reuse_values=bool(flags.get("reuse_values")),
                          reset_values=bool(flags.get("reset_values")),
                          reset_then_reuse_values=bool(flags.get("reset_then_reuse_values")),
                          cleanup_on_fail=bool(flags.get("cleanup_on_fail")), history_max=_history_max(session, flags),
                          force=bool(flags.get("force")) or bool(flags.get("force_conflicts")))


class ReleaseMethods(DiffMethods):
    """install, upgrade, rollback, uninstall, test, diff_* (mixed into :class:`helmpy.Client`)."""

    _session: Session

    def prepare_install(self, name: str | None, chart: PathLike, **flags: Unpack[InstallFlags]) -> Operation:
        """:meth:`install`'s arguments checked and its values read, not yet run: the Operation's ``plan()``
        shows what it would change, ``run()`` installs."""
        from helmpy.action import install as action

        check(flags, InstallFlags, "install")
        with self._session.scope():
            opts = action.InstallOptions(name=name, chart_ref=os.fspath(chart), **deploy_of(flags)[0],
                                         generate_name=bool(flags.get("generate_name")),
                                         name_template=flags.get("name_template", ""),
                                         replace=bool(flags.get("replace")),
                                         force_conflicts=bool(flags.get("force_conflicts")))
        return Operation(self._session, "install", opts)

    def install(self, name: str | None, chart: PathLike, **flags: Unpack[InstallFlags]) -> results.Release:
        """Install ``chart`` as revision 1 of release ``name`` (``helmpy install NAME CHART``).

        ``chart`` is a directory, an archive, ``repo/chart``, a URL or ``oci://...``. With ``dry_run=True``
        nothing changes and the rendered revision is returned. Raises :class:`helmpy.ReleaseError` when the
        name is taken, :class:`helmpy.ReleaseFailed` when the objects could not be applied or became ready.
        """
        return self.prepare_install(name, chart, **flags).run()

    def prepare_upgrade(self, name: str, chart: PathLike, **flags: Unpack[UpgradeFlags]) -> Operation:
        """:meth:`upgrade`'s arguments checked and its values read, not yet run (``plan()``, ``run()``)."""
        return Operation(self._session, "upgrade", _upgrade_options(self._session, name, chart, flags))

    def upgrade(self, name: str, chart: PathLike, **flags: Unpack[UpgradeFlags]) -> results.Release:
        """Upgrade release ``name`` to ``chart`` (``helmpy upgrade NAME CHART``); ``install=True`` installs it
        when it does not exist (the result's ``installed`` says so). Without any values the last revision's
        are reused, as in Helm."""
        return self.prepare_upgrade(name, chart, **flags).run()

    def diff_upgrade(self, name: str, chart: PathLike, **flags: Unpack[DiffUpgradeFlags]) -> results.DiffResult:
        """What ``upgrade(name, chart, **flags)`` would change in the cluster, object by object
        (``helmpy diff upgrade``); nothing is written and no lock is taken. The :class:`helmpy.api.flags.DiffFlags`
        (``show_secrets``, ``suppress``, ...) say how to compare."""
        given: dict[str, object] = dict(flags)
        compare = {key: given.pop(key) for key in DIFF_KEYS if key in given}
        return self.prepare_upgrade(name, chart, **given).plan(**compare)  # type: ignore[arg-type]

    def rollback(self, name: str, revision: int = 0, *, dry_run: bool = False, wait: bool = False,
                 wait_for_jobs: bool = False, timeout: Timeout = 300.0, no_hooks: bool = False, force: bool = False,
                 cleanup_on_fail: bool = False, history_max: int | None = None) -> results.Release:
        """Roll release ``name`` back to ``revision`` (0: the previous one) as a new revision, which is
        returned (``helmpy rollback NAME [REVISION]``)."""
        from helmpy.action import rollback as action

        keep = _history_max(self._session, {} if history_max is None else {"history_max": history_max})
        opts = action.RollbackOptions(name=name, revision=revision, dry_run=dry_run, wait=wait,
                                      wait_for_jobs=wait_for_jobs, timeout=seconds(timeout), no_hooks=no_hooks,
                                      force=force, cleanup_on_fail=cleanup_on_fail, history_max=keep)
        return results.Release.of(self._session.run("rollback", name, lambda cfg: action.run(cfg, opts)).release)

    def uninstall(self, name: str, *, keep_history: bool = False, ignore_not_found: bool = False,
                  dry_run: bool = False, wait: bool = False, timeout: Timeout = 300.0, no_hooks: bool = False,
                  description: str = "", cascade: str = "background") -> results.UninstallResult:
        """Delete release ``name``'s objects and (unless ``keep_history``) its records (``helmpy uninstall``).
        A missing release raises :class:`helmpy.ReleaseNotFound` unless ``ignore_not_found``."""
        from helmpy.action import uninstall as action

        opts = action.UninstallOptions(keep_history=keep_history, dry_run=dry_run, wait=wait, timeout=seconds(timeout),
                                       ignore_not_found=ignore_not_found, no_hooks=no_hooks, description=description,
                                       cascade=cascade)
        out = self._session.run("uninstall", name, lambda cfg: action.run(cfg, name, opts))
        return results.UninstallResult(name, results.Release.of(out.release) if out.release else None,
                                       tuple(out.deleted), tuple(out.kept), out.not_found)

    def test(self, name: str, *, timeout: Timeout = 300.0, filter: tuple[str, ...] | list[str] = (),
             accept_simulated: bool = False) -> results.Release:
        """Run release ``name``'s test hooks (``helmpy test``); each hook's ``last_run_phase`` says how it went.
        A failing test raises :class:`helmpy.ReleaseFailed` naming it. ``filter``: ``name=NAME``/``!name=NAME``.
        On the embedded cluster no container runs: the tests raise :class:`helmpy.TestsNotRun` (its ``release``
        the revision as recorded, a :class:`helmpy.Release`) unless ``accept_simulated=True``
        (``--accept-simulated``) accepts their simulated pass; the result's ``simulated_tests`` names them."""
        from helmpy.action import test_release as action

        opts = action.TestOptions(timeout=seconds(timeout), filters=list(filter), accept_simulated=accept_simulated,
                                  flag="accept_simulated=True")
        from helmpy.errors import TestsNotRun

        try:
            run = self._session.run("test", name, lambda cfg: action.run(cfg, name, opts))
        except TestsNotRun as err:
            if not isinstance(err.release, results.Release):
                err.release = results.Release.of(err.release)
            raise
        return results.Release.of(run.release, simulated_tests=tuple(run.simulated))

