"""``helmpy lint``: run the lint rules over chart paths and decide which charts failed.

Rules live in :mod:`helmpy.chart.lint`; this module expands archives, renders the templates (release
``test-release``, like Helm) and applies ``--strict`` (warnings fail, and templates reading values
that do not exist are errors).
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmpy.chart.lint import (
    Linter,
    LintMessage,
    Severity,
    lint_chartfile,
    lint_crds,
    lint_dependencies,
    lint_rendered_templates,
    lint_templates_dir,
    lint_values_file,
)
from helmpy.chart.model import Chart
from helmpy.errors import HelmpyError

logger = logging.getLogger(__name__)

LINT_RELEASE_NAME = "test-release"


@dataclass
class LintOptions:
    """Flags of ``helmpy lint``."""

    strict: bool = False
    with_subcharts: bool = False
    quiet: bool = False
    namespace: str = "default"
    kube_version: str | None = None
    skip_schema_validation: bool = False


@dataclass
class ChartLintResult:
    """Findings for one path; ``errors`` are the messages that make it fail (plus fatal load errors)."""

    path: str
    messages: list[LintMessage] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)
    failed: bool = False

    @property
    def has_findings(self) -> bool:
        """Helm's HasWarningsOrErrors: anything above INFO, or a fatal error."""
        return bool(self.fatal) or any(m.severity > Severity.INFO for m in self.messages)


@dataclass
class LintReport:
    """All linted paths in order."""

    results: list[ChartLintResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.failed)

    @property
    def summary(self) -> str:
        return f"{len(self.results)} chart(s) linted, {self.failed} chart(s) failed"


def expand_paths(paths: list[str], with_subcharts: bool) -> list[str]:
    """With ``--with-subcharts`` add every chart directory and archive under each path's ``charts/``."""
    out = list(paths)
    if not with_subcharts:
        return out
    for p in paths:
        root = Path(p) / "charts"
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            if "Chart.yaml" in filenames:
                out.append(dirpath)
            for fname in sorted(filenames):
                if fname.endswith((".tgz", ".tar.gz")):
                    out.append(os.path.join(dirpath, fname))
    return out


def run_lint(paths: list[str], user_values: dict[str, Any], opts: LintOptions) -> LintReport:
    """Lint every path (after ``--with-subcharts`` expansion) and return the findings."""
    report = LintReport()
    for path in expand_paths(paths, opts.with_subcharts):
        report.results.append(lint_path(path, user_values, opts))
    return report


def lint_path(path: str, user_values: dict[str, Any], opts: LintOptions) -> ChartLintResult:
    """Lint one chart directory or archive."""
    result = ChartLintResult(path=path)
    if path.endswith((".tgz", ".tar.gz")) and os.path.isfile(path):
        with tempfile.TemporaryDirectory(prefix="helmpy-lint-") as tmp:
            try:
                chart_dir = _expand_archive(Path(path), Path(tmp))
            except HelmpyError as err:
                result.fatal.append(f"unable to extract tarball: {err}")
                result.failed = True
                return result
            return _lint_dir(result, chart_dir, user_values, opts)
    return _lint_dir(result, Path(path), user_values, opts)


def _expand_archive(archive: Path, dest: Path) -> Path:
    from helmpy.chart.archive import read_archive
    from helmpy.chart.loader import read_chart_archive

    members = read_archive(read_chart_archive(archive), str(archive))
    root = dest / "chart"
    for m in members:
        target = root / m.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(m.data)
    return root


def _lint_dir(result: ChartLintResult, chart_dir: Path, user_values: dict[str, Any],
              opts: LintOptions) -> ChartLintResult:
    if not (chart_dir / "Chart.yaml").exists():
        result.fatal.append(f"unable to check Chart.yaml file in chart: stat {chart_dir / 'Chart.yaml'}: "
                            "no such file or directory")
        result.failed = True
        return result
    linter = Linter(chart_dir)
    lint_chartfile(linter)
    lint_values_file(linter, user_values, opts.skip_schema_validation)
    chart = _lint_templates(linter, user_values, opts)
    if chart is None:
        chart = _load(linter, report_as="")
    if chart is not None:
        lint_dependencies(linter, chart)
        lint_crds(linter, chart)
    result.messages = linter.messages
    threshold = Severity.WARNING if opts.strict else Severity.ERROR
    result.failed = any(m.severity >= threshold for m in linter.messages)
    return result


def _load(linter: Linter, report_as: str) -> Chart | None:
    from helmpy.chart import loader

    try:
        return loader.load_dir(linter.chart_dir)
    except HelmpyError as err:
        text = f"unable to load chart\n\t{err}" if report_as == "" else str(err)
        linter.rule(Severity.ERROR, report_as, text)
        return None


def _lint_templates(linter: Linter, user_values: dict[str, Any], opts: LintOptions) -> Chart | None:
    """Load, render and check the templates; returns the loaded chart (None when it cannot be loaded)."""
    if not lint_templates_dir(linter):
        return None
    chart = _load(linter, report_as="templates/")
    if chart is None:
        return None
    try:
        rendered, missing = render_files(chart, user_values, opts)
    except HelmpyError as err:
        linter.rule(Severity.ERROR, "templates/", str(err))
        return chart
    if opts.strict:
        prefix = f"{chart.name}/"
        for miss in missing:
            where = miss.template[len(prefix):] if miss.template.startswith(prefix) else miss.template
            linter.rule(Severity.ERROR, where, f"template reads a value that does not exist: {miss.path}")
    lint_rendered_templates(linter, chart, rendered)
    return chart


def render_files(chart: Chart, user_values: dict[str, Any], opts: LintOptions) -> tuple[dict[str, str], list[Any]]:
    """Rendered text per root-chart template file (``templates/x.yaml``) and the missing values read.

    This is the render pipeline without the manifest split, because lint checks each file's raw
    text itself (indentation, YAML) and reports problems per file, like Helm's linter.
    """
    from helmpy.action.render import compute_values, use_template_cache
    from helmpy.action.template import make_capabilities
    from helmpy.engine.render import Limits, ReleaseContext, Renderer

    release = ReleaseContext(name=LINT_RELEASE_NAME, namespace=opts.namespace, revision=1, is_install=True,
                             is_upgrade=False)
    caps = make_capabilities(opts.kube_version, [])
    values = compute_values(chart, user_values, caps, skip_schema=opts.skip_schema_validation)
    use_template_cache()
    renderer = Renderer(release, caps, limits=Limits.offline(), lint_mode=True)  # Helm's LintMode (Go charts)
    files = renderer.render(chart, values)
    prefix = f"{chart.name}/"
    rendered = {name[len(prefix):]: text for name, text in files.items() if name.startswith(prefix)}
    return rendered, list(renderer.missing)
