"""From rendered files to a release manifest: document splitting, hook extraction and kind ordering.

Follows Helm's ``releaseutil`` exactly, quirks included (see helm-reference 5.5 and 7.7): files are
split with Helm's separator regex, each document's head (apiVersion, kind, metadata) is parsed,
``helm.sh/hook`` documents become hooks, and the rest is stable-sorted by install order.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from helmpy.errors import RenderError

logger = logging.getLogger(__name__)

HOOK_ANNOTATION = "helm.sh/hook"
HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight"
HOOK_DELETE_ANNOTATION = "helm.sh/hook-delete-policy"
HOOK_OUTPUT_LOG_ANNOTATION = "helm.sh/hook-output-log-policy"
HOOK_EVENTS = {
    "pre-install": "pre-install", "post-install": "post-install", "pre-delete": "pre-delete",
    "post-delete": "post-delete", "pre-upgrade": "pre-upgrade", "post-upgrade": "post-upgrade",
    "pre-rollback": "pre-rollback", "post-rollback": "post-rollback", "test": "test", "test-success": "test",
}
DEFAULT_DELETE_POLICY = "before-hook-creation"

INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
    "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
UNINSTALL_ORDER: tuple[str, ...] = (
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "Ingress", "IngressClass",
    "Service", "CronJob", "Job", "StatefulSet", "HorizontalPodAutoscaler", "Deployment", "ReplicaSet",
    "ReplicationController", "Pod", "DaemonSet", "RoleBindingList", "RoleBinding", "RoleList", "Role",
    "ClusterRoleBindingList", "ClusterRoleBinding", "ClusterRoleList", "ClusterRole", "CustomResourceDefinition",
    "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "ConfigMap", "SecretList", "Secret",
    "ServiceAccount", "PodDisruptionBudget", "PodSecurityPolicy", "LimitRange", "ResourceQuota", "NetworkPolicy",
    "Namespace", "PriorityClass",
)

_SEP = re.compile(r"(?:^|\s*\n)---\s*")
_SOURCE = re.compile(r"^# Source: (.*)$", re.M)


@dataclass
class Manifest:
    """One rendered document: its source path, text and parsed head.

    ``head`` is ``{"apiVersion", "kind", "metadata": {"name", "namespace", "annotations"}}`` with
    every key present ("" / {} when the document lacks it).
    """

    name: str
    content: str
    head: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.head.get("kind") or "")

    @property
    def api_version(self) -> str:
        return str(self.head.get("apiVersion") or "")

    @property
    def object_name(self) -> str:
        return str((self.head.get("metadata") or {}).get("name") or "")

    @property
    def namespace(self) -> str:
        return str((self.head.get("metadata") or {}).get("namespace") or "")

    @property
    def annotations(self) -> dict[str, str]:
        return dict((self.head.get("metadata") or {}).get("annotations") or {})


@dataclass
class HookDoc:
    """A document annotated ``helm.sh/hook`` (Helm's ``release.Hook`` before it runs)."""

    name: str
    kind: str
    path: str
    manifest: str
    events: list[str] = field(default_factory=list)
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    output_log_policies: list[str] = field(default_factory=list)

    @property
    def effective_delete_policies(self) -> list[str]:
        """The policies Helm applies: ``before-hook-creation`` when none is set."""
        return list(self.delete_policies) or [DEFAULT_DELETE_POLICY]


def split_documents(text: str) -> list[str]:
    """Helm's ``SplitManifests``: split on ``---`` at column 0, trim each piece, drop empty ones."""
    docs = []
    for piece in _split_sep(text.strip()):
        piece = piece.strip()
        if piece:
            docs.append(piece)
    return docs


def _split_sep(text: str) -> list[str]:
    r"""``_SEP.split(text)`` without the regex: ``\s*\n---`` backtracks at every run of indentation,
    which made splitting a 1,000-object chart cost ~25 ms. A separator starts where the whitespace run
    before ``\n---`` starts (never before the previous separator's end) and eats the whitespace after."""
    pieces = []
    pos = 0
    n = len(text)
    if text.startswith("---"):
        end = 3
        while end < n and text[end].isspace():
            end += 1
        pieces.append("")
        pos = end
    while True:
        i = text.find("\n---", pos)
        if i < 0:
            break
        start = i
        while start > pos and text[start - 1].isspace():
            start -= 1
        end = i + 4
        while end < n and text[end].isspace():
            end += 1
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return pieces


def _annotation_list(value: str) -> list[str]:
    return [p.strip().lower() for p in value.split(",")]


def _atoi(text: str) -> int:
    """Go's ``strconv.Atoi``; anything else is 0 (Helm's rule for hook weights)."""
    return int(text) if re.fullmatch(r"[+-]?\d+", text or "") else 0


def parse_head(doc: str, path: str) -> dict[str, Any]:
    """apiVersion, kind and metadata of a document; a YAML error names the file.

    The common simple layout is read by :func:`headscan.scan_head` (C-validated, no full parse); every
    other document, invalid ones included, goes through the full safe load below.
    """
    from helmpy.engine.headscan import scan_head  # PyYAML: only for documents whose heads are not cached

    head = scan_head(doc)
    if head is not None:
        return head
    return parse_head_full(doc, path)


def parse_head_full(doc: str, path: str) -> dict[str, Any]:
    """:func:`parse_head` by a full safe load of the document (the reference the fast scan must match)."""
    import yaml

    from helmpy import yamlutil

    try:
        data = yaml.load(doc, Loader=yamlutil._HelmLoader)  # noqa: S506 - the safe loader, go-yaml dialect
    except yaml.YAMLError as err:
        raise RenderError(f"YAML parse error on {path}: error converting YAML to JSON: "
                          f"{yamlutil.go_yaml_message(err)}") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        json_type = {str: "string", int: "number", float: "number", bool: "bool", list: "array"}.get(
            type(data), type(data).__name__)
        raise RenderError(f"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: "
                          f"cannot unmarshal {json_type} into Go value of type util.SimpleHead")
    meta = data.get("metadata")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise RenderError(f"YAML parse error on {path}: metadata must be a map, got {type(meta).__name__}")
    annotations = meta.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise RenderError(f"YAML parse error on {path}: metadata.annotations must be a map")
    for key, value in annotations.items():
        if not isinstance(value, str):
            raise RenderError(f"YAML parse error on {path}: metadata.annotations.{key}: annotation values "
                              f"must be strings, got {yamlutil.dump(value).strip()!r} (quote it)")
    for key in ("apiVersion", "kind"):
        if data.get(key) is not None and not isinstance(data.get(key), str):
            raise RenderError(f"YAML parse error on {path}: {key} must be a string")
    return {
        "apiVersion": data.get("apiVersion") or "",
        "kind": data.get("kind") or "",
        "metadata": {"name": str(meta.get("name") or ""), "namespace": str(meta.get("namespace") or ""),
                     "annotations": {str(k): v for k, v in annotations.items()}},
    }


def _order_key(kind: str, order: dict[str, int]) -> tuple[int, Any]:
    return (0, order[kind]) if kind in order else (1, kind)


_Item = TypeVar("_Item")


def _kind_attr(item: Any) -> str:
    return str(item.kind)


def sort_by_kind(items: Iterable[_Item], order: tuple[str, ...],
                 kind_of: Callable[[_Item], str] = _kind_attr) -> list[_Item]:
    """Stable sort by ``order``; unknown kinds after all known ones, by kind name."""
    index = {k: i for i, k in enumerate(order)}
    return sorted(items, key=lambda item: _order_key(kind_of(item), index))


def in_install_order(hooks: list[HookDoc], manifests: list[Manifest]) -> tuple[list[HookDoc], list[Manifest]]:
    """Hooks and manifests, each sorted by Helm's InstallOrder (what a release records and applies)."""
    return sort_by_kind(hooks, INSTALL_ORDER), sort_by_kind(manifests, INSTALL_ORDER)


def sort_manifests(files: dict[str, str]) -> tuple[list[HookDoc], list[Manifest]]:
    """Split rendered files into hooks and manifests, both sorted by install order."""
    hooks: list[HookDoc] = []
    generic: list[Manifest] = []
    collect_documents(files, hooks, generic)
    return in_install_order(hooks, generic)


def _is_manifest_file(path: str) -> bool:
    return not posixpath.basename(path).startswith("_") and not path.endswith("NOTES.txt")


class HeadStore(Protocol):
    """Where the heads of a rendered file's documents may be remembered by the file's content (the action layer
    passes :mod:`helmpy.diskcache`'s store; the engine itself never touches disk)."""

    def get(self, content: bytes, extra: str = "") -> tuple[bool, object]: ...

    def put(self, content: bytes, value: object, extra: str = "") -> None: ...


def _known_heads(store: HeadStore | None, raw: bytes, count: int) -> list[dict[str, Any]] | None:
    if store is None:
        return None
    found, heads = store.get(raw)
    return heads if found and isinstance(heads, list) and len(heads) == count else None


def collect_documents(files: dict[str, str], hooks: list[HookDoc], generic: list[Manifest],
                      head_store: HeadStore | None = None) -> None:
    """Append every document of ``files`` (in path order) to ``hooks`` or ``generic``, unsorted.

    On a YAML error what was appended so far stays: Helm hands those hooks back with the error and
    ``template --debug`` prints them after the rendered files. ``head_store`` remembers each file's heads
    (only of files whose every document parsed).
    """
    for path in sorted(files):
        content = files[path]
        if not _is_manifest_file(path) or not content.strip():
            continue
        docs = split_documents(content)
        raw = content.encode("utf-8", "surrogatepass") if head_store is not None else b""
        known = _known_heads(head_store, raw, len(docs))
        heads = []
        for index, doc in enumerate(docs):
            head = known[index] if known is not None else parse_head(doc, path)
            heads.append(head)
            annotations = head["metadata"]["annotations"]
            hook_value = annotations.get(HOOK_ANNOTATION)
            if hook_value is None:
                generic.append(Manifest(path, doc, head))
                continue
            events = []
            unknown = False
            for event in _annotation_list(hook_value):
                if event not in HOOK_EVENTS:
                    unknown = True
                    break
                events.append(HOOK_EVENTS[event])
            if unknown:
                logger.info("skipping unknown hooks: %s (%s)", hook_value, path)
                continue
            hooks.append(HookDoc(
                name=head["metadata"]["name"], kind=head["kind"], path=path, manifest=doc, events=events,
                weight=_atoi(annotations.get(HOOK_WEIGHT_ANNOTATION, "")),
                delete_policies=(_annotation_list(annotations[HOOK_DELETE_ANNOTATION])
                                 if HOOK_DELETE_ANNOTATION in annotations else []),
                output_log_policies=(_annotation_list(annotations[HOOK_OUTPUT_LOG_ANNOTATION])
                                     if HOOK_OUTPUT_LOG_ANNOTATION in annotations else []),
            ))
        if head_store is not None and known is None:
            head_store.put(raw, heads)


def rendered_files_text(files: dict[str, str]) -> str:
    """Every rendered manifest file, raw, as ``---\n# Source: <path>\n<text>\n`` (NOTES, partials and empty files
    left out): what Helm keeps as the manifest when the rendered YAML cannot be split, so ``--debug`` can show it.
    Path order here; Helm's is Go map order (random)."""
    return "".join(f"---\n# Source: {path}\n{files[path]}\n" for path in sorted(files)
                   if _is_manifest_file(path) and files[path].strip())


def manifest_text(manifests: list[Manifest]) -> str:
    """The release manifest: ``---\\n# Source: <path>\\n<doc>\\n`` per document."""
    return "".join(f"---\n# Source: {m.name}\n{m.content}\n" for m in manifests)


def hooks_text(hooks: list[HookDoc]) -> str:
    """Hooks as ``helm template`` prints them after the manifest."""
    return "".join(f"---\n# Source: {h.path}\n{h.manifest}\n" for h in hooks)


def sort_for_uninstall(items: Iterable[_Item], kind_of: Callable[[_Item], str] = _kind_attr) -> list[_Item]:
    """Delete order: Helm's UninstallOrder, unknown kinds last (by kind name), stable otherwise."""
    return sort_by_kind(items, UNINSTALL_ORDER, kind_of)


def parse_manifest_text(text: str) -> list[Manifest]:
    """Manifests back from a stored release manifest (``# Source:`` lines give their paths)."""
    out = []
    for doc in split_documents(text):
        m = _SOURCE.match(doc)
        name = m.group(1).strip() if m else ""
        content = doc[m.end():].lstrip("\n") if m else doc
        try:
            head = parse_head(content, name or "manifest")
        except RenderError as err:
            logger.debug("unparsable document in stored manifest: %s", err)
            head = {"apiVersion": "", "kind": "", "metadata": {"name": "", "namespace": "", "annotations": {}}}
        out.append(Manifest(name, content, head))
    return out
