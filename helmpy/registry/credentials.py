"""Registry credentials in Docker's ``config.json`` format, where Helm keeps them.

helmpy's file is ``paths.registry_config()`` (``<config home>/registry/config.json``,
``HELMPY_REGISTRY_CONFIG`` overrides), the same format as Helm's ``registry/config.json``: ``auths``
maps ``host[:port]`` to ``{"auth": base64("user:password")}``. Like Helm, Docker's own
``~/.docker/config.json`` is a read-only fallback. A ``credHelpers`` entry for the host, else a
``credsStore``, sends the credentials to ``docker-credential-<helper>`` (``get``/``store``/``erase``
with the host on stdin) instead of the file. Every other key of the file is kept as it was.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from pathlib import Path
from typing import Any, NamedTuple

from helmpy import limits, paths
from helmpy.errors import RegistryError
from helmpy.fsutil import atomic_write

logger = logging.getLogger(__name__)

HELPER_TIMEOUT = 30.0
_DOCKER_HUB = ("docker.io", "registry-1.docker.io", "index.docker.io")
_DOCKER_HUB_KEY = "https://index.docker.io/v1/"


class Credential(NamedTuple):
    """A username and password (or, with username ``<token>``, an identity token)."""

    username: str = ""
    password: str = ""

    def __bool__(self) -> bool:
        return bool(self.username or self.password)

    def __repr__(self) -> str:  # never show the secret, even in a debug traceback
        return f"Credential(username={self.username!r}, password={'***' if self.password else ''!r})"


def server_key(host: str) -> str:
    """The ``auths`` key for a registry host (Docker Hub keeps its historical URL key)."""
    return _DOCKER_HUB_KEY if host in _DOCKER_HUB else host


def _hostname(key: str) -> str:
    for prefix in ("https://", "http://"):
        key = key.removeprefix(prefix)
    return key.split("/", 1)[0]


def _read(path: Path) -> dict[str, Any]:
    from helmpy.jsondepth import check_json_depth

    if not path.is_file():
        return {}
    cap = limits.oci_metadata_size()
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as err:
        raise RegistryError(f"cannot read registry config {path}: {err.strerror or err}") from err
    if len(data) > cap:
        raise RegistryError(f"registry config {path} is larger than {cap} bytes "
                            f"(limit {limits.MAX_OCI_METADATA_SIZE_ENV})")
    if not data.strip():
        return {}
    check_json_depth(data, str(path), RegistryError)
    try:
        doc = json.loads(data)
    except ValueError as err:
        raise RegistryError(f"registry config {path} is not valid JSON: {err}") from err
    if not isinstance(doc, dict):
        raise RegistryError(f"registry config {path}: want a JSON object")
    return doc


def _helper_for(doc: dict[str, Any], key: str) -> str:
    helpers = doc.get("credHelpers")
    if isinstance(helpers, dict):
        for k, v in helpers.items():
            if isinstance(v, str) and v and (k == key or _hostname(k) == _hostname(key)):
                return v
    store = doc.get("credsStore")
    return store if isinstance(store, str) else ""


def _run_helper(helper: str, action: str, stdin: str) -> str:
    import subprocess

    from helmpy.fsutil import name_problem

    if name_problem(helper) is not None:
        raise RegistryError(f"credential helper name {helper[:80]!r} is not a plain program name")
    program = f"docker-credential-{helper}"
    try:
        proc = subprocess.run([program, action], input=stdin, capture_output=True, text=True, timeout=HELPER_TIMEOUT)
    except FileNotFoundError as err:
        raise RegistryError(f"credential helper {program} (from the registry config) is not on PATH") from err
    except subprocess.TimeoutExpired as err:
        raise RegistryError(f"credential helper {program} {action} did not answer in {HELPER_TIMEOUT:.0f}s") from err
    if proc.returncode != 0:
        first = (proc.stdout.strip() or proc.stderr.strip()).splitlines()[:1]
        message = first[0][:200] if first else f"exit status {proc.returncode}"
        if action == "get" and "credentials not found" in message.lower():
            return ""
        raise RegistryError(f"credential helper {program} {action} failed: {message}")
    return proc.stdout


def _from_entry(entry: Any, where: str) -> Credential:
    if not isinstance(entry, dict):
        return Credential()
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, sep, password = base64.b64decode(auth, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError) as err:
            raise RegistryError(f"{where}: the auth entry is not base64 of user:password") from err
        if not sep:
            raise RegistryError(f"{where}: the auth entry is not base64 of user:password")
        return Credential(user, password)
    username, secret = entry.get("username"), entry.get("password")
    if isinstance(username, str) and isinstance(secret, str):
        return Credential(username, secret)
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credential("<token>", token)
    return Credential()


def _lookup(path: Path, host: str) -> Credential:
    doc = _read(path)
    key = server_key(host)
    helper = _helper_for(doc, key)
    if helper:
        out = _run_helper(helper, "get", key)
        if not out.strip():
            return Credential()
        try:
            got = json.loads(out)
        except ValueError as err:
            raise RegistryError(f"credential helper docker-credential-{helper} answered something that is not "
                                "JSON") from err
        if not isinstance(got, dict):
            return Credential()
        return Credential(str(got.get("Username") or ""), str(got.get("Secret") or ""))
    auths = doc.get("auths")
    if not isinstance(auths, dict):
        return Credential()
    if key in auths:
        return _from_entry(auths[key], f"registry config {path}, host {key}")
    for k, entry in auths.items():
        if isinstance(k, str) and _hostname(k) == _hostname(key):
            return _from_entry(entry, f"registry config {path}, host {k}")
    return Credential()


def get(host: str, config: Path | None = None) -> Credential:
    """The stored credential for ``host``: helmpy's file first, then Docker's (empty when none)."""
    cred = _lookup(config or paths.registry_config(), host)
    if not cred and config is None:
        cred = _lookup(paths.docker_config(), host)
    logger.debug("registry credentials host=%s found=%s", host, bool(cred))
    return cred


def store(host: str, cred: Credential, config: Path | None = None) -> None:
    """Save ``cred`` for ``host`` (through the configured helper, else into the file, mode 0600)."""
    path = config or paths.registry_config()
    doc = _read(path)
    key = server_key(host)
    helper = _helper_for(doc, key)
    if helper:
        _run_helper(helper, "store", json.dumps({"ServerURL": key, "Username": cred.username,
                                                 "Secret": cred.password}))
        return
    auths = doc.get("auths")
    if not isinstance(auths, dict):
        auths = doc["auths"] = {}
    token = base64.b64encode(f"{cred.username}:{cred.password}".encode()).decode("ascii")
    auths[key] = {"auth": token}
    _write(path, doc)


def erase(host: str, config: Path | None = None) -> bool:
    """Forget ``host``'s credential; False when there was none."""
    path = config or paths.registry_config()
    doc = _read(path)
    key = server_key(host)
    helper = _helper_for(doc, key)
    if helper:
        if not _lookup(path, host):
            return False
        _run_helper(helper, "erase", key)
        return True
    auths = doc.get("auths")
    if not isinstance(auths, dict):
        return False
    matches = [k for k in auths if k == key or (isinstance(k, str) and _hostname(k) == _hostname(key))]
    if not matches:
        return False
    for k in matches:
        del auths[k]
    _write(path, doc)
    return True


def _write(path: Path, doc: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(doc, indent="\t") + "\n", mode=0o600)
    except OSError as err:
        raise RegistryError(f"cannot write registry config {path}: {err.strerror or err}") from err
