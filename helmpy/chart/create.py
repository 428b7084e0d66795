"""``helmpy create``: write a new chart from a built-in scaffold (or a starter chart).

Two scaffolds live beside this module as package data, so each can be read and edited as a normal chart:
``scaffold/`` is helmpy's Jinja2 chart (the default), ``scaffold_go/`` is the chart ``helm create`` writes
(Go templates; Helm's scaffold, Apache License 2.0, Copyright The Helm Authors - see
``scaffold_go_NOTICE.md``), byte for byte. The placeholder ``<CHARTNAME>`` in any file is replaced by the
new chart's name, the same convention Helm uses for starters.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from helmpy import paths
from helmpy.errors import ChartError, ChartValidationError

logger = logging.getLogger(__name__)

PLACEHOLDER = "<CHARTNAME>"
NAME_PATTERN = "^[a-zA-Z0-9._-]+$"
_NAME_RE = re.compile(NAME_PATTERN)
MAX_NAME_LENGTH = 250
# --engine value -> scaffold directory (package data beside this module)
SCAFFOLDS = {"jinja2": "scaffold", "go": "scaffold_go"}


@dataclass
class CreateResult:
    """Where the chart was written and which existing files were overwritten (Helm warns on each)."""

    path: Path
    overwritten: list[Path] = field(default_factory=list)


def validate_chart_name(name: str) -> None:
    """Helm's ``create`` rule for new chart names (loading other charts is more lenient)."""
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ChartValidationError(f"chart name must be between 1 and {MAX_NAME_LENGTH} characters")
    if not _NAME_RE.match(name):
        raise ChartValidationError(f'chart name must match the regular expression "{NAME_PATTERN}"')


def scaffold_files(name: str, engine: str = "jinja2") -> dict[str, bytes]:
    """The built-in scaffold of ``engine`` as ``{relative path: content}`` with the chart name filled in."""
    if engine not in SCAFFOLDS:
        raise ChartError(f"unknown template engine {engine!r} (one of: {', '.join(SCAFFOLDS)})")
    root = resources.files("helmpy.chart") / SCAFFOLDS[engine]
    out: dict[str, bytes] = {}

    def walk(node: resources.abc.Traversable, rel: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            child_rel = f"{rel}/{child.name}" if rel else child.name
            if child.is_dir():
                walk(child, child_rel)
            else:
                out[child_rel] = child.read_bytes().replace(PLACEHOLDER.encode(), name.encode())

    walk(root, "")
    return out


def starter_files(starter: str, name: str) -> dict[str, bytes]:
    """A starter chart (a path, or a name under ``$HELMPY_DATA_HOME/starters``) with the name filled in."""
    src = Path(starter)
    if not src.is_absolute() and not src.exists():
        src = paths.data_home() / "starters" / starter
    if not (src / "Chart.yaml").is_file():
        raise ChartError(f"starter chart {starter!r} not found (looked for {src}/Chart.yaml)")
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for fname in sorted(filenames):
            full = Path(dirpath) / fname
            rel = full.relative_to(src).as_posix()
            out[rel] = full.read_bytes().replace(PLACEHOLDER.encode(), name.encode())
    return out


def create_chart(target: str | os.PathLike[str], starter: str | None = None, engine: str = "jinja2") -> CreateResult:
    """Create the chart directory ``target`` (its basename is the chart name; the parent must exist).

    ``engine`` picks the built-in scaffold (``jinja2`` or ``go``); a ``starter`` is copied as it is.
    Existing scaffold files are overwritten and reported; other files in the directory are left.
    """
    target_path = Path(target)
    name = target_path.name
    validate_chart_name(name)
    parent = Path(os.path.abspath(target_path.parent if str(target_path.parent) else "."))
    if not parent.exists():
        raise ChartError(f"stat {parent}: no such file or directory")
    if not parent.is_dir():
        raise ChartError(f"no such directory {parent}")
    chart_dir = parent / name
    if chart_dir.exists() and not chart_dir.is_dir():
        raise ChartError(f"file {chart_dir} already exists and is not a directory")
    files = starter_files(starter, name) if starter else scaffold_files(name, engine)
    result = CreateResult(path=chart_dir)
    for rel, data in files.items():
        dest = chart_dir / rel
        if dest.exists():
            result.overwritten.append(dest)
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        dest.write_bytes(data)
        dest.chmod(0o644)
    (chart_dir / "charts").mkdir(exist_ok=True, mode=0o755)
    logger.debug("created chart name=%s path=%s files=%d", name, chart_dir, len(files))
    return result
