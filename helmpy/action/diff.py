"""``helmpy diff``: what an upgrade, install or rollback would change, and how two revisions or releases differ.

``diff upgrade``/``install``/``rollback`` compare the live objects with what the operation would apply, as
the API server would store it: the new revision is rendered exactly as ``upgrade --dry-run`` renders it,
then each object is applied inside :meth:`KubeClient.dry_run` (a server-side dry run on a real cluster, a
rolled-back transaction on the embedded one) with Helm's field manager and ownership stamp, so the answer
has the server's defaults and merges in it and the diff shows only what will really change - including
drift made behind the release's back. An object missing from the cluster is compared with the deployed
revision's manifest and shown as added. Objects the new revision drops are removed unless
``helm.sh/resource-policy: keep`` keeps them. CRDs (from ``crds/`` - which Helm creates on install and never
upgrades - and from templates) and hooks are listed in their own sections. Nothing is written, and the
release lock is not taken.

``diff revision`` and ``diff release`` compare stored manifests (no cluster state), objects matched by
group/kind/namespace/name, or for two releases by the template they came from.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from helmpy.action import apply as applying
from helmpy.action.config import Configuration
from helmpy.action.ownership import keeps, stamp_view
from helmpy.diff.compute import Options, Side, clean, compare
from helmpy.diff.drift import differs
from helmpy.diff.model import ADDED, CRDS, HOOKS, KEPT, RESOURCES, Change, ObjectId, Report
from helmpy.errors import HelmpyError, KubeConflict, KubeError, KubeNotFound, ReleaseNotFound, UsageError
from helmpy.kube.client import KubeClient
from helmpy.release.model import Release

logger = logging.getLogger(__name__)

CRD_KIND = "CustomResourceDefinition"
NOT_UPGRADED = "crds/: Helm creates CRDs on install and never upgrades them; not applied"
NOT_CREATED_ON_UPGRADE = "crds/: Helm creates CRDs on install only; not applied by an upgrade"
MISSING_LIVE = "missing from the cluster; compared with revision {revision}"


@dataclass
class DiffOptions:
    """What to compare and how (``helmpy diff`` flags beside those of the operation itself)."""

    compare: Options = field(default_factory=Options)
    hooks: bool = True  # --no-hooks turns the hooks section off
    include_tests: bool = False  # test hooks (helm.sh/hook: test) are left out unless asked
    crds: bool = True  # --skip-crds / --include-crds=false


@dataclass
class Entry:
    """One object of a manifest: the object (namespace defaulted), its stored text and template."""

    obj: dict[str, Any]
    text: str
    source: str

    @property
    def key(self) -> applying.ObjectKey:
        return applying.object_key(self.obj)


def manifest_entries(text: str, kube: KubeClient, namespace: str, known_kinds: applying.KindScopes | None = None,
                     source: str = "manifest") -> list[Entry]:
    """Each object of a stored manifest with its own text; a kind the cluster no longer serves keeps the
    namespace it was written with (a stored revision must stay comparable). Pieces are parsed once per process
    (:func:`helmpy.action.apply.piece_documents`): two revisions share most of their text, and the dry-run
    upgrade of a plan has read them already."""
    from helmpy import yamlutil
    from helmpy.engine.manifests import split_documents

    out = []
    scopes = dict(known_kinds or {})  # each kind's scope asked once, not once per object
    for piece in split_documents(text):
        first = piece.partition("\n")[0]
        template = first[len(applying.SOURCE_PREFIX):].strip() if first.startswith(applying.SOURCE_PREFIX) else ""
        docs = [d for d in applying.piece_documents(piece, source, template) if isinstance(d, dict) and d.get("kind")]
        for doc in docs:
            kind = (str(doc.get("apiVersion") or ""), str(doc.get("kind") or ""))
            if kind not in scopes:
                try:
                    scopes[kind] = kube.is_namespaced(*kind)
                except KubeError:
                    pass  # with_namespace asks again and words the error
            try:
                obj = applying.with_namespace(doc, kube, namespace, scopes, template=template)
            except KubeError:
                obj = doc
            out.append(Entry(obj, piece + "\n" if len(docs) == 1 else yamlutil.dump(doc), template))
    return out


def _section(obj: dict[str, Any]) -> str:
    return CRDS if obj.get("kind") == CRD_KIND else RESOURCES


def _live(kube: KubeClient, obj: dict[str, Any], chart_kinds: applying.KindScopes | None) -> dict[str, Any] | None:
    meta = obj.get("metadata") or {}
    if not meta.get("name"):
        return None  # generateName: always created
    key = (str(obj.get("apiVersion")), str(obj.get("kind")))
    try:
        live: dict[str, Any] | None = kube.get(key[0], key[1], meta["name"], meta.get("namespace"))
    except KubeError:
        if chart_kinds and key in chart_kinds:  # a kind of the chart's own crds/, not served yet
            return None
        raise
    return live


def _dry_apply(kube: KubeClient, obj: dict[str, Any], release: str, namespace: str, *, force: bool, new: bool,
               source: str) -> tuple[dict[str, Any] | None, str]:
    """The object as the server would store it after the apply, and a note when the apply conflicts with
    another field manager (then it is tried forced, and the note says the operation needs
    ``--force-conflicts``). None when a new object cannot be tried: its namespace or kind comes into being
    earlier in the same operation and a real server's dry run does not keep it."""
    applied: dict[str, Any] | None
    try:
        # clients copy what they send: the stamp need not copy the object first
        applied = kube.apply(stamp_view(obj, release, namespace), field_manager=applying.FIELD_MANAGER,
                             force=force)
    except KubeConflict as err:
        if force:
            raise
        applied, _ = _dry_apply(kube, obj, release, namespace, force=True, new=new, source=source)
        return applied, f"fails without --force-conflicts: {err.message}"
    except KubeNotFound:
        if new:
            return None, ""
        raise
    except KubeError as err:
        if new and "no matches for kind" in err.message:
            return None, ""
        raise applying.reworded(err, f"the operation would fail: {'create' if new else 'update'} "
                                     f"{ObjectId.of(obj).header()}{_origin(source)}: {err.message}") from err
    return applied, ""


