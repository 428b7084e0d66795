"""A real Bearer token service for the registry's ``auth: token`` mode (the Docker/distribution token spec).

``GET /token?service=...&scope=repository:NAME:ACTIONS`` (scope may repeat) with HTTP basic credentials:
right credentials get a JWT granting the requested actions; no credentials get a JWT granting nothing (the
registry then answers 401 ``insufficient_scope``); wrong credentials get 401. The JWT is RS256-signed with a
throwaway key whose self-signed certificate is the registry's ``rootcertbundle``; the certificate travels in
the token's ``x5c`` header, which is how distribution 2.8 finds the key. Every request is recorded
(``requests``) and every token issued is kept (``issued``), so tests can check the flow really went through
here and that no token reaches a log.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SERVICE = "helmpy-test-registry"
ISSUER = "helmpy-test-issuer"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_signing_key(work: Path) -> tuple[bytes, Path]:
    """An RSA key (PEM bytes) and its self-signed certificate written to ``work/token-cert.pem``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helmpy test token signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = work / "token-cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, path


def sign_jwt(claims: dict[str, object], key_pem: bytes, cert_pem: bytes) -> str:
    """A compact RS256 JWS with the certificate in ``x5c`` (standard base64 DER, as RFC 7515 says)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    cert = x509.load_pem_x509_certificate(cert_pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode("ascii")]}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


@dataclass
class TokenService:
    """The token endpoint ``url`` (``/token`` on 127.0.0.1); ``tls`` = (cert.pem, key.pem) serves HTTPS."""

    work: Path
    username: str
    password: str
    tls: tuple[Path, Path] | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    cert_path: Path | None = None
    _key_pem: bytes = b""
    _httpd: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._httpd.server_address[1]}/token"

    def _grant(self, auth: str, scopes: list[str]) -> tuple[int, dict[str, object] | None]:
        if auth:
            try:
                scheme, _, raw = auth.partition(" ")
                user, _, password = base64.b64decode(raw).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return 400, None
            if scheme.lower() != "basic" or (user, password) != (self.username, self.password):
                return 401, None
            subject = user
        else:
            subject = ""
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository" and name and subject:
                access.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]})
        now = int(time.time())
        return 200, {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
                     "iat": now, "jti": secrets.token_hex(8), "access": access}

    def start(self) -> TokenService:
        self._key_pem, self.cert_path = make_signing_key(self.work)
        cert_pem = self.cert_path.read_bytes()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                auth = self.headers.get("Authorization", "")
                service.requests.append({"path": parts.path, "scope": " ".join(query.get("scope", [])),
                                         "service": ",".join(query.get("service", [])),
                                         "auth": "basic" if auth else "anonymous"})
                status, claims = (404, None) if parts.path != "/token" else service._grant(auth, query.get("scope", []))
                if claims is None:
                    body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}).encode()
                else:
                    token = sign_jwt(claims, service._key_pem, cert_pem)
                    service.issued.append(token)
                    body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
