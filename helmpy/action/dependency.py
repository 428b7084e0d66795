"""``dependency list|update|build``: fill a chart's ``charts/`` from its declared dependencies.

``update`` resolves version ranges against repository indexes (refreshing them first) or, for
``oci://`` repositories, against the registry's tag list, packages ``file://`` dependencies, downloads
the rest (digest-checked), swaps the new archives into ``charts/`` only when everything succeeded,
deletes outdated archives and writes Chart.lock when its digest changed. ``build`` does the same from
the versions pinned in Chart.lock.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy import paths
from helmpy.chart.model import Chart, Dependency
from helmpy.errors import DependencyError, HelmpyError
from helmpy.fsutil import atomic_write, shown
from helmpy.registry.reference import is_oci
from helmpy.repo import cache, repofile
from helmpy.repo.cache import CachedIndex
from helmpy.repo.repofile import Entry
from helmpy.repo.resolver import go_time_now, hash_req, is_local_repo, local_path, lock_yaml, resolve

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions
    from helmpy.registry.dependency import OciDependencies
    from helmpy.repo.getter import GetterOptions

logger = logging.getLogger(__name__)

Out = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


def _norm(url: str) -> str:
    return url.rstrip("/")


@dataclass
class _Repos:
    """How each dependency's repository is reached: a configured entry or an unmanaged URL."""

    configured: dict[str, Entry]  # normalised URL -> entry
    indexes: dict[str, CachedIndex]  # normalised URL -> index loaded in this run

    def entry_for(self, url: str) -> Entry | None:
        return self.configured.get(_norm(url))


def _load_chart(chart_dir: Path) -> Chart:
    from helmpy.chart.loader import load

    if not (chart_dir / "Chart.yaml").is_file():
        raise DependencyError(f"{chart_dir}: not a chart directory (no Chart.yaml)")
    return load(chart_dir)


def _resolve_repo_names(reqs: list[Dependency]) -> _Repos:
    """Replace ``@name``/``alias:name`` by URLs (in place) and map URLs to configured repositories."""
    rf = repofile.load(paths.repository_config())
    by_url = {_norm(e.url): e for e in rf.repositories}
    missing: list[str] = []
    for d in reqs:
        repo = d.repository
        if repo.startswith("@") or repo.startswith("alias:"):
            name = repo[1:] if repo.startswith("@") else repo[len("alias:"):]
            entry = rf.get(name)
            if entry is None:
                missing.append(repo)
                continue
            d.repository = entry.url
        elif repo and not is_oci(repo) and not is_local_repo(repo) and not repo.startswith(("http://", "https://")):
            from helmpy.plugin.getter import handles

            if not handles(repo):  # a downloader plugin's scheme is a repository URL too
                missing.append(repo)
    if missing:
        raise DependencyError(f"no repository definition for {', '.join(missing)}. "
                              "Please add them via 'helmpy repo add'")
    return _Repos(by_url, {})


def _refresh(reqs: list[Dependency], repos: _Repos, out: Out, skip_refresh: bool) -> None:
    """Update the indexes of the repositories the dependencies use (configured and unmanaged)."""
    from helmpy.action.repo import update_entries
    from helmpy.repo.downloader import fetch_index

    urls = {_norm(d.repository) for d in reqs
            if d.repository and not is_local_repo(d.repository) and not is_oci(d.repository)}
    configured = [repos.configured[u] for u in sorted(urls) if u in repos.configured]
    unmanaged = sorted(u for u in urls if u not in repos.configured)
    if configured and not skip_refresh:
        update_entries(configured, out)
    if unmanaged:
        out("Getting updates for unmanaged helmpy repositories...")
        for url in unmanaged:
            try:
                _, repos.indexes[url] = fetch_index(url)
            except HelmpyError as err:
                raise DependencyError(f'could not fetch the index of "{url}": {err}') from err
            out(f'...Successfully got an update from the "{url}" chart repository')


