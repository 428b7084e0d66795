"""``plugin install``, ``update`` and ``uninstall``: where a plugin comes from and how it lands on disk.

Sources, as Helm tells them apart: an existing local directory (linked, like Helm's development mode, so
edits take effect and ``update`` has nothing to do), a local or ``http(s)://`` tarball (``.tgz``/``.tar.gz``,
unpacked by :mod:`helmpy.plugin.archive`), an ``oci://`` reference to Helm 4's plugin artifact
(:mod:`helmpy.plugin.oci`), anything else a git repository (cloned with the real ``git``; ``--version`` is a ref
or a SemVer constraint over its tags, and ``update`` pulls). The TLS and credential flags reach registries (as in
Helm) and ``https://`` tarball downloads (which Helm 4 fetches without them); credentials go only to the
tarball URL's own scheme and host, not to a host it redirects to.

Everything is assembled in a hidden staging directory inside the plugin directory and renamed into place,
so an interrupted install leaves no half plugin. The directory is named after the plugin's validated name
(never after a path or URL). A failing install hook undoes the install.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helmpy import paths, settings
from helmpy.errors import PluginError
from helmpy.plugin import loader
from helmpy.plugin.archive import extract, is_archive
from helmpy.plugin.manifest import PLUGIN_FILE, Plugin, load_dir
from helmpy.plugin.runner import run_hook

if TYPE_CHECKING:
    from helmpy.action.chartref import RemoteOptions
    from helmpy.registry.client import RegistryOptions

logger = logging.getLogger(__name__)
Out = Callable[[str], None]


@dataclass
class InstallOptions:
    """What ``plugin install`` was asked for."""

    source: str
    version: str = ""
    verify: bool = True
    keyring: str | None = None
    reserved: frozenset[str] = frozenset()  # helmpy's own command names: a plugin may not take one
    remote: RemoteOptions | None = None  # --ca-file, --cert-file, --key-file, --insecure-skip-tls-verify,
    # --username, --password, --plain-http: for oci:// sources (as Helm) and http(s):// tarballs (Helm ignores them)


def _target_dir() -> Path:
    return paths.plugin_dirs()[0]


@contextmanager
def _staging() -> Iterator[Path]:
    base = _target_dir()
    base.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".install-", dir=base))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _git(args: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                              env={**settings.environ(), "GIT_TERMINAL_PROMPT": "0"})
    except OSError as err:
        raise PluginError(f"cannot run git (needed for plugins from a repository): {err.strerror or err}") from err
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise PluginError(f"git {args[0]} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")
    return done.stdout


def _check_new(plugin: Plugin, reserved: frozenset[str]) -> Path:
    name = plugin.name
    if name in reserved:
        raise PluginError(f'plugin "{name}" has the name of a helmpy command; it could never run')
    dest = _target_dir() / name
    if os.path.lexists(dest) or loader.find(name) is not None:
        raise PluginError(f'plugin "{name}" already exists')
    return dest


def _fetch_archive(opts: InstallOptions) -> tuple[bytes, bytes | None]:
    """The tarball's bytes and its ``.prov`` (None when there is none)."""
    source = opts.source
    if source.startswith(("http://", "https://")):
        from helmpy.limits import chart_size
        from helmpy.repo.getter import Getter

        options = opts.remote.getter_options(source) if opts.remote is not None else None  # credentials: this origin
        with Getter() as getter:
            resp = getter.request("GET", source, options, max_bytes=chart_size())
            if resp.status != 200:
                hint = "pass --username and --password" if resp.status == 401 else None
                raise PluginError(f"failed to fetch {source} : {resp.status} {resp.reason}", hint=hint)
            prov_resp = getter.request("GET", source + ".prov", options, max_bytes=1024 * 1024)
        return resp.body, prov_resp.body if prov_resp.status == 200 else None
    path = Path(source)
    prov_path = Path(source + ".prov")
    return path.read_bytes(), prov_path.read_bytes() if prov_path.is_file() else None


