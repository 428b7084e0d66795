"""Chart references: turn what a user typed into a chart archive or directory on disk.

Forms, in Helm's order: a local directory or archive (checked first unless ``repo_url`` is given),
``file://path``, ``repo/chart`` from a configured repository's cached index, an absolute
``http(s)://.../chart.tgz`` URL, and ``--repo URL chart``, and ``oci://host/path/name[:tag][@digest]`` (an OCI
registry, see :mod:`helmpy.registry.pull`). Remote charts land in the content-addressed cache, sha256-checked
against the index digest (or the registry manifest's layer digest).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy.errors import ChartNotFoundError, RepoError

if TYPE_CHECKING:  # the HTTP stack and the repository index modules (YAML) load only when a reference needs them
    from helmpy.registry.client import RegistryOptions
    from helmpy.repo import cache, repofile
    from helmpy.repo.downloader import ChartDownloader, Downloaded
    from helmpy.repo.getter import GetterOptions

logger = logging.getLogger(__name__)


@dataclass
class RemoteOptions:
    """Credentials and TLS settings given on the command line."""

    username: str = ""
    password: str = ""
    pass_credentials: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    timeout: float = 120.0
    plain_http: bool = False  # OCI registries only: http:// instead of https://

    def registry_options(self) -> RegistryOptions:
        from helmpy.registry.client import RegistryOptions

        return RegistryOptions(plain_http=self.plain_http, ca_file=self.ca_file, cert_file=self.cert_file,
                               key_file=self.key_file, insecure_skip_tls_verify=self.insecure_skip_tls_verify,
                               timeout=self.timeout, username=self.username, password=self.password)

    def getter_options(self, credentials_url: str) -> GetterOptions:
        from helmpy.repo.getter import GetterOptions

        return GetterOptions(username=self.username, password=self.password,
                             pass_credentials=self.pass_credentials, credentials_url=credentials_url,
                             ca_file=self.ca_file, cert_file=self.cert_file, key_file=self.key_file,
                             insecure_skip_tls_verify=self.insecure_skip_tls_verify, timeout=self.timeout)


@dataclass
class RemoteChart:
    """Where a remote chart lives and how to fetch it."""

    url: str
    options: GetterOptions
    digest: str = ""
    name: str = ""
    version: str = ""
    repo: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    oci: RegistryOptions | None = None  # set: ``url`` is an oci:// reference, ``version`` the wanted version


def _downloader_url(ref: str) -> bool:
    """``SCHEME://...`` that a downloader plugin serves (``git+https://`` with helm-git)."""
    if "://" not in ref:
        return False
    from helmpy.plugin.getter import handles

    return handles(ref)


def local_path(ref: str) -> Path | None:
    """The local chart ``ref`` names, or None when it is not a local path."""
    if ref.startswith("file://"):
        p = Path(ref[len("file://"):])
        if not p.exists():
            raise ChartNotFoundError(f'path "{p}" not found')
        return p
    p = Path(ref)
    if p.exists():
        return p
    if ref.startswith((".", "/")):
        raise ChartNotFoundError(f'path "{ref}" not found')
    return None