def _origin(source: str) -> str:
    return f' from "{source}"' if source else ""


def _crd_docs(crds: list[Any]) -> list[Entry]:
    from helmpy import yamlutil
    from helmpy.errors import ReleaseError

    out = []
    for path, data in crds:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        for doc in yamlutil.load_all(text, str(path), exc=ReleaseError):
            if isinstance(doc, dict) and doc.get("kind"):
                out.append(Entry(doc, yamlutil.dump(doc), str(path)))
    return out


@dataclass
class Plan:
    """What a live comparison needs: the revision in the cluster now and the one about to replace it."""

    current: Release | None  # None: an install
    new: Release
    crds: list[Any] = field(default_factory=list)  # (path, bytes) of the chart's crds/
    installs_crds: bool = False  # install creates missing crds/ CRDs; upgrade and rollback do not
    force: bool = False
    after: str = "upgrade"


def live_report(cfg: Configuration, plan: Plan, opts: DiffOptions) -> Report:
    """Live objects against the dry-run apply of ``plan.new`` (see the module docstring). The cyclic
    collector is held off meanwhile (helmpy/gctune.py): the plan keeps two manifests' objects and every live
    object to its end, and its garbage is freed by reference counting."""
    from helmpy.gctune import paused_collection

    with paused_collection():
        return _live_report(cfg, plan, opts)


