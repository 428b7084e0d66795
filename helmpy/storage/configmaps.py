"""Release records as ConfigMaps (Helm's ``configmap`` driver): the Secret format with the encoded
record as plain ``data.release`` text and no ``type``."""

from __future__ import annotations

from typing import Any

from helmpy.kube.client import KubeObject
from helmpy.storage.secrets import SecretsDriver


class ConfigMapsDriver(SecretsDriver):
    """Helm's ConfigMap storage."""

    name = "ConfigMap"
    kind = "ConfigMap"

    def _payload(self, encoded: str) -> dict[str, Any]:
        return {"data": {"release": encoded}}

    def _encoded(self, obj: KubeObject) -> str:
        return str((obj.get("data") or {}).get("release") or "")
