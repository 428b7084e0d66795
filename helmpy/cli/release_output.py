"""How release data is printed: Helm's status block, history and list rows, release JSON (reference 7.5).

Only formatting lives here; the commands in ``release_cmds.py`` call actions and hand their results over.
Generic table/JSON/YAML writing is ``helmpy.cli.output``; the ``-o json|yaml`` documents themselves are
:mod:`helmpy.release.shapes` (shared with the Python API).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from helmpy.kube import printers
from helmpy.kube.printers import human_duration as human_duration  # re-exported: AGE formatting lives in printers
from helmpy.release.model import Release
from helmpy.release.shapes import go_time as go_time  # re-exported: the JSON shapes live in helmpy.release.shapes
from helmpy.release.shapes import list_item as list_item
from helmpy.release.shapes import release_data as release_data
from helmpy.release.shapes import status_data as status_data


def ansic(ts: datetime | None) -> str:
    """Go's ``time.ANSIC``: ``Mon Jan _2 15:04:05 2006``."""
    if ts is None:
        return ""
    ts = ts.astimezone(UTC)
    return f"{ts:%a %b} {ts.day:2d} {ts:%H:%M:%S %Y}"


def go_json(data: Any) -> str:
    """Compact JSON in the given key order, HTML-escaped like Go, newline-terminated."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def structured(data: Any, fmt: str) -> str:
    if fmt == "json":
        return go_json(data)
    from helmpy import yamlutil  # PyYAML only when YAML is printed

    return yamlutil.dump(data)


def values_yaml(values: dict[str, Any]) -> str:
    from helmpy import yamlutil

    return yamlutil.dump(values) if values else "null\n"


def status_block(rel: Release, *, resources: dict[str, list[dict[str, Any]]] | None = None,
                 show_metadata: bool = False, show_values: bool = False, computed: dict[str, Any] | None = None,
                 show_manifest: bool = False, hide_notes: bool = False, lock: Any = None,
                 explanation: str = "", now: datetime | None = None, cluster: str = "") -> str:
    """Helm's ``statusPrinter.WriteTable``, plus helmpy's lock lines for pending releases and, for
    ``status``, a ``CLUSTER:`` line naming the cluster in use (so the embedded one is never a surprise)."""

    out: list[str] = [f"NAME: {rel.name}"]
    if rel.info.last_deployed:
        out.append(f"LAST DEPLOYED: {ansic(rel.info.last_deployed)}")
    out.append(f"NAMESPACE: {rel.namespace}")
    if cluster:
        out.append(f"CLUSTER: {cluster}")
    out += [f"STATUS: {rel.info.status}", f"REVISION: {rel.version}"]
    if show_metadata and rel.chart is not None:
        out += [f"CHART: {rel.chart.name}", f"VERSION: {rel.chart.version}", f"APP_VERSION: {rel.chart.app_version}"]
    out.append(f"DESCRIPTION: {rel.info.description}")
    if lock is not None:
        out.append(f"LOCKED BY: {lock.describe(now)}")
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
        if h.last_run.started_at is None:
            continue
        text += (f"TEST SUITE:     {h.name}\nLast Started:   {ansic(h.last_run.started_at)}\n"
                 f"Last Completed: {ansic(h.last_run.completed_at)}\nPhase:          {h.last_run.phase}\n")
    if show_values:
        text += "USER-SUPPLIED VALUES:\n" + values_yaml(rel.config) + "\n"
        text += "COMPUTED VALUES:\n" + values_yaml(computed or {}) + "\n"
    if show_manifest:
        text += "HOOKS:\n" + hooks_text(rel) + f"MANIFEST:\n{rel.manifest}\n"
    if not hide_notes and rel.info.notes:
        text += f"NOTES:\n{rel.info.notes.strip()}\n"
    return text


def hooks_text(rel: Release) -> str:
    return "".join(f"---\n# Source: {h.path}\n{h.manifest}\n" for h in rel.hooks)


def resource_table(objects: list[dict[str, Any]], now: datetime | None) -> str:
    """One kind's live objects as kubectl prints them (``kube/printers.py``'s columns, kubectl's tabwriter)."""
    kind = str(objects[0].get("kind") or "") if objects else ""
    columns = [c for c in printers.columns_for(kind) if c.priority == 0]
    rows = [[printers.cell_text(cell) for cell in printers.row(o, columns, now)] for o in objects]
    return kubectl_table([c.name.upper() for c in columns], rows)


def kubectl_table(headers: list[str], rows: list[list[str]]) -> str:
    """Go's tabwriter as kubectl sets it up (min width 6, padding 3, spaces); the last column is not padded."""
    lines = [headers, *rows]
    widths = [max(6, max(len(r[i]) for r in lines) + 3) for i in range(len(headers) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(r, widths)) + r[-1] + "\n" for r in lines)
LIST_HEADERS = ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
HISTORY_HEADERS = ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]
UNLIMITED = 1 << 30  # a column width cap that never cuts


def metadata_text(meta: Any) -> str:
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
