"""plugin.yaml, both forms Helm 4 reads, into one :class:`Manifest`.

Legacy (Helm 3, no ``apiVersion``): ``name``, ``version``, ``usage``, ``description``, ``command`` or
``platformCommand``, ``ignoreFlags``, ``hooks`` or ``platformHooks``, ``downloaders``; unknown keys are
ignored, as Helm ignores them. Helm 4 (``apiVersion: v1``): ``name``, ``type`` (``cli/v1``, ``getter/v1``,
``postrenderer/v1``), ``runtime`` (``subprocess``), ``version`` (required), ``sourceURL``, ``config`` and
``runtimeConfig``; an unknown top-level key is an error, as Helm's strict decoder makes it.

The name comes from a stranger's file and becomes a directory name and a command name: it must match Helm's
``^[A-Za-z0-9_-]+$`` (which also passes :func:`helmpy.fsutil.name_problem`). A version must be strict SemVer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmpy.errors import PluginError
from helmpy.fsutil import name_problem, shown

PLUGIN_FILE = "plugin.yaml"
#: Bytes of plugin.yaml read at most (a manifest is a few hundred bytes; Helm has no cap).
MAX_MANIFEST_SIZE = 1024 * 1024

CLI, GETTER, POSTRENDERER = "cli/v1", "getter/v1", "postrenderer/v1"
TYPES = (CLI, GETTER, POSTRENDERER)
HOOK_EVENTS = ("install", "update", "delete")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_V1_KEYS = {"apiVersion", "name", "type", "runtime", "version", "sourceURL", "config", "runtimeConfig"}


@dataclass(frozen=True)
class PlatformCommand:
    """One ``platformCommand`` entry: the command for an OS/architecture ("" matches any)."""

    command: str
    args: tuple[str, ...] = ()
    os: str = ""
    arch: str = ""


@dataclass(frozen=True)
class ProtocolCommand:
    """A downloader: the URL schemes it serves and the command that fetches them."""

    protocols: tuple[str, ...]
    commands: tuple[PlatformCommand, ...]


@dataclass
class Manifest:
    """What helmpy needs from plugin.yaml, whichever form it had."""

    name: str
    version: str = ""
    type: str = CLI
    api_version: str = "legacy"
    runtime: str = "subprocess"
    source_url: str = ""
    usage: str = ""
    short_help: str = ""
    long_help: str = ""
    ignore_flags: bool = False
    commands: tuple[PlatformCommand, ...] = ()
    hooks: dict[str, tuple[PlatformCommand, ...]] = field(default_factory=dict)
    expand_hook_args: bool = True  # legacy ``hooks:`` are ``sh -c TEXT``: the shell expands, helmpy must not
    protocol_commands: tuple[ProtocolCommand, ...] = ()

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(p for pc in self.protocol_commands for p in pc.protocols)


@dataclass(frozen=True)
class Plugin:
    """An installed (or about to be installed) plugin: its manifest and its directory."""

    manifest: Manifest
    directory: Path

    @property
    def name(self) -> str:
        return self.manifest.name


def check_name(name: object, source: str) -> str:
    """A plugin name that is safe as a directory and command name, or :class:`PluginError`."""
    if not isinstance(name, str) or not _NAME_RE.match(name) or name_problem(name) is not None:
        raise PluginError(f"{source}: invalid plugin name {shown(str(name))}: must contain only a-z, A-Z, 0-9, "
                          "_ and -")
    return name


def load_dir(directory: Path) -> Plugin:
    """Read and validate ``directory/plugin.yaml``."""
    path = directory / PLUGIN_FILE
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_MANIFEST_SIZE + 1)
    except OSError as err:
        raise PluginError(f"failed to read plugin at {str(path)!r}: {err.strerror or err}") from err
    if len(data) > MAX_MANIFEST_SIZE:
        raise PluginError(f"{path}: plugin.yaml is larger than {MAX_MANIFEST_SIZE} bytes")
    return Plugin(parse(data, str(path)), directory)


def parse(data: bytes | str, source: str) -> Manifest:
    """Parse plugin.yaml text (``source`` names it in errors)."""
    from helmpy import yamlutil

    doc = yamlutil.load(data, source, PluginError)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise PluginError(f"{source}: plugin.yaml must be a mapping")
    api = doc.get("apiVersion")
    if api in (None, ""):
        return _legacy(doc, source)
    if api == "v1":
        return _v1(doc, source)
    raise PluginError(f"{source}: invalid plugin apiVersion: {shown(str(api))}")


def _str(doc: dict[str, Any], key: str, source: str) -> str:
    value = doc.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PluginError(f"{source}: {key} must be a string")
    return str(value)


def _version(doc: dict[str, Any], source: str, required: bool) -> str:
    from helmpy.chart.model import is_strict_semver

    version = _str(doc, "version", source)
    if not version and required:
        raise PluginError(f"{source}: plugin `version` is required")
    if version and not is_strict_semver(version):
        raise PluginError(f"{source}: invalid plugin version {shown(version)}: must be valid semver")
    return version


def _sanitize(text: str) -> str:
    """Helm's ``sanitizeString``: whitespace becomes a space, unprintable characters go (a usage line
    must not move the terminal's cursor or change its colours)."""
    return "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or ch.isprintable())


