"""Sprig's hash and crypto functions: digests, bcrypt/htpasswd, derivePassword, keys, certificates, AES.

Digests and ``derivePassword`` are deterministic and match Helm byte for byte; keys, certificates,
bcrypt salts and AES IVs are random in Helm too (drawn here from :attr:`Seams.rng` where the
``cryptography`` package lets us choose, i.e. serials and IVs).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import struct
import zlib
from collections.abc import Callable
from datetime import timedelta

from helmpy.engine.gotemplate.funcs._goval import from_bytes, sprint_v, to_bytes
from helmpy.engine.gotemplate.funcs._sig import INT, LIST, STR, UINT32, go
from helmpy.engine.gotemplate.funcs.errors import FuncError
from helmpy.engine.gotemplate.funcs.seams import Seams


@go(STR)
def sha1sum(s: str) -> str:
    return hashlib.sha1(to_bytes(s)).hexdigest()


@go(STR)
def sha256sum(s: str) -> str:
    return hashlib.sha256(to_bytes(s)).hexdigest()


@go(STR)
def sha512sum(s: str) -> str:
    return hashlib.sha512(to_bytes(s)).hexdigest()


@go(STR)
def adler32sum(s: str) -> str:
    return str(zlib.adler32(to_bytes(s)))


@go(STR)
def bcrypt_hash(s: str) -> str:
    import bcrypt

    return bcrypt.hashpw(to_bytes(s)[:72], bcrypt.gensalt(10, prefix=b"2a")).decode()


@go(STR, STR)
def htpasswd(user: str, password: str) -> str:
    if ":" in user:
        return f"invalid username: {user}"
    return f"{user}:{bcrypt_hash(password)}"


_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
             "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
             "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
             "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
             "CvccCvcvCvccno"],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_CHARS = {
    "V": "AEIOU", "C": "BCDFGHJKLMNPQRSTVWXYZ", "v": "aeiou", "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ", "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_SEED = b"com.lyndir.masterpassword"


@go(UINT32, STR, STR, STR, STR)
def derive_password(counter: int, kind: str, password: str, user: str, site: str) -> str:
    """``derivePassword``: the Master Password algorithm (scrypt + HMAC-SHA256 over templates)."""
    templates = _TEMPLATES.get(kind)
    if templates is None:
        return f"cannot find password template {kind}"
    user_b, site_b = to_bytes(user), to_bytes(site)
    salt = _SEED + struct.pack(">I", len(user_b)) + user_b
    key = hashlib.scrypt(to_bytes(password), salt=salt, n=32768, r=8, p=2, maxmem=64 * 1024 * 1024, dklen=64)
    msg = _SEED + struct.pack(">I", len(site_b)) + site_b + struct.pack(">I", counter & 0xFFFFFFFF)
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    temp = templates[seed[0] % len(templates)]
    return "".join(_CHARS[c][seed[i + 1] % len(_CHARS[c])] for i, c in enumerate(temp))


# --- keys and certificates -------------------------------------------------------------------------------
class Certificate:
    """Sprig's ``certificate`` struct: ``.Cert`` and ``.Key`` PEM strings."""

    go_type = "sprig.certificate"

    def __init__(self, cert: str, key: str) -> None:
        self.Cert = cert
        self.Key = key

    def go_member(self, name: str) -> object:
        if name == "Cert":
            return self.Cert
        if name == "Key":
            return self.Key
        raise KeyError(name)

    def go_string(self) -> str:
        return "{" + self.Cert + " " + self.Key + "}"

    def go_json(self) -> str:
        from helmpy.engine.gotemplate.funcs.gojson import marshal

        return marshal({"Cert": self.Cert, "Key": self.Key})


def _pem_key(priv: object) -> str:
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    if isinstance(priv, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, dsa.DSAPrivateKey)):
        fmt = ser.PrivateFormat.TraditionalOpenSSL
    else:
        fmt = ser.PrivateFormat.PKCS8
    pem: bytes = priv.private_bytes(ser.Encoding.PEM, fmt, ser.NoEncryption())  # type: ignore[attr-defined]
    return pem.decode()