def _index_for(repos: _Repos) -> Callable[[Dependency], CachedIndex]:
    def index_for(d: Dependency) -> CachedIndex:
        url = _norm(d.repository)
        if url not in repos.indexes:
            entry = repos.entry_for(url)
            if entry is not None:
                repos.indexes[url] = cache.load(entry.name)
            else:
                from helmpy.repo.downloader import fetch_index

                _, repos.indexes[url] = fetch_index(url)
        return repos.indexes[url]
    return index_for


def _registries(remote: RemoteOptions | None, notice: Out | None) -> OciDependencies:
    """The registry side of a run: the command's TLS/credential flags apply to ``oci://`` dependencies
    only, as in Helm (an index repository's settings come from its ``repo add`` entry)."""
    from helmpy.action.chartref import RemoteOptions
    from helmpy.registry.dependency import OciDependencies

    return OciDependencies((remote or RemoteOptions()).registry_options(), notice)


def update(chart_dir: Path, out: Out = _print, skip_refresh: bool = False, remote: RemoteOptions | None = None,
           notice: Out | None = None) -> None:
    """Resolve Chart.yaml dependencies, fill charts/ and write Chart.lock (when it changed).

    ``notice`` gets a registry's ``Pulled:``/``Digest:`` lines (Helm writes them to stderr)."""
    chart_dir = Path(chart_dir)
    chart = _load_chart(chart_dir)
    reqs = copy.deepcopy(chart.metadata.dependencies)
    if not reqs:
        out(f"No dependencies found in {chart_dir / 'Chart.yaml'}")
        return
    repos = _resolve_repo_names(reqs)
    _refresh(reqs, repos, out, skip_refresh)
    registries = _registries(remote, notice)
    try:
        lock = resolve(reqs, chart_dir, _index_for(repos), registries.versions)
        _download_all(chart_dir, lock.dependencies, repos, registries, out)
    finally:
        registries.close()
    if chart.lock is not None and chart.lock.digest == lock.digest:
        return
    lock.generated = go_time_now()
    atomic_write(chart_dir / "Chart.lock", lock_yaml(lock))


def build(chart_dir: Path, out: Out = _print, skip_refresh: bool = False, remote: RemoteOptions | None = None,
          notice: Out | None = None) -> None:
    """Fill charts/ from Chart.lock; without a lock this is :func:`update`."""
    chart_dir = Path(chart_dir)
    chart = _load_chart(chart_dir)
    if chart.lock is None:
        update(chart_dir, out, skip_refresh, remote, notice)
        return
    reqs = copy.deepcopy(chart.metadata.dependencies)
    repos = _resolve_repo_names(reqs)
    locked = chart.lock.dependencies
    if hash_req(reqs, locked) != chart.lock.digest:
        raise DependencyError("the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). "
                              "Please update the dependencies")
    _refresh(locked, repos, out, skip_refresh)
    registries = _registries(remote, notice)
    try:
        _download_all(chart_dir, locked, repos, registries, out)
    finally:
        registries.close()