def _mappings(raw: object, source: str, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The entries of the list of mappings at ``key`` (absent: none), numbered for error messages."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PluginError(f"{source}: {key} must be a list")
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise PluginError(f"{source}: {key}[{i}] must be a mapping")
    return list(enumerate(raw))


def _commands(raw: object, source: str, key: str) -> tuple[PlatformCommand, ...]:
    out = []
    for i, item in _mappings(raw, source, key):
        where = f"{key}[{i}]"
        args = item.get("args") or []
        if not isinstance(args, list) or not all(isinstance(a, (str, int, float)) for a in args):
            raise PluginError(f"{source}: {where}.args must be a list of strings")
        out.append(PlatformCommand(_str(item, "command", f"{source}: {where}"), tuple(str(a) for a in args),
                                   _str(item, "os", source), _str(item, "arch", source)))
    return tuple(out)


def _platform_hooks(raw: object, source: str) -> dict[str, tuple[PlatformCommand, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PluginError(f"{source}: platformHooks must be a mapping")
    return {str(event): _commands(cmds, source, f"platformHooks.{event}") for event, cmds in raw.items()}


def _protocol_commands(raw: object, source: str, key: str) -> tuple[ProtocolCommand, ...]:
    out = []
    for i, item in _mappings(raw, source, key):
        protocols = item.get("protocols") or []
        if not isinstance(protocols, list) or not protocols:
            raise PluginError(f"{source}: downloader {i} has no protocols")
        if not all(isinstance(p, str) and p for p in protocols):
            raise PluginError(f"{source}: downloader {i} has an empty protocol")
        if "command" in item:  # legacy downloaders: {command, protocols}
            command = _str(item, "command", source)
            if not command:
                raise PluginError(f"{source}: downloader {i} has empty command")
            cmds: tuple[PlatformCommand, ...] = (PlatformCommand(command),)
        else:
            cmds = _commands(item.get("platformCommand"), source, f"{key}[{i}].platformCommand")
        out.append(ProtocolCommand(tuple(protocols), cmds))
    return tuple(out)


def _legacy(doc: dict[str, Any], source: str) -> Manifest:
    name = check_name(doc.get("name"), source)
    command = _str(doc, "command", source)
    platform = _commands(doc.get("platformCommand"), source, "platformCommand")
    if platform and command:
        raise PluginError(f"{source}: both platformCommand and command are set")
    hooks_raw = doc.get("hooks")
    platform_hooks = _platform_hooks(doc.get("platformHooks"), source)
    if platform_hooks and hooks_raw:
        raise PluginError(f"{source}: both platformHooks and hooks are set")
    hooks = platform_hooks
    expand = True
    if hooks_raw:
        if not isinstance(hooks_raw, dict) or not all(isinstance(v, str) for v in hooks_raw.values()):
            raise PluginError(f"{source}: hooks must map events to command strings")
        hooks = {str(event): (PlatformCommand("sh", ("-c", text)),) for event, text in hooks_raw.items()}
        expand = False
    downloaders = _protocol_commands(doc.get("downloaders"), source, "downloaders")
    ignore = doc.get("ignoreFlags", False)
    return Manifest(
        name=name, version=_version(doc, source, required=False), type=GETTER if downloaders else CLI,
        short_help=_sanitize(_str(doc, "usage", source)), long_help=_str(doc, "description", source),
        ignore_flags=ignore is True, commands=platform or ((PlatformCommand(command),) if command else ()),
        hooks=hooks, expand_hook_args=expand, protocol_commands=downloaders)


def _v1(doc: dict[str, Any], source: str) -> Manifest:
    unknown = sorted(str(k) for k in doc if k not in _V1_KEYS)
    if unknown:
        raise PluginError(f"{source}: field {unknown[0]} not found in plugin.yaml apiVersion v1")
    name = check_name(doc.get("name"), source)
    version = _version(doc, source, required=True)
    kind = _str(doc, "type", source)
    if not kind:
        raise PluginError(f"{source}: `type` missing")
    if kind not in TYPES:
        raise PluginError(f"{source}: unsupported plugin type {shown(kind)} (helmpy runs {', '.join(TYPES)})")
    runtime = _str(doc, "runtime", source)
    if not runtime:
        raise PluginError(f"{source}: `runtime` missing")
    if runtime != "subprocess":
        raise PluginError(f"{source}: unsupported plugin runtime type {shown(runtime)} (helmpy runs subprocess "
                          "plugins; Helm's extism/v1 WebAssembly runtime is not supported)")
    config = doc.get("config") or {}
    rtc = doc.get("runtimeConfig") or {}
    if not isinstance(config, dict) or not isinstance(rtc, dict):
        raise PluginError(f"{source}: config and runtimeConfig must be mappings")
    protocol_commands = _protocol_commands(rtc.get("protocolCommands"), source, "runtimeConfig.protocolCommands")
    if kind == GETTER:
        protocols = config.get("protocols")
        if not isinstance(protocols, list) or not protocols:
            raise PluginError(f"{source}: getter has no protocols")
        if not all(isinstance(p, str) and p for p in protocols):
            raise PluginError(f"{source}: getter has an empty protocol")
    return Manifest(
        name=name, version=version, type=kind, api_version="v1", runtime=runtime,
        source_url=_str(doc, "sourceURL", source), usage=_str(config, "usage", source),
        short_help=_sanitize(_str(config, "shortHelp", source)), long_help=_str(config, "longHelp", source),
        ignore_flags=config.get("ignoreFlags") is True,
        commands=_commands(rtc.get("platformCommand"), source, "runtimeConfig.platformCommand"),
        hooks=_platform_hooks(rtc.get("platformHooks"), source), protocol_commands=protocol_commands)
