"""A throwaway OpenPGP signing key (no passphrase) in a private GNUPGHOME, exported as legacy keyrings.

Used by the provenance and package tests; the user's own GnuPG state is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

UID = "Helmpy Test Signer <signer@example.com>"


@dataclass
class SigningKey:
    uid: str
    home: Path
    pubring: Path
    secring: Path
    fingerprint: str


def _gpg(home: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", *args], check=True, capture_output=True,
                          **kw)  # type: ignore[call-overload]


def make_key(home: Path, uid: str) -> str:
    _gpg(home, "--passphrase", "", "--quick-gen-key", uid, "rsa2048", "sign", "never")
    out = _gpg(home, "--with-colons", "--fingerprint", uid).stdout.decode()
    return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))


@pytest.fixture(scope="session")
def signing_key() -> Iterator[SigningKey]:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = Path(tempfile.mkdtemp(prefix="helmpy-test-gpg-"))
    os.chmod(home, 0o700)
    try:
        fpr = make_key(home, UID)
        pub, sec = home / "pubring.gpg", home / "secring.gpg"
        pub.write_bytes(_gpg(home, "--export").stdout)
        sec.write_bytes(_gpg(home, "--export-secret-keys").stdout)
        yield SigningKey(UID, home, pub, sec, fpr)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