def _download_all(chart_dir: Path, deps: list[Dependency], repos: _Repos, registries: OciDependencies,
                  out: Out) -> None:
    """Fetch every locked dependency into a temp dir, then swap into charts/ and drop outdated archives."""
    from helmpy.chart.loader import load
    from helmpy.registry.dependency import chart_reference
    from helmpy.repo.downloader import ChartDownloader
    from helmpy.repo.getter import GetterOptions
    from helmpy.semverutil import parse_constraint, try_parse

    dest = chart_dir / "charts"
    if dest.exists() and not dest.is_dir():
        raise DependencyError(f"{dest} is not a directory")
    dest.mkdir(exist_ok=True)
    tmp = chart_dir / f"tmpcharts-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    try:
        out(f"Saving {len(deps)} charts")
        seen_urls: set[str] = set()
        dl = ChartDownloader()
        try:
            for dep in deps:
                if not dep.repository:
                    out(f"Dependency {dep.name} did not declare a repository. Assuming it exists in the charts "
                        "directory")
                    sub = load(dest / dep.name)
                    v = try_parse(sub.metadata.version)
                    if v is None or not parse_constraint(dep.version).check(v):
                        raise DependencyError(f"dependency {dep.name} at version {sub.metadata.version} does not "
                                              f"satisfy the constraint {dep.version}")
                    continue
                if is_local_repo(dep.repository):
                    _package_local(chart_dir, dep, tmp)
                    continue
                if is_oci(dep.repository):
                    cv_url, options, digest = f"{chart_reference(dep)}:{dep.version}", None, ""
                else:
                    cv_url, options, digest = _chart_url(dep, repos, GetterOptions)
                if cv_url in seen_urls:
                    out(f"Already downloaded {dep.name} from repo {dep.repository}")
                    continue
                out(f"Downloading {dep.name} from repo {dep.repository}")
                try:
                    got = registries.pull(dep) if options is None else dl.download(cv_url, options, digest)
                except HelmpyError as err:
                    raise DependencyError(f"could not download {cv_url}: {err}") from err
                saved = tmp / got.filename
                if saved.exists():
                    raise DependencyError(f"the chart URL {shown(cv_url)} names the file {got.filename!r}, which "
                                          "another dependency already downloaded; refusing to let one replace "
                                          "the other")
                shutil.copyfile(got.path, saved)
                seen_urls.add(cv_url)
        finally:
            dl.close()
        _move_deps(deps, tmp, dest, out)
    except HelmpyError as err:
        out(f"Save error occurred:  {err}")
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _chart_url(dep: Dependency, repos: _Repos, options_cls: type[GetterOptions]) -> tuple[str, GetterOptions, str]:
    index = _index_for(repos)(dep)
    try:
        cv = index.get(dep.name, dep.version)
    except HelmpyError as err:
        raise DependencyError(f"could not find {dep.name}-{dep.version} in {dep.repository}: {err}") from err
    if not cv.urls:
        raise DependencyError(f"chart {dep.name}-{dep.version} in {dep.repository} has no download URL")
    url = cache.resolve_reference_url(dep.repository, cv.urls[0])
    entry = repos.entry_for(dep.repository)
    options = options_cls.from_entry(entry) if entry is not None else options_cls(credentials_url=dep.repository)
    return url, options, cv.digest


def _package_local(chart_dir: Path, dep: Dependency, tmp: Path) -> None:
    """Package a ``file://`` dependency into the temp dir (Helm's ``tarFromLocalDir``)."""
    from helmpy.chart.loader import load
    from helmpy.chart.save import archive_filename, save_archive
    from helmpy.semverutil import parse_constraint, try_parse

    src = local_path(dep.repository, chart_dir)
    sub = load(src)
    v = try_parse(sub.metadata.version)
    if v is None or not parse_constraint(dep.version or "*").check(v):
        raise DependencyError(f"can't get a valid version for dependency {dep.name}")

    def hint(rel: str) -> float | None:
        try:
            return (src / rel).stat().st_mtime
        except OSError:
            return None

    (tmp / archive_filename(sub)).write_bytes(save_archive(sub, hint))


def _move_deps(deps: list[Dependency], source: Path, dest: Path, out: Out) -> None:
    """Helm's ``safeMoveDeps``: move new archives in, delete archives no longer wanted."""
    from helmpy.chart.loader import load

    local_names = {d.name for d in deps if not d.repository}
    new_files = set()
    moves: list[Path] = []
    for f in sorted(source.iterdir()):
        if f.is_dir():
            continue
        new_files.add(f.name)
        try:
            chart = load(f)
        except HelmpyError as err:
            out(f"Could not verify {f} for moving: {err} (Skipping)")
            continue
        _refuse_clobber(dest / f.name, chart.name, local_names)
        moves.append(f)
    for f in moves:
        os.replace(f, dest / f.name)
    out("Deleting outdated charts")
    for f in sorted(dest.iterdir()):
        if f.is_dir() or f.name in new_files:
            continue
        try:
            name = load(f).name
        except HelmpyError as err:
            out(f"Could not verify {f} for deletion: {err} (Skipping)")
            continue
        if name in local_names:
            continue
        f.unlink()