def locate(ref: str, version: str | None = None, devel: bool = False, repo_url: str | None = None,
           remote: RemoteOptions | None = None) -> RemoteChart:
    """Resolve a non-local reference to a chart URL (reading cached indexes; ``repo_url`` downloads one)."""
    from helmpy.repo.getter import GetterOptions

    remote = remote or RemoteOptions()
    if devel and not version:
        version = ">0.0.0-0"
    if ref.startswith("oci://"):
        from helmpy.registry import reference

        parsed = reference.parse(ref)  # a malformed reference fails before anything is fetched
        return RemoteChart(ref, GetterOptions(), name=parsed.name, version=version or "",
                           oci=remote.registry_options())
    if repo_url:
        from helmpy.repo.downloader import fetch_index

        opts = remote.getter_options(repo_url)
        try:
            _, index = fetch_index(repo_url, opts)
        except RepoError as err:
            raise RepoError(f'looks like "{repo_url}" is not a valid chart repository or cannot be reached: {err}'
                            ) from err
        return _from_index(index, ref, version, repo_url, opts, repo_url)
    if ref.startswith(("http://", "https://")) or _downloader_url(ref):
        found = _find_in_cached_indexes(ref)
        if found is not None:
            entry, cv = found
            return RemoteChart(ref, GetterOptions.from_entry(entry, remote.timeout), cv.digest, cv.name,
                               cv.version, entry.name)
        return RemoteChart(ref, remote.getter_options(ref))
    repo_name, sep, chart_name = ref.partition("/")
    if not sep or not chart_name or not repo_name:
        raise ChartNotFoundError(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {ref}")
    from helmpy.repo import cache, repofile

    repo_entry = repofile.load(_repo_config()).get(repo_name)
    if repo_entry is None:
        raise RepoError(f'repo {repo_name} not found')
    index = cache.load(repo_name)
    opts = GetterOptions.from_entry(repo_entry, remote.timeout)
    return _from_index(index, chart_name, version, repo_entry.url, opts, repo_name)


def _repo_config() -> Path:
    from helmpy import paths

    return paths.repository_config()


def _from_index(index: cache.CachedIndex, chart: str, version: str | None, repo_url: str,
                opts: GetterOptions, repo_label: str) -> RemoteChart:
    try:
        cv = index.get(chart, version)
    except RepoError as err:
        raise RepoError(f'chart "{chart}" matching {version or ""} not found in {repo_label} index. '
                        f"(try 'helmpy repo update'): {err}") from err
    if not cv.urls:
        raise RepoError(f'chart "{chart}" has no downloadable URLs')
    from helmpy.repo.cache import resolve_reference_url

    url = resolve_reference_url(repo_url, cv.urls[0])
    return RemoteChart(url, opts, cv.digest, cv.name, cv.version, repo_label)


def _find_in_cached_indexes(url: str) -> tuple[repofile.Entry, cache.IndexedVersion] | None:
    """Helm applies a configured repo's settings to an absolute URL listed in its index."""
    config = _repo_config()
    if not config.exists():  # no repository configured: nothing to look up (and no YAML to load)
        return None
    from helmpy.repo import cache, repofile

    for entry in repofile.load(config).repositories:
        cv = cache.load(entry.name).find_url(url)
        if cv is not None:
            return entry, cv
    return None


def fetch(chart: RemoteChart, downloader: ChartDownloader | None = None, progress: bool = True,
          out: Callable[[str], None] | None = None, check_archive: bool = False) -> Downloaded:
    """Download a located chart into the content cache (digest-checked); ``out`` gets a registry's
    ``Pulled:``/``Digest:`` lines. ``check_archive``: a registry's chart layer is checked as an archive too
    (:func:`helmpy.registry.pull.pull_chart`)."""
    from helmpy.repo.downloader import ChartDownloader, Downloaded

    if chart.oci is not None:
        from helmpy.registry.pull import pull_chart

        got = pull_chart(chart.url, chart.version, False, chart.oci, out, progress, check_archive=check_archive)
        return Downloaded(got.path, got.filename, got.digest, chart.url, got.prov)

    own = downloader is None
    dl = downloader or ChartDownloader()
    try:
        return dl.download(chart.url, chart.options, chart.digest, progress=progress)
    finally:
        if own:
            dl.close()


def resolve_chart(ref: str, version: str | None = None, devel: bool = False, repo_url: str | None = None,
                  username: str | None = None, password: str | None = None, pass_credentials: bool = False,
                  ca_file: str | None = None, cert_file: str | None = None, key_file: str | None = None,
                  insecure_skip_tls_verify: bool = False, timeout: float = 120.0,
                  remote: RemoteOptions | None = None) -> Path:
    """A path to the chart ``ref`` names: the local dir/archive itself, or a cached download.

    ``remote`` (the command's TLS/credential flags, ``--plain-http``) replaces the separate arguments."""
    if not repo_url:
        local = local_path(ref)
        if local is not None:
            return local
    if remote is None:
        remote = RemoteOptions(username or "", password or "", pass_credentials, ca_file or "", cert_file or "",
                               key_file or "", insecure_skip_tls_verify, timeout)
    return fetch(locate(ref, version, devel, repo_url, remote)).path
