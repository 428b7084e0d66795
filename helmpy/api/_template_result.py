"""``template``'s result in a module of its own: ``helmpy template`` builds this one dataclass (a frozen dataclass
is milliseconds of start-up), not its family's; see :mod:`helmpy.api.results`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TemplateResult:
    """``template``: the rendered text (``helmpy template``'s stdout), or the files ``output_dir`` got."""

    release_name: str
    manifest: str
    files: tuple[Path, ...]  #: with ``output_dir``, every file written (in order; a path may repeat)

    def to_dict(self) -> dict[str, Any]:
        return {"release_name": self.release_name, "manifest": self.manifest, "files": [str(p) for p in self.files]}