@go(STR)
def gen_private_key(kind: str) -> str:
    """``genPrivateKey "rsa"|"dsa"|"ecdsa"|"ed25519"`` as PEM."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    if kind in ("", "rsa"):
        priv: object = rsa.generate_private_key(65537, 4096)
    elif kind == "dsa":
        priv = dsa.generate_private_key(2048)
    elif kind == "ecdsa":
        priv = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
    else:
        return "Unknown type " + kind
    return _pem_key(priv)


def _parse_key(pem: str) -> object:
    from cryptography.hazmat.primitives import serialization as ser

    if "-----BEGIN" not in pem:
        raise FuncError("parsing private key: no PEM data in input")
    try:
        return ser.load_pem_private_key(to_bytes(pem), password=None)
    except (ValueError, TypeError) as err:
        raise FuncError(f"parsing private key: {err}") from err


def make_cert_funcs(seams: Seams) -> dict[str, Callable[..., object]]:
    """The certificate functions; validity starts at ``seams.now()``, serials come from ``seams.rng``."""

    def build(cn: str, ips: object, dns: object, days: int, priv: object, ca: tuple[object, object] | None,
              is_ca: bool) -> Certificate:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ed25519
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        ip_list, dns_list = [], []
        for ip in ips or []:  # type: ignore[attr-defined]
            if not isinstance(ip, str):
                raise FuncError(f"error parsing ip: {sprint_v(ip)} is not a string")
            try:
                ip_list.append(ipaddress.ip_address(ip))
            except ValueError:
                raise FuncError(f"error parsing ip: {ip}") from None
        for name in dns or []:  # type: ignore[attr-defined]
            if not isinstance(name, str):
                raise FuncError(f"error processing alternate dns name: {sprint_v(name)} is not a string")
            dns_list.append(name)
        now = seams.now()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
        issuer_cert, issuer_key = ca if ca else (None, priv)
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .issuer_name(issuer_cert.subject if issuer_cert else subject)  # type: ignore[attr-defined]
                   .public_key(priv.public_key())  # type: ignore[attr-defined]
                   .serial_number(seams.rng.getrandbits(128) or 1)
                   .not_valid_before(now)
                   .not_valid_after(now + timedelta(days=days))
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=True, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=is_ca, crl_sign=False, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                         ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
        sans = [x509.DNSName(d) for d in dns_list] + [x509.IPAddress(i) for i in ip_list]
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
        cert = builder.sign(issuer_key, algo)  # type: ignore[arg-type]
        from cryptography.hazmat.primitives import serialization as ser

        return Certificate(cert.public_bytes(ser.Encoding.PEM).decode(), _pem_key(priv))

    def rsa2048() -> object:
        from cryptography.hazmat.primitives.asymmetric import rsa

        return rsa.generate_private_key(65537, 2048)

    def signer(ca: object) -> tuple[object, object]:
        from cryptography import x509

        if not isinstance(ca, Certificate):
            raise FuncError("unable to decode certificate")
        try:
            cert = x509.load_pem_x509_certificate(to_bytes(ca.Cert))
        except ValueError as err:
            raise FuncError("unable to decode certificate") from err
        return cert, _parse_key(ca.Key)

    gen_ca = go(STR, INT)(lambda cn, days: build(cn, None, None, days, rsa2048(), None, True))
    gen_ca_key = go(STR, INT, STR)(lambda cn, days, key: build(cn, None, None, days, _parse_key(key), None, True))
    self_signed = go(STR, LIST, LIST, INT)(lambda cn, ips, dns, days: build(cn, ips, dns, days, rsa2048(), None, False))
    self_signed_key = go(STR, LIST, LIST, INT, STR)(
        lambda cn, ips, dns, days, key: build(cn, ips, dns, days, _parse_key(key), None, False))
    signed = go(STR, LIST, LIST, INT, "sprig.certificate")(
        lambda cn, ips, dns, days, ca: build(cn, ips, dns, days, rsa2048(), signer(ca), False))
    signed_key = go(STR, LIST, LIST, INT, "sprig.certificate", STR)(
        lambda cn, ips, dns, days, ca, key: build(cn, ips, dns, days, _parse_key(key), signer(ca), False))

    @go(STR, STR)
    def build_custom_cert(b64cert: str, b64key: str) -> Certificate:
        from cryptography import x509

        from helmpy.engine.gotemplate.funcs.encoding import _b64_decode, _Corrupt

        try:
            cert = from_bytes(_b64_decode(to_bytes(b64cert)))
        except _Corrupt:
            raise FuncError("unable to decode base64 certificate") from None
        try:
            key = from_bytes(_b64_decode(to_bytes(b64key)))
        except _Corrupt:
            raise FuncError("unable to decode base64 private key") from None
        if "-----BEGIN" not in cert:
            raise FuncError("unable to decode certificate")
        try:
            x509.load_pem_x509_certificate(to_bytes(cert))
        except ValueError as err:
            raise FuncError(f"error parsing certificate: decodedCert.Bytes: {err}") from err
        try:
            _parse_key(key)
        except FuncError as err:
            raise FuncError(f"error parsing private key: {str(err).removeprefix('parsing private key: ')}") from err
        return Certificate(cert, key)

    @go(STR, STR)
    def encrypt_aes(password: str, plaintext: str) -> str:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        if plaintext == "":
            return ""
        key = (to_bytes(password) + bytes(32))[:32]  # Go copies the password into a 32-byte key
        data = to_bytes(plaintext)
        pad = 16 - len(data) % 16
        data += bytes([pad]) * pad
        iv = bytes(seams.rng.getrandbits(8) for _ in range(16))
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        return base64.b64encode(iv + enc.update(data) + enc.finalize()).decode()

    @go(STR, STR)
    def decrypt_aes(password: str, crypt64: str) -> str:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        from helmpy.engine.gotemplate.funcs.encoding import _b64_decode, _Corrupt

        if crypt64 == "":
            return ""
        key = (to_bytes(password) + bytes(32))[:32]  # Go copies the password into a 32-byte key
        try:
            raw = _b64_decode(to_bytes(crypt64))
        except _Corrupt as err:
            raise FuncError(str(err)) from err
        if len(raw) < 16:
            raise FuncError(f"runtime error: slice bounds out of range [:16] with capacity {len(raw)}", panic=True)
        body = raw[16:]
        if len(body) % 16:
            raise FuncError("crypto/cipher: input not full blocks", panic=True)
        if not body:
            raise FuncError("runtime error: index out of range [-1]", panic=True)
        dec = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
        out = dec.update(body) + dec.finalize()
        cut = len(out) - out[-1]
        if cut < 0:
            raise FuncError(f"runtime error: slice bounds out of range [:{cut}]", panic=True)
        return from_bytes(out[:cut])

    return {"genCA": gen_ca, "genCAWithKey": gen_ca_key, "genSelfSignedCert": self_signed,
            "genSelfSignedCertWithKey": self_signed_key, "genSignedCert": signed,
            "genSignedCertWithKey": signed_key, "buildCustomCert": build_custom_cert,
            "encryptAES": encrypt_aes, "decryptAES": decrypt_aes}