def _live_report(cfg: Configuration, plan: Plan, opts: DiffOptions) -> Report:
    kube, ns, name = cfg.kube, cfg.namespace, plan.new.name
    crd_entries = _crd_docs(plan.crds) if opts.crds else []
    chart_kinds = applying.crd_scopes(plan.crds) if plan.crds else None
    target = manifest_entries(plan.new.manifest, kube, ns, chart_kinds)
    current = manifest_entries(plan.current.manifest, kube, ns, chart_kinds) if plan.current else []
    report = Report(name, ns, "live", plan.after)
    previous = {e.key: e for e in current}
    with kube.dry_run():
        for crd in crd_entries:
            _crd_change(kube, crd, plan, opts, report)
        for entry in target:
            _target_change(kube, entry, previous.get(entry.key), plan, opts, report, chart_kinds)
    wanted = {e.key for e in target}
    for entry in current:
        if entry.key in wanted:
            continue
        live = _live(kube, entry.obj, chart_kinds)
        if live is None:
            continue
        oid = ObjectId.of(entry.obj)
        if keeps(live) or keeps(entry.obj):
            report.changes.append(Change(oid, KEPT, _section(entry.obj), source=entry.source))
            continue
        change = compare(oid, Side(live), Side(None), opts.compare, section=_section(entry.obj), source=entry.source)
        if change is not None:
            report.changes.append(change)
    if opts.hooks:
        report.changes += hook_changes(plan.current, plan.new, kube, ns, opts)
    return report


def _crd_change(kube: Any, crd: Entry, plan: Plan, opts: DiffOptions, report: Report) -> None:
    oid = ObjectId.of(crd.obj)
    live = _live(kube, crd.obj, None)
    if live is None:
        change = compare(oid, Side(None), Side(crd.obj), opts.compare, section=CRDS, source=crd.source,
                         note="" if plan.installs_crds else NOT_CREATED_ON_UPGRADE)
        if plan.installs_crds:
            try:
                kube.create(crd.obj)  # later objects of its kinds can then be tried (embedded cluster)
            except KubeError as err:
                logger.debug("dry-run create of %s failed: %s", oid.header(), err)
    else:
        try:
            predicted = kube.apply(crd.obj, field_manager=applying.FIELD_MANAGER, force=True)
        except KubeError as err:
            logger.debug("dry-run apply of %s failed: %s", oid.header(), err)
            predicted = crd.obj
        change = compare(oid, Side(live), Side(predicted), opts.compare, section=CRDS, source=crd.source,
                         note=NOT_UPGRADED)
    if change is not None:
        report.changes.append(change)
    else:
        report.unchanged += 1


