"""``helmpy template``: render a chart locally and lay the result out exactly like ``helm template``.

The rendering itself is :func:`helmpy.action.render.render_release`; this module only resolves the
chart, builds the release context and capabilities, and turns the rendered release into Helm's
output text (manifest, then hooks, ``--show-only`` filtering, ``--output-dir`` files, CRDs).
"""

from __future__ import annotations

import fnmatch
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy.action.chartload import check_installable, load_chart
from helmpy.chart.model import Chart
from helmpy.engine.manifests import hooks_text, split_documents
from helmpy.errors import HelmpyError, InvalidReleaseName, UsageError

if TYPE_CHECKING:
    from helmpy.action.chartload import Verify
    from helmpy.action.chartref import RemoteOptions
    from helmpy.action.config import Configuration
    from helmpy.action.postrender import PostRenderer
    from helmpy.action.render import PartialRender

logger = logging.getLogger(__name__)

DEFAULT_RELEASE_NAME = "release-name"
DEBUG_HINT = "Use --debug flag to render out invalid YAML"
_RELEASE_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_RELEASE_NAME_LENGTH = 53
_SOURCE_RE = re.compile(r"# Source: [^/\n]+/([^\n]+)")


@dataclass
class TemplateOptions:
    """Flags of ``helmpy template`` (Helm's names)."""

    release_name: str | None = None
    generate_name: bool = False
    namespace: str = "default"
    show_only: list[str] = field(default_factory=list)
    output_dir: Path | None = None
    use_release_name: bool = False
    include_crds: bool = False
    kube_version: str | None = None
    api_versions: list[str] = field(default_factory=list)
    is_upgrade: bool = False
    skip_tests: bool = False
    no_hooks: bool = False
    skip_schema_validation: bool = False
    version: str | None = None
    devel: bool = False
    repo_url: str | None = None
    remote: RemoteOptions | None = None  # TLS/credential/--plain-http flags for a remote chart
    post_renderer: PostRenderer | None = None
    dependency_update: bool = False
    name_template: str = ""
    validate: bool = False  # --validate / --dry-run=server: render against the cluster and check every kind exists
    verify: Verify | None = None


@dataclass
class TemplateResult:
    """What ``helmpy template`` prints (``text``) and, with ``--output-dir``, the files it wrote."""

    text: str
    written: list[Path] = field(default_factory=list)
    release_name: str = DEFAULT_RELEASE_NAME


def validate_release_name(name: str) -> None:
    """Helm's rule for release names (a DNS-1123 subdomain of at most 53 characters)."""
    if not name or len(name) > MAX_RELEASE_NAME_LENGTH or not _RELEASE_NAME_RE.match(name):
        raise InvalidReleaseName(
            f'release name "{name}": invalid release name, must match regex {_RELEASE_NAME_RE.pattern} and the '
            f"length must not be longer than {MAX_RELEASE_NAME_LENGTH}")


def make_capabilities(kube_version: str | None, api_versions: list[str]) -> Any:
    """Engine capabilities from ``--kube-version`` / ``--api-versions`` (defaults when not given; extra API
    versions are added to Helm's built-in list)."""
    from helmpy.engine.render import DEFAULT_API_VERSIONS, Capabilities
    from helmpy.semverutil import try_parse

    kwargs: dict[str, Any] = {}
    if kube_version:
        if try_parse(kube_version) is None:
            raise UsageError(f"invalid kube version '{kube_version}': expected a version such as 1.30.0")
        kwargs["kube_version"] = kube_version if kube_version.startswith("v") else f"v{kube_version}"
    if api_versions:  # added to the built-in set, as Helm appends them
        kwargs["api_versions"] = [*DEFAULT_API_VERSIONS, *api_versions]
    return Capabilities(**kwargs)


def _is_test_hook(hook: Any) -> bool:
    return any(str(e) in ("test", "test-success") for e in getattr(hook, "events", []) or [])


def _crd_entries(rendered: Any, chart: Chart) -> list[tuple[str, str]]:
    """(display path, raw text) of every CRD file, whatever shape the engine hands back."""
    out: list[tuple[str, str]] = []
    crds = getattr(rendered, "crds", None)
    if crds is None:
        crds = chart.crd_objects()
    for item in crds:
        if isinstance(item, tuple):
            path, f = item
            data = getattr(f, "data", f)
        else:
            path = getattr(item, "path", None) or getattr(item, "filename", None) or item.name
            data = getattr(item, "data", None)
            if data is None:
                data = getattr(item, "content", "")
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        out.append((str(path), text))
    return out


