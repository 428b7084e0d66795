"""A real Kubernetes API server behind the KubeClient Protocol, over helmpy's own small HTTP client.

``kube/kubeconfig.py`` resolves the connection and credentials (tokens, client certificates, exec
plugins), ``kube/transport.py`` speaks HTTP(S) with kept-alive connections; this module
speaks the API's paths, maps kinds through discovery (``kube/discovery.py``), writes by server-side
apply with field manager ``helmpy``, turns every failure into one clear KubeError subclass, retries
transient ones (``kube/retry.py``) and judges readiness with ``kube/readiness.py``. It is imported
only when a kubeconfig (or a service account) selects a real cluster.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, TextIO
from urllib.parse import quote, urlencode

from helmpy import __version__, limits
from helmpy.errors import (
    KubeApiStatus,
    KubeConflict,
    KubeConnectionError,
    KubeError,
    KubeForbidden,
    KubeInvalid,
    KubeNotFound,
    KubeServerError,
    KubeTLSError,
    KubeUnauthorized,
)
from helmpy.kube import parallel, ratelimit, readiness
from helmpy.kube.client import KubeObject, no_transaction, object_ref, sub_map
from helmpy.kube.credentials import ClientCert
from helmpy.kube.discovery import Discovery
from helmpy.kube.kubeconfig import Connection, Overrides, load
from helmpy.kube.resources import ResourceType, lookup
from helmpy.kube.retry import Backoff, Transient, with_backoff
from helmpy.kube.transport import Reply, TLSConfig, Transport, is_transport_failure

logger = logging.getLogger(__name__)

USER_AGENT = f"helmpy/{__version__}"
FIELD_MANAGER = "helmpy"
CRD_KIND = ("apiextensions.k8s.io", "CustomResourceDefinition")
_SERVER_META = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")
_RETRY_STATUSES = (429, 500, 502, 503, 504)
AUTH_REFRESH_S = 5.0
# Helm's release storage kinds: every API server serves them, and Helm reads them through typed clients (no
# discovery), so a ``list`` or ``history`` asks the server nothing else
STORAGE_KINDS = frozenset({("v1", "Secret"), ("v1", "ConfigMap")})
LIST_CHUNK = 500  # objects per page of a list (kubectl's --chunk-size default)


class RemoteCluster:
    """KubeClient over HTTP(S) to a Kubernetes API server; one instance per command run."""

    def __init__(self, connection: Connection, *, backoff: Backoff = Backoff(), request_timeout: float = 60.0,
                 progress: TextIO | None = None) -> None:
        self.connection = connection
        self.namespace = connection.namespace
        self.backoff = backoff
        self.request_timeout = request_timeout
        self._progress = progress
        cfg = connection.configuration
        self._host = cfg.host.rstrip("/")
        self._credentials = cfg.credentials
        self._impersonate = cfg.impersonation.headers()
        try:
            self._transport = Transport(self._host, TLSConfig(cfg.verify_ssl, cfg.ssl_ca_cert, cfg.ca_data,
                                                              cfg.tls_server_name),
                                        timeout=request_timeout, max_response=limits.kube_response_size(),
                                        proxy_url=cfg.proxy)
        except ValueError as err:  # a proxy that cannot be used
            raise KubeConnectionError(f"{connection.describe()}: {err}") from err
        self.discovery = Discovery(self._discovery_get)
        self._throttle = ratelimit.from_settings()  # --burst-limit, --qps
        self._bucket, self._discovery_bucket = self._throttle.buckets()
        self._object_buckets: dict[str, ratelimit.TokenBucket | None] = {}
        self.parallel_requests = parallel.from_settings()  # requests in flight at once (kube/parallel.py)
        self._lock = threading.Lock()  # the buckets and credentials, shared by those requests
        self._wrote_crd = False
        self._auth: dict[str, str] = {}
        self._cert: ClientCert | None = None
        self._auth_until = 0.0
        if not cfg.verify_ssl:
            logger.debug("TLS verification is off for %s", self._host)

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None = None, context: str | None = None,
                        **overrides: Any) -> RemoteCluster:
        """Connect like kubectl: ``kubeconfig`` (else KUBECONFIG, ~/.kube/config, the service account) and
        ``context``; ``overrides`` are :class:`~helmpy.kube.kubeconfig.Overrides` fields (apiserver, token,
        ca_file, insecure_skip_tls_verify, tls_server_name, namespace)."""
        options = {k: v for k, v in overrides.items() if k in Overrides.__dataclass_fields__}
        client_options = {k: v for k, v in overrides.items() if k in ("backoff", "request_timeout", "progress")}
        unknown = set(overrides) - set(options) - set(client_options)
        if unknown:
            raise TypeError(f"unknown connection overrides: {', '.join(sorted(unknown))}")
        return cls(load(kubeconfig, context, Overrides(**options)), **client_options)

    def __repr__(self) -> str:
        return f"RemoteCluster({self.connection.describe()})"

    def close(self) -> None:
        self._transport.close()

    # -- HTTP --------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None,
                 content_type: str = "application/json", missing_ok: bool = False,
                 discovery: bool = False, one_object: bool = False) -> Any:
        """One API call with retries; parsed JSON, or None for a 404 when ``missing_ok``. Each attempt first
        waits for a token of the client-side throttle: the discovery bucket for ``discovery`` reads, the object's
        own for ``one_object`` requests (a path naming one object), else the client's."""
        if getattr(self, "_dry_run", False) and method != "GET":  # inside dry_run(): nothing is persisted
            query = {**(query or {}), "dryRun": "All"}
        target = path + (f"?{urlencode(query)}" if query else "")
        what = f"{method} {path}"
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()

        def attempt() -> Any:
            headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Accept-Encoding": "gzip",
                       **self._auth_headers()}
            if data is not None:
                headers["Content-Type"] = content_type
            ratelimit.take(self._discovery_bucket if discovery else self._object_bucket(path) if one_object
                           else self._bucket, what)
            started = time.monotonic()
            try:
                resp = self._transport.request(method, target, headers, data, self._cert, self._impersonate)
            except KubeError:
                raise
            except Exception as err:
                if not is_transport_failure(err):
                    raise
                raise self._transport_error(err, method, what) from err
            logger.debug("%s status=%d bytes=%d ms=%.0f", what, resp.status, len(resp.data),
                         (time.monotonic() - started) * 1000)
            if 200 <= resp.status < 300:
                return self._json(resp, what)
            if resp.status == 404 and missing_ok:
                return None
            if resp.status == 401:
                self._auth_until = 0.0  # ask the credential source again next time
                self._credentials.invalidate()
            error = self._status_error(resp.status, resp.reason, resp.data, method, what)
            retry_after = _retry_after(resp.headers.get("retry-after"))
            if resp.status in _RETRY_STATUSES and (method != "POST" or resp.status == 429):
                raise Transient(error, retry_after)
            raise error

        return with_backoff(attempt, self.backoff, what)

    def _json(self, resp: Reply, what: str) -> Any:
        if not resp.data:
            return {}
        try:
            return json.loads(resp.data)
        except (ValueError, RecursionError) as err:
            raise KubeApiStatus(f"{what}: the Kubernetes API at {self._host} answered {resp.status} with a body "
                                f"that is not JSON (or nested too deeply)", code=resp.status) from err

    def _object_bucket(self, path: str) -> ratelimit.TokenBucket | None:
        """The throttle of the requests for one object. client-go's buckets are per REST client, and Helm reads,
        applies and deletes a manifest's objects each through a REST client of its own (cli-runtime's builder
        makes one per object), so a burst of objects is not paced by one bucket; only many requests for the
        same object are. Lists and creates share the client's bucket (Helm's typed storage client)."""
        with self._lock:
            if path not in self._object_buckets:
                self._object_buckets[path] = self._throttle.buckets()[0]
            return self._object_buckets[path]

    def _auth_headers(self) -> dict[str, str]:
        """The Authorization header (and the client certificate), asked of the credential source at most every
        AUTH_REFRESH_S seconds.

        Expiring credentials (exec plugins, OIDC) renew themselves when asked within their renewal window, so
        asking every few seconds is as fresh; a 401 forces the next request to ask again.
        """
        with self._lock:  # one request at a time asks the source (an exec plugin runs once, not once per thread)
            now = time.monotonic()
            if now >= self._auth_until:
                value, cert = self._credentials.current()
                self._auth = {"Authorization": value} if value else {}
                self._cert = cert if self._host.startswith("https") else None
                self._auth_until = now + AUTH_REFRESH_S
            return self._auth

    def _transport_error(self, err: Exception, method: str, what: str) -> Exception:
        import http.client
        import socket
        import ssl

        from helmpy.kube.transport import ResponseTooLarge

        where = f"the Kubernetes API at {self._host} ({self.connection.describe()})"
        reason = str(err) or type(err).__name__
        if isinstance(err, (ssl.SSLError, ssl.CertificateError)):
            detail = getattr(err, "verify_message", None)
            text = f"certificate verify failed: {detail}" if detail else _tls_reason(str(getattr(err, "reason", "")
                                                                                           or reason))
            if isinstance(err, ssl.SSLEOFError) or "CERTIFICATE_REQUIRED" in reason.upper():
                text = "the server closed the connection (does it require a client certificate?)"
            return KubeTLSError(f"TLS handshake with {where} failed: {text}",
                                hint="check certificate-authority(-data) and the client certificate in the "
                                     "kubeconfig, or --kube-ca-file (--kube-insecure-skip-tls-verify skips the check)")
        if isinstance(err, ResponseTooLarge):
            return KubeApiStatus(f"{what}: the answer of {where} is too large: {err} "
                                 f"(limit {limits.MAX_KUBE_RESPONSE_SIZE_ENV})")
        if isinstance(err, socket.gaierror):
            return KubeConnectionError(f"cannot resolve the host of {where}", hint="check the server in the kubeconfig")
        if isinstance(err, ConnectionRefusedError):
            return KubeConnectionError(f"cannot connect to {where}: connection refused",
                                       hint="is the cluster running, and is the server address right?")
        if isinstance(err, OSError) and str(err).startswith("Tunnel connection failed"):
            return KubeConnectionError(f"cannot connect to {where} through the proxy: {err}")
        transient = isinstance(err, (TimeoutError, ConnectionError, http.client.HTTPException))
        final = KubeConnectionError(f"{what}: connection to {where} failed: {reason}")
        if transient and method != "POST":
            return Transient(final)
        return final

    def _status_error(self, code: int, http_reason: str, data: bytes, method: str, what: str) -> KubeError:
        status: dict[str, Any] = {}
        try:
            parsed = json.loads(data) if data else {}
            status = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            pass
        reason = str(status.get("reason") or http_reason or "")
        details = sub_map(status, "details")
        message = str(status.get("message") or (data or b"").decode("utf-8", "replace").strip()[:300] or reason)
        causes = [c for c in (details or {}).get("causes") or [] if isinstance(c, dict)]
        where = f"the Kubernetes API at {self._host}"
        if code == 401:
            return KubeUnauthorized(f"{where} rejected the credentials of {self.connection.describe()} "
                                    f"(401 Unauthorized) on {what}", code=code, reason=reason, details=details,
                                    hint="check the user's token, client certificate or exec plugin in the "
                                         "kubeconfig, or pass --kube-token")
        if code == 403:
            return KubeForbidden(f"forbidden (403) on {what}: {message}", code=code, reason=reason, details=details,
                                 hint="the kubeconfig's user lacks RBAC permission for this; ask a cluster admin")
        if code == 404:
            return KubeNotFound(f"{message} ({what})")
        if code == 409:
            conflicts = [c for c in causes if c.get("type") == "FieldManagerConflict" or c.get("reason") ==
                         "FieldManagerConflict"]
            if conflicts:
                fields = "; ".join(f"{c.get('field', '')}: {c.get('message', '')}" for c in conflicts)
                return KubeConflict(f"apply conflict ({len(conflicts)} field(s) owned by other managers): {fields}",
                                    hint="use --force-conflicts to take the fields over")
            return KubeConflict(message if reason != "AlreadyExists" else f"{message} (AlreadyExists)")
        if code == 422:
            shown = "; ".join(f"{c.get('field', '')}: {c.get('message', '')}" for c in causes)
            text = message if not shown or shown in message else f"{message} ({shown})"
            return KubeInvalid(f"the server rejected the object as invalid (422) on {what}: {text}",
                               code=code, reason=reason, details=details)
        if code == 415 and method == "PATCH":
            return KubeApiStatus(f"server-side apply is not available on {where} (415)", code=code, reason=reason)
        if code == 429 or code >= 500:
            return KubeServerError(f"{where} failed ({code} {reason}) on {what}: {message}", code=code, reason=reason,
                                   details=details, hint="the error persisted after retries; try again later")
        return KubeApiStatus(f"{what} failed ({code} {reason}): {message}", code=code, reason=reason, details=details)

    def _discovery_get(self, path: str) -> dict[str, Any] | None:
        return self._request("GET", path, missing_ok=True, discovery=True)  # type: ignore[no-any-return]

    # -- paths -------------------------------------------------------------------------------------
    def _type(self, api_version: str, kind: str) -> ResourceType:
        if (api_version, kind) in STORAGE_KINDS and (rt := lookup(api_version, kind)) is not None:
            return rt
        try:
            return self.discovery.lookup(api_version, kind)
        except KubeError:
            if not self._wrote_crd:
                raise
        for delay in (0.2, 0.5, 1.0):  # a CRD written this run may take a moment to be served
            time.sleep(delay)
            self.discovery.invalidate()
            try:
                return self.discovery.lookup(api_version, kind)
            except KubeError:
                continue
        return self.discovery.lookup(api_version, kind)

    def _path(self, rt: ResourceType, namespace: str | None, name: str | None = None) -> str:
        base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
        if rt.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{rt.plural}"
        return base + (f"/{quote(name, safe='')}" if name else "")

    def _target(self, obj: KubeObject) -> tuple[ResourceType, str | None, str, KubeObject]:
        """Type, namespace, name and a copy of ``obj`` with the namespace filled in (or dropped)."""
        if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
            raise KubeError("object is missing apiVersion or kind")
        rt = self._type(str(obj["apiVersion"]), str(obj["kind"]))
        body = json.loads(json.dumps(obj))
        meta = body.setdefault("metadata", {})
        name = str(meta.get("name") or "")
        if rt.namespaced:
            meta["namespace"] = meta.get("namespace") or self.namespace
        else:
            meta.pop("namespace", None)
        return rt, meta.get("namespace"), name, body

    def _note_write(self, rt: ResourceType) -> None:
        if (rt.group, rt.kind) == CRD_KIND:
            self._wrote_crd = True
            self.discovery.invalidate()

    # -- KubeClient reads --------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> KubeObject | None:
        rt = self._type(api_version, kind)
        ns = (namespace or self.namespace) if rt.namespaced else None
        obj = self._request("GET", self._path(rt, ns, name), missing_ok=True, one_object=True)
        if obj is not None:
            obj.setdefault("kind", rt.kind)
            obj["apiVersion"] = api_version
        return obj  # type: ignore[no-any-return]

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[KubeObject]:
        rt = self._type(api_version, kind)
        path = self._path(rt, namespace if rt.namespaced else None)
        query = {"labelSelector": label_selector} if label_selector else {}
        items: builtins.list[KubeObject] = []
        token = ""
        while True:  # in pages, as kubectl does (a server that does not page answers everything at once)
            doc = self._request("GET", path, query={**query, "limit": str(LIST_CHUNK),
                                                    **({"continue": token} if token else {})})
            items.extend(doc.get("items") or [])
            token = str((doc.get("metadata") or {}).get("continue") or "")
            if not token:
                break
        for item in items:  # real servers leave kind/apiVersion off list items
            item["apiVersion"], item["kind"] = api_version, rt.kind
        return items

    # -- KubeClient writes -------------------------------------------------------------------------
    def create(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER) -> KubeObject:
        rt, ns, _name, body = self._target(obj)
        created = self._request("POST", self._path(rt, ns), query={"fieldManager": field_manager}, body=body)
        self._note_write(rt)
        return created  # type: ignore[no-any-return]

    def replace(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER) -> KubeObject:
        rt, ns, name, body = self._target(obj)
        if not name:
            raise KubeError(f"{object_ref(obj)}: metadata.name is required to replace")
        replaced = self._request("PUT", self._path(rt, ns, name), query={"fieldManager": field_manager}, body=body,
                                 one_object=True)
        self._note_write(rt)
        return replaced  # type: ignore[no-any-return]

    def apply(self, obj: KubeObject, *, field_manager: str = FIELD_MANAGER, force: bool = False) -> KubeObject:
        """Server-side apply (``PATCH`` ``application/apply-patch+yaml``); creates missing objects."""
        rt, ns, name, body = self._target(obj)
        if not name:
            raise KubeError(f"{object_ref(obj)}: metadata.name is required to apply")
        meta = body["metadata"]
        for key in _SERVER_META:
            meta.pop(key, None)
        body.pop("status", None)
        query = {"fieldManager": field_manager, "force": "true" if force else "false"}
        applied = self._request("PATCH", self._path(rt, ns, name), query=query, body=body,
                                content_type="application/apply-patch+yaml", one_object=True)
        self._note_write(rt)
        return applied  # type: ignore[no-any-return]

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               propagation: str = "Background") -> bool:
        rt = self._type(api_version, kind)
        ns = (namespace or self.namespace) if rt.namespaced else None
        options = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation}
        gone = self._request("DELETE", self._path(rt, ns, name), body=options, missing_ok=True, one_object=True)
        self._note_write(rt)
        return gone is not None

    # -- cluster facts -----------------------------------------------------------------------------
    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self._type(api_version, kind).namespaced

    def server_version(self) -> str:
        doc = self._request("GET", "/version")
        version = str(doc.get("gitVersion") or "")
        if not version and doc.get("major"):
            version = f"v{doc['major']}.{str(doc.get('minor', '0')).rstrip('+')}.0"
        if not version:
            raise KubeError(f"the Kubernetes API at {self._host} did not report its version (GET /version)")
        return version

    def api_versions(self) -> builtins.list[str]:
        return self.discovery.api_versions()

    def transaction(self) -> AbstractContextManager[None]:
        return no_transaction()

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[None]:
        """Every write in the block is sent with ``dryRun=All`` (KubeClient.dry_run)."""
        before, self._dry_run = getattr(self, "_dry_run", False), True
        try:
            yield
        finally:
            self._dry_run = before

    # -- waiting -----------------------------------------------------------------------------------
    def wait_ready(self, objects: builtins.list[KubeObject], timeout: float) -> None:
        """Poll each object until kube/readiness.py calls it ready; progress lines go to stderr."""
        readiness.wait_for(objects, timeout, self._live, self._progress, first_interval=0.25)

    def _live(self, obj: KubeObject) -> KubeObject | None:
        meta = obj.get("metadata") or {}
        return self.get(str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("name", "")),
                        meta.get("namespace"))


def connect(kubeconfig: str | None = None, context: str | None = None, **overrides: Any) -> RemoteCluster:
    """What ``kube/factory.py`` calls: :meth:`RemoteCluster.from_kubeconfig`."""
    return RemoteCluster.from_kubeconfig(kubeconfig, context, **overrides)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _tls_reason(text: str) -> str:
    for marker in ("certificate verify failed", "hostname mismatch", "wrong version number", "handshake failure",
                   "unknown ca", "certificate required", "bad certificate"):
        if marker in text.lower():
            tail = text[text.lower().index(marker):].split(")")[0].split("'")[0]
            return tail.strip()
    return text.strip().splitlines()[-1] if text.strip() else "unknown TLS error"
