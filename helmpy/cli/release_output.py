"""How release data is printed: Helm's status block, history and list rows, release JSON (reference 7.5).

Only formatting lives here; the commands in ``release_cmds.py`` call :class:`helmpy.Client` and hand its typed
results (:mod:`helmpy.api.results`) over. ``-o table|json|yaml`` is written by ``helmpy.cli.output.write``; the
``-o json|yaml`` documents are the results' ``to_dict()`` (:mod:`helmpy.release.shapes`), what the API returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from helmpy.api.results import Hook, Release, ReleaseMetadata, ReleaseSummary


def ansic(ts: datetime | None) -> str:
    """Go's ``time.ANSIC``: ``Mon Jan _2 15:04:05 2006``."""
    if ts is None:
        return ""
    ts = ts.astimezone(UTC)
    return f"{ts:%a %b} {ts.day:2d} {ts:%H:%M:%S %Y}"


def values_yaml(values: dict[str, Any]) -> str:
    from helmpy import yamlutil

    return yamlutil.dump(values) if values else "null\n"


def status_block(rel: Release, *, resources: dict[str, list[dict[str, Any]]] | None = None,
                 show_metadata: bool = False, show_values: bool = False, computed: dict[str, Any] | None = None,
                 show_manifest: bool = False, hide_notes: bool = False, locked_by: str = "",
                 explanation: str = "", now: datetime | None = None, cluster: str = "") -> str:
    """Helm's ``statusPrinter.WriteTable``, plus helmpy's lock lines for pending releases and, for
    ``status``, a ``CLUSTER:`` line naming the cluster in use (so the embedded one is never a surprise)."""

    out: list[str] = [f"NAME: {rel.name}"]
    if rel.last_deployed:
        out.append(f"LAST DEPLOYED: {ansic(rel.last_deployed)}")
    out.append(f"NAMESPACE: {rel.namespace}")
    if cluster:
        out.append(f"CLUSTER: {cluster}")
    out += [f"STATUS: {rel.status}", f"REVISION: {rel.revision}"]
    if show_metadata and rel.chart:
        out += [f"CHART: {rel.chart}", f"VERSION: {rel.chart_version}", f"APP_VERSION: {rel.app_version}"]
    out.append(f"DESCRIPTION: {rel.description}")
    if locked_by:
        out.append(f"LOCKED BY: {locked_by}")
    if explanation:
        out.append(f"NOTE: {explanation}")
    text = "\n".join(out) + "\n"
    if resources:
        text += "RESOURCES:\n"
        for key, objects in resources.items():
            items = [i for o in objects for i in (o.get("items") or [] if o.get("kind") == "PodList" else [o])]
            text += f"==> {key}\n" + (resource_table(items, now) if items else "") + "\n"
        text += "\n"  # Helm: "RESOURCES:\n%s\n"
    tests = [h for h in rel.hooks if "test" in h.events]
    if not tests:
        text += "TEST SUITE: None\n"
    for h in tests:
        if h.last_run_started is None:
            continue
        text += (f"TEST SUITE:     {h.name}\nLast Started:   {ansic(h.last_run_started)}\n"
                 f"Last Completed: {ansic(h.last_run_completed)}\nPhase:          {h.last_run_phase}\n")
    if show_values:
        text += "USER-SUPPLIED VALUES:\n" + values_yaml(rel.values) + "\n"
        text += "COMPUTED VALUES:\n" + values_yaml(computed or {}) + "\n"
    if show_manifest:
        text += "HOOKS:\n" + hooks_text(rel.hooks) + f"MANIFEST:\n{rel.manifest}\n"
    if not hide_notes and rel.notes:
        text += f"NOTES:\n{rel.notes.strip()}\n"
    return text


def hooks_text(hooks: Iterable[Hook]) -> str:
    return "".join(f"---\n# Source: {h.path}\n{h.manifest}\n" for h in hooks)


def list_item(release: ReleaseSummary, time_format: str = "") -> dict[str, Any]:
    """One ``list -o json`` element; ``--time-format`` (strftime) re-formats UPDATED."""
    item = release.to_dict()
    if time_format and release.updated:
        item["updated"] = release.updated.strftime(time_format)
    return item


def resource_table(objects: list[dict[str, Any]], now: datetime | None) -> str:
    """One kind's live objects as kubectl prints them (``kube/printers.py``'s columns, kubectl's tabwriter)."""
    from helmpy.kube import printers  # here: list and history print no live objects

    kind = str(objects[0].get("kind") or "") if objects else ""
    columns = [c for c in printers.columns_for(kind) if c.priority == 0]
    rows = [[printers.cell_text(cell) for cell in printers.row(o, columns, now)] for o in objects]
    return kubectl_table([c.name.upper() for c in columns], rows)


def kubectl_table(headers: list[str], rows: list[list[str]]) -> str:
    """Go's tabwriter as kubectl sets it up (min width 6, padding 3, spaces); the last column is not padded."""
    lines = [headers, *rows]
    widths = [max(6, max(len(r[i]) for r in lines) + 3) for i in range(len(headers) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + r[-1] + "\n" for r in lines)
LIST_HEADERS = ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
HISTORY_HEADERS = ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]
UNLIMITED = 1 << 30  # a column width cap that never cuts


def metadata_text(meta: ReleaseMetadata) -> str:
    d = meta.to_dict()

    def kv(m: dict[str, Any]) -> str:
        return ",".join(f"{k}={m[k]}" for k in sorted(m))

    method = {"ssa": "server-side apply", "csa": "client-side apply"}.get(meta.apply_method,
                                                                        "client-side apply (defaulted)")
    deps = ",".join(f"{x.get('name')}-{x.get('version')}" for x in meta.dependencies)
    return (f"NAME: {d['name']}\nCHART: {d['chart']}\nVERSION: {d['version']}\nAPP_VERSION: {d['appVersion']}\n"
            f"ANNOTATIONS: {kv(meta.annotations)}\nLABELS: {kv(meta.labels)}\nDEPENDENCIES: {deps}\n"
            f"NAMESPACE: {d['namespace']}\nREVISION: {d['revision']}\nSTATUS: {d['status']}\n"
            f"DEPLOYED_AT: {d['deployedAt']}\nAPPLY_METHOD: {method}\n")
