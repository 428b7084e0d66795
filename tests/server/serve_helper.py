"""Start `helmpy serve` in a subprocess on 127.0.0.1 port 0 and build small chart archives for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helmpy import yamlutil
from helmpy.chart.archive import write_archive

ROOT = Path(__file__).resolve().parents[2]


def chart_tgz(name: str, version: str, *, extra: list[tuple[str, bytes]] | None = None,
              meta: dict[str, object] | None = None, top: str | None = None, values: bytes = b"replicas: 1\n") -> bytes:
    """A minimal valid chart archive (or a crafted one through ``extra``/``top``)."""
    chart_yaml = {"apiVersion": "v2", "name": name, "version": version, "description": f"{name} chart"}
    chart_yaml.update(meta or {})
    top = top or name
    entries = [(f"{top}/Chart.yaml", yamlutil.dump(chart_yaml).encode(), 1_700_000_000.0),
               (f"{top}/values.yaml", values, 1_700_000_000.0),
               (f"{top}/templates/cm.yaml", b"kind: ConfigMap\n", 1_700_000_000.0)]
    entries += [(n, d, 1_700_000_000.0) for n, d in (extra or [])]
    return write_archive(entries)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]
    directory: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(directory: Path, *args: str, preexec_fn: Callable[[], None] | None = None) -> Server:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("HELMPY_DEBUG", None)  # an earlier in-process `--debug` command leaves it set; the server logs are checked
    proc = subprocess.Popen([sys.executable, "-m", "helmpy", "serve", str(directory), "--address", "127.0.0.1:0",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                            preexec_fn=preexec_fn)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    line = proc.stdout.readline()
    if not line.startswith("Serving") or time.monotonic() > deadline:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"server did not start: {line!r} {err}")
    return Server(line.split()[-1], proc, directory)


def self_signed_cert(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files in ``tmp_path``."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "tls.crt", tmp_path / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