def _verify(opts: InstallOptions, data: bytes, prov: bytes | None, out: Out, name: str = "") -> None:
    """Check ``data`` against its ``.prov`` signature; ``name`` is the archive's file name (the .prov lists it)."""
    from helmpy.plugin.package import verify

    name = name or opts.source.rstrip("/").rsplit("/", 1)[-1]
    if prov is None:
        raise PluginError("plugin verification failed: no provenance file (.prov) found",
                          hint="use --verify=false to install without checking a signature (not recommended)")
    out("Verifying plugin signature...")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / name
        archive.write_bytes(data)
        (Path(tmp) / f"{name}.prov").write_bytes(prov)
        lines = verify(archive, opts.keyring)
    for line in lines:
        out(line)


def install(opts: InstallOptions, out: Out) -> Plugin:
    """Install from ``opts.source``; return the installed plugin (its install hook has run)."""
    source = opts.source
    local = Path(source)
    if local.is_dir():
        out("Installing plugin from local directory (development mode)")
        staged = load_dir(local.resolve())
        dest = _check_new(staged, opts.reserved)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(local.resolve(), dest, target_is_directory=True)
        return _after_install(Plugin(staged.manifest, dest))
    if local.is_file() and not is_archive(source):
        raise PluginError(f"{source}: not a plugin directory or a .tgz/.tar.gz plugin archive")
    oci = source.startswith("oci://")
    if "://" not in source and not source.startswith("git@") and not local.exists():  # a path that is not there
        raise PluginError(f'cannot get information about plugin source "{source}" (if it\'s a local directory, '
                          "does it exist?)", hint="give a plugin directory, a .tgz (file or http(s) URL) or a git URL")
    archive = oci or local.is_file() or (source.startswith(("http://", "https://"))
                                         and is_archive(source.split("?")[0]))
    if not opts.verify:
        out("WARNING: Skipping plugin signature verification")
    elif not archive:
        raise PluginError("plugin source does not support verification. Use --verify=false to skip verification")
    with _staging() as stage:
        if archive:
            filename = ""
            if oci:
                from helmpy.plugin.oci import pull

                pulled = pull(source, opts.version, _registry_options(opts))
                data, prov, filename = pulled.data, pulled.prov, pulled.filename
            else:
                data, prov = _fetch_archive(opts)
            if opts.verify:
                _verify(opts, data, prov, out, filename)
            root = extract(data, stage / "unpacked", source)
        else:
            root = stage / "repo"
            try:
                _git(["clone", "--quiet", "--", source, str(root)])
            except PluginError as err:
                raise PluginError(f'cannot get information about plugin source "{source}" (if it\'s a local '
                                  f"directory, does it exist?), last error was: {err.message}") from err
            if opts.version:
                _git(["checkout", "--quiet", _solve_version(root, opts.version, source), "--"], cwd=root)
            if not (root / PLUGIN_FILE).is_file():
                raise PluginError("plugin metadata (plugin.yaml) missing")
        staged = load_dir(root)
        dest = _check_new(staged, opts.reserved)
        if archive and opts.verify and prov is not None:
            from helmpy.fsutil import atomic_write

            kept = _saved_archive(staged)
            atomic_write(kept, data)
            atomic_write(f"{kept}.prov", prov)
        os.rename(root, dest)
    return _after_install(Plugin(staged.manifest, dest))


def _registry_options(opts: InstallOptions) -> RegistryOptions:
    from helmpy.registry.client import RegistryOptions

    return opts.remote.registry_options() if opts.remote is not None else RegistryOptions()


def _after_install(plugin: Plugin) -> Plugin:
    try:
        run_hook(plugin, "install")
    except PluginError:
        _remove(plugin.directory)  # a plugin whose install failed is not left half set up
        raise
    return plugin


