"""repositories.yaml: the list of configured chart repositories, in Helm's exact file format.

The file holds credentials, so it is always written mode 0600 and atomically; ``repo add`` holds an
exclusive lock file beside it (``repositories.lock``) so two concurrent adds cannot lose an entry.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from helmpy import yamlutil
from helmpy.errors import RepoError
from helmpy.fsutil import atomic_write

logger = logging.getLogger(__name__)

ZERO_TIME = "0001-01-01T00:00:00Z"
LOCK_TIMEOUT = 30.0


@dataclass
class Entry:
    """One configured repository (Helm's ``repo.Entry``; YAML keys in ``_KEYS``)."""

    name: str = ""
    url: str = ""
    username: str = ""
    password: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    insecure_skip_tls_verify: bool = False
    pass_credentials_all: bool = False

    _KEYS: ClassVar[dict[str, str]] = {"name": "name", "url": "url", "username": "username", "password": "password",
             "cert_file": "certFile", "key_file": "keyFile", "ca_file": "caFile",
             "insecure_skip_tls_verify": "insecure_skip_tls_verify",
             "pass_credentials_all": "pass_credentials_all"}

    def to_dict(self) -> dict[str, Any]:
        """Every key always written (Helm does the same)."""
        return {yaml_key: getattr(self, attr) for attr, yaml_key in self._KEYS.items()}

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Entry:
        if not isinstance(data, dict):
            raise RepoError(f"{where}: each repository must be a map of keys")
        kwargs: dict[str, Any] = {}
        for attr, yaml_key in cls._KEYS.items():
            value = data.get(yaml_key)
            if attr in ("insecure_skip_tls_verify", "pass_credentials_all"):
                kwargs[attr] = bool(value)
            else:
                kwargs[attr] = "" if value is None else str(value)
        return cls(**kwargs)

    def same_config(self, other: Entry) -> bool:
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))


@dataclass
class RepoFile:
    """The parsed repositories.yaml."""

    api_version: str = ""
    generated: str = ZERO_TIME
    repositories: list[Entry] = field(default_factory=list)

    def get(self, name: str) -> Entry | None:
        for entry in self.repositories:
            if entry.name == name:
                return entry
        return None

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def update(self, entry: Entry) -> None:
        """Replace the entry of the same name, or append it."""
        for i, existing in enumerate(self.repositories):
            if existing.name == entry.name:
                self.repositories[i] = entry
                return
        self.repositories.append(entry)

    def remove(self, name: str) -> bool:
        before = len(self.repositories)
        self.repositories = [e for e in self.repositories if e.name != name]
        return len(self.repositories) != before

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version, "generated": self.generated,
                "repositories": [e.to_dict() for e in self.repositories]}


def load(path: Path) -> RepoFile:
    """Read repositories.yaml; a missing file is an empty configuration."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RepoFile()
    except OSError as err:
        raise RepoError(f"cannot read repository config {path}: {err.strerror}") from err
    raw = yamlutil.load(data, str(path), RepoError)
    if raw is None:
        return RepoFile()
    if not isinstance(raw, dict):
        raise RepoError(f"{path}: repository config must be a map of keys")
    repos = raw.get("repositories") or []
    if not isinstance(repos, list):
        raise RepoError(f"{path}: key 'repositories' must be a list")
    generated = raw.get("generated")
    if generated is not None and not isinstance(generated, str):
        generated = _go_time(generated)
    return RepoFile(api_version=str(raw.get("apiVersion") or ""), generated=generated or ZERO_TIME,
                    repositories=[Entry.from_dict(r, f"{path}: repositories[{i}]") for i, r in enumerate(repos)])


def _go_time(value: Any) -> str:
    """PyYAML turns timestamps into datetimes; write them back the way Go would."""
    try:
        text = value.isoformat()
    except AttributeError:
        return str(value)
    return text.replace("+00:00", "Z") if "+" in text else text + ("Z" if "T" in text else "")


def save(path: Path, repo_file: RepoFile) -> None:
    """Write atomically with mode 0600 (the file may hold passwords)."""
    atomic_write(path, yamlutil.dump(repo_file.to_dict()), mode=0o600)


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``repositories.lock`` beside ``path`` (flock, like Helm) for a read-modify-write."""
    lock_path = path.with_suffix(".lock") if path.suffix in (".yaml", ".yml") else Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise RepoError(f"timed out after {timeout:.0f}s waiting for the lock {lock_path}") from err
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
