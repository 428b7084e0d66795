"""Which resources a real API server serves: apiVersion/kind -> plural and scope.

Read lazily from ``/api``, ``/apis`` and one ``/api(s)/<group>/<version>`` document per group-version,
cached for the life of the client (one command run), and refreshed once on a miss so kinds from
CustomResourceDefinitions installed by the same chart are found. No client library here: ``fetch``
is the transport (a GET returning parsed JSON, or None on 404).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from helmpy.errors import KubeError
from helmpy.kube.resources import ResourceType, split_api_version

logger = logging.getLogger(__name__)

Fetch = Callable[[str], "dict[str, Any] | None"]


class Discovery:
    """A per-run discovery cache over ``fetch(path)``."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._group_versions: list[str] | None = None
        self._resources: dict[str, dict[str, ResourceType]] = {}  # group/version -> kind -> type

    def invalidate(self) -> None:
        """Forget everything (after CRDs were installed, or on a miss)."""
        with self._lock:
            self._group_versions = None
            self._resources.clear()

    def group_versions(self) -> list[str]:
        """Every served ``group/version`` (``v1`` for the core group), preferred versions first per group."""
        with self._lock:
            if self._group_versions is None:
                self._group_versions = self._load_group_versions()
            return list(self._group_versions)

    def _load_group_versions(self) -> list[str]:
        core = self._fetch("/api") or {}
        out = [str(v) for v in core.get("versions") or []]
        for group in (self._fetch("/apis") or {}).get("groups") or []:
            out += [str(v.get("groupVersion")) for v in group.get("versions") or [] if v.get("groupVersion")]
        logger.debug("discovery: %d group-versions", len(out))
        return out

    def resources(self, api_version: str) -> dict[str, ResourceType]:
        """Kinds served in one group-version (empty when the group-version is not served)."""
        with self._lock:
            cached = self._resources.get(api_version)
        if cached is not None:
            return cached
        group, version = split_api_version(api_version)
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        doc = self._fetch(path) or {}
        found: dict[str, ResourceType] = {}
        for res in doc.get("resources") or []:
            name = str(res.get("name") or "")
            if not name or "/" in name or not res.get("kind"):  # subresources such as deployments/status
                continue
            found[str(res["kind"])] = ResourceType(group, version, str(res["kind"]), name, bool(res.get("namespaced")),
                                                   tuple(res.get("shortNames") or ()),
                                                   tuple(res.get("categories") or ()),
                                                   tuple(res.get("verbs") or ()))
        with self._lock:
            self._resources[api_version] = found
        return found

    def lookup(self, api_version: str, kind: str) -> ResourceType:
        """The resource serving ``api_version``/``kind``; refreshes once on a miss, then KubeError."""
        if not api_version or not kind:
            raise KubeError(f"object is missing apiVersion or kind (apiVersion={api_version!r}, kind={kind!r})")
        rt = self.resources(api_version).get(kind)
        if rt is None:
            logger.debug("discovery miss for %s %s; refreshing", api_version, kind)
            with self._lock:
                self._resources.pop(api_version, None)
                self._group_versions = None
            rt = self.resources(api_version).get(kind)
        if rt is None:
            served = api_version in self.group_versions()
            raise KubeError(f'no matches for kind "{kind}" in version "{api_version}": the cluster does not serve '
                            + ("this kind" if served else "this apiVersion"),
                            hint="install the CustomResourceDefinition first, or check apiVersion and kind")
        return rt

    def api_versions(self) -> list[str]:
        """``group/version`` and ``group/version/Kind`` strings, sorted (Helm's Capabilities.APIVersions)."""
        gvs = self.group_versions()
        with ThreadPoolExecutor(max_workers=8) as pool:  # a real cluster serves dozens of group-versions
            list(pool.map(self.resources, gvs))
        out: set[str] = set()
        for gv in gvs:
            out.add(gv)
            out.update(f"{gv}/{kind}" for kind in self.resources(gv))
        return sorted(out)
