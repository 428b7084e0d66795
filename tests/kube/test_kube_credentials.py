"""helmpy's own kubeconfig credentials against real servers: client certificates (data, relative files, from an
exec plugin) on a TLS server that requires them, ``tls-server-name``, exec plugins (v1beta1, cached until
expiry, failures, cluster info), ``tokenFile`` rotation, a ``proxy-url`` tunnel and OIDC refresh - with no
secret in an error message."""

from __future__ import annotations

import base64
import datetime
import http.server
import ipaddress
import json
import select
import socket
import socketserver
import ssl
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from helmpy import yamlutil
from helmpy.errors import KubeConfigError, KubeTLSError, KubeUnauthorized
from helmpy.kube.kubeconfig import load
from helmpy.kube.remote import RemoteCluster
from helmpy.kube.retry import Backoff
from tests.support import kubeapi_server
from tests.support.kubeapi_server import KubeApiServer, write_kubeconfig

FAST = Backoff(attempts=2, base=0.01, cap=0.02)


# --- a throwaway PKI and a TLS server that requires a client certificate ---------------------------------------
@dataclass
class PKI:
    ca: bytes
    server_cert: bytes
    server_key: bytes
    client_cert: bytes
    client_key: bytes
    loopback_cert: bytes
    loopback_key: bytes


