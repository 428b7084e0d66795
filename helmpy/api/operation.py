"""An install or upgrade prepared but not yet run: :meth:`helmpy.Client.prepare_install` / ``prepare_upgrade``.

Preparing checks the arguments and reads the values (``values_files``, ``set_file``: files are read once, and a
``-`` is stdin); :meth:`Operation.plan` then shows what the operation would change and :meth:`Operation.run`
does it, both with the same options - the plan-then-apply of a deploy script, and the CLI's ``--diff``.
An argument error raises from ``prepare_*``; what the operation itself meets (the cluster, the chart's
templates, a wait) raises from ``run()``/``plan()``, which is where the CLI puts Helm's ``INSTALLATION FAILED:``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmpy.api import results

if TYPE_CHECKING:
    from typing import Unpack

    from helmpy.action.install import InstallOptions
    from helmpy.action.upgrade import UpgradeOptions
    from helmpy.api._session import Session
    from helmpy.api.flags import DiffFlags


class Operation:
    """A prepared ``install`` or ``upgrade``; ``options`` are the action's (read them, do not change them)."""

    def __init__(self, session: Session, kind: str, options: InstallOptions | UpgradeOptions) -> None:
        self._session = session
        self.kind = kind  #: ``install`` or ``upgrade``
        self.options = options

    @property
    def name(self) -> str:
        """The release name (``""`` for an install that generates its name)."""
        return self.options.name or ""

    def plan(self, **flags: Unpack[DiffFlags]) -> results.DiffResult:
        """What :meth:`run` would change in the cluster, object by object (``helmpy diff upgrade``,
        ``install/upgrade --diff``); nothing is written and no lock is taken."""
        from helmpy.action import diff
        from helmpy.action.install import InstallOptions
        from helmpy.api._diffs import diff_options

        opts = diff_options(flags)
        if isinstance(self.options, InstallOptions):
            install_opts = self.options
            report = self._session.run("diff", self.name, lambda cfg: diff.install(cfg, install_opts, opts))
        else:
            upgrade_opts = self.options
            report = self._session.run("diff", self.name, lambda cfg: diff.upgrade(cfg, upgrade_opts, opts))
        return results.DiffResult.of(report)

    def run(self) -> results.Release:
        """Install or upgrade; the new revision. ``installed`` is True when an ``upgrade(install=True)``
        installed a release that did not exist."""
        from helmpy.action.install import InstallOptions

        if isinstance(self.options, InstallOptions):
            from helmpy.action import install

            install_opts = self.options
            done = self._session.run("install", self.name, lambda cfg: install.run(cfg, install_opts))
            return results.Release.of(done.release)
        from helmpy.action import upgrade

        upgrade_opts = self.options
        result = self._session.run("upgrade", self.name, lambda cfg: upgrade.run(cfg, upgrade_opts))
        return results.Release.of(result.release, installed=result.installed)

    def __repr__(self) -> str:
        return f"Operation({self.kind} {self.name!r} chart={self.options.chart_ref!r})"
