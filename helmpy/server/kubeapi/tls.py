"""A throwaway CA, a server certificate it signs, the bearer token, and the kubeconfig that trusts them.

Clients only send credentials over HTTPS (kube-api.md §1), so the server mints a self-signed CA per run
and writes its PEM into the kubeconfig; Go clients check the SAN, so the certificate names the bind
address, ``127.0.0.1`` and ``localhost``.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import logging
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helmpy import yamlutil
from helmpy.errors import KubeConfigError
from helmpy.fsutil import atomic_write

logger = logging.getLogger(__name__)

CONTEXT_NAME = "helmpy"


@dataclass(frozen=True)
class ServerCredentials:
    """PEM material for one server run plus the token clients must present."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    token: str


def new_token() -> str:
    """A random bearer token."""
    return secrets.token_urlsafe(32)


def make_credentials(hosts: list[str], token: str | None = None) -> ServerCredentials:
    """Mint a CA and a server certificate valid for ``hosts`` (IPs or DNS names)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helmpy-cluster-ca")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hosts, "127.0.0.1", "localhost"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helmpy-cluster")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return ServerCredentials(ca_pem=ca_cert.public_bytes(pem), cert_pem=cert.public_bytes(pem), key_pem=key_pem,
                             token=token or new_token())


def ssl_context(creds: ServerCredentials) -> ssl.SSLContext:
    """A server-side TLS context for ``creds`` (HTTP/1.1 only; Go falls back from h2 silently)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = Path(tmp, "tls.crt"), Path(tmp, "tls.key")
        cert.write_bytes(creds.cert_pem)
        key.write_bytes(creds.key_pem)
        key.chmod(0o600)
        ctx.load_cert_chain(str(cert), str(key))
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def kubeconfig(server_url: str, token: str | None, ca_pem: bytes | None, namespace: str = "default") -> dict:
    """A one-context kubeconfig for the server (token and CA only when serving HTTPS)."""
    cluster: dict[str, object] = {"server": server_url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    user: dict[str, object] = {"token": token} if token else {}
    return {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": CONTEXT_NAME, "cluster": cluster}],
        "users": [{"name": CONTEXT_NAME, "user": user}],
        "contexts": [{"name": CONTEXT_NAME, "context": {"cluster": CONTEXT_NAME, "user": CONTEXT_NAME,
                                                        "namespace": namespace}}],
        "current-context": CONTEXT_NAME,
        "preferences": {},
    }


def merge_kubeconfig(existing: dict | None, ours: dict) -> dict:
    """``existing`` with ``ours``' cluster, user and context entries added or replaced by name, and
    ``current-context`` pointing at ours; every other entry and key is kept (as kind, minikube and k3d do)."""
    merged = dict(existing or {})
    merged.setdefault("apiVersion", "v1")
    merged.setdefault("kind", "Config")
    for section in ("clusters", "users", "contexts"):
        entries = list(merged.get(section) or [])
        for entry in ours.get(section) or []:
            names = [e.get("name") if isinstance(e, dict) else None for e in entries]
            if entry["name"] in names:
                entries[names.index(entry["name"])] = entry
            else:
                entries.append(entry)
        merged[section] = entries
    merged["current-context"] = ours["current-context"]
    merged.setdefault("preferences", {})
    return merged


def _read_existing(path: Path) -> dict | None:
    """The kubeconfig already at ``path`` (None when absent or empty); refuses files it cannot merge into."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise KubeConfigError(f"cannot read the existing kubeconfig {path}: {err}") from err
    doc = yamlutil.load(text, source=str(path), exc=KubeConfigError)
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise KubeConfigError(f"{path}: not a kubeconfig (the top level is not a mapping); it was left unchanged")
    for section in ("clusters", "users", "contexts"):
        if doc.get(section) is not None and not isinstance(doc[section], list):
            raise KubeConfigError(f"{path}: key {section!r} is not a list; the kubeconfig was left unchanged")
    return doc


def write_kubeconfig(path: str | Path, config: dict) -> None:
    """Merge ``config`` into the kubeconfig at ``path`` (created when missing) and write it atomically,
    readable by its owner only (it holds the token). Other clusters, users and contexts are kept."""
    target = Path(path)
    merged = merge_kubeconfig(_read_existing(target), config)
    atomic_write(target, yamlutil.dump(merged, sort=False), mode=0o600)
    logger.debug("wrote kubeconfig path=%s context=%s", target, config.get("current-context"))