def run_template(chart_ref: str, user_values: dict[str, Any], opts: TemplateOptions,
                 cfg: Configuration | None = None) -> TemplateResult:
    """Render ``chart_ref`` with ``user_values`` and return Helm's ``template`` output.

    With ``opts.validate`` the render uses ``cfg``'s cluster as an install would (its version and API versions,
    ``lookup``), and every rendered object's kind must be one the cluster serves (Helm 3's ``--validate``).
    """
    from helmpy.action.render import render_release
    from helmpy.engine.render import Limits, ReleaseContext

    chart = load_chart(chart_ref, opts.version, opts.devel, opts.repo_url, opts.remote,
                       dependency_update=opts.dependency_update, verify=opts.verify)
    name = opts.release_name
    if opts.name_template and not name:
        from helmpy.action.install import render_name_template

        name = render_name_template(opts.name_template)
    elif opts.generate_name or not name:
        name = f"{chart.name}-{int(time.time())}" if opts.generate_name else DEFAULT_RELEASE_NAME
    validate_release_name(name)
    check_installable(chart)
    release = ReleaseContext(name=name, namespace=opts.namespace, revision=1, is_install=not opts.is_upgrade,
                             is_upgrade=opts.is_upgrade)
    if opts.validate:
        if cfg is None:
            raise UsageError("--validate needs a cluster")
        from helmpy.action.install import cluster_lookup

        caps = cfg.get_capabilities()
        rendered = render_release(chart, user_values, release, caps, skip_schema=opts.skip_schema_validation,
                                  lookup=cluster_lookup(cfg.kube), post_renderer=opts.post_renderer)
        _validate(cfg, rendered, name, opts.namespace)
    else:
        caps = make_capabilities(opts.kube_version, opts.api_versions)
        rendered = render_release(chart, user_values, release, caps, skip_schema=opts.skip_schema_validation,
                                  limits=Limits.offline(), post_renderer=opts.post_renderer)
    hooks = [] if opts.no_hooks else [h for h in rendered.hooks if not (opts.skip_tests and _is_test_hook(h))]
    crds = _crd_entries(rendered, chart) if opts.include_crds else []
    if opts.output_dir is not None:
        written = _write_output_dir(opts, name, rendered.manifests, hooks, crds)
        return TemplateResult(text="\n", written=written, release_name=name)
    parts = [f"---\n# Source: {path}\n{text}\n" for path, text in crds]
    manifest = "".join(parts) + _manifest_text(rendered)
    out = manifest.strip() + "\n"
    out += hooks_text(hooks)
    if opts.show_only:
        out = _show_only(out, opts.show_only)
    return TemplateResult(text=out, release_name=name)


def _validate(cfg: Configuration, rendered: Any, name: str, namespace: str) -> None:
    """Every manifest and hook object must be of a kind the cluster serves (or one the chart's crds/ define)."""
    from helmpy.action import apply as applying

    kinds = applying.crd_scopes(list(rendered.crds))
    applying.parse_manifest(rendered.manifest, cfg.kube, namespace, f"release {name} manifest", kinds)
    for hook in rendered.hooks:
        applying.parse_manifest(f"# Source: {hook.path}\n{hook.manifest}", cfg.kube, namespace,
                                f"release {name} hook", kinds)


def add_debug_hint(err: HelmpyError) -> None:
    """Helm's ``template`` advice on a render error: the message gains ``\n\nUse --debug flag ...``."""
    err.message = f"{err.message}\n\n{DEBUG_HINT}"


def debug_output(partial: PartialRender, opts: TemplateOptions) -> str:
    """What ``helm template --debug`` prints on stdout before a render error (see ``render.partial_render``).

    The partial manifest (the raw rendered files when the YAML was invalid) trimmed, then the hooks found
    before the failing file (unless ``--no-hooks``/``--skip-tests`` drop them, or ``--output-dir``, where
    Helm writes them to files instead: helmpy leaves them out), then ``--show-only`` filtering; a pattern
    matching nothing raises ``could not find template``, which replaces the render error (Helm 4.1.4).
    """
    out = partial.manifest.strip() + "\n"
    if not opts.no_hooks and opts.output_dir is None:
        out += hooks_text([h for h in partial.hooks if not (opts.skip_tests and _is_test_hook(h))])
    return _show_only(out, opts.show_only) if opts.show_only else out


def _manifest_text(rendered: Any) -> str:
    text = getattr(rendered, "manifest", None)
    if text is not None:
        return str(text)
    return "".join(f"---\n# Source: {m.name}\n{m.content}\n" for m in rendered.manifests)


def _matches(pattern: str, path: str) -> bool:
    """Go's filepath.Match: ``*`` and ``?`` never cross ``/``."""
    if pattern.count("/") != path.count("/"):
        return False
    return all(fnmatch.fnmatchcase(p, q) for p, q in zip(path.split("/"), pattern.split("/"), strict=True))


def _show_only(output: str, patterns: list[str]) -> str:
    docs = split_documents(output)
    chosen: list[str] = []
    for pattern in patterns:
        pattern = pattern.replace("\\", "/")
        found = False
        for doc in docs:
            m = _SOURCE_RE.search(doc)
            if m and _matches(pattern, m.group(1)):
                chosen.append(doc)
                found = True
        if not found:
            raise HelmpyError(f"could not find template {pattern} in chart")
    return "".join(f"---\n{doc}\n" for doc in chosen)


def _write_output_dir(opts: TemplateOptions, name: str, manifests: list[Any], hooks: list[Any],
                      crds: list[tuple[str, str]]) -> list[Path]:
    """Helm's layout: ``DIR[/release]/<source path>``; the first write of a run truncates, later ones append."""
    assert opts.output_dir is not None
    base = opts.output_dir / name if opts.use_release_name else opts.output_dir
    written: list[Path] = []
    seen: set[str] = set()
    docs: list[tuple[Path, str, str, bool]] = [(opts.output_dir, p, t, False) for p, t in crds]
    docs += [(base, m.name, m.content, False) for m in manifests]
    docs += [(base, h.path, h.manifest, True) for h in hooks]
    if opts.show_only:
        docs = [d for d in docs if any(_matches(p, d[1].split("/", 1)[-1]) for p in opts.show_only)]
        for pattern in opts.show_only:
            if not any(_matches(pattern, d[1].split("/", 1)[-1]) for d in docs):
                raise HelmpyError(f"could not find template {pattern} in chart")
    for root, path, text, is_hook in docs:
        target = root / path
        append = path in seen or (is_hook and target.exists())
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a" if append else "w", encoding="utf-8") as fh:
            fh.write(f"---\n# Source: {path}\n{text}\n")
        seen.add(path)
        written.append(target)
    return written
