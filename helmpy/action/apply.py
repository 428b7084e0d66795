"""Make the cluster match a revision's manifest: create, update or delete objects (Helm's ``kube.Update``).

Objects are matched by group, kind, namespace and name; those dropped from the chart are deleted unless
their live object says ``helm.sh/resource-policy: keep``. Unchanged objects are not rewritten (the
KubeClient's ``apply`` is a no-op for them). Everything sent is stamped with the ownership metadata.

Each object costs one write and a read, as in Helm: the ownership check's read (or, for objects the
previous revision already owned, a read just before applying) tells created from updated from unchanged,
and the apply's response is the object as it now is. Where a chart has many objects of one kind in one
namespace (:data:`LIST_AT` or more), one LIST reads them all instead of a GET each (a LIST the cluster refuses,
e.g. RBAC allowing only ``get``, falls back to the GETs). Errors name the template an object came from (the
``# Source:`` line before it in the stored manifest) and keep the cluster's hint.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmpy.action import ownership
from helmpy.engine.manifests import sort_for_uninstall, split_documents
from helmpy.errors import HelmpyError, KubeApiStatus, KubeConnectionError, KubeError, ReleaseError
from helmpy.kube import parallel
from helmpy.kube.client import object_ref
from helmpy.release.model import Release, Status

if TYPE_CHECKING:
    from helmpy.diskcache import ValueCache

logger = logging.getLogger(__name__)

FIELD_MANAGER = "helm"  # Helm's SSA field manager, so Helm and helmpy can take turns on a release
SOURCE_PREFIX = "# Source: "

ObjectKey = tuple[str, str, str, str]
KindScopes = dict[tuple[str, str], bool]


def object_key(obj: dict[str, Any]) -> ObjectKey:
    """(group, kind, namespace, name): Helm matches objects across revisions by GroupKind, not version."""
    api = str(obj.get("apiVersion") or "")
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    meta = obj.get("metadata") or {}
    return group, str(obj.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or "")


class ManifestObjects(list):  # type: ignore[type-arg]
    """The objects of a manifest (a plain list of dicts to callers) plus what applying them wants to know.

    ``sources`` maps an object to its template, for error messages. ``observed`` is filled by
    :func:`check_ownership` with the resourceVersion it read (None: no such object) and used up by
    :func:`apply_objects`, so an object read for the ownership check is not read again before it is applied.
    """

    def __init__(self, objects: Iterable[dict[str, Any]] = ()) -> None:
        super().__init__(objects)
        self.sources: dict[ObjectKey, str] = {}
        self.observed: dict[ObjectKey, str | None] = {}


def parse_manifest(text: str, kube: Any, namespace: str, source: str = "manifest",
                   known_kinds: KindScopes | None = None) -> ManifestObjects:
    """The objects of a stored manifest, namespaced kinds defaulted to the release namespace.

    ``known_kinds`` maps (apiVersion, kind) to "is namespaced" for kinds the cluster may not serve yet:
    those defined by the chart's ``crds/``, which are created only after the manifest is checked.
    """
    objects = ManifestObjects()
    for template, doc in _documents(text, source):
        if not isinstance(doc, dict) or not doc.get("kind"):
            continue
        obj = with_namespace(doc, kube, namespace, known_kinds, template=template)
        objects.append(obj)
        if template:
            objects.sources[object_key(obj)] = template
    return objects


_PIECES: dict[str, bytes] = {}  # a manifest piece's text -> its documents (marshalled), parsed once per process
_MAX_PIECES = 8192


def piece_documents(piece: str, source: str, template: str) -> list[Any]:
    """The YAML documents of one manifest piece, as fresh objects (callers change them). A plan and the dry-run
    upgrade it runs read the same two manifests: YAML parsing is their slow part, so each piece is parsed once
    and kept as marshal bytes (a copy is one C call); documents marshal cannot keep exactly are parsed each time."""
    import marshal

    kept = _PIECES.get(piece)
    if kept is not None:
        return marshal.loads(kept)  # type: ignore[no-any-return]
    from helmpy import yamlutil

    docs = list(yamlutil.load_all(piece, f"{source} ({template})" if template else source, exc=ReleaseError))
    from helmpy.diskcache import round_trips

    if round_trips(docs):
        if len(_PIECES) >= _MAX_PIECES:
            _PIECES.clear()
        _PIECES[piece] = marshal.dumps(docs)
    return docs


@functools.lru_cache(maxsize=1)
def _manifest_cache() -> ValueCache:
    """Parsed manifests by content (:mod:`helmpy.diskcache`): an upgrade's current manifest is the last run's
    target, whose pieces that run parsed; with it, only the pieces the new render changed are parsed."""
    from helmpy.diskcache import ValueCache
    from helmpy.yamlcache import YAML_PARSER_MODULES, yaml_settings

    return ValueCache("manifest-pieces", 1, depends_on=(*YAML_PARSER_MODULES, "helmpy.engine.manifests"),
                      settings=yaml_settings)


def _documents(text: str, source: str) -> Iterator[tuple[str, Any]]:
    """(template, document) for each YAML document; the template is the piece's ``# Source:`` line ("" if none).

    Each piece's documents are kept (marshalled) by :func:`piece_documents`; a whole manifest's are also kept on
    disk by content, so another process reading the same manifest parses none of it."""
    pieces = split_documents(text)
    cache = _manifest_cache()
    raw = text.encode("utf-8", "surrogatepass")
    found, kept = cache.get(raw)
    if found and isinstance(kept, list):
        for piece, data in kept:
            _PIECES.setdefault(piece, data)
    for piece in pieces:
        first = piece.partition("\n")[0]
        template = first[len(SOURCE_PREFIX):].strip() if first.startswith(SOURCE_PREFIX) else ""
        for doc in piece_documents(piece, source, template):
            yield template, doc
    if not found:
        pairs = [(piece, _PIECES[piece]) for piece in pieces if piece in _PIECES]
        if len(pairs) == len(pieces):  # every piece kept exactly: the manifest can be
            cache.put(raw, pairs)


def crd_scopes(crds: list[Any]) -> KindScopes:
    """(apiVersion, kind) -> namespaced, for every version of every CRD in a chart's ``crds/``."""
    from helmpy import yamlutil

    scopes: KindScopes = {}
    for crd in crds:
        name, text = _crd_source(crd)
        for doc in yamlutil.load_all(text, name, exc=ReleaseError):
            spec = doc.get("spec") if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition" else None
            if not isinstance(spec, dict) or not isinstance(spec.get("names"), dict):
                continue
            kind = str(spec["names"].get("kind") or "")
            namespaced = spec.get("scope", "Namespaced") != "Cluster"
            versions = [v.get("name") for v in spec.get("versions") or [] if isinstance(v, dict)]
            if spec.get("version"):
                versions.append(spec["version"])
            for version in versions:
                scopes[(f"{spec.get('group')}/{version}", kind)] = namespaced
    return scopes


