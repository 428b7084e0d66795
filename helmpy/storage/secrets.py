"""Release records as Secrets (Helm's default ``secret`` driver), through any KubeClient.

Object name = record key, ``type: helm.sh/release.v1``, labels owner/name/status/version plus
createdAt (create) or modifiedAt (update) and the custom labels; ``data.release`` is base64 of the
encoded record text, exactly as the API shows what Helm writes. ConfigMapsDriver reuses this class.

``summaries`` (what ``list`` reads) keeps each record's summary in the parsed-inputs cache keyed by the
object's ``data.release`` text, so listing unchanged records decodes none of them (base64 twice, gunzip and
JSON cost ~1 ms a record; a cache hit is a hash and one small file).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import logging
from collections.abc import Callable
from typing import Any

from helmpy.diskcache import ValueCache
from helmpy.errors import KubeConflict, KubeError, KubeNotFound, ReleaseExists, ReleaseNotFound, StorageError
from helmpy.kube.client import KubeClient, KubeObject
from helmpy.release import codec
from helmpy.release.model import Release
from helmpy.storage import labels as lbl

logger = logging.getLogger(__name__)

#: The modules whose code decides a summary (bump the version when its shape changes).
_SUMMARY_MODULES = ("helmpy.release.codec", "helmpy.release.model", "helmpy.storage.secrets",
                    "helmpy.storage.configmaps", "helmpy.gunzip", "helmpy.jsondepth")
_SUMMARIES = ValueCache("release-summary", 1, depends_on=_SUMMARY_MODULES, settings=codec.decode_settings)


class SecretsDriver:
    """Helm's Secret storage; ``namespace=""`` lists every namespace."""

    name = "Secret"
    kind = "Secret"

    def __init__(self, kube: KubeClient, namespace: str = "default") -> None:
        self.kube = kube
        self.namespace = namespace

    # -- the object format (overridden by ConfigMapsDriver) ----------------------------------------
    def _payload(self, encoded: str) -> dict[str, Any]:
        return {"type": lbl.RELEASE_TYPE,
                "data": {"release": base64.b64encode(encoded.encode("ascii")).decode("ascii")}}

    def _encoded(self, obj: KubeObject) -> str:
        data = (obj.get("data") or {}).get("release") or ""
        try:
            return base64.b64decode(data, validate=True).decode("ascii")
        except (binascii.Error, ValueError) as err:
            raise StorageError(f"{self.kind} {obj['metadata'].get('name')}: data.release is not base64") from err

    def to_object(self, key: str, release: Release, stamp: str) -> KubeObject:
        """The storage object for a record (``stamp`` is createdAt or modifiedAt)."""
        meta = {"name": key, "namespace": release.namespace or self.namespace or "default",
                "labels": lbl.record_labels(release, stamp)}
        return {"apiVersion": "v1", "kind": self.kind, "metadata": meta, **self._payload(codec.encode(release))}

    def from_object(self, obj: KubeObject) -> Release:
        """Decode a storage object; custom labels come back from the object's labels."""
        meta = obj.get("metadata") or {}
        return self._labelled(codec.decode(self._encoded(obj), self._source(meta)), meta)

    def summary_from_object(self, obj: KubeObject) -> Release:
        """What ``list`` shows of a storage object (:func:`helmpy.release.codec.summarize`), through the cache."""
        meta = obj.get("metadata") or {}
        text = (obj.get("data") or {}).get("release")

        def summarize() -> dict[str, Any]:
            return codec.summarize(self._encoded(obj), self._source(meta))

        if not isinstance(text, str):
            return self._labelled(codec.from_summary(summarize()), meta)
        summary = _SUMMARIES.cached(text.encode("utf-8", "surrogatepass"), summarize, extra=self.kind)
        return self._labelled(codec.from_summary(summary), meta)

    def _source(self, meta: dict[str, Any]) -> str:
        return f"{self.kind} {meta.get('namespace')}/{meta.get('name')}"

    @staticmethod
    def _labelled(rls: Release, meta: dict[str, Any]) -> Release:
        rls.labels = lbl.filter_system_labels(meta.get("labels"))
        rls.storage_labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        return rls

    # -- Driver ------------------------------------------------------------------------------------
    def _scope(self) -> str | None:
        return self.namespace or None

    def _list(self, selector: str, decode: Callable[[KubeObject], Release] | None = None) -> list[Release]:
        try:
            items = self.kube.list("v1", self.kind, self._scope(), selector)
        except KubeError as err:
            raise StorageError(f"list: failed to list {self.kind}s: {err}") from err
        out = []
        for item in items:
            try:
                out.append((decode or self.from_object)(item))
            except StorageError as err:  # like Helm: skip what cannot be decoded (Helm only logs it with --debug)
                logger.warning("skipping a release record that cannot be decoded: %s", err)
        return out

    def get(self, key: str) -> Release:
        try:
            obj = self.kube.get("v1", self.kind, key, self.namespace or "default")
        except KubeError as err:
            raise StorageError(f"get: failed to get {key!r}: {err}") from err
        if obj is None:
            raise ReleaseNotFound(lbl.NOT_FOUND)
        return self.from_object(obj)

    def list(self, keep: Callable[[Release], bool] | None = None) -> list[Release]:
        return [r for r in self._list("owner=helm") if keep is None or keep(r)]

    def summaries(self) -> builtins.list[Release]:
        return self._list("owner=helm", self.summary_from_object)

    def query(self, labels: dict[str, str]) -> builtins.list[Release]:
        found = self._list(lbl.equality_selector(labels))
        if not found:
            raise ReleaseNotFound(lbl.NOT_FOUND)
        return found

    def create(self, key: str, release: Release) -> None:
        obj = self.to_object(key, release, "createdAt")
        try:
            self.kube.create(obj)
        except KubeConflict as err:
            raise ReleaseExists(lbl.ALREADY_EXISTS) from err
        except KubeError as err:
            raise StorageError(f"create: failed to create: {err}") from err

    def update(self, key: str, release: Release) -> None:
        obj = self.to_object(key, release, "modifiedAt")
        try:
            self.kube.replace(obj)
        except KubeNotFound as err:
            raise ReleaseNotFound(lbl.NOT_FOUND) from err
        except KubeError as err:
            raise StorageError(f"update: failed to update: {err}") from err

    def delete(self, key: str) -> Release:
        with self.kube.transaction():
            rls = self.get(key)
            try:
                self.kube.delete("v1", self.kind, key, self.namespace or rls.namespace or "default")
            except KubeError as err:
                raise StorageError(f"delete: failed to delete {key!r}: {err}") from err
        return rls
