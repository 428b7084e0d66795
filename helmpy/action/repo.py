"""``repo add/update/list/remove``: managing repositories.yaml and the index cache, with Helm's messages."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helmpy import paths
from helmpy.errors import RepoError
from helmpy.fsutil import shown
from helmpy.repo import cache, repofile
from helmpy.repo.repofile import Entry

logger = logging.getLogger(__name__)

Out = Callable[[str], None]

DEPRECATED_REPOS = {
    "//kubernetes-charts.storage.googleapis.com": "https://charts.helm.sh/stable",
    "//kubernetes-charts-incubator.storage.googleapis.com": "https://charts.helm.sh/incubator",
}
DEFAULT_TIMEOUT = 120.0


@dataclass
class AddOptions:
    """Everything ``repo add`` takes (the password already read from a prompt or stdin)."""

    name: str
    url: str
    username: str = ""
    password: str = ""
    pass_credentials: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    force_update: bool = False
    allow_deprecated_repos: bool = False
    timeout: float = DEFAULT_TIMEOUT


def config_path() -> Path:
    return paths.repository_config()


def download_index(entry: Entry, timeout: float = DEFAULT_TIMEOUT, getter: object | None = None) -> None:
    """Fetch, validate and cache the index of one repository."""
    from helmpy.repo.downloader import fetch_index
    from helmpy.repo.getter import GetterOptions

    data, index = fetch_index(entry.url, GetterOptions.from_entry(entry, timeout), getter)  # type: ignore[arg-type]
    cache.store(entry.name, data, index)


def add(opts: AddOptions, out: Out) -> None:
    """Add (or with force_update replace) a repository after checking its index can be fetched."""
    if not opts.allow_deprecated_repos:
        for old, new in DEPRECATED_REPOS.items():
            if old in opts.url:
                raise RepoError(f'repo "{opts.url}" is no longer available; try "{new}" instead')
    if opts.url.startswith("oci://"):
        raise RepoError(f'looks like "{opts.url}" is not a valid chart repository or cannot be reached: '
                        "OCI registries are not chart repositories (use the oci:// reference directly)")
    entry = Entry(name=opts.name, url=opts.url, username=opts.username, password=opts.password,
                  cert_file=opts.cert_file, key_file=opts.key_file, ca_file=opts.ca_file,
                  insecure_skip_tls_verify=opts.insecure_skip_tls_verify,
                  pass_credentials_all=opts.pass_credentials)
    if "/" in opts.name and opts.name.isprintable():
        raise RepoError(f"repository name ({opts.name}) contains '/', please specify a different name without '/'")
    problem = cache.repo_name_problem(opts.name)
    if problem is not None:
        raise RepoError(f"repository name {shown(opts.name)} is not allowed: {problem}; please specify a different "
                        "name")
    path = config_path()
    with repofile.locked(path):
        rf = repofile.load(path)
        existing = rf.get(opts.name)
        if existing is not None and not opts.force_update:
            if not existing.same_config(entry):
                raise RepoError(f"repository name ({opts.name}) already exists, please specify a different name")
            out(f'"{opts.name}" already exists with the same configuration, skipping')
            return
        try:
            download_index(entry, opts.timeout)
        except RepoError as err:
            raise RepoError(f'looks like "{opts.url}" is not a valid chart repository or cannot be reached: '
                            f"{err}") from err
        rf.update(entry)
        repofile.save(path, rf)
    out(f'"{opts.name}" has been added to your repositories')


def update(names: list[str], out: Out, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Refresh the cached indexes of all (or the named) repositories, in parallel."""
    path = config_path()
    rf = repofile.load(path)
    if not rf.repositories:
        raise RepoError("no repositories found. You must add one before updating")
    if names:
        known = {e.name for e in rf.repositories}
        for name in names:
            if name not in known:
                raise RepoError(f"no repositories found matching '{name}'.  Nothing will be updated")
    entries = [e for e in rf.repositories if not names or e.name in names]
    update_entries(entries, out, timeout)