def with_namespace(obj: dict[str, Any], kube: Any, namespace: str, known_kinds: KindScopes | None = None,
                   *, template: str = "") -> dict[str, Any]:
    """Fill ``metadata.namespace`` for namespaced kinds; a kind the cluster does not serve is a KubeError
    naming the object and ``template`` (Helm's "resource mapping not found"), with the cluster's hint."""
    meta = obj.setdefault("metadata", {}) if isinstance(obj.get("metadata"), dict) else None
    if meta is None:
        raise KubeError(f"{obj.get('kind')}: metadata must be a map{_origin(template)}")
    key = (str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
    try:
        namespaced = known_kinds[key] if known_kinds and key in known_kinds else kube.is_namespaced(*key)
    except (KubeConnectionError, KubeApiStatus):
        raise  # the cluster could not be asked: not a mapping problem, and the error already says where
    except KubeError as err:
        raise reworded(err, f"resource mapping not found for name: \"{meta.get('name', '')}\" namespace: "
                            f"\"{meta.get('namespace') or ''}\"{_origin(template)}: {err.message}") from err
    if namespaced:
        if not meta.get("namespace"):
            meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    return obj


def _origin(template: str) -> str:
    return f' from "{template}"' if template else ""


def reworded(err: HelmpyError, message: str) -> HelmpyError:
    """``err`` with a new message that adds context: same class, hint and details (the hint says what to do,
    e.g. ``--force-conflicts``)."""
    new = copy.copy(err)
    new.message = message
    new.args = (message,)
    return new


LIST_AT = 32  # objects of one kind in one namespace read by one LIST instead of one GET each


def read_live(kube: Any, objects: Iterable[dict[str, Any]],
              new_kinds: KindScopes | None = None) -> dict[ObjectKey, dict[str, Any] | None]:
    """The live object (None: none) of every named object, by :func:`object_key`. A group of :data:`LIST_AT`
    or more objects of one apiVersion and kind in one namespace is read with one LIST; the others, and a group
    whose LIST the cluster refuses, with a GET each. Objects of ``new_kinds`` (the chart's own CRDs, not
    created yet) cannot exist; for any other kind the cluster's error is raised."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for obj in objects:
        meta = obj.get("metadata") or {}
        if meta.get("name"):  # generateName objects cannot exist yet
            groups.setdefault((str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("namespace") or "")),
                              []).append(obj)
    live: dict[ObjectKey, dict[str, Any] | None] = {}
    workers = parallel.parallel_requests(kube)
    for (api_version, kind, ns), members in groups.items():
        listed = _listed(kube, api_version, kind, ns) if ns and len(members) >= LIST_AT else None
        if listed is not None:
            live.update((object_key(obj), listed.get(object_key(obj)[3])) for obj in members)
            continue

        def read(obj: dict[str, Any], api_version: str = api_version, kind: str = kind,
                 ns: str = ns) -> dict[str, Any] | None:
            found: dict[str, Any] | None = kube.get(api_version, kind, obj["metadata"]["name"], ns or None)
            return found

        for obj, outcome in zip(members, parallel.run_in_order(read, members, workers), strict=False):
            if isinstance(outcome, KubeError) and new_kinds and (api_version, kind) in new_kinds:
                outcome = None
            if isinstance(outcome, BaseException):
                raise outcome
            live[object_key(obj)] = outcome
    return live


def _listed(kube: Any, api_version: str, kind: str, namespace: str) -> dict[str, dict[str, Any]] | None:
    """Every object of a kind in a namespace, by name; None when the cluster refuses the LIST."""
    try:
        items = kube.list(api_version, kind, namespace)
    except KubeError as err:
        logger.debug("list %s %s in %s refused (%s): reading objects one by one", api_version, kind, namespace, err)
        return None
    return {str((o.get("metadata") or {}).get("name") or ""): o for o in items}


def check_ownership(kube: Any, objects: Iterable[dict[str, Any]], release: str, namespace: str, verb: str,
                    *, take_ownership: bool = False,
                    already_owned: set[ObjectKey] | None = None,
                    new_kinds: KindScopes | None = None) -> None:
    """Refuse objects that exist in the cluster but are not this release's (unless adopting).

    Objects the previous revision owned (``already_owned``) are not read; objects of ``new_kinds`` (defined
    by the chart's own ``crds/``, not created yet) cannot exist. What was read is remembered on
    :class:`ManifestObjects` so that applying them does not read them again.
    """
    if take_ownership:
        return
    owned = already_owned or set()
    observed = objects.observed if isinstance(objects, ManifestObjects) else {}
    found = read_live(kube, [o for o in objects if object_key(o) not in owned], new_kinds)
    for key, live in found.items():
        if live is not None:
            ownership.check_importable(live, release, namespace, verb)
        observed[key] = _resource_version(live)


def _resource_version(obj: dict[str, Any] | None) -> str | None:
    return None if obj is None else str((obj.get("metadata") or {}).get("resourceVersion") or "")


@dataclass
class ApplyResult:
    """What changed in the cluster."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    created_objects: list[dict[str, Any]] = field(default_factory=list)
    applied_objects: list[dict[str, Any]] = field(default_factory=list)


def apply_objects(kube: Any, current: list[dict[str, Any]], target: list[dict[str, Any]], release: str,
                  namespace: str, *, force: bool = False) -> ApplyResult:
    """Apply ``target`` (in manifest order), then delete what ``current`` had and ``target`` lacks."""
    result = ApplyResult()
    observed = target.observed if isinstance(target, ManifestObjects) else {}
    sources = target.sources if isinstance(target, ManifestObjects) else {}
    unread = [o for o in target if object_key(o) not in observed]
    versions = {key: _resource_version(live) for key, live in read_live(kube, unread).items()}
    versions.update(observed)
    observed.clear()
    def apply(obj: dict[str, Any]) -> dict[str, Any]:
        applied: dict[str, Any] = kube.apply(ownership.stamp(obj, release, namespace), field_manager=FIELD_MANAGER,
                                             force=force)
        return applied

    workers = parallel.parallel_requests(kube)
    for batch in _kind_batches(target):  # one kind at a time, its objects concurrently (Helm's batchPerform)
        for obj, outcome in zip(batch, parallel.run_in_order(apply, batch, workers), strict=False):
            key, ref = object_key(obj), object_ref(obj)
            before = versions.get(key)
            if isinstance(outcome, KubeError):
                raise reworded(outcome, f"failed to {'create' if before is None else 'update'} {ref}"
                                        f"{_origin(sources.get(key, ''))}: {outcome.message}") from outcome
            if isinstance(outcome, BaseException):
                raise outcome
            result.applied_objects.append(outcome)
            versions[key] = _resource_version(outcome)  # the same object twice in a manifest: then an update
            if before is None:
                result.created.append(ref)
                result.created_objects.append(outcome)
            elif before != _resource_version(outcome):
                result.updated.append(ref)
            else:
                result.unchanged.append(ref)
    wanted = {object_key(o) for o in target}
    dropped = [o for o in current if object_key(o) not in wanted]
    deleted, kept = delete_objects(kube, dropped)
    result.deleted, result.kept = deleted, kept
    logger.debug("applied release=%s created=%d updated=%d unchanged=%d deleted=%d kept=%d", release,
                 len(result.created), len(result.updated), len(result.unchanged), len(deleted), len(kept))
    return result


def _kind_batches(objects: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Runs of consecutive objects of one apiVersion and kind, in order."""
    batches: list[list[dict[str, Any]]] = []
    last: tuple[object, object] | None = None
    for obj in objects:
        kind = (obj.get("apiVersion"), obj.get("kind"))
        if kind != last or not batches:
            batches.append([])
            last = kind
        batches[-1].append(obj)
    return batches


def _object_kind(obj: dict[str, Any]) -> str:
    return str(obj.get("kind") or "")


def delete_objects(kube: Any, objects: list[dict[str, Any]],
                   propagation: str = "Background") -> tuple[list[str], list[str]]:
    """Delete in uninstall order; objects whose live copy says resource-policy keep survive."""
    deleted: list[str] = []
    kept: list[str] = []

    def delete(obj: dict[str, Any]) -> bool:
        meta = obj["metadata"]
        gone: bool = kube.delete(str(obj.get("apiVersion")), str(obj.get("kind")), meta["name"], meta.get("namespace"),
                                 propagation=propagation)
        return gone

    workers = parallel.parallel_requests(kube)
    for batch in _kind_batches(sort_for_uninstall(objects, _object_kind)):  # a kind at a time, as Helm deletes
        found = read_live(kube, batch)
        doomed = []
        for obj in batch:
            live = found.get(object_key(obj))
            if live is None:
                continue
            if ownership.keeps(live) or ownership.keeps(obj):
                kept.append(f"[{obj.get('kind')}] {obj['metadata'].get('name')}")
                continue
            doomed.append(obj)
        for obj, outcome in zip(doomed, parallel.run_in_order(delete, doomed, workers), strict=False):
            if isinstance(outcome, BaseException):
                raise outcome
            deleted.append(object_ref(obj))
    return deleted, kept


def install_crds(kube: Any, crds: list[Any]) -> list[str]:
    """Create CRDs from ``crds/`` that do not exist yet; existing ones are left alone (never upgraded)."""
    from helmpy import yamlutil

    created = []
    for crd in crds:
        name, text = _crd_source(crd)
        for doc in yamlutil.load_all(text, name, exc=ReleaseError):
            if not isinstance(doc, dict) or not doc.get("kind"):
                continue
            meta = doc.get("metadata") or {}
            if kube.get(str(doc.get("apiVersion")), str(doc.get("kind")), meta.get("name", ""), None) is None:
                kube.create(doc)
                created.append(object_ref(doc))
    return created


def _crd_source(crd: Any) -> tuple[str, str]:
    """CRD entries may be (path, File), File-like objects or text."""
    if isinstance(crd, tuple):
        path, f = crd
        data = getattr(f, "data", f)
    else:
        path = getattr(crd, "name", "crd")
        data = getattr(crd, "data", getattr(crd, "content", crd))
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return str(path), str(data)


def ensure_namespace(kube: Any, namespace: str) -> None:
    """``--create-namespace``: create it (label ``name=<ns>``) unless it exists."""
    from helmpy.errors import KubeConflict

    if kube.get("v1", "Namespace", namespace, None) is not None:
        return
    try:
        kube.create({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": namespace, "labels": {"name": namespace}}})
    except KubeConflict:
        pass


@dataclass
class Deployment:
    """One revision on its way to the cluster: the stored pending record and what to change."""

    release: Release
    current: list[dict[str, Any]]
    target: list[dict[str, Any]]
    pre_event: str
    post_event: str
    supersede: list[Release] = field(default_factory=list)
    description: str = ""


def deploy(cfg: Any, plan: Deployment, *, wait: bool = False, timeout: float = 300.0, no_hooks: bool = False,
           force: bool = False, wait_for_jobs: bool = False) -> ApplyResult:
    """Pre-hooks, apply, wait, post-hooks, then mark the revision deployed (older ones superseded).

    ``wait`` waits for the applied objects to be ready, Jobs only with ``wait_for_jobs`` (Helm's
    ``--wait-for-jobs``: without it a Job counts as ready once created).

    When nothing has to happen after the objects are applied (no wait, no post hooks), applying the
    objects and recording the release happen in one ``kube.transaction()``, so on the embedded cluster a
    crash leaves either both or neither.
    """
    from helmpy.action.hooks import describe, hooks_for, run_hooks

    rel = plan.release

    def record(r: Release) -> None:
        cfg.storage.update(r)

    if not no_hooks:
        plan.description = describe(plan.description, run_hooks(cfg.kube, rel, plan.pre_event, timeout,
                                                                 clock=cfg.clock, record=record))
    finish_now = not wait and (no_hooks or not hooks_for(rel, plan.post_event))
    with cfg.kube.transaction():
        result = apply_objects(cfg.kube, plan.current, plan.target, rel.name, rel.namespace, force=force)
        if finish_now:
            finalize(cfg, plan)
    if not finish_now:
        if wait:
            cfg.kube.wait_ready([o for o in result.applied_objects if wait_for_jobs or o.get("kind") != "Job"],
                                timeout)
        if not no_hooks:
            plan.description = describe(plan.description, run_hooks(cfg.kube, rel, plan.post_event, timeout,
                                                                     clock=cfg.clock, record=record))
        finalize(cfg, plan)
    return result


def finalize(cfg: Any, plan: Deployment) -> None:
    """Older revisions become superseded, the new one deployed."""
    for old in plan.supersede:
        if old.info.status != Status.SUPERSEDED:
            old.info.status = Status.SUPERSEDED
            cfg.storage.update(old)
    plan.release.info.status = Status.DEPLOYED
    plan.release.info.description = plan.description
    cfg.storage.update(plan.release)
