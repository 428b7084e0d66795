"""The kubeconfig's legacy ``auth-provider`` entries, as far as kubernetes-python still supports them.

``oidc``: the ``id-token`` is sent as the bearer token while it is valid; when its ``exp`` is within the
renewal window and a ``refresh-token`` is given, a new one is fetched from the issuer's token endpoint
(``idp-issuer-url`` + OpenID discovery, ``client-id``/``client-secret``). Unlike kubectl, the refreshed
tokens are not written back to the kubeconfig (kubernetes-python, as helmpy used it, did not either).
``gcp``: the cached ``access-token`` while its ``expiry`` has not passed; getting a new one needs Google's
libraries, which kubectl itself dropped in 1.26 for the ``gke-gcloud-auth-plugin`` exec plugin, so an
expired token is an error that says so. ``azure`` was removed from both clients and is refused with the
replacement named. Other names are ignored (the user's other credentials are used), as kubernetes-python does.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from helmpy.errors import KubeConfigError
from helmpy.kube.credentials import (
    ClientCert,
    Credentials,
    ExpiringToken,
    StaticToken,
    parse_rfc3339,
    read_file_or_data,
)

logger = logging.getLogger(__name__)

#: Bytes of an OpenID discovery document or token answer read at most.
MAX_OIDC_RESPONSE = 1024 * 1024
OIDC_TIMEOUT_S = 30.0


def load(provider: Mapping[str, Any], base: Path, where: str, cert: ClientCert | None) -> Credentials | None:
    """The credentials of an ``auth-provider`` entry, or None when kubernetes-python would ignore it."""
    name = str(provider.get("name"))
    config = provider.get("config")
    where = f"{where}: auth-provider {name}"
    if config is not None and not isinstance(config, dict):
        raise KubeConfigError(f"{where}: config must be a map")
    if name == "oidc":
        if not config or _jwt_expiry(str(config.get("id-token") or "")) is False:
            return None  # kubernetes-python skips a missing config or a token that is not a JWT
        return OIDC(config, base, where, cert)
    if name == "gcp":
        token, expiry = (config or {}).get("access-token"), (config or {}).get("expiry")
        if token and (not expiry or parse_rfc3339(str(expiry), f"{where}: expiry") > time.time()):
            return StaticToken(str(token), cert)
        raise KubeConfigError(f"{where}: the cached access-token is missing or expired, and the gcp auth-provider "
                              "is no longer supported (kubectl removed it in 1.26)",
                              hint="use the gke-gcloud-auth-plugin exec plugin: gcloud container clusters "
                                   "get-credentials NAME rewrites the kubeconfig for it")
    if name == "azure":
        raise KubeConfigError(f"{where}: the azure auth-provider is no longer supported",
                              hint="use kubelogin (an exec plugin): kubelogin convert-kubeconfig")
    logger.debug("ignoring auth-provider name=%s", name)
    return None


def _jwt_expiry(token: str) -> float | bool | None:
    """The ``exp`` of a JWT (None when it has none), or False when ``token`` is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3 or any(c in token for c in "=+/"):
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        return False
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


class OIDC(ExpiringToken):
    """An ``oidc`` auth-provider: the id-token, refreshed through the issuer when it expires."""

    def __init__(self, config: dict[str, Any], base: Path, where: str, cert: ClientCert | None) -> None:
        super().__init__(cert)
        self._config, self._base, self._where = dict(config), base, where

    def fetch(self) -> tuple[str | None, ClientCert | None, float | None]:
        token = str(self._config.get("id-token") or "")
        exp = _jwt_expiry(token)
        from helmpy.kube.credentials import EXPIRY_SKEW_S

        if isinstance(exp, float) and exp - EXPIRY_SKEW_S <= time.time():
            token = self._refresh()
            exp = _jwt_expiry(token)
        return token, None, exp if isinstance(exp, float) else None

    def _refresh(self) -> str:
        cfg = self._config
        issuer, refresh = str(cfg.get("idp-issuer-url") or ""), str(cfg.get("refresh-token") or "")
        if not issuer or not refresh:
            raise KubeConfigError(f"{self._where}: the id-token has expired and there is no refresh-token and "
                                  "idp-issuer-url to renew it", hint="log in again (e.g. kubectl oidc-login)")
        discovery = self._call("GET", issuer.rstrip("/") + "/.well-known/openid-configuration", None, {})
        endpoint = str(discovery.get("token_endpoint") or "")
        if not endpoint:
            raise KubeConfigError(f"{self._where}: the issuer's discovery document names no token_endpoint")
        form = urlencode({"grant_type": "refresh_token", "refresh_token": refresh}).encode()
        client = f"{cfg.get('client-id') or ''}:{cfg.get('client-secret') or ''}"
        answer = self._call("POST", endpoint, form, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(client.encode()).decode("ascii")})
        token = str(answer.get("id_token") or "")
        if not token:
            raise KubeConfigError(f"{self._where}: the token endpoint answered without an id_token")
        cfg["id-token"] = token
        if answer.get("refresh_token"):
            cfg["refresh-token"] = str(answer["refresh_token"])
        logger.debug("refreshed the oidc id-token issuer=%s", issuer)
        return token

    def _call(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        from helmpy.kube.transport import TLSConfig, Transport, is_transport_failure

        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise KubeConfigError(f"{self._where}: {parts.scheme}://{parts.hostname or ''} is not an https URL")
        ca = read_file_or_data(self._config, "idp-certificate-authority", "idp-certificate-authority-data",
                               self._base, self._where)
        transport = Transport(f"https://{parts.netloc}", TLSConfig(ca_data=ca), timeout=OIDC_TIMEOUT_S,
                              max_response=MAX_OIDC_RESPONSE)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            reply = transport.request(method, target, {"Accept": "application/json", **headers}, body)
        except Exception as err:
            if not is_transport_failure(err):
                raise
            raise KubeConfigError(f"{self._where}: {method} {parts.scheme}://{parts.netloc}{parts.path} failed: "
                                  f"{type(err).__name__}") from err
        finally:
            transport.close()
        if reply.status != 200:
            raise KubeConfigError(f"{self._where}: {method} {parts.scheme}://{parts.netloc}{parts.path} answered "
                                  f"{reply.status} {reply.reason}", hint="log in again (e.g. kubectl oidc-login)")
        try:
            doc = json.loads(reply.data)
        except (ValueError, RecursionError) as err:
            raise KubeConfigError(f"{self._where}: {parts.netloc}{parts.path} did not answer JSON") from err
        if not isinstance(doc, dict):
            raise KubeConfigError(f"{self._where}: {parts.netloc}{parts.path} did not answer a JSON object")
        return doc

    def describe(self) -> str:
        return "oidc auth-provider"