def update_entries(entries: list[Entry], out: Out, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Download indexes in parallel, printing Helm's per-repo lines; any failure fails the whole."""
    from helmpy.repo.getter import Getter

    out("Hang tight while we grab the latest from your chart repositories...")
    lock = threading.Lock()
    failed: list[str] = []

    def one(entry: Entry) -> None:
        with Getter() as getter:
            try:
                download_index(entry, timeout, getter)
            except RepoError as err:
                with lock:
                    out(f'...Unable to get an update from the "{entry.name}" chart repository ({entry.url}):\n\t{err}')
                    failed.append(entry.url)
                return
        with lock:
            out(f'...Successfully got an update from the "{entry.name}" chart repository')

    contexts = [contextvars.copy_context() for _ in entries]  # the workers read the caller's settings (paths)
    with ThreadPoolExecutor(max_workers=min(8, max(1, len(entries)))) as pool:
        list(pool.map(lambda ctx, entry: ctx.run(one, entry), contexts, entries))
    if failed:
        raise RepoError(f"failed to update the following repositories: [{' '.join(failed)}]")
    out("Update Complete. ⎈Happy Helming!⎈")


def list_repos() -> list[Entry]:
    return repofile.load(config_path()).repositories


def remove(names: list[str], out: Out) -> None:
    """Remove repositories and their cache files."""
    path = config_path()
    with repofile.locked(path):
        rf = repofile.load(path)
        if not rf.repositories:
            raise RepoError("no repositories configured")
        for name in names:
            if not rf.remove(name):
                raise RepoError(f'no repo named "{name}" found')
            repofile.save(path, rf)
            cache.remove(name)
            out(f'"{name}" has been removed from your repositories')


@dataclass
class PushOptions:
    """``push`` flags."""

    username: str = ""
    password: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    force: bool = False
    timeout: float = DEFAULT_TIMEOUT


def push(chart_path: Path, target: str, opts: PushOptions, out: Out) -> None:
    """Upload a packaged chart to a ChartMuseum-compatible ``POST <repo>/api/charts``."""
    from helmpy.chart.loader import load_archive
    from helmpy.repo.getter import Getter, GetterOptions

    if not chart_path.is_file():
        raise RepoError(f'chart archive "{chart_path}" not found')
    data = chart_path.read_bytes()
    meta = load_archive(data, str(chart_path)).metadata
    if target.startswith(("http://", "https://")):
        base = target
        gopts = GetterOptions(username=opts.username, password=opts.password, credentials_url=target,
                              ca_file=opts.ca_file, cert_file=opts.cert_file, key_file=opts.key_file,
                              insecure_skip_tls_verify=opts.insecure_skip_tls_verify, timeout=opts.timeout)
    else:
        entry = repofile.load(config_path()).get(target)
        if entry is None:
            raise RepoError(f'repo "{target}" not found (give a configured repository name or an http(s) URL)')
        base = entry.url
        gopts = GetterOptions.from_entry(entry, opts.timeout)
        if opts.username:
            gopts.username, gopts.password = opts.username, opts.password
    url = cache.resolve_reference_url(base, "api/charts")
    prov = chart_path.with_name(chart_path.name + ".prov")
    out(f"Pushing {chart_path.name} to {base}...")
    with Getter() as getter:
        if prov.is_file():
            files = {"chart": (chart_path.name, data, "application/gzip"),
                     "prov": (prov.name, prov.read_bytes(), "application/pgp-signature")}
            resp = getter.post(url, b"", gopts, files=files, params={"force": "true"} if opts.force else None)
        else:
            resp = getter.post(url, data, gopts, headers={"Content-Type": "application/gzip"},
                               params={"force": "true"} if opts.force else None)
    body = resp.json()
    detail = body.get("error") if isinstance(body, dict) else None
    detail = detail or resp.body.decode("utf-8", "replace").strip()[:200] or resp.reason
    ident = f"{meta.name}-{meta.version}"
    if resp.status in (200, 201):
        out("Done.")
        return
    if resp.status == 409:
        raise RepoError(f"{ident} already exists in {base} ({detail}); use --force to overwrite")
    if resp.status == 401:
        raise RepoError(f"{url}: 401 Unauthorized"
                        " (the repository requires authentication: check --username/--password)")
    if resp.status == 403:
        raise RepoError(f"{url}: 403 Forbidden (these credentials may not upload charts)")
    if resp.status == 400:
        raise RepoError(f"{url}: 400 Bad Request: the server rejected {chart_path.name}: {detail}")
    if resp.status == 404:
        raise RepoError(f"{url}: 404 Not Found (the server has no ChartMuseum upload API)")
    raise RepoError(f"{url}: {resp.status} {resp.reason}: {detail}")
