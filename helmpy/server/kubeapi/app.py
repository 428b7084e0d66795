"""The WSGI application: authentication, routing, and the resource verbs (kube-api.md §5).

Every answer is JSON. Errors are Status objects built from :class:`~helmpy.errors.KubeApiStatus`; anything
unexpected becomes a 500 ``InternalError`` Status (logged in one line, the traceback with ``--debug``; never sent
to the client).
"""

from __future__ import annotations

import copy
import datetime
import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from helmpy import yamlutil
from helmpy.errors import HelmpyError, KubeApiStatus, ServerRequestError
from helmpy.kube.fieldmanager import ApplyConflict, conflict_error, record_update, server_side_apply
from helmpy.kube.patch import json_patch, merge_patch, strategic_merge
from helmpy.kube.printers import printer_columns
from helmpy.kube.resources import ResourceType, split_api_version
from helmpy.server.kubeapi import discovery, openapi, protobuf, scale, status
from helmpy.server.kubeapi.selectors import parse_fields, parse_labels
from helmpy.server.kubeapi.store import Store
from helmpy.server.kubeapi.tables import table
from helmpy.server.kubeapi.watch import WatchRequest, stream
from helmpy.server.limits import KUBE_API_LIMITS, KUBE_API_MAX_BODY, kube_api_max_watches

logger = logging.getLogger(__name__)

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = {"application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", APPLY_PATCH}
_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 413: "Payload Too Large",
            415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
            500: "Internal Server Error"}
# Pod subresources served by a kubelet; there is none, so they get a Status at once (docs/cluster-serve.md)
KUBELET_SUBRESOURCES = ("log", "exec", "attach", "portforward")


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("true", "1")


