"""The chart use cases: template, lint, show, package, pull, push, dependency update/build/list."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy.api import results
from helmpy.api._convert import chart_source_of, post_renderer_of, remote_of, remote_with, values_of
from helmpy.api._session import Session, Timeout
from helmpy.api._transfers import PullResult, PushResult
from helmpy.api.flags import ChartFlags, RemoteFlags, TemplateFlags, ValuesFlags, check

if TYPE_CHECKING:
    from typing import Unpack

    from helmpy.api._session import PathLike
    from helmpy.chart.model import Chart


class ChartMethods:
    """Chart commands (mixed into :class:`helmpy.Client`); none needs a cluster unless ``validate=True``."""

    _session: Session

    def template(self, name: str | None, chart: PathLike, **flags: Unpack[TemplateFlags]) -> results.TemplateResult:
        """Render ``chart`` locally as release ``name`` (None: ``release-name``) and return what
        ``helmpy template`` prints: the manifests, then the hooks. Template errors raise
        :class:`helmpy.RenderError` (file and line in the message)."""
        from helmpy.action.template import TemplateOptions, run_template

        check(flags, TemplateFlags, "template")
        source = chart_source_of(flags)
        output_dir = flags.get("output_dir")
        opts = TemplateOptions(
            release_name=name, generate_name=bool(flags.get("generate_name")),
            namespace=self._session._offline_namespace(), show_only=list(flags.get("show_only", ())),
            output_dir=Path(output_dir) if output_dir is not None else None,
            use_release_name=bool(flags.get("release_name")), include_crds=bool(flags.get("include_crds")),
            kube_version=flags.get("kube_version"), api_versions=list(flags.get("api_versions", ())),
            is_upgrade=bool(flags.get("is_upgrade")), skip_tests=bool(flags.get("skip_tests")),
            no_hooks=bool(flags.get("no_hooks")), skip_schema_validation=bool(flags.get("skip_schema_validation")),
            version=source["version"], devel=source["devel"], repo_url=source["repo_url"], remote=source["remote"],
            post_renderer=post_renderer_of(flags), dependency_update=source["dependency_update"],
            name_template=flags.get("name_template", ""), validate=bool(flags.get("validate")),
            verify=source["verify"])
        ref = os.fspath(chart)
        if opts.validate:
            out = self._session.run("template", name or "", lambda cfg: run_template(ref, values_of(flags)[0], opts,
                                                                                       cfg))
        else:
            with self._session.scope():
                out = run_template(ref, values_of(flags)[0], opts)
        return results.TemplateResult(out.release_name, out.text if opts.output_dir is None else "", tuple(out.written))

    def lint(self, paths: PathLike | Sequence[PathLike], *, strict: bool = False, with_subcharts: bool = False,
             kube_version: str | None = None, skip_schema_validation: bool = False,
             **flags: Unpack[ValuesFlags]) -> results.LintResult:
        """Lint chart directories or archives (``helmpy lint``); findings come back, a failing chart is
        ``result.ok == False`` rather than an exception."""
        from helmpy.action.lint import LintOptions, run_lint

        check(flags, ValuesFlags, "lint")
        chosen = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        opts = LintOptions(strict=strict, with_subcharts=with_subcharts, namespace=self._session._offline_namespace(),
                           kube_version=kube_version, skip_schema_validation=skip_schema_validation)
        with self._session.scope():
            return results.LintResult.of(run_lint([os.fspath(p) for p in chosen], values_of(flags)[0], opts))

    # --- show ---------------------------------------------------------------------------------------------
    def _load(self, chart: PathLike, flags: ChartFlags, method: str) -> Chart:
        from helmpy.action.chartload import load_chart

        check(flags, ChartFlags, method)
        src = chart_source_of(flags)
        with self._session.scope():
            return load_chart(os.fspath(chart), src["version"], src["devel"], src["repo_url"], src["remote"],
                              verify=src["verify"], dependency_update=src["dependency_update"])

    def show(self, chart: PathLike, what: str = "all", **flags: Unpack[ChartFlags]) -> str:
        """``helmpy show WHAT CHART``'s text: ``all``, ``chart``, ``values``, ``readme`` or ``crds``."""
        from helmpy.action.show import ShowWhat, show
        from helmpy.errors import UsageError

        if what not in {w.value for w in ShowWhat}:
            raise UsageError(f"show: unknown part {what!r}", hint="one of all, chart, values, readme, crds")
        return show(self._load(chart, flags, "show"), what)

    def show_chart(self, chart: PathLike, **flags: Unpack[ChartFlags]) -> dict[str, Any]:
        """The chart's Chart.yaml as a dict (``helmpy show chart``)."""
        return self._load(chart, flags, "show_chart").metadata.to_dict()

    def show_values(self, chart: PathLike, *, jsonpath: str = "", **flags: Unpack[ChartFlags]) -> str:
        """The chart's values.yaml as written, comments kept (``helmpy show values``); with ``jsonpath``
        (``{.image.tag}``) only what it finds."""
        from helmpy.action.show import show, values_jsonpath

        loaded = self._load(chart, flags, "show_values")
        if not jsonpath:
            return show(loaded, "values")
        text, nothing = values_jsonpath(loaded, jsonpath)
        if nothing:
            self._session.progress(f"WARNING: --jsonpath {jsonpath}: {nothing}")
        return text

    def show_readme(self, chart: PathLike, **flags: Unpack[ChartFlags]) -> str:
        """The chart's README (``""`` when it has none)."""
        from helmpy.action.show import find_readme

        data = find_readme(self._load(chart, flags, "show_readme"))
        return data.decode("utf-8", "replace") if data is not None else ""

    def show_crds(self, chart: PathLike, **flags: Unpack[ChartFlags]) -> list[str]:
        """The text of each file of the chart's ``crds/`` (sub-charts' included)."""
        return [f.data.decode("utf-8", "replace") for _, f in self._load(chart, flags, "show_crds").crd_objects()]

    # --- package, pull, push ------------------------------------------------------------------------------
    def package(self, path: PathLike, *, destination: PathLike = ".", version: str | None = None,
                app_version: str | None = None, dependency_update: bool = False, sign: bool = False, key: str = "",
                keyring: PathLike | None = None, passphrase: str | None = None,
                **flags: Unpack[RemoteFlags]) -> results.PackageResult:
        """Package a chart directory as ``NAME-VERSION.tgz`` in ``destination`` (``helmpy package``); with
        ``sign`` a ``.prov`` signed by ``key`` from ``keyring`` too. The remote flags reach the registries
        ``dependency_update`` downloads from."""
        from helmpy.action.package import PackageOptions, run
        from helmpy.errors import UsageError

        check(flags, RemoteFlags, "package")
        if sign and not key:
            raise UsageError("--sign requires --key (the signing key's name)")
        opts = PackageOptions(destination=os.fspath(destination), version=version, app_version=app_version,
                              dependency_update=dependency_update, sign=sign, key=key,
                              keyring=os.fspath(keyring) if keyring is not None else None, passphrase=passphrase,
                              remote=remote_of(flags))
        with self._session.scope():
            out = run(path, opts)
        return results.PackageResult(out.path, out.prov_path, out.display_path)

    def verify(self, chart: PathLike, *, keyring: PathLike | None = None) -> results.Verification:
        """Check a chart archive against its provenance file ``CHART.prov`` (``helmpy verify``): the OpenPGP
        signature with ``keyring`` (default ``~/.gnupg/pubring.gpg``) and the archive's sha256. A bad or missing
        signature raises :class:`helmpy.ProvenanceError`."""
        from helmpy.repo.provenance import verify

        with self._session.scope():
            return results.Verification.of(verify(chart, keyring))

    def create(self, name: PathLike, *, starter: str | None = None, engine: str = "jinja2") -> results.CreateResult:
        """Scaffold a chart directory ``name`` (``helmpy create``; the last path element is the chart's name):
        Jinja2 templates, or ``engine="go"`` for the chart ``helm create`` writes; ``starter`` is a path or a
        name under ``<data home>/starters``. Scaffold files that existed are overwritten and listed."""
        from helmpy.chart.create import create_chart

        with self._session.scope():
            out = create_chart(name, starter, engine)
        return results.CreateResult(out.path, tuple(out.overwritten))

    def pull(self, chart: str, *, destination: PathLike = ".", untar: bool = False, untardir: PathLike = ".",
             prov: bool = False, timeout: Timeout = 120.0, **flags: Unpack[ChartFlags]) -> PullResult:
        """Download ``chart`` (``repo/chart``, a URL, ``oci://...``, or ``repo=URL`` and a name) into
        ``destination`` (``helmpy pull``); ``verify=True`` checks its provenance first."""
        from helmpy.action.pull import PullOptions, pull

        check(flags, ChartFlags, "pull")
        keyring = flags.get("keyring")
        remote = remote_with(flags, timeout)
        opts = PullOptions(version=flags.get("version"), devel=bool(flags.get("devel")),
                           destination=os.fspath(destination), untar=untar, untardir=os.fspath(untardir),
                           verify=bool(flags.get("verify")), prov=prov,
                           keyring=os.fspath(keyring) if keyring is not None else None, repo_url=flags.get("repo"),
                           remote=remote)
        with self._session.scope():
            return PullResult(pull(chart, opts, self._session.notice, self._session.progress))

    def push(self, chart: PathLike, remote: str, *, force: bool = False, timeout: Timeout = 120.0,
             **flags: Unpack[RemoteFlags]) -> PushResult:
        """Upload a packaged chart to ``oci://host/path`` or to a ChartMuseum repository (a configured name or
        its URL) (``helmpy push``)."""
        check(flags, RemoteFlags, "push")
        options = remote_with(flags, timeout)
        with self._session.scope():
            if remote.startswith("oci://"):
                from helmpy.registry.push import push_chart

                pushed = push_chart(Path(chart), remote, options.registry_options(), self._session.progress)
                return PushResult(str(pushed.ref), pushed.digest)
            from helmpy.action.repo import PushOptions
            from helmpy.action.repo import push as push_repo

            push_repo(Path(chart), remote, PushOptions(
                username=options.username, password=options.password, ca_file=options.ca_file,
                cert_file=options.cert_file, key_file=options.key_file,
                insecure_skip_tls_verify=options.insecure_skip_tls_verify, force=force, timeout=options.timeout),
                self._session.notice)
        return PushResult(remote, "")

    # --- dependencies -------------------------------------------------------------------------------------
    def dependency_update(self, chart: PathLike, *, skip_refresh: bool = False,
                          **flags: Unpack[RemoteFlags]) -> list[results.Dependency]:
        """Resolve Chart.yaml's dependencies, download them into ``charts/`` and write Chart.lock
        (``helmpy dependency update``); returns :meth:`dependency_list` afterwards."""
        from helmpy.action.dependency import update

        check(flags, RemoteFlags, "dependency_update")
        with self._session.scope():
            update(Path(chart), self._session.notice, skip_refresh, remote_of(flags), self._session.progress)
            return self._dependencies(chart)[0]

    def dependency_build(self, chart: PathLike, *, skip_refresh: bool = False,
                         **flags: Unpack[RemoteFlags]) -> list[results.Dependency]:
        """Rebuild ``charts/`` from the versions pinned in Chart.lock (``helmpy dependency build``)."""
        from helmpy.action.dependency import build

        check(flags, RemoteFlags, "dependency_build")
        with self._session.scope():
            build(Path(chart), self._session.notice, skip_refresh, remote_of(flags), self._session.progress)
            return self._dependencies(chart)[0]

    def dependency_list(self, chart: PathLike) -> list[results.Dependency]:
        """The dependencies Chart.yaml declares and whether ``charts/`` satisfies each (``helmpy dependency
        list``); a chart in ``charts/`` that is not declared is a notice."""
        with self._session.scope():
            found, warnings = self._dependencies(chart)
        for line in warnings:
            self._session.notice(line)
        return found

    @staticmethod
    def _dependencies(chart: PathLike) -> tuple[list[results.Dependency], list[str]]:
        from helmpy.action.dependency import list_dependencies

        rows, warnings = list_dependencies(Path(chart))
        return [results.Dependency(r.name, r.version, r.repository, r.status) for r in rows], warnings
