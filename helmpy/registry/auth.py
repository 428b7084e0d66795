"""Answering a registry's ``WWW-Authenticate`` challenge: anonymous, HTTP basic, or Bearer tokens.

The distribution spec's flow: a request without credentials gets ``401`` and a challenge. ``Basic``
means resend with the user's credentials. ``Bearer realm="...",service="...",scope="..."`` means ask
the token service at ``realm`` (HTTP GET with the credentials as basic auth, or anonymously; an
identity token is exchanged by an OAuth2 ``refresh_token`` POST) and resend with the token. Tokens
are kept per scope for the run. The password and tokens never appear in logs or messages.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from helmpy import limits
from helmpy.errors import RegistryAuthError, RegistryError
from helmpy.registry.credentials import Credential
from helmpy.repo.getter import Getter, GetterOptions

logger = logging.getLogger(__name__)

_PARAM_RE = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?')
CLIENT_ID = "helmpy"


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="x",service="y"`` -> ``("bearer", {"realm": "x", "service": "y"})``."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        m = _PARAM_RE.match(rest, pos)
        if not m or m.end() == pos:
            break
        quoted, bare = m.group(2), m.group(3)
        params[m.group(1).lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        pos = m.end()
    return scheme.lower(), params


def repository_scope(repository: str, *actions: str) -> str:
    return f"repository:{repository}:{','.join(actions)}"


@dataclass
class Authenticator:
    """The Authorization header for each request to one registry, learnt from its challenges."""

    registry: str
    credential: Credential
    getter: Getter
    options: GetterOptions
    secure: bool = True
    _basic: bool = False
    _tokens: dict[str, str] = field(default_factory=dict)
    _granted: dict[str, set[str]] = field(default_factory=dict)  # the scopes each token was asked for

    def header(self, scope: str) -> dict[str, str]:
        token = self._tokens.get(scope)
        if token is None and scope:  # a token asked for all of this scope and more (a mount's) serves it too
            wanted = set(scope.split())
            token = next((self._tokens[s] for s, asked in self._granted.items() if wanted <= asked), None)
        if token is not None:
            return {"Authorization": f"Bearer {token}"}
        if self._basic:
            return {"Authorization": _basic(self.credential)}
        return {}

    def answer(self, challenge: str, scope: str) -> bool:
        """Learn from a 401's challenge; False when retrying cannot help (nothing new to send)."""
        scheme, params = parse_challenge(challenge)
        if scheme == "basic":
            if self._basic or not self.credential or self.credential.username == "<token>":
                return False
            self._basic = True
            return True
        if scheme == "bearer":
            # ask for what the request needs and what the challenge names (a HEAD's challenge may name
            # only ``pull`` where the push that follows needs ``pull,push``)
            # (a request may need several scopes, space-separated: a mount needs ``pull`` on its source too)
            scopes = list(dict.fromkeys(f"{scope} {params.get('scope', '')}".split()))
            if scope in self._tokens and set(scopes) <= self._granted.get(scope, set()):
                return False  # the token we just sent was refused
            self._tokens[scope] = self._fetch_token(params, scopes)
            self._granted[scope] = set(scopes)
            return True
        return False

    def _fetch_token(self, params: dict[str, str], scopes: list[str]) -> str:
        realm = params.get("realm", "")
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"{self.registry}: the token realm {realm[:120]!r} is not an http(s) URL")
        if self.secure and parts.scheme == "http" and self.credential:
            raise RegistryError(f"{self.registry}: refusing to send credentials to the plain-HTTP token service "
                                f"{realm[:120]} of an HTTPS registry")
        query = [("service", params["service"])] if params.get("service") else []
        query += [("scope", s) for s in scopes]
        cap = limits.oci_metadata_size()
        token_options = GetterOptions(ca_file=self.options.ca_file, cert_file=self.options.cert_file,
                                      key_file=self.options.key_file,
                                      insecure_skip_tls_verify=self.options.insecure_skip_tls_verify,
                                      timeout=self.options.timeout)
        if self.credential.username == "<token>":
            form = {"grant_type": "refresh_token", "refresh_token": self.credential.password, "client_id": CLIENT_ID,
                    **({"service": params["service"]} if params.get("service") else {}),
                    **({"scope": " ".join(scopes)} if scopes else {})}  # OAuth2: one space-separated scope
            resp = self.getter.request("POST", realm, token_options, max_bytes=cap, data=urlencode(form).encode(),
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            headers = {"Authorization": _basic(self.credential)} if self.credential else {}
            sep = "&" if parts.query else "?"
            resp = self.getter.request("GET", realm + (sep + urlencode(query) if query else ""), token_options,
                                       headers=headers, max_bytes=cap)
        logger.debug("token service realm=%s scopes=%s status=%d", realm, " ".join(scopes), resp.status)
        if resp.status in (401, 403):
            raise RegistryAuthError(login_hint(self.registry, self.credential, resp.status))
        if resp.status != 200:
            raise RegistryError(f"{self.registry}: the token service {realm[:120]} answered {resp.status} "
                                f"{resp.reason}".rstrip())
        from helmpy.jsondepth import check_json_depth

        check_json_depth(resp.body, f"token answer from {realm[:120]}", RegistryError)
        try:
            doc = json.loads(resp.body)
        except ValueError:
            doc = None
        token = (doc.get("token") or doc.get("access_token")) if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token or not token.isprintable():
            raise RegistryError(f"{self.registry}: the token service {realm[:120]} sent no usable token")
        return token


def _basic(cred: Credential) -> str:
    import base64

    raw = f"{cred.username}:{cred.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def login_hint(registry: str, cred: Credential, status: int) -> str:
    if status == 403:
        return (f"{registry}: access denied (403 Forbidden): the credentials in use may not do this; log in as "
                f"another user with 'helmpy registry login {registry}'")
    if cred:
        return (f"{registry}: unauthorized (401): the username or password was refused; check them and run "
                f"'helmpy registry login {registry}' again")
    return (f"{registry}: unauthorized (401): authentication required; run 'helmpy registry login {registry}' "
            "or pass --username/--password")


__all__ = ["Authenticator", "parse_challenge", "repository_scope"]