@dataclass
class Response:
    """A JSON answer, or a stream of bytes for watches."""

    code: int
    body: Any = None
    content_type: str = JSON
    chunks: HeldStream | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Target:
    """What a resource URL names."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None


class HeldStream:
    """A watch's event stream holding one of the app's watch slots until the server closes it (WSGI calls
    ``close()`` whether or not the stream was ever iterated)."""

    def __init__(self, chunks: Iterator[bytes], slots: threading.BoundedSemaphore) -> None:
        self._chunks = chunks
        self._slots: threading.BoundedSemaphore | None = slots

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        if self._slots is not None:
            self._slots.release()
            self._slots = None
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class KubeApiApp:
    """A Kubernetes API over a :class:`Store`; ``token`` None turns authentication off (plain HTTP)."""

    def __init__(self, store: Store, token: str | None, server_address: str = "127.0.0.1:6443", *,
                 max_body: int = KUBE_API_MAX_BODY,
                 max_watches: int = kube_api_max_watches(KUBE_API_LIMITS.workers)) -> None:
        self.store = store
        self.token = token
        self.server_address = server_address
        self.max_body = max_body
        self.max_watches = max_watches
        self._watch_slots = threading.BoundedSemaphore(max_watches)

    # --- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            req = self._parse(environ)
            resp = self.handle(req)
        except KubeApiStatus as err:
            resp = Response(err.code, status.status_body(err))
            if err.code == 429:  # client-go waits this long and retries
                resp.headers.append(("Retry-After", str(err.details.get("retryAfterSeconds", 1))))
        except ServerRequestError as err:  # the body's framing (helmpy.server.framing): 400 or 413
            reason = "RequestEntityTooLarge" if err.status == 413 else "BadRequest"
            resp = Response(err.status, status.status_body(KubeApiStatus(err.message, code=err.status, reason=reason)))
        except Exception as exc:  # a bug: answer a Status, log one line (the traceback with --debug)
            logger.error("internal error on %s %s: %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                         type(exc).__name__, exc)
            logger.debug("traceback of the internal error", exc_info=exc)
            bug = KubeApiStatus(f"internal error: {type(exc).__name__}: {exc}", code=500, reason="InternalError")
            resp = Response(500, status.status_body(bug))
        headers = [("Content-Type", resp.content_type), ("Cache-Control", "no-cache, private"), *resp.headers]
        line = f"{resp.code} {_REASONS.get(resp.code, 'Unknown')}"
        if resp.chunks is not None:
            try:
                write = start_response(line, headers)
                write(b"")  # send the headers now: a watch may stay silent until its first event
            except BaseException:
                resp.chunks.close()
                raise
            return resp.chunks
        payload = json.dumps(resp.body, separators=(",", ":")).encode()
        start_response(line, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _parse(self, environ: dict[str, Any]) -> Request:
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        req = Request(environ.get("REQUEST_METHOD", "GET").upper(), environ.get("PATH_INFO", "/"), query, headers)
        if self.token is not None:
            scheme, _, given = headers.get("authorization", "").strip().partition(" ")
            # the scheme is case-insensitive (RFC 7235), as the API server treats it
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
                raise status.unauthorized()
        req.body = self._body(environ, headers)
        return req

    def _body(self, environ: dict[str, Any], headers: dict[str, str]) -> bytes:
        """The request body, refused (413) before a byte is read when it says it is over ``max_body``; a chunked
        one is read to at most ``max_body + 1`` bytes."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError as err:
            raise status.bad_request("invalid Content-Length") from err
        too_large = f"Request entity too large: limit is {self.max_body}"
        if length > self.max_body:
            raise KubeApiStatus(too_large, code=413, reason="RequestEntityTooLarge")
        stream_in = environ.get("wsgi.input")
        chunked = "chunked" in headers.get("transfer-encoding", "")
        if stream_in is None or not (length or chunked):
            return b""
        try:
            data: bytes = stream_in.read(length) if length else stream_in.read(self.max_body + 1)
        except TimeoutError as err:
            raise KubeApiStatus("request body not received in time", code=408, reason="Timeout") from err
        if len(data) > self.max_body:
            raise KubeApiStatus(too_large, code=413, reason="RequestEntityTooLarge")
        return data

    # --- routing -------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        """Answer one request."""
        parts = [p for p in req.path.split("/") if p]
        logger.debug("request method=%s path=%s query=%s", req.method, req.path, req.query)
        if parts in (["version"], ["healthz"], ["livez"], ["readyz"]):
            if parts != ["version"]:
                return Response(200, "ok")
            return Response(200, discovery.version_info())
        if parts and parts[0] == "openapi":
            return self._openapi(parts)
        if (parts[:1] == ["api"] and len(parts) <= 2) or (parts[:1] == ["apis"] and len(parts) <= 3):
            if req.method != "GET":
                raise status.method_not_allowed(req.method)
            return self._discovery(req, parts)
        target = self._target(parts)
        return self._resource(req, target)

    def _discovery(self, req: Request, parts: list[str]) -> Response:
        types = self.store.types()
        wants_aggregated = discovery.AGGREGATED_MARKER in req.headers.get("accept", "")
        if parts == ["api"]:
            if wants_aggregated:
                return Response(200, discovery.aggregated(types, core=True), discovery.AGGREGATED_CONTENT_TYPE)
            return Response(200, discovery.api_versions_doc(self.server_address))
        if parts == ["apis"]:
            if wants_aggregated:
                return Response(200, discovery.aggregated(types, core=False), discovery.AGGREGATED_CONTENT_TYPE)
            return Response(200, discovery.api_group_list(types))
        if parts[0] == "api":
            doc = discovery.resource_list(types, "", parts[1])
        elif len(parts) == 2:
            doc = discovery.api_group(types, parts[1])
        else:
            doc = discovery.resource_list(types, parts[1], parts[2])
        if doc is None:
            raise status.path_not_found()
        return Response(200, doc)

    def _openapi(self, parts: list[str]) -> Response:
        types = self.store.types()
        if parts == ["openapi", "v3"]:
            return Response(200, openapi.root_document(types))
        if parts[:2] == ["openapi", "v3"]:
            doc = openapi.gv_document(types, "/".join(parts[2:]))
            if doc is not None:
                return Response(200, doc)
        raise status.path_not_found()

    def _target(self, parts: list[str]) -> Target:
        if parts[:1] == ["api"] and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise status.path_not_found()
        namespace: str | None = None
        rt = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            rt = self.store.resolve(group, version, rest[2])  # a namespaced path: resolved once, not again below
            if rt is not None:
                namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            raise status.path_not_found()
        if rt is None:
            rt = self.store.resolve(group, version, rest[0])
        if rt is None:
            raise status.path_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub not in (None, "status") and not (sub == "scale" and scale.has_scale(rt)) \
                and not (sub in KUBELET_SUBRESOURCES and _is_pods(rt)):
            raise status.path_not_found()
        if not rt.namespaced and namespace is not None:
            raise status.path_not_found()
        if rt.namespaced and namespace is None and name is not None:
            raise status.path_not_found()
        return Target(rt, namespace, name, sub)

    def _resource(self, req: Request, t: Target) -> Response:
        if t.subresource == "scale":
            return self._scale(req, t)
        if t.subresource in KUBELET_SUBRESOURCES:
            assert t.name is not None
            self.store.get(t.rt, t.namespace, t.name)  # a missing pod is still a 404, as on a real cluster
            raise status.no_containers()
        if t.name is None:
            handlers = {"GET": self._list, "POST": self._create, "DELETE": self._delete_collection}
        else:
            handlers = {"GET": self._get, "PUT": self._update, "PATCH": self._patch, "DELETE": self._delete}
        handler = handlers.get(req.method)
        if handler is None:
            raise status.method_not_allowed(req.method)
        return handler(req, t)

    # --- bodies --------------------------------------------------------------------------------------
    def _decode(self, req: Request) -> Any:
        ctype = req.content_type
        if ctype == PROTOBUF:
            return protobuf.decode(req.body)
        if ctype in ("application/yaml", APPLY_PATCH):
            if req.body[:1] == b"{":  # JSON is YAML, and clients (client-go, helmpy) send apply patches as JSON;
                try:  # json is ~50x faster than PyYAML's pure-Python parser
                    return _json_body(req.body)
                except ValueError:
                    pass  # fall through: YAML flow mappings also start with "{"
            try:
                return yamlutil.load(req.body, "request body", HelmpyError) if req.body else None
            except HelmpyError as err:
                raise status.bad_request(f"error decoding YAML: {err}") from err
        if ctype in ("", JSON) or ctype in PATCH_TYPES:
            try:
                return _json_body(req.body.decode("utf-8")) if req.body else None
            except (ValueError, UnicodeDecodeError) as err:
                raise status.bad_request(f"couldn't get version/kind; json parse error: {err}") from err
        raise status.unsupported_media(ctype)

    def _object_body(self, req: Request, t: Target) -> dict[str, Any]:
        body = self._decode(req)
        if not isinstance(body, dict):
            raise status.bad_request("the body of the request must be a JSON object")
        kind, api_version = body.setdefault("kind", t.rt.kind), body.setdefault("apiVersion", t.rt.api_version)
        if kind != t.rt.kind or split_api_version(str(api_version))[0] != t.rt.group:
            raise status.bad_request(f"the API version in the data ({api_version}) and kind ({kind}) do not match "
                                     f"the expected {t.rt.api_version} {t.rt.kind}")
        body["apiVersion"] = t.rt.api_version
        meta = body.get("metadata")
        if meta is None:
            meta = body["metadata"] = {}
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be an object")
        if t.rt.namespaced:
            if meta.get("namespace") and t.namespace and meta["namespace"] != t.namespace:
                raise status.bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request")
            meta["namespace"] = t.namespace or meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        return body

    def _require_name(self, t: Target, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        if meta.get("name"):
            return
        if meta.get("generateName"):  # the store picks the suffix
            return
        raise status.invalid(t.rt.kind, t.rt.group, "", [{"reason": "FieldValueRequired",
                                                          "message": "Required value: name or generateName is "
                                                                     "required", "field": "metadata.name"}])

    @staticmethod
    def _manager(req: Request, default: str = "") -> str:
        if req.query.get("fieldManager"):
            return req.query["fieldManager"]
        agent = req.headers.get("user-agent", default)
        return agent.split("/")[0] if agent else default

    # --- verbs ---------------------------------------------------------------------------------------
    def _get(self, req: Request, t: Target) -> Response:
        assert t.name is not None
        obj = self.store.get(t.rt, t.namespace, t.name)
        if "as=Table" in req.headers.get("accept", ""):
            return Response(200, self._table(req, t, [obj], self.store.resource_version()))
        return Response(200, obj)

    def _table(self, req: Request, t: Target, items: list[dict[str, Any]], rv: str) -> dict[str, Any]:
        crd_version = self.store.crd_version(t.rt)
        custom = printer_columns(crd_version) if crd_version is not None else None
        return table(items, rv, req.query.get("includeObject"), t.rt.kind, custom)

    def _table_rows(self, req: Request, t: Target) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """A watch's objects as one-row Tables (``kubectl get -w``); only the first carries the columns."""
        first = [True]

        def render(obj: dict[str, Any]) -> dict[str, Any]:
            out = self._table(req, t, [obj], str((obj.get("metadata") or {}).get("resourceVersion") or ""))
            if not first[0]:
                out["columnDefinitions"] = []
            first[0] = False
            return out

        return render

    def _list(self, req: Request, t: Target) -> Response:
        labels, fields = parse_labels(req.query.get("labelSelector")), parse_fields(req.query.get("fieldSelector"))
        if req.flag("watch"):
            try:
                timeout = float(req.query.get("timeoutSeconds") or 1800)
            except ValueError as err:
                raise status.bad_request("timeoutSeconds must be a number") from err
            if _waits_for_first_pod(req, t) and not self.store.list(t.rt, t.namespace, labels, fields):
                raise status.no_containers()
            watch = WatchRequest(t.rt, t.namespace, labels, fields, req.query.get("resourceVersion", ""),
                                 req.flag("sendInitialEvents"), req.flag("allowWatchBookmarks"), timeout,
                                 self._table_rows(req, t) if "as=Table" in req.headers.get("accept", "") else None)
            if not self._watch_slots.acquire(blocking=False):
                raise KubeApiStatus(f"too many watches open (at most {self.max_watches}); try again later",
                                    code=429, reason="TooManyRequests", details={"retryAfterSeconds": 1})
            return Response(200, chunks=HeldStream(stream(self.store, watch), self._watch_slots))
        items = self.store.list(t.rt, t.namespace, labels, fields)
        rv = self.store.resource_version()
        if "as=Table" in req.headers.get("accept", ""):
            return Response(200, self._table(req, t, items, rv))
        return Response(200, {"apiVersion": t.rt.api_version, "kind": f"{t.rt.kind}List",
                              "metadata": {"resourceVersion": rv}, "items": items})

    def _create(self, req: Request, t: Target) -> Response:
        obj = self._object_body(req, t)
        self._require_name(t, obj)
        for key in ("uid", "resourceVersion", "creationTimestamp", "generation"):
            obj["metadata"].pop(key, None)
        obj = normalize(obj)
        if req.query.get("dryRun") == "All":
            _validate(req, t, obj)
            record_update(None, obj, self._manager(req))
            return Response(201, obj)
        return Response(201, self.store.create(t.rt, obj, self._manager(req)))

    def _update(self, req: Request, t: Target) -> Response:
        assert t.name is not None
        obj = self._object_body(req, t)
        if obj["metadata"].get("name") not in (None, t.name):
            raise status.bad_request(f"the name of the object ({obj['metadata']['name']}) does not match the name "
                                     f"on the URL ({t.name})")
        obj["metadata"]["name"] = t.name
        live = self.store.get(t.rt, t.namespace, t.name)
        wanted_rv = obj["metadata"].get("resourceVersion")
        if wanted_rv and wanted_rv != live["metadata"].get("resourceVersion"):
            raise status.conflict(t.rt.plural, t.rt.group, t.name, "the object has been modified; please apply "
                                  "your changes to the latest version and try again")
        return Response(200, self._write(req, t, live, obj))

    def _write(self, req: Request, t: Target, live: dict[str, Any], new: dict[str, Any],
               manager: str | None = None) -> dict[str, Any]:
        """Store ``new`` over ``live`` (identity kept; the store keeps status unless writing ``/status``)."""
        meta = new.setdefault("metadata", {})
        for key in ("uid", "creationTimestamp", "name", "namespace"):
            if key in live["metadata"]:
                meta[key] = live["metadata"][key]
        new = normalize(new)
        manager = manager if manager is not None else self._manager(req)
        if req.query.get("dryRun") == "All":
            if t.subresource != "status":
                _validate(req, t, new, live)
            if "managedFields" not in meta and "managedFields" in live["metadata"]:
                meta["managedFields"] = live["metadata"]["managedFields"]
            record_update(live, new, manager)
            return new
        if t.subresource == "status":
            return self.store.replace_status(t.rt, new)
        return self.store.replace(t.rt, new, manager)

    def _patch(self, req: Request, t: Target) -> Response:
        assert t.name is not None
        ctype = req.content_type
        if ctype not in PATCH_TYPES:
            raise status.unsupported_media(ctype)
        body = self._decode(req)
        if ctype == APPLY_PATCH:
            return self._apply(req, t, body)
        for _attempt in range(5):  # patches retry on conflicts with other processes' writes, as the API server does
            with self.store.atomic():
                result = self._patch_once(req, t, ctype, body)
            if result is not None:
                return result
        raise status.conflict(t.rt.plural, t.rt.group, t.name, "too many concurrent writers")

    def _patch_once(self, req: Request, t: Target, ctype: str, body: Any) -> Response | None:
        """One read-patch-write; None when the object changed under it (a conflict to retry)."""
        assert t.name is not None
        live = self.store.get(t.rt, t.namespace, t.name)
        patched = _patched(ctype, copy.deepcopy(live), body)
        patched.setdefault("metadata", {})["resourceVersion"] = live["metadata"].get("resourceVersion")
        try:
            return Response(200, self._write(req, t, live, patched))
        except KubeApiStatus as err:
            if err.reason != "Conflict":
                raise
        return None

    def _scale(self, req: Request, t: Target) -> Response:
        """``/scale``: read or set the parent's ``spec.replicas`` (``kubectl scale`` sends a merge patch)."""
        assert t.name is not None
        if req.method == "GET":
            return Response(200, scale.to_scale(self.store.get(t.rt, t.namespace, t.name)))
        if req.method not in ("PUT", "PATCH"):
            raise status.method_not_allowed(req.method)
        if req.method == "PATCH" and req.content_type not in PATCH_TYPES:
            raise status.unsupported_media(req.content_type)
        body = self._decode(req)
        for _attempt in range(5):
            with self.store.atomic():
                live = self.store.get(t.rt, t.namespace, t.name)
                current = scale.to_scale(live)
                if req.method == "PUT":
                    if not isinstance(body, dict):
                        raise status.bad_request("the body of the request must be a JSON object")
                    wanted_rv = (body.get("metadata") or {}).get("resourceVersion")
                    if wanted_rv and wanted_rv != current["metadata"].get("resourceVersion"):
                        raise status.conflict(t.rt.plural, t.rt.group, t.name, "the object has been modified; "
                                              "please apply your changes to the latest version and try again")
                    wanted = body
                else:
                    wanted = _patched(req.content_type, copy.deepcopy(current), body)
                try:
                    replicas = scale.replicas_of(wanted)
                except ValueError as err:
                    raise status.invalid("Scale", "autoscaling", t.name, [{
                        "reason": "FieldValueInvalid", "field": "spec.replicas", "message": str(err).split(": ", 1)[1]}
                    ]) from err
                new = copy.deepcopy(live)
                new.setdefault("spec", {})["replicas"] = replicas
                try:
                    return Response(200, scale.to_scale(self._write(req, t, live, new)))
                except KubeApiStatus as err:
                    if err.reason != "Conflict":
                        raise
        raise status.conflict(t.rt.plural, t.rt.group, t.name, "too many concurrent writers")

    def _apply(self, req: Request, t: Target, body: Any) -> Response:
        assert t.name is not None
        manager = req.query.get("fieldManager", "")
        if not manager:
            raise status.invalid(t.rt.kind, t.rt.group, t.name, [{
                "reason": "FieldValueRequired", "field": "fieldManager",
                "message": "Required value: is required for apply patch"}])
        if not isinstance(body, dict):
            raise status.bad_request("the apply patch must be an object")
        config = self._object_body(req, t)
        if config["metadata"].get("name") not in (None, t.name):
            raise status.bad_request(f"the name of the object ({config['metadata']['name']}) does not match the "
                                     f"name on the URL ({t.name})")
        config["metadata"]["name"] = t.name
        for _attempt in range(5):
            with self.store.atomic():
                result = self._apply_once(req, t, config, manager)
            if result is not None:
                return result
        raise status.conflict(t.rt.plural, t.rt.group, t.name, "too many concurrent writers")

    def _apply_once(self, req: Request, t: Target, config: dict[str, Any], manager: str) -> Response | None:
        """One read-apply-write; None when the object changed under it (a conflict to retry)."""
        assert t.name is not None
        live = self.store.find(t.rt, t.namespace, t.name)
        if req.query.get("dryRun") != "All":  # the embedded cluster's own apply: one code path with in-process
            return Response(200 if live is not None else 201, self.store.apply(t.rt, config, manager,
                                                                               req.flag("force")))
        try:
            result = server_side_apply(live, config, manager, req.flag("force"))
        except ApplyConflict as err:
            raise conflict_error(t.rt.plural, t.rt.group, t.name, err.causes) from err
        _validate(req, t, result, live)
        try:
            if live is None:
                obj = normalize(result)
                if req.query.get("dryRun") == "All":
                    return Response(201, obj)
                return Response(201, self.store.create(t.rt, obj))
            result["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
            return Response(200, self._write_applied(req, t, live, result))
        except KubeApiStatus as err:
            if err.reason not in ("Conflict", "AlreadyExists"):
                raise
        return None

    def _write_applied(self, req: Request, t: Target, live: dict[str, Any], result: dict[str, Any]
                       ) -> dict[str, Any]:
        if result == live:  # an unchanged apply is not a write
            return live
        meta = result["metadata"]
        for key in ("uid", "creationTimestamp"):
            if key in live["metadata"]:
                meta[key] = live["metadata"][key]
        if req.query.get("dryRun") == "All":
            return normalize(result)
        return self.store.replace(t.rt, normalize(result))

    def _delete_options(self, req: Request) -> dict[str, Any]:
        if not req.body:
            return {}
        body = self._decode(req)
        return body if isinstance(body, dict) else {}

    def _delete(self, req: Request, t: Target) -> Response:
        assert t.name is not None
        opts = self._delete_options(req)
        live = self.store.get(t.rt, t.namespace, t.name)
        pre = opts.get("preconditions") or {}
        meta = live.get("metadata") or {}
        for key in ("uid", "resourceVersion"):
            if pre.get(key) and pre[key] != meta.get(key):
                raise status.conflict(t.rt.plural, t.rt.group, t.name, f"Precondition failed: {key}: "
                                      f"{pre[key]}, {key} in object meta: {meta.get(key)}")
        if req.query.get("dryRun") != "All" and "All" not in (opts.get("dryRun") or []):
            self.store.delete(t.rt, t.namespace, t.name, opts.get("propagationPolicy") or "Background")
        return Response(200, live)

    def _delete_collection(self, req: Request, t: Target) -> Response:
        labels, fields = parse_labels(req.query.get("labelSelector")), parse_fields(req.query.get("fieldSelector"))
        items = self.store.list(t.rt, t.namespace, labels, fields)
        for obj in items:
            meta = obj["metadata"]
            try:
                self.store.delete(t.rt, meta.get("namespace"), meta["name"], "Background")
            except KubeApiStatus as err:
                if err.code != 404:
                    raise
        return Response(200, {"apiVersion": t.rt.api_version, "kind": f"{t.rt.kind}List",
                              "metadata": {"resourceVersion": self.store.resource_version()}, "items": items})


def _is_pods(rt: ResourceType) -> bool:
    return rt.group == "" and rt.plural == "pods"


def _waits_for_first_pod(req: Request, t: Target) -> bool:
    """kubectl's wait for a workload's first Pod (``logs|exec|attach|port-forward deploy/X``): a typed-client
    (protobuf, no Table) watch of pods by label selector after an empty list. No controller here ever creates
    Pods, so it would only end at ``--pod-running-timeout``; answering at once says why instead."""
    return (_is_pods(t.rt) and t.name is None and bool(req.query.get("labelSelector"))
            and req.headers.get("user-agent", "").startswith("kubectl/")
            and PROTOBUF in req.headers.get("accept", "") and "as=Table" not in req.headers.get("accept", ""))


def _validate(req: Request, t: Target, obj: dict[str, Any], live: dict[str, Any] | None = None) -> None:
    """A dry run is validated here (an update against ``live``: immutable fields); a real write by the embedded
    cluster's store (``helmpy.kube.validation``, the same checks as in-process writes), so the checks run once."""
    if req.query.get("dryRun") == "All":
        from helmpy.kube.embedded import SERVER_VERSION
        from helmpy.kube.validation import validate

        validate(t.rt, obj, SERVER_VERSION, live)


def _patched(ctype: str, base: dict[str, Any], body: Any) -> dict[str, Any]:
    """``base`` with a JSON, merge or strategic-merge patch applied (an apply patch merges like the latter)."""
    if ctype == "application/json-patch+json":
        patched = json_patch(base, body)
    elif not isinstance(body, dict):
        raise status.bad_request("the patch must be a JSON object")
    elif ctype == "application/merge-patch+json":
        patched = merge_patch(base, body)
    else:
        patched = strategic_merge(base, body)
    if not isinstance(patched, dict):
        raise status.bad_request("the patch produced something that is not an object")
    return patched


def normalize(obj: dict[str, Any]) -> dict[str, Any]:
    """The API server's defaults (``helmpy.kube.defaults``; the embedded cluster applies them again on the write,
    so dry runs answer what a real write stores) and a Namespace's phase."""
    from helmpy.kube.defaults import apply_defaults
    from helmpy.kube.resources import split_api_version

    group, _ = split_api_version(str(obj.get("apiVersion") or ""))
    apply_defaults(group, str(obj.get("kind") or ""), obj)
    if obj.get("kind") == "Namespace" and obj.get("apiVersion") == "v1":
        obj.setdefault("status", {"phase": "Active"})
    return obj


def _json_body(body: str | bytes) -> Any:
    """A JSON request body; nesting over the limit is a 400 (a ``ValueError``), not a RecursionError."""
    try:
        yamlutil.check_json_depth(body, "request body", HelmpyError)
    except HelmpyError as err:
        raise ValueError(err.message) from err
    return json.loads(body)