def _solve_version(repo: Path, version: str, source: str) -> str:
    """A ref the repository has, else the highest tag satisfying the SemVer constraint ``version``."""
    from helmpy.semverutil import parse_constraint, try_parse

    try:
        _git(["rev-parse", "--verify", "--quiet", f"{version}^{{commit}}"], cwd=repo)
        return version
    except PluginError:
        pass
    try:
        constraint = parse_constraint(version)
    except ValueError as err:
        raise PluginError(f"--version {version!r}: not a ref of {source} nor a version constraint") from err
    tags = [(v, t) for t in _git(["tag", "--list"], cwd=repo).split() if (v := try_parse(t)) is not None]
    for v, tag in sorted(tags, key=lambda vt: vt[0], reverse=True):
        if constraint.check(v):
            return tag
    raise PluginError(f'requested version "{version}" does not exist for plugin "{source}"')


def _saved_archive(plugin: Plugin) -> Path:
    """Where a verified tarball is kept (Helm's ``<plugins>/<name>-<version>.tgz``, its .prov beside it)."""
    return _target_dir() / f"{plugin.name}-{plugin.manifest.version}.tgz"


def provenance_status(plugin: Plugin) -> str:
    """Helm's PROVENANCE column: local dev, signed, mismatched provenance, invalid provenance or unsigned."""
    from helmpy.repo.provenance import digest_bytes, parse_unverified

    if plugin.directory.is_symlink():
        return "local dev"
    archive = _saved_archive(plugin)
    try:
        data, prov = archive.read_bytes(), Path(f"{archive}.prov").read_bytes()
    except OSError:
        return "unsigned"
    try:
        files = parse_unverified(prov, str(archive)).files
    except Exception:  # any unreadable .prov is "invalid", as in Helm
        return "invalid provenance"
    return "signed" if files.get(archive.name) == f"sha256:{digest_bytes(data)}" else "mismatched provenance"


def _remove(directory: Path) -> None:
    """Remove an installed plugin: a link is unlinked (its target, the user's source tree, stays)."""
    if directory.is_symlink() or directory.is_file():
        directory.unlink()
    elif directory.exists():
        shutil.rmtree(directory)


def _named(names: list[str]) -> tuple[list[Plugin], list[str]]:
    installed = {p.name: p for p in loader.load_all()}
    return [installed[n] for n in names if n in installed], [n for n in names if n not in installed]


def uninstall(names: list[str], out: Out) -> list[Plugin]:
    """Remove plugins by name (their delete hooks run first, while their files are still there); return those
    removed. A missing name or failing hook raises :class:`PluginError` after the others are done."""
    found, missing = _named(names)
    errors = [f"plugin: {n} not found" for n in missing]
    for plugin in found:
        try:
            run_hook(plugin, "delete")
        except PluginError as err:
            errors.append(err.message)
        _remove(plugin.directory)
        kept = _saved_archive(plugin)
        for leftover in (kept, Path(f"{kept}.prov")):
            leftover.unlink(missing_ok=True)
        out(f"Uninstalled plugin: {plugin.name}")
    if errors:
        raise PluginError("; ".join(errors))
    return found


def update(names: list[str], out: Out) -> list[Plugin]:
    """Update plugins by name: a linked directory is already current; a git checkout is pulled. Return them as
    they are now; a missing name or failed update raises :class:`PluginError` after the others are done."""
    found, missing = _named(names)
    errors = [f"plugin: {n} not found" for n in missing]
    updated: list[Plugin] = []
    for plugin in found:
        try:
            updated.append(_update_one(plugin))
            out(f"Updated plugin: {plugin.name}")
        except PluginError as err:
            errors.append(f"failed to update plugin {plugin.name}, got error ({err.message})")
    if errors:
        raise PluginError("; ".join(errors))
    return updated


def _update_one(plugin: Plugin) -> Plugin:
    directory = plugin.directory
    if not directory.is_symlink():
        if not (directory / ".git").exists():
            raise PluginError("cannot get information about plugin source")
        if _git(["status", "--porcelain"], cwd=directory).strip():
            raise PluginError("plugin repo was modified")
        _git(["pull", "--quiet", "--ff-only"], cwd=directory)
    current = load_dir(directory)
    run_hook(current, "update")
    return current