def _pki() -> PKI:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    pem, pkcs8 = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test-ca")).issuer_name(name("test-ca"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))

    def leaf(cn: str, usage: x509.ObjectIdentifier, sans: list[x509.GeneralName] | None) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        return cert.public_bytes(pem), key.private_bytes(pem, pkcs8, serialization.NoEncryption())

    # the server certificate names kube.internal only: connecting to 127.0.0.1 needs tls-server-name
    server_cert, server_key = leaf("kube.internal", ExtendedKeyUsageOID.SERVER_AUTH, [x509.DNSName("kube.internal")])
    client_cert, client_key = leaf("alice", ExtendedKeyUsageOID.CLIENT_AUTH, None)
    loopback_cert, loopback_key = leaf("issuer", ExtendedKeyUsageOID.SERVER_AUTH,
                                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    return PKI(ca.public_bytes(pem), server_cert, server_key, client_cert, client_key, loopback_cert, loopback_key)


class _WhoAmI(http.server.BaseHTTPRequestHandler):
    """GET /version answers the common name of the client certificate in ``gitVersion``."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        peer = self.connection.getpeercert() or {}
        cn = next((v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"), "nobody")
        data = json.dumps({"major": "1", "minor": "30", "gitVersion": f"v1.30.0+{cn}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PKI]]:
    pki = _pki()
    tmp = tmp_path_factory.mktemp("mtls")
    (tmp / "s.crt").write_bytes(pki.server_cert)
    (tmp / "s.key").write_bytes(pki.server_key)
    (tmp / "ca.crt").write_bytes(pki.ca)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tmp / "s.crt"), str(tmp / "s.key"))
    ctx.load_verify_locations(str(tmp / "ca.crt"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WhoAmI)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", pki
    httpd.shutdown()
    httpd.server_close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _mtls_kubeconfig(path: Path, url: str, pki: PKI, user: dict, server_name: str | None = "kube.internal") -> Path:
    write_kubeconfig(path, url, ca_data=_b64(pki.ca), user=user)
    if server_name:
        doc = yamlutil.load(path.read_text())
        doc["clusters"][0]["cluster"]["tls-server-name"] = server_name
        path.write_text(yamlutil.dump(doc))
    return path


def test_client_certificate_data_and_relative_files_reach_the_server(mtls, tmp_path: Path) -> None:
    url, pki = mtls
    data = _mtls_kubeconfig(tmp_path / "data.yaml", url, pki, {"client-certificate-data": _b64(pki.client_cert),
                                                                "client-key-data": _b64(pki.client_key)})
    assert RemoteCluster.from_kubeconfig(str(data)).server_version() == "v1.30.0+alice"
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "alice.crt").write_bytes(pki.client_cert)
    (tmp_path / "certs" / "alice.key").write_bytes(pki.client_key)
    files = _mtls_kubeconfig(tmp_path / "files.yaml", url, pki, {"client-certificate": "certs/alice.crt",
                                                                  "client-key": "certs/alice.key"})
    assert RemoteCluster.from_kubeconfig(str(files)).server_version() == "v1.30.0+alice"  # relative to the file


def test_no_client_certificate_or_wrong_server_name_is_a_tls_error(mtls, tmp_path: Path) -> None:
    url, pki = mtls
    bare = _mtls_kubeconfig(tmp_path / "bare.yaml", url, pki, {"token": "t"})
    with pytest.raises(KubeTLSError, match="TLS handshake with the Kubernetes API .* failed: the server closed the connection .does it "
                                         "require a client certificate"):
        RemoteCluster.from_kubeconfig(str(bare), backoff=FAST).server_version()
    named = _mtls_kubeconfig(tmp_path / "named.yaml", url, pki, {"client-certificate-data": _b64(pki.client_cert),
                                                                  "client-key-data": _b64(pki.client_key)},
                             server_name=None)  # 127.0.0.1 is not in the certificate
    with pytest.raises(KubeTLSError, match="certificate verify failed"):
        RemoteCluster.from_kubeconfig(str(named), backoff=FAST).server_version()


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc.yaml", "https://h.example:6443", insecure=True,
                            user={"client-certificate-data": _b64(b"-----BEGIN CERTIFICATE-----\n")})
    with pytest.raises(KubeConfigError, match="client-certificate and client-key go together"):
        load(str(path))


def _plugin(tmp_path: Path, status: dict, api: str = "client.authentication.k8s.io/v1", code: int = 0,
            stderr: str = "", name: str = "plugin.py") -> Path:
    """A real exec plugin: records each run (and its KUBERNETES_EXEC_INFO) in runs.jsonl, prints an ExecCredential."""
    script = tmp_path / name
    runs = tmp_path / "runs.jsonl"
    script.write_text(
        "import json, os, sys\n"
        f"with open({str(runs)!r}, 'a') as fh: fh.write(os.environ.get('KUBERNETES_EXEC_INFO', '') + '\\n')\n"
        f"sys.stderr.write({stderr!r})\n"
        f"print(json.dumps({{'apiVersion': {api!r}, 'kind': 'ExecCredential', 'status': {status!r}}}))\n"
        f"sys.exit({code})\n")
    return script


def _runs(tmp_path: Path) -> list[dict]:
    path = tmp_path / "runs.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("creds-served"))
    yield server
    server.stop()


def _exec_kubeconfig(path: Path, served: KubeApiServer, script: Path, api: str = "client.authentication.k8s.io/v1",
                     **extra: object) -> Path:
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    spec = {"apiVersion": api, "command": sys.executable, "args": [str(script)], **extra}
    if api.endswith("/v1"):
        spec.setdefault("interactiveMode", "Never")
    return write_kubeconfig(path, served.url, ca_data=ca, user={"exec": spec})


def test_exec_plugin_v1beta1_token_is_cached_for_the_run(served, tmp_path: Path) -> None:
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).isoformat()
    script = _plugin(tmp_path, {"token": served.token, "expirationTimestamp": later},
                     api="client.authentication.k8s.io/v1beta1")
    kc = _exec_kubeconfig(tmp_path / "kc.yaml", served, script, api="client.authentication.k8s.io/v1beta1",
                          provideClusterInfo=True, env=[{"name": "PLUGIN_FLAG", "value": "on"}])
    client = RemoteCluster.from_kubeconfig(str(kc))
    client._auth_until = 0.0
    for _ in range(5):
        client._auth_until = 0.0  # even when asked every time, an unexpired token is not fetched again
        assert client.get("v1", "Namespace", "default") is not None
    runs = _runs(tmp_path)
    assert len(runs) == 1
    assert runs[0]["apiVersion"] == "client.authentication.k8s.io/v1beta1" and runs[0]["spec"]["interactive"] is False
    assert runs[0]["spec"]["cluster"]["server"] == served.url  # provideClusterInfo


def test_exec_plugin_client_certificate_output(mtls, tmp_path: Path) -> None:
    url, pki = mtls
    script = _plugin(tmp_path, {"clientCertificateData": pki.client_cert.decode(),
                                "clientKeyData": pki.client_key.decode()})
    kc = _mtls_kubeconfig(tmp_path / "kc.yaml", url, pki, {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable, "args": [str(script)],
        "interactiveMode": "Never"}})
    assert RemoteCluster.from_kubeconfig(str(kc)).server_version() == "v1.30.0+alice"


@pytest.mark.parametrize("status, api, code, stderr, message", [
    ({"token": "x"}, "client.authentication.k8s.io/v1", 3, "login failed: token=hunter2secret\n",
     r"exited with status 3: login failed: token=xxxxx$"),
    ({"token": "x"}, "client.authentication.k8s.io/v1beta1", 0, "", "answered apiVersion .*v1beta1.*expected"),
    ({}, "client.authentication.k8s.io/v1", 0, "", "neither a token nor a client certificate"),
    ({"clientCertificateData": "pem"}, "client.authentication.k8s.io/v1", 0, "", "without its key"),
    ({"token": "x", "expirationTimestamp": "soon"}, "client.authentication.k8s.io/v1", 0, "",
     "expirationTimestamp: 'soon' is not an RFC 3339 time"),
])
def test_exec_plugin_failures_are_one_clear_error(served, tmp_path: Path, status: dict, api: str, code: int,
                                                   stderr: str, message: str) -> None:
    kc = _exec_kubeconfig(tmp_path / "kc.yaml", served, _plugin(tmp_path, status, api, code, stderr))
    with pytest.raises(KubeConfigError, match=message) as info:
        RemoteCluster.from_kubeconfig(str(kc)).server_version()
    assert "hunter2secret" not in info.value.message


def test_exec_plugin_config_errors(served, tmp_path: Path) -> None:
    script = _plugin(tmp_path, {"token": "x"})
    missing_mode = _exec_kubeconfig(tmp_path / "a.yaml", served, script, interactiveMode="")
    with pytest.raises(KubeConfigError, match="interactiveMode must be specified"):
        load(str(missing_mode))
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    nowhere = write_kubeconfig(tmp_path / "b.yaml", served.url, ca_data=ca, user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "./bin/no-such-plugin", "interactiveMode": "Never",
        "installHint": "install no-such-plugin from example.com"}})
    with pytest.raises(KubeConfigError, match=r"executable .*/bin/no-such-plugin not found") as info:
        RemoteCluster.from_kubeconfig(str(nowhere)).server_version()
    assert str(tmp_path / "bin" / "no-such-plugin") in info.value.message  # relative to the kubeconfig's directory
    assert info.value.hint == "install no-such-plugin from example.com"


def test_relative_exec_command_runs_from_the_kubeconfig_directory(served, tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    body = _plugin(tmp_path, {"token": served.token}).read_text()
    wrapper = tmp_path / "bin" / "get-token"
    wrapper.write_text(f"#!{sys.executable}\n{body}")
    wrapper.chmod(0o755)
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    kc = write_kubeconfig(tmp_path / "kc.yaml", served.url, ca_data=ca, user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "./bin/get-token", "interactiveMode": "Never"}})
    assert RemoteCluster.from_kubeconfig(str(kc)).server_version().startswith("v1.")


def test_token_file_is_read_relative_and_again_after_a_401(served, tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    token = tmp_path / "secrets" / "token"
    token.write_text("stale-token\n")
    ca = served.config()["clusters"][0]["cluster"]["certificate-authority-data"]
    kc = write_kubeconfig(tmp_path / "kc.yaml", served.url, ca_data=ca, user={"tokenFile": "secrets/token"})
    client = RemoteCluster.from_kubeconfig(str(kc), backoff=FAST)
    with pytest.raises(KubeUnauthorized) as info:
        client.server_version()
    assert "stale-token" not in info.value.message + (info.value.hint or "")
    token.write_text(served.token + "\n")  # rotated, as a projected service account token is
    assert client.server_version().startswith("v1.")
    token.write_text("")
    empty = write_kubeconfig(tmp_path / "empty.yaml", served.url, ca_data=ca, user={"tokenFile": str(token)})
    with pytest.raises(KubeConfigError, match="is empty"):
        load(str(empty))


# --- proxy-url: a real CONNECT proxy in front of cluster serve ---------------------------------------------------
class _Tunnel(socketserver.StreamRequestHandler):
    seen: ClassVar[list[str]] = []

    def handle(self) -> None:
        line = self.rfile.readline().decode()
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        type(self).seen.append(line.split()[1] if line.startswith("CONNECT ") else line)
        host, _, port = line.split()[1].rpartition(":")
        upstream = socket.create_connection((host, int(port)))
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        pair = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(pair, [], [], 10)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()


def test_proxy_url_tunnels_to_the_server(served, tmp_path: Path) -> None:
    handler = type("Tunnel", (_Tunnel,), {"seen": []})
    proxy = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        doc = served.config()
        doc["clusters"][0]["cluster"]["proxy-url"] = f"http://127.0.0.1:{proxy.server_address[1]}"
        kc = tmp_path / "kc.yaml"
        kc.write_text(yamlutil.dump(doc))
        client = RemoteCluster.from_kubeconfig(str(kc))
        assert client.server_version().startswith("v1.") and client.get("v1", "Namespace", "default")
        assert handler.seen == [served.url.removeprefix("https://")]  # one tunnel, kept alive for both requests
        doc["clusters"][0]["cluster"]["proxy-url"] = "socks5://127.0.0.1:1080"
        kc.write_text(yamlutil.dump(doc))
        with pytest.raises(Exception, match=r"socks5:// is not supported"):
            RemoteCluster.from_kubeconfig(str(kc))
    finally:
        proxy.shutdown()
        proxy.server_close()


# --- OIDC auth-provider: an expired id-token is refreshed at a real (TLS) issuer --------------------------------
def _jwt(exp: float) -> str:
    def part(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp)})}.c2ln"


def test_oidc_id_token_is_used_and_refreshed_at_the_issuer_when_expired(mtls, tmp_path: Path) -> None:
    _url, pki = mtls
    now = datetime.datetime.now().timestamp()
    fresh, expired = _jwt(now + 3600), _jwt(now - 60)
    calls: list[str] = []

    class Issuer(http.server.BaseHTTPRequestHandler):
        def _answer(self, doc: dict) -> None:
            data = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            calls.append(f"GET {self.path}")
            self._answer({"token_endpoint": f"https://127.0.0.1:{self.server.server_address[1]}/token"})

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            calls.append(f"POST {self.path} {body} {self.headers['Authorization']}")
            self._answer({"id_token": fresh, "refresh_token": "r2"})

        def log_message(self, *args: object) -> None:
            pass

    (tmp_path / "s.crt").write_bytes(pki.loopback_cert)
    (tmp_path / "s.key").write_bytes(pki.loopback_key)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tmp_path / "s.crt"), str(tmp_path / "s.key"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def kubeconfig(token: str, name: str) -> Path:
        return write_kubeconfig(tmp_path / name, "https://h.example:6443", insecure=True, user={"auth-provider": {
            "name": "oidc", "config": {"id-token": token, "refresh-token": "r1", "client-id": "kube",
                                       "client-secret": "s3cr3t", "idp-certificate-authority-data": _b64(pki.ca),
                                       "idp-issuer-url": f"https://127.0.0.1:{httpd.server_address[1]}/"}}})

    try:
        valid = load(str(kubeconfig(fresh, "valid.yaml"))).configuration.credentials
        assert valid.authorization() == f"Bearer {fresh}" and calls == []  # a valid id-token is used as it is
        renewed = load(str(kubeconfig(expired, "expired.yaml"))).configuration.credentials
        assert renewed.authorization() == f"Bearer {fresh}"
        assert calls == ["GET /.well-known/openid-configuration",
                         f"POST /token grant_type=refresh_token&refresh_token=r1 Basic {_b64(b'kube:s3cr3t')}"]
        assert renewed.authorization() == f"Bearer {fresh}" and len(calls) == 2  # kept until it expires
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_auth_providers_kubectl_dropped_say_what_replaces_them(tmp_path: Path) -> None:
    for name, hint in (("gcp", "gke-gcloud-auth-plugin"), ("azure", "kubelogin")):
        kc = write_kubeconfig(tmp_path / f"{name}.yaml", "https://h.example:6443", insecure=True,
                              user={"auth-provider": {"name": name, "config": {}}})
        with pytest.raises(KubeConfigError, match=f"auth-provider {name}") as info:
            load(str(kc))
        assert hint in (info.value.hint or "")
    cached = write_kubeconfig(tmp_path / "cached.yaml", "https://h.example:6443", insecure=True, user={
        "auth-provider": {"name": "gcp", "config": {"access-token": "ya29.x", "expiry": "2999-01-01T00:00:00Z"}}})
    assert load(str(cached)).configuration.credentials.authorization() == "Bearer ya29.x"
