"""Helm-compatible provenance files (``<chart>.tgz.prov``): sign, verify, parse.

A .prov is an OpenPGP clear-signed message (SHA512) whose text is the chart's metadata YAML, a
``...`` line, and a ``files:`` map of ``<archive name>: sha256:<hex>``. GnuPG does the cryptography
(through python-gnupg) in a throwaway GNUPGHOME, so the user's own GnuPG state is never touched and
keyrings are the legacy binary files Helm reads (``gpg --export`` / ``gpg --export-secret-keys``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmpy import yamlutil
from helmpy.errors import ProvenanceError

logger = logging.getLogger(__name__)

SEPARATOR = "\n...\n"
_SIG_HEADER = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIG_START = "-----BEGIN PGP SIGNATURE-----"


@dataclass
class Verification:
    """Result of a successful verification (what ``helm verify`` prints)."""

    signed_by: list[str]
    fingerprint: str
    file_hash: str

    def lines(self) -> list[str]:
        return [*(f"Signed by: {uid}" for uid in self.signed_by),
                f"Using Key With Fingerprint: {self.fingerprint}",
                f"Chart Hash Verified: {self.file_hash}"]


@dataclass
class ProvenanceInfo:
    """The (unverified) content of a .prov: chart metadata and file hashes."""

    metadata: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def message_block(archive_name: str, archive_data: bytes, metadata: dict[str, Any]) -> str:
    """The text Helm signs: metadata YAML, ``...``, and the ``files:`` hash map."""
    files = yamlutil.dump({"files": {archive_name: f"sha256:{digest_bytes(archive_data)}"}})
    return yamlutil.dump(metadata) + SEPARATOR + files


def parse_message(text: str, source: str = "provenance") -> ProvenanceInfo:
    """Split a signed text into metadata and the files map; errors name ``source``."""
    if SEPARATOR not in text:
        raise ProvenanceError(f"{source}: message block must have at least two parts (missing '...' separator)")
    meta_text, files_text = text.split(SEPARATOR, 1)
    metadata = yamlutil.load(meta_text, source, ProvenanceError) or {}
    sums = yamlutil.load(files_text, source, ProvenanceError) or {}
    if not isinstance(metadata, dict) or not isinstance(sums, dict):
        raise ProvenanceError(f"{source}: malformed provenance message (expected YAML maps)")
    files = sums.get("files") or {}
    if not isinstance(files, dict):
        raise ProvenanceError(f"{source}: 'files' must be a map of file name to sha256 digest")
    return ProvenanceInfo(metadata, {str(k): str(v) for k, v in files.items()})


def parse_unverified(prov: bytes | str, source: str = "provenance") -> ProvenanceInfo:
    """Read a .prov without checking its signature (used to route uploads, never to trust)."""
    text = prov.decode("utf-8", "replace") if isinstance(prov, bytes) else prov
    text = text.replace("\r\n", "\n")
    if _SIG_HEADER not in text or _SIG_START not in text:
        raise ProvenanceError(f"{source}: not a clear-signed OpenPGP message")
    body = text.split(_SIG_HEADER, 1)[1]
    body = body.split("\n\n", 1)[1] if "\n\n" in body else ""
    body = body.split("\n" + _SIG_START, 1)[0]
    body = "\n".join(line[2:] if line.startswith("- ") else line for line in body.split("\n"))
    return parse_message(body + "\n", source)


# --- GnuPG plumbing -----------------------------------------------------------------------------
@contextmanager
def _gpg_home(keyring: Path | None = None) -> Iterator[Any]:
    """A python-gnupg handle on a private temporary GNUPGHOME (removed afterwards)."""
    import gnupg  # imported lazily: only signing/verifying needs it

    home = tempfile.mkdtemp(prefix="helmpy-gpg-")
    try:
        kwargs: dict[str, Any] = {"gnupghome": home}
        if keyring is not None:
            kwargs["keyring"] = str(keyring.resolve())
        try:
            gpg = gnupg.GPG(**kwargs)
        except (OSError, ValueError, RuntimeError) as err:
            raise ProvenanceError(f"cannot run gpg: {err}") from err
        yield gpg  # keep python-gnupg's latin-1 status decoding: gpg status lines may hold raw bytes
    finally:
        if shutil.which("gpgconf"):
            subprocess.run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _keyring_path(keyring: str | os.PathLike[str] | None, what: str) -> Path:
    path = Path(keyring) if keyring else Path.home() / ".gnupg" / "pubring.gpg"
    if not path.is_file():
        raise ProvenanceError(f"{what} keyring {str(path)!r} not found (pass --keyring FILE)")
    return path


def _select_key(keys: list[dict[str, Any]], key_id: str) -> dict[str, Any]:
    """Helm's rule: an exact user-id match wins, else a unique substring match."""
    exact = [k for k in keys if key_id in k.get("uids", [])]
    if len(exact) == 1:
        return exact[0]
    fuzzy = [k for k in keys if any(key_id in uid for uid in k.get("uids", []))
             or key_id.upper().replace(" ", "") in k.get("fingerprint", "")]
    if len(fuzzy) > 1:
        raise ProvenanceError(f'more than one key contain the id "{key_id}"')
    if not fuzzy:
        raise ProvenanceError(f'private key "{key_id}" not found in the keyring')
    return fuzzy[0]


