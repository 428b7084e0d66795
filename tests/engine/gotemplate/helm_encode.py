"""Render values through real Helm's ``toYaml``/``toJson``/... in one ``helm template`` run.

Each case becomes a key of the values file (written in flow style with YAML escapes, which both go-yaml
and helmpy's loader read identically); one template per function prints every case's result base64-encoded,
so nothing in the output depends on how Helm splits or parses manifests. Helm holds every number of a values
file as float64; :func:`as_helm_holds` gives the Python value the same types.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

FUNCS = ("toYaml", "toJson", "toYamlPretty", "toPrettyJson", "toRawJson")


def flow(value: Any) -> str:
    """A YAML flow spelling of ``value`` that go-yaml v2 and PyYAML read back the same."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        assert math.isfinite(value)
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mant, exp = text.split("e")
            text = f"{mant}.0e{exp}"  # PyYAML's YAML 1.1 float needs the dot
        return text
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            o = ord(ch)
            if ch in '"\\':
                out.append("\\" + ch)
            elif 0x20 <= o <= 0x7E:
                out.append(ch)
            elif o <= 0xFF:
                out.append(f"\\x{o:02x}")
            elif o <= 0xFFFF:
                out.append(f"\\u{o:04x}")
            else:
                out.append(f"\\U{o:08x}")
        out.append('"')
        return "".join(out)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(flow(v) for v in value) + "]"


def as_helm_holds(value: Any) -> Any:
    """Helm reads values files through JSON into float64: every integer becomes a float."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: as_helm_holds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_helm_holds(v) for v in value]
    return value


def write_chart(root: Path, cases: dict[str, Any], funcs: Iterable[str] = FUNCS) -> Path:
    chart = root / "enc"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: enc\nversion: 0.1.0\n")
    # each value sits in a one-item list: Helm drops nulls from a chart's default maps, never from lists
    lines = ["cases:"] + [f"  {name}: {flow([value])}" for name, value in cases.items()]
    (chart / "values.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for fn in funcs:
        (chart / "templates" / f"{fn}.yaml").write_text(
            f"fn: {fn}\n{{{{- range $k, $v := .Values.cases }}}}\n{{{{ $k }}}}: "
            f"{{{{ {fn} (index $v 0) | b64enc | quote }}}}\n{{{{- end }}}}\n")
    return chart


def helm_outputs(helm: Callable[..., Any], root: Path, cases: dict[str, Any],
                 funcs: Iterable[str] = FUNCS) -> dict[str, dict[str, str]]:
    """``{func: {case: text}}`` as real Helm prints each function of each case."""
    funcs = tuple(funcs)
    chart = write_chart(root, cases, funcs)
    proc = helm("template", "x", str(chart))
    out: dict[str, dict[str, str]] = {}
    for doc in yaml.safe_load_all(proc.stdout):
        if not doc:
            continue
        fn = doc.pop("fn")
        out[fn] = {k: base64.b64decode(v).decode("utf-8", "surrogateescape") for k, v in doc.items()}
    assert set(out) == set(funcs), proc.stdout[:2000]
    return out
