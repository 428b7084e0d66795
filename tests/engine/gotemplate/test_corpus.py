"""Real public charts (tests/data/gocorpus) rendered by real ``helm template`` and by ``helmpy template``:
the same bytes for default values and for each chart's ``ci/*.yaml``, or the same first error line."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.helm

CORPUS = Path(__file__).resolve().parents[2] / "data" / "gocorpus"
# the corpus compares output, not speed: a loaded machine must not turn a big chart into a render timeout
ENV = {"TZ": "UTC", "HELMPY_RENDER_TIMEOUT": "600"}


@dataclass(frozen=True)
class Case:
    path: str
    values: str | None  # a values file inside the chart, None for the chart's defaults
    vendor: dict[str, str] = field(default_factory=dict)
    set: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()
    own_values: bool = False  # values is a corpus file (the entry's ``ci:``, relative to CORPUS), not the chart's

    @property
    def id(self) -> str:
        return f"{self.path}:{self.values or 'default'}"


def _cases() -> list[Case]:
    cases: list[Case] = []
    entries = [e for f in sorted(CORPUS.glob("*/corpus.yaml")) for e in (yaml.safe_load(f.read_text()) or {}).get("charts") or []]
    for entry in entries:
        chart = CORPUS / entry["path"]
        assert chart.is_dir(), f"a corpus.yaml names a missing chart: {entry['path']}"
        if (entry.get("set") or entry.get("mask")) and not entry.get("why"):
            raise AssertionError(f"{entry['path']}: set/mask without a why")
        values = entry.get("values")
        if values is None:
            values = [None] + sorted(str(p.relative_to(chart)) for p in (chart / "ci").glob("*.yaml"))
        own = sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / entry["ci"]).glob("*.yaml")) if entry.get("ci") else []
        assert not entry.get("ci") or own, f"{entry['path']}: no values files in ci: {entry['ci']}"
        for v, is_own in [(v, False) for v in values] + [(v, True) for v in own]:
            cases.append(Case(entry["path"], v, dict(entry.get("vendor") or {}), tuple(entry.get("set") or ()),
                              tuple(entry.get("mask") or ()), is_own))
    return cases


CASES = _cases()
# A vendored chart brings its own vendored dependencies (wordpress <- mariadb <- common).
VENDORS = {c.path: c.vendor for c in CASES}


def _vendor(chart: Path, vendor: dict[str, str], seen: tuple[str, ...] = ()) -> None:
    for name, src in vendor.items():
        assert src not in seen, f"vendor cycle: {' -> '.join((*seen, src))}"
        target = chart / "charts" / name
        if not target.exists():
            shutil.copytree(CORPUS / src, target)
            _vendor(target, VENDORS.get(src, {}), (*seen, src))


def _assemble(case: Case, tmp_path: Path) -> Path:
    """The chart with its vendored dependencies, as a directory Helm and helmpy both load."""
    dst = tmp_path / Path(case.path).name
    shutil.copytree(CORPUS / case.path, dst, symlinks=False)
    _vendor(dst, case.vendor, (case.path,))
    return dst


def _masked(text: str, patterns: tuple[str, ...]) -> str:
    for pattern in patterns:
        text = re.sub(pattern, lambda m: (m.group(1) if m.re.groups else "") + "<masked>", text)
    return text


def _documents(text: str) -> dict[str, str]:
    docs: dict[str, str] = {}
    for i, doc in enumerate(text.split("---\n# Source: ")[1:]):
        name, _, _rest = doc.partition("\n")
        docs[f"{name}#{i}"] = doc
    return docs


def _error(stderr: str) -> str:
    """The error a run printed: from its first ``Error:`` line on (before it: warnings), which may be several lines
    (a ``fail`` message, an ``include`` chain)."""
    lines = stderr.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("Error: ")), 0)
    return "\n".join(lines[first:])


def _args(case: Case, chart: Path) -> list[str]:
    args = ["template", "corpus", str(chart), "--namespace", "corpus"]
    if case.values:
        args += ["-f", str((CORPUS if case.own_values else chart) / case.values)]
    for s in case.set:
        args += ["--set", s]
    return args


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One helmpy cache home for the whole corpus, as a user's machine has: the parse trees of a chart's
    templates are stored by its first case and read by the others (tests/engine/gotemplate/test_tree_cache.py
    checks that a render from stored trees equals a fresh one)."""
    return tmp_path_factory.mktemp("corpus-cache")


def test_corpus_is_large_enough() -> None:
    """The issue's bar: at least 40 charts from at least 6 repositories, each source with its licence."""
    paths = {c.path for c in CASES}
    sources = {p.split("/")[0] for p in paths}
    for source in sources:
        assert list((CORPUS / source).glob("LICENSE*")), f"{source}: no LICENSE"
        assert (CORPUS / source / "SOURCE.md").is_file(), f"{source}: no SOURCE.md"
    assert len(paths) >= 40 and len(sources) >= 6, (len(paths), sorted(sources))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_chart_renders_as_helm_renders_it(case: Case, cli, helm, tmp_path: Path, shared_cache: Path) -> None:
    chart = _assemble(case, tmp_path)
    args = _args(case, chart)
    theirs = helm(*args, check=False, extra_env=ENV)
    ours = cli(*args, env={**ENV, "HELMPY_CACHE_HOME": str(shared_cache)})
    if theirs.returncode != 0:
        assert ours.exit_code == 1, f"helm failed but helmpy did not:\n{theirs.stderr}"
        assert _error(ours.stderr) == _error(theirs.stderr)
        return
    assert ours.exit_code == 0, ours.stderr
    mine, helms = _masked(ours.stdout, case.mask), _masked(theirs.stdout, case.mask)
    a, b = _documents(mine), _documents(helms)
    assert sorted(a) == sorted(b)
    differing = [n for n in b if a[n] != b[n]]
    assert not differing, "\n".join(f"{n}:\nhelm:   {b[n]!r}\nhelmpy: {a[n]!r}" for n in differing[:5])
    assert mine == helms
