"""Downloader plugins: fetching ``SCHEME://...`` through the plugin whose ``downloaders:`` (legacy) or
``protocolCommands`` (Helm 4 ``getter/v1``) name the scheme, as ``helm-git``'s ``git+https://`` URLs are.

Helm's contract: the command (relative to the plugin directory unless absolute; ``$VARS`` expanded in its
first word only) gets ``CERT_FILE KEY_FILE CA_FILE URL`` as its last four arguments, the repository's
credentials in ``HELM_PLUGIN_USERNAME``/``HELM_PLUGIN_PASSWORD``, and writes the content to stdout. helmpy
also bounds what it accepts: at most ``HELMPY_MAX_CHART_SIZE`` bytes (100 MiB) of output and the download
timeout (``--timeout`` where a command has it, else 120 s); a plugin that exceeds either is stopped.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from helmpy.errors import DownloadError, PluginError
from helmpy.plugin import loader
from helmpy.plugin.command import prepare
from helmpy.plugin.environment import plugin_env
from helmpy.plugin.manifest import GETTER, PlatformCommand, Plugin

if TYPE_CHECKING:
    from helmpy.repo.getter import GetterOptions

logger = logging.getLogger(__name__)
_CHUNK = 64 * 1024


def find(scheme: str) -> tuple[Plugin, tuple[PlatformCommand, ...]] | None:
    """The downloader plugin for URL scheme ``scheme`` and its command, or None."""
    if not scheme:
        return None
    for plugin in loader.load_all(kind=GETTER):
        for pc in plugin.manifest.protocol_commands:
            if scheme in pc.protocols:
                return plugin, pc.commands
    return None


def handles(url: str) -> bool:
    """True when an installed downloader plugin serves ``url``'s scheme (never for http, https, oci)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme not in ("", "http", "https", "oci", "file") and find(scheme) is not None


def fetch(url: str, options: GetterOptions, max_bytes: int | None = None) -> bytes:
    """Run the downloader plugin for ``url`` and return what it printed."""
    from helmpy.limits import chart_size

    scheme = urlsplit(url).scheme.lower()
    found = find(scheme)
    if found is None:
        raise DownloadError(f'no downloader plugin handles "{scheme}://" URLs ({url})',
                            hint="install one with `helmpy plugin install`")
    plugin, commands = found
    from helmpy.repo.getter import may_send_credentials

    send = may_send_credentials(url, options)
    env = plugin_env(plugin, {
        "HELM_PLUGIN_USERNAME": options.username if send else "",
        "HELM_PLUGIN_PASSWORD": options.password if send else "",
        "HELM_PLUGIN_PASS_CREDENTIALS_ALL": "true" if options.pass_credentials else "false",
    })
    what = f'downloader plugin "{plugin.name}"'
    argv = prepare(commands, env, expand_args=False, what=what)
    if not os.path.isabs(argv[0]):
        argv[0] = str(Path(plugin.directory) / argv[0])
    argv += [options.cert_file, options.key_file, options.ca_file, url]
    return _capture(argv, env, what, max_bytes or chart_size(), options.timeout)


def _capture(argv: list[str], env: dict[str, str], what: str, max_bytes: int, timeout: float) -> bytes:
    logger.debug("running downloader argv=%s", argv)
    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    except OSError as err:
        raise PluginError(f"{what}: cannot run {argv[0]!r}: {err.strerror or err}") from err
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, stop)
    timer.start()
    chunks: list[bytes] = []
    size = 0
    try:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                proc.kill()
                raise PluginError(f"{what}: printed more than the limit of {max_bytes} bytes "
                                  "(HELMPY_MAX_CHART_SIZE)")
            chunks.append(chunk)
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout:
            proc.stdout.close()
    if timed_out.is_set():
        raise PluginError(f"{what}: no answer within {timeout:g} s (the download timeout)")
    if code != 0:
        raise PluginError(f"{what} exited with error (exit code {code}) fetching {argv[-1]}")
    return b"".join(chunks)