def sign(archive_name: str, archive_data: bytes, metadata: dict[str, Any], key_id: str,
         keyring: str | os.PathLike[str] | None, passphrase: str | None = None) -> str:
    """Clear-sign the chart's message block with a key from a (legacy) secret keyring."""
    ring = _keyring_path(keyring, "secret")
    body = message_block(archive_name, archive_data, metadata)
    with _gpg_home() as gpg:
        imported = gpg.import_keys(ring.read_bytes())
        if not imported.count:
            raise ProvenanceError(f"no keys could be read from keyring {str(ring)!r}")
        key = _select_key(gpg.list_keys(secret=True), key_id)
        # The extra newline puts Helm's blank line before the signature (it is part of the signed text).
        result = gpg.sign((body + "\n").encode("utf-8"), keyid=key["fingerprint"], passphrase=passphrase,
                          clearsign=True,
                          extra_args=["--digest-algo", "SHA512"])
        if not result.data:
            status = getattr(result, "status", "") or "unknown error"
            hint = " (is the key protected? use --passphrase-file)" if passphrase is None else ""
            raise ProvenanceError(f'signing with key "{key_id}" failed: {status}{hint}')
        text = result.data.decode("utf-8")
    logger.debug("signed archive=%s key=%s", archive_name, key["fingerprint"])
    return text.rstrip("\n")


def verify(archive_path: str | os.PathLike[str], keyring: str | os.PathLike[str] | None = None,
           prov_path: str | os.PathLike[str] | None = None, suffixes: tuple[str, ...] = (".tgz",)) -> Verification:
    """Check a chart's .prov signature against ``keyring`` and the archive's sha256 (a plugin's too: its
    archive may also end in ``.tar.gz``, ``suffixes``)."""
    archive = Path(archive_path)
    if not archive.exists():
        raise ProvenanceError(f"{archive}: no such file")
    if archive.is_dir():
        raise ProvenanceError(f"{archive}: is a directory, not a chart archive")
    if not archive.name.endswith(suffixes):
        raise ProvenanceError(f"{archive}: chart must be a tgz file")
    prov = Path(prov_path) if prov_path else archive.with_name(archive.name + ".prov")
    if not prov.is_file():
        raise ProvenanceError(f"could not load provenance file {prov}: no such file")
    ring = _keyring_path(keyring, "public")
    with _gpg_home(ring) as gpg:
        result = gpg.decrypt(prov.read_bytes())
        if not result.valid:
            status = getattr(result, "status", None) or "no valid OpenPGP signature found"
            keyid = getattr(result, "key_id", None)
            detail = f" (key {keyid} not in keyring {ring})" if status == "no public key" and keyid else ""
            raise ProvenanceError(f"{prov}: signature verification failed: {status}{detail}")
        fingerprint = (getattr(result, "pubkey_fingerprint", None) or result.fingerprint or "").upper()
        uids: list[str] = []
        for k in gpg.list_keys():
            if k.get("fingerprint", "").upper() == fingerprint:
                uids = list(k.get("uids", []))
        signed_text = result.data.decode("utf-8")
    info = parse_message(signed_text, str(prov))
    name = archive.name
    want = info.files.get(name)
    if want is None:
        raise ProvenanceError(f'provenance does not contain a SHA for a file named "{name}"')
    got = "sha256:" + digest_bytes(archive.read_bytes())
    if want != got:
        raise ProvenanceError(f'sha256 sum does not match for {name}: "{want}" != "{got}"')
    return Verification(signed_by=uids or [result.username or ""], fingerprint=fingerprint, file_hash=got)
