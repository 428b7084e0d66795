"""Status objects shaped exactly as the API server sends them (kube-api.md §9).

Clients key off ``reason`` (Helm recognises ``AlreadyExists`` only by it), so every error answer is built
here from a :class:`~helmpy.errors.KubeApiStatus`.
"""

from __future__ import annotations

from typing import Any

from helmpy.errors import KubeApiStatus


def status_body(err: KubeApiStatus) -> dict[str, Any]:
    """The ``Status`` JSON for an error."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": err.message, "reason": err.reason, "code": err.code}
    if err.details:
        body["details"] = err.details
    return body


def _resource(plural: str, group: str) -> str:
    return f"{plural}.{group}" if group else plural


def not_found(plural: str, group: str, name: str) -> KubeApiStatus:
    """404 for a missing object."""
    return KubeApiStatus(f'{_resource(plural, group)} "{name}" not found', code=404, reason="NotFound",
                         details={"name": name, "group": group, "kind": plural})


def already_exists(plural: str, group: str, name: str) -> KubeApiStatus:
    """409 AlreadyExists for a create of a taken name."""
    return KubeApiStatus(f'{_resource(plural, group)} "{name}" already exists', code=409, reason="AlreadyExists",
                         details={"name": name, "group": group, "kind": plural})


def conflict(plural: str, group: str, name: str, why: str, causes: list[dict[str, str]] | None = None
             ) -> KubeApiStatus:
    """409 Conflict for a stale resourceVersion or an apply field conflict."""
    details: dict[str, Any] = {"name": name, "group": group, "kind": plural}
    if causes:
        details["causes"] = causes
    return KubeApiStatus(f'Operation cannot be fulfilled on {_resource(plural, group)} "{name}": {why}',
                         code=409, reason="Conflict", details=details)


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> KubeApiStatus:
    """422 Invalid with field causes, e.g. a missing ``metadata.name``."""
    summary = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
    shown = f"{kind}.{group}" if group else kind
    return KubeApiStatus(f'{shown} "{name}" is invalid: {summary}', code=422, reason="Invalid",
                         details={"name": name, "group": group, "kind": kind, "causes": causes})


def bad_request(message: str) -> KubeApiStatus:
    """400 for a body that cannot be decoded or a malformed parameter."""
    return KubeApiStatus(message, code=400, reason="BadRequest")


def path_not_found() -> KubeApiStatus:
    """404 for a URL the server does not serve."""
    return KubeApiStatus("the server could not find the requested resource", code=404, reason="NotFound",
                         details={})


def method_not_allowed(method: str) -> KubeApiStatus:
    """405 for a verb the resource does not support."""
    return KubeApiStatus(f"the server does not allow this method on the requested resource ({method})", code=405,
                         reason="MethodNotAllowed")


def unauthorized() -> KubeApiStatus:
    """401 for a missing or wrong bearer token."""
    return KubeApiStatus("Unauthorized", code=401, reason="Unauthorized")


def unsupported_media(content_type: str) -> KubeApiStatus:
    """415 for a body or patch type the server does not understand."""
    return KubeApiStatus(f'the body of the request was in an unknown format - accepted media types include: '
                         f'application/json, application/yaml, application/vnd.kubernetes.protobuf '
                         f'(got "{content_type}")', code=415, reason="UnsupportedMediaType")


NO_CONTAINERS = ("helmpy cluster serve runs no containers: logs, exec, attach and port-forward are not available "
                 "(there is no kubelet; see docs/cluster-serve.md)")


def no_containers() -> KubeApiStatus:
    """400 for the Pod subresources (and pod waits) that need a kubelet, answered at once instead of hanging."""
    return KubeApiStatus(NO_CONTAINERS, code=400, reason="BadRequest")