def _refuse_clobber(target: Path, chart_name: str, local_names: set[str]) -> None:
    """A downloaded archive may replace an older archive of the same chart in charts/, nothing else.

    Its file name comes from the repository (the URL's base name), so without this check a hostile
    index could overwrite an unrelated file or another chart's archive there (Helm replaces it).
    """
    from helmpy.chart.loader import load

    if not (target.exists() or target.is_symlink()):
        return
    if target.is_symlink() or not target.is_file():
        raise DependencyError(f"refusing to replace {target} with a downloaded chart: it is not a regular file")
    try:
        existing = load(target).name
    except HelmpyError:
        existing = ""
    if existing != chart_name or chart_name in local_names:
        raise DependencyError(f"refusing to replace {target} with the downloaded chart {chart_name!r}: the file "
                              f"holds {f'the chart {existing!r}' if existing else 'no loadable chart'}, and the "
                              "name comes from the repository's chart URL")


# --- list --------------------------------------------------------------------------------------------
@dataclass
class DependencyStatus:
    """One row of ``dependency list``."""

    name: str
    version: str
    repository: str
    status: str


def _archive_status(archive: Path, dep: Dependency) -> str:
    from helmpy.chart.loader import load

    try:
        sub = load(archive)
    except HelmpyError:
        return "corrupt"
    if sub.name != dep.name:
        return "misnamed"
    return _version_status(sub.metadata.version, dep.version) or "ok"


def _version_status(have: str, want: str) -> str:
    from helmpy.semverutil import parse_constraint, try_parse

    if have == want:
        return ""
    try:
        constraint = parse_constraint(want)
    except ValueError:
        return "invalid version"
    v = try_parse(have)
    if v is None:
        return "invalid version"
    return "" if constraint.check(v) else "wrong version"


def _status(chart: Chart, chart_dir: Path, dep: Dependency) -> str:
    from helmpy.chart.model import is_strict_semver

    charts = chart_dir / "charts"
    archives = sorted(charts.glob(f"{dep.name}-*.tgz")) if charts.is_dir() else []
    if len(archives) > 1:
        found = [a for a in archives if is_strict_semver(a.name[len(dep.name) + 1:-len(".tgz")])]
        if len(found) == 1:
            return _archive_status(found[0], dep)
        if len(found) > 1:
            return "too many matches"
    elif len(archives) == 1:
        return _archive_status(archives[0], dep)
    sub = next((s for s in chart.subcharts if s.name == dep.name), None)
    if sub is None:
        return "missing"
    return _version_status(sub.metadata.version, dep.version) or "unpacked"


def list_dependencies(chart_dir: Path) -> tuple[list[DependencyStatus], list[str]]:
    """Declared dependencies with their state in charts/, plus warnings about undeclared charts."""
    from helmpy.chart.loader import load

    chart_dir = Path(chart_dir)
    chart = _load_chart(chart_dir)
    rows = [DependencyStatus(d.name, d.version, d.repository, _status(chart, chart_dir, d))
            for d in chart.metadata.dependencies]
    warnings: list[str] = []
    declared = {d.name for d in chart.metadata.dependencies}
    charts = chart_dir / "charts"
    for f in sorted(charts.iterdir()) if charts.is_dir() else []:
        if not f.is_dir() and f.suffix != ".tgz":
            continue
        try:
            name = load(f).name
        except HelmpyError:
            warnings.append(f'WARNING: "{f}" is not a chart.')
            continue
        if name not in declared:
            warnings.append(f'WARNING: "{f}" is not in Chart.yaml.')
    return rows, warnings
