"""Run many one-expression templates through real ``helm template`` in one go.

Each case becomes its own template file ``templates/NNNN.yaml`` holding YAML comments, so any text is
valid YAML: the base64 of the expression's output (``printf "%v"`` or ``toJson``) and its ``typeOf``.
``render_all`` returns, per case, ``(text, go_type)`` as Helm printed them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

VALUES = """\
f: 1.5
big: 1000000
num: 3
s: hello
l: [1, "two", null]
m: {b: 2, a: {x: 1}}
"""

# The same values as Helm decodes them (every number a float64).
PY_VALUES: dict[str, object] = {"f": 1.5, "big": 1000000.0, "num": 3.0, "s": "hello", "l": [1.0, "two", None],
                                "m": {"b": 2.0, "a": {"x": 1.0}}}


def template_for(expr: str, mode: str) -> str:
    if mode == "json":
        body = f"{{{{ toJson ({expr}) | b64enc }}}}"
    else:
        body = f'{{{{ printf "%v" ({expr}) | b64enc }}}}'
    return f"# {body}\n# {{{{ typeOf ({expr}) }}}}\n"


def write_chart(root: Path, cases: list[tuple[str, str]]) -> Path:
    chart = root / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(VALUES)
    for i, (expr, mode) in enumerate(cases):
        (chart / "templates" / f"{i:04d}.yaml").write_text(template_for(expr, mode))
    return chart


def render_all(helm: Callable[..., object], root: Path, cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Helm's ``(output, typeOf)`` for every ``(expression, mode)``."""
    chart = write_chart(root, cases)
    proc = helm("template", "x", str(chart), extra_env={"TZ": "UTC"})
    out: dict[int, tuple[str, str]] = {}
    for doc in proc.stdout.split("# Source: c/templates/")[1:]:
        name, _, rest = doc.partition("\n")
        lines = rest.splitlines()
        text = base64.b64decode(lines[0][2:].strip()).decode("utf-8", "surrogateescape")
        out[int(name.split(".")[0])] = (text, lines[1][2:].strip())
    return [out[i] for i in range(len(cases))]


def helm_error(helm: Callable[..., object], root: Path, expr: str) -> str:
    """The ``Error:`` line Helm prints for a template that only evaluates ``expr``."""
    chart = root / "e"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: e\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(VALUES)
    (chart / "templates" / "t.yaml").write_text(f"# {{{{ {expr} }}}}\n")
    proc = helm("template", "x", str(chart), check=False, extra_env={"TZ": "UTC"})
    assert proc.returncode != 0, f"helm rendered {expr!r}: {proc.stdout}"  # type: ignore[attr-defined]
    return proc.stderr.strip().splitlines()[0]  # type: ignore[attr-defined]