def _as_stored(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the API server stores it where that differs from what was sent: a Secret's ``stringData`` is
    merged into ``data`` base64-encoded (it wins over ``data``) and never stored itself."""
    if obj.get("kind") != "Secret" or not isinstance(obj.get("stringData"), dict):
        return obj
    import base64

    out = {k: v for k, v in obj.items() if k != "stringData"}
    data = dict(out.get("data") or {})
    for key, value in obj["stringData"].items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    out["data"] = data
    return out


def _target_change(kube: Any, entry: Entry, previous: Entry | None, plan: Plan, opts: DiffOptions,
                   report: Report, chart_kinds: applying.KindScopes | None) -> None:
    live = _live(kube, entry.obj, chart_kinds)
    if live is not None and previous is not None and previous.text == entry.text and not differs(
            _as_stored(clean(stamp_view(entry.obj, plan.new.name, plan.new.namespace))), live):
        # the same configuration as last time, and every field it sets already has its value: applying it
        # changes nothing (server-side apply removes only fields a manager stops setting) - no need to ask
        report.unchanged += 1
        return
    oid, section = ObjectId.of(entry.obj), _section(entry.obj)
    predicted, conflict = _dry_apply(kube, entry.obj, plan.new.name, plan.new.namespace, force=plan.force,
                                     new=live is None, source=entry.source)
    if live is None:
        if previous is not None and plan.current is not None:  # the release has it, the cluster lost it
            change = compare(oid, Side(previous.obj, previous.text), Side(entry.obj, entry.text), opts.compare,
                             section=section, source=entry.source, change=ADDED,
                             note=MISSING_LIVE.format(revision=plan.current.version))
            if change is None:  # unchanged in the chart, but it will be created again
                change = compare(oid, Side(None), Side(entry.obj), opts.compare, section=section,
                                 source=entry.source, note=MISSING_LIVE.format(revision=plan.current.version))
        else:
            change = compare(oid, Side(None), Side(entry.obj), opts.compare, section=section, source=entry.source)
    else:
        change = compare(oid, Side(live), Side(predicted), opts.compare, section=section, source=entry.source,
                         note=conflict)
    if change is not None:
        report.changes.append(change)
    else:
        report.unchanged += 1


def _hook_entries(rel: Release | None, kube: Any, ns: str, opts: DiffOptions) -> dict[tuple[str, str], Entry]:
    out: dict[tuple[str, str], Entry] = {}
    for hook in (rel.hooks if rel is not None else []):
        if "test" in hook.events and not opts.include_tests:
            continue
        entries = manifest_entries(hook.manifest, kube, ns, source=hook.path)
        for entry in entries:
            entry.source = hook.path
            out[(str(entry.obj.get("kind")), str((entry.obj.get("metadata") or {}).get("name") or ""))] = entry
    return out


def hook_changes(before: Release | None, after: Release | None, kube: Any, ns: str, opts: DiffOptions) -> list[Change]:
    """Hooks of two revisions compared as stored (hooks are created anew each time they run)."""
    old, new = _hook_entries(before, kube, ns, opts), _hook_entries(after, kube, ns, opts)
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        b, a = old.get(key), new.get(key)
        obj = (a or b).obj  # type: ignore[union-attr]
        change = compare(ObjectId.of(obj), Side(b.obj, b.text) if b else Side(None),
                         Side(a.obj, a.text) if a else Side(None), opts.compare, section=HOOKS,
                         source=(a or b).source)  # type: ignore[union-attr]
        if change is not None:
            out.append(change)
    return out


# --- the use cases -----------------------------------------------------------------------------------
def upgrade(cfg: Configuration, uopts: Any, opts: DiffOptions) -> Report:
    """``diff upgrade``: ``uopts`` are the upgrade's own options (UpgradeOptions), run as a dry run."""
    from helmpy.action import upgrade as upgrading
    from helmpy.action.chartload import load_chart

    chart = load_chart(uopts.chart_ref, uopts.version, uopts.devel, uopts.repo_url, uopts.remote)
    crds = [(path, f.data) for path, f in chart.crd_objects()]
    result = upgrading.run(cfg, dataclasses.replace(uopts, dry_run=True, hide_secret=False), chart=chart)
    current = None
    if not result.installed:
        history = sorted(cfg.storage.history(uopts.name), key=lambda r: r.version)
        current = upgrading.current_release(history, uopts.name)
    plan = Plan(current, result.release, crds, installs_crds=result.installed and not uopts.skip_crds,
                force=uopts.force, after="install" if result.installed else "upgrade")
    opts = dataclasses.replace(opts, hooks=opts.hooks and not uopts.no_hooks, crds=opts.crds and not uopts.skip_crds)
    return live_report(cfg, plan, opts)


def install(cfg: Configuration, iopts: Any, opts: DiffOptions) -> Report:
    """``install --diff``: every object of a new release (InstallOptions, run as a dry run)."""
    from helmpy.action import install as installing
    from helmpy.action.chartload import load_chart

    chart = load_chart(iopts.chart_ref, iopts.version, iopts.devel, iopts.repo_url, iopts.remote)
    crds = [(path, f.data) for path, f in chart.crd_objects()]
    result = installing.run(cfg, dataclasses.replace(iopts, dry_run=True, hide_secret=False), chart=chart)
    plan = Plan(None, result.release, crds, installs_crds=not iopts.skip_crds, force=iopts.force_conflicts,
                after="install")
    opts = dataclasses.replace(opts, hooks=opts.hooks and not iopts.no_hooks, crds=opts.crds and not iopts.skip_crds)
    return live_report(cfg, plan, opts)


def rollback(cfg: Configuration, name: str, revision: int, opts: DiffOptions, *, force: bool = False) -> Report:
    """``diff rollback``: the live objects against the target revision (default: the previous one)."""
    from helmpy.action import rollback as rolling

    result = rolling.run(cfg, rolling.RollbackOptions(name=name, revision=revision, dry_run=True))
    history = sorted(cfg.storage.history(name), key=lambda r: r.version)
    plan = Plan(history[-1], result.release, force=force, after=f"rollback to revision {result.target.version}")
    return live_report(cfg, plan, opts)


def _revision(storage: Any, name: str, revision: int) -> Release:
    try:
        return storage.get(name, revision) if revision else storage.last(name)
    except ReleaseNotFound as err:
        raise ReleaseNotFound(f"release {name}: revision {revision} not found" if revision
                              else f"release: not found: {name}") from err


def manifest_report(before: Release, after: Release, kube: Any, opts: DiffOptions, *, by_template: bool = False,
                    labels: tuple[str, str] = ("", "")) -> Report:
    """Two stored revisions, object by object (or, ``by_template``, template by template)."""
    old = manifest_entries(before.manifest, kube, before.namespace)
    new = manifest_entries(after.manifest, kube, after.namespace)

    def index(entries: list[Entry]) -> dict[Any, Entry]:
        if not by_template:
            return {e.key: e for e in entries}
        out: dict[Any, Entry] = {}
        for e in entries:  # helm-diff's key for releases: the template, numbered when it holds several objects
            label, n = e.source or ObjectId.of(e.obj).header(), 1
            while (label if n == 1 else f"{label} {n}") in out:
                n += 1
            out[label if n == 1 else f"{label} {n}"] = e
        return out

    old_index, new_index = index(old), index(new)
    report = Report(after.name, after.namespace, labels[0], labels[1])
    for key in [*new_index, *(k for k in old_index if k not in new_index)]:
        b, a = old_index.get(key), new_index.get(key)
        obj = (a or b).obj  # type: ignore[union-attr]
        change = compare(ObjectId.of(obj), Side(b.obj, b.text) if b else Side(None),
                         Side(a.obj, a.text) if a else Side(None), opts.compare, section=_section(obj),
                         source=(a or b).source)  # type: ignore[union-attr]
        if change is None:
            report.unchanged += 1
            continue
        if by_template:
            change.label = str(key)
        report.changes.append(change)
    if opts.hooks:
        report.changes += hook_changes(before, after, kube, after.namespace, opts)
    return report


def revisions(cfg: Configuration, name: str, first: int, second: int, opts: DiffOptions) -> Report:
    """``diff revision NAME R1 [R2]``: revision R1 against R2 (default: the latest)."""
    from helmpy.action.install import validate_name

    validate_name(name)
    if first < 1 or second < 0:
        raise UsageError("revisions are numbers from 1")
    before, after = _revision(cfg.storage, name, first), _revision(cfg.storage, name, second)
    return manifest_report(before, after, cfg.kube, opts,
                           labels=(f"revision {before.version}", f"revision {after.version}"))


def parse_release_ref(ref: str, default_namespace: str) -> tuple[str, str]:
    """``NAME`` or ``NAMESPACE/NAME`` -> (namespace, name)."""
    from helmpy.action.install import validate_name

    namespace, _, name = ref.rpartition("/")
    validate_name(name)
    return namespace or default_namespace, name


def releases(cfg: Configuration, first: str, second: str, opts: DiffOptions) -> Report:
    """``diff release A B``: the latest revisions of two releases (``NAMESPACE/NAME`` reaches other namespaces),
    objects matched by template, since their names usually carry the release name."""
    from helmpy.storage.factory import make_driver
    from helmpy.storage.storage import Storage

    found = []
    for ref in (first, second):
        ns, name = parse_release_ref(ref, cfg.namespace)
        storage = cfg.storage if ns == cfg.namespace else Storage(make_driver(cfg.driver_name, cfg.kube, ns))
        try:
            found.append(_revision(storage, name, 0))
        except HelmpyError as err:
            raise ReleaseNotFound(f"release {name} in namespace {ns}: {err.message}") from err
    before, after = found
    return manifest_report(before, after, cfg.kube, opts, by_template=True,
                           labels=(f"release {before.name} ({before.namespace})",
                                   f"release {after.name} ({after.namespace})"))
