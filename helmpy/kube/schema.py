"""Built-in kinds checked against Kubernetes' own OpenAPI schemas, as the API server's decoder checks them.

The schemas come from the ``kubernetes-validate`` package (Kubernetes' JSON schemas, one set per server
version); its Python code is never imported (it pulls in jsonschema and friends), only its data directory
is read, once per process and only when a built-in object is first written. The walk reports what the API
server reports:

- a value of the wrong JSON type is a decoding error (HTTP 400, ``ConfigMap in version "v1" cannot be
  handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string``);
- a field the schema requires that is missing or null is a 422 ``Required value`` cause;
- a value outside a schema ``enum`` is a 422 ``Unsupported value`` cause.

Unknown fields are not rejected (the API server drops them unless the client asks for strict validation).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PACKAGE = "kubernetes_validate"
Schema = dict[str, Any]
Cause = dict[str, str]


@dataclass
class Findings:
    """What a walk found: the first decoding error (or "") and the validation causes."""

    decode_error: str = ""
    causes: list[Cause] = field(default_factory=list)


def _schema_dir(server_version: str) -> Path | None:
    """The newest schema set not newer than ``server_version`` (``v1.35.0`` -> ``v1.35.0-local``)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"

    def key(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.lstrip("v").split("-")[0].split(".")[:2] if p.isdigit())

    wanted = key(server_version)
    sets = sorted((d for d in root.glob("v*-local") if key(d.name) <= wanted), key=lambda d: key(d.name))
    return sets[-1] if sets else None


@functools.lru_cache(maxsize=4)
def definitions(server_version: str) -> dict[str, Schema]:
    """Every definition of the version's schema set by name (``io.k8s.api.core.v1.Service``); {} without it."""
    directory = _schema_dir(server_version)
    if directory is None:
        logger.debug("no Kubernetes schemas for %s (package %s missing)", server_version, PACKAGE)
        return {}
    with (directory / "_definitions.json").open(encoding="utf-8") as f:
        defs: dict[str, Schema] = json.load(f)["$defs"]
    logger.debug("schemas loaded dir=%s definitions=%d", directory, len(defs))
    return defs


@functools.lru_cache(maxsize=512)
def _root_name(server_version: str, group: str, version: str, kind: str) -> str | None:
    for name, schema in definitions(server_version).items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            if (gvk.get("group"), gvk.get("version"), gvk.get("kind")) == (group, version, kind):
                return name
    return None


def _ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _go_type(schema: Schema, defs: dict[str, Schema]) -> str:
    """How Go names the field's type in a decoding error (``int32``, ``[]v1.ServicePort``, ``map[string]string``)."""
    ref = _ref_name(schema)
    if ref:
        parts = ref.split(".")
        return f"{parts[-2]}.{parts[-1]}" if len(parts) > 1 else ref
    types = schema.get("type") or []
    kinds = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    kind = kinds[0] if kinds else "object"
    if kind == "integer":
        return {"int32": "int32", "int64": "int64"}.get(str(schema.get("format")), "int")
    if kind == "number":
        return "float64"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        return "[]" + _go_type(schema.get("items") or {}, defs)
    if kind == "object":
        extra = schema.get("additionalProperties")
        return "map[string]" + (_go_type(extra, defs) if isinstance(extra, dict) else "interface {}")
    return "string"


_JSON_KINDS: dict[type, str] = {str: "string", list: "array", dict: "object"}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return _JSON_KINDS.get(type(value), "value")


def _matches(schema: Schema, value: Any, defs: dict[str, Schema]) -> bool:
    """Whether ``value`` has a JSON type the (resolved) schema allows; nulls always decode."""
    if value is None:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return any(_matches(s, value, defs) for s in schema.get("oneOf") or schema.get("anyOf") or [])
    types = schema.get("type")
    if not types:
        return True
    allowed = {types} if isinstance(types, str) else set(types)
    if isinstance(value, bool):
        return "boolean" in allowed
    if isinstance(value, int):
        return bool(allowed & {"integer", "number"})
    if isinstance(value, float):
        return "number" in allowed or ("integer" in allowed and value.is_integer())
    return _JSON_KINDS.get(type(value), "") in allowed


class _Walk:
    def __init__(self, defs: dict[str, Schema], findings: Findings) -> None:
        self.defs = defs
        self.findings = findings

    def resolve(self, schema: Schema) -> tuple[Schema, str | None]:
        name = _ref_name(schema)
        return (self.defs.get(name, {}), name) if name else (schema, None)

    def value(self, schema: Schema, value: Any, struct: str, go_path: str, path: str) -> None:
        """Check ``value`` against ``schema``; ``struct``/``go_path`` name it as Go's decoder does."""
        if self.findings.decode_error:
            return
        resolved, ref = self.resolve(schema)
        if not _matches(resolved, value, self.defs):
            number = f" {value}" if isinstance(value, float) and not value.is_integer() else ""
            self.findings.decode_error = (f"json: cannot unmarshal {_json_kind(value)}{number} into Go struct field "
                                          f"{struct}.{go_path} of type {_go_type(schema, self.defs)}")
            return
        if value is None:
            return
        enum = resolved.get("enum")
        if isinstance(enum, list) and enum and value not in enum:
            supported = ", ".join(json.dumps(e) for e in enum)
            self.findings.causes.append({"reason": "FieldValueNotSupported", "field": path,
                                         "message": f"Unsupported value: {json.dumps(value)}: supported values: "
                                                    f"{supported}"})
        if isinstance(value, list):
            items = resolved.get("items") or {}
            for i, item in enumerate(value):
                self.value(items, item, struct, go_path, f"{path}[{i}]")
        elif isinstance(value, dict):
            self.fields(resolved, value, ref.rsplit(".", 1)[-1] if ref else struct, go_path, path)

    def fields(self, schema: Schema, obj: dict[str, Any], struct: str, go_path: str, path: str) -> None:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if props is None and isinstance(extra, dict):  # a map: every value has the same schema
            for key, item in obj.items():
                self.value(extra, item, struct, go_path, f"{path}[{key}]")
            return
        for name in schema.get("required") or []:
            if obj.get(name) is None:
                self.findings.causes.append({"reason": "FieldValueRequired", "message": "Required value",
                                             "field": f"{path}.{name}" if path else name})
        for key, item in obj.items():
            sub = (props or {}).get(key)
            if sub is not None:
                self.value(sub, item, struct, f"{go_path}.{key}" if go_path else key,
                           f"{path}.{key}" if path else key)


def check(server_version: str, group: str, version: str, kind: str, obj: dict[str, Any]) -> Findings | None:
    """Check ``obj`` against its kind's schema; None when the kind has none (CRDs' kinds, or no package)."""
    name = _root_name(server_version, group, version, kind)
    if name is None:
        return None
    findings = Findings()
    walk = _Walk(definitions(server_version), findings)
    body = {k: v for k, v in obj.items() if k != "status"}  # status is the server's, written by controllers
    walk.fields(walk.defs[name], body, kind, "", "")
    findings.causes = [c for c in findings.causes if c["field"] not in ("apiVersion", "kind")]
    return findings
