"""The render pipeline: dependencies, kubeVersion gate, schema, notes, hooks, CRDs, and Helm output parity."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action.render import RenderedRelease, partial_render, render_release
from helmpy.chart.loader import load
from helmpy.engine.manifests import hooks_text
from helmpy.engine.render import Capabilities, ReleaseContext
from helmpy.engine.sandbox import Limits
from helmpy.errors import ChartError, RenderError, RenderLimitError, SchemaValidationError, TemplateFailError

DATA = Path(__file__).resolve().parent.parent / "data"


def run(name: str, values: dict | None = None, **kwargs) -> RenderedRelease:
    caps = kwargs.pop("caps", Capabilities())
    return render_release(load(DATA / name), values or {}, ReleaseContext(name="rel"), caps, **kwargs)


def template_output(rendered: RenderedRelease) -> str:
    """What ``helm template`` prints: the trimmed manifest, then every hook."""
    return rendered.manifest.strip() + "\n" + hooks_text(rendered.hooks)


def test_pipeline_outputs():
    out = run("render-pipeline")
    assert [m.name for m in out.manifests] == ["pipe/charts/sub/templates/cm.yaml", "pipe/templates/cm.yaml"]
    assert out.manifest.startswith("---\n# Source: pipe/charts/sub/templates/cm.yaml\napiVersion: v1\n")
    assert [(h.name, h.events) for h in out.hooks] == [("rel-test", ["test"])]
    assert out.notes == "Root notes for rel\n"
    assert out.crds == [("pipe/crds/widget.yaml", (DATA / "render-pipeline/crds/widget.yaml").read_bytes())]
    assert out.values["replicas"] == 1 and out.values["sub"]["greeting"] == "hi"
    assert "pipe/templates/NOTES.txt" in out.files


def test_disabled_dependency_is_not_rendered_and_subchart_notes():
    out = run("render-pipeline", {"sub": {"enabled": False}}, subchart_notes=True)
    assert [m.name for m in out.manifests] == ["pipe/templates/cm.yaml"]
    assert out.notes == "Root notes for rel\n"
    out = run("render-pipeline", subchart_notes=True)
    assert sorted(out.notes.split("\n")) == sorted(["Root notes for rel", "", "Sub notes", ""])


def test_user_values_override_defaults():
    out = run("render-pipeline", {"replicas": 3})
    assert 'replicas: "3"' in out.manifest


def test_kube_version_gate():
    with pytest.raises(ChartError) as err:
        run("render-pipeline", caps=Capabilities(kube_version="v1.19.4"))
    assert str(err.value) == ("chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes "
                              "v1.19.4")
    assert run("render-pipeline", caps=Capabilities(kube_version="v1.29.3-gke.1")).manifests


def test_schema_validation_and_skip():
    with pytest.raises(SchemaValidationError, match="replicas"):
        run("render-pipeline", {"replicas": "many"})
    out = run("render-pipeline", {"replicas": "many"}, skip_schema=True)
    assert 'replicas: "many"' in out.manifest


def test_strict_flag_and_missing_values(tmp_path):
    chart = DATA / "render-pipeline"
    out = run("render-pipeline")
    assert out.missing_values == []
    copy = tmp_path / "pipe"
    import shutil

    shutil.copytree(chart, copy)
    (copy / "templates" / "extra.yaml").write_text("a: {{ Values.nope }}\n")
    out = render_release(load(copy), {}, ReleaseContext(), Capabilities())
    assert [str(m) for m in out.missing_values] == ["pipe/templates/extra.yaml: Values.nope"]
    with pytest.raises(RenderError, match=r"pipe/templates/extra.yaml:1: value 'Values.nope' is not set"):
        render_release(load(copy), {}, ReleaseContext(), Capabilities(), strict=True)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.mark.helm
def test_jinja_chart_renders_like_helm_renders_the_go_chart(helm):
    """The same chart written in both dialects: identical `helm template` output (format, order, hooks)."""
    expected = helm("template", "rel", str(DATA / "render-golden-go")).stdout
    ours = template_output(run("render-golden-jinja"))
    assert _normalise(ours) == _normalise(expected)
    assert ours == expected  # not just after normalising: byte for byte
    assert "# Source: golden/charts/sub/templates/cm.yaml" in ours


def _copy(tmp_path: Path, name: str) -> Path:
    import shutil

    return Path(shutil.copytree(DATA / name, tmp_path / name))


def test_yaml_error_carries_the_rendered_files_and_earlier_hooks(tmp_path):
    """Helm's partial release: the raw rendered files (so --debug can show the line) and the hooks found so far."""
    chart = _copy(tmp_path, "render-pipeline")
    (chart / "templates" / "zz-bad.yaml").write_text("a: {{ Release.Name }}\n  b: c\n")
    with pytest.raises(RenderError, match=r"^YAML parse error on pipe/templates/zz-bad.yaml: .*line 2") as err:
        render_release(load(chart), {}, ReleaseContext(name="rel"), Capabilities())
    partial = partial_render(err.value)
    assert partial is not None
    sources = [line for line in partial.manifest.splitlines() if line.startswith("# Source:")]
    assert sources == ["# Source: pipe/charts/sub/templates/cm.yaml", "# Source: pipe/templates/cm.yaml",
                       "# Source: pipe/templates/hook.yaml", "# Source: pipe/templates/zz-bad.yaml"]
    assert partial.manifest.endswith("# Source: pipe/templates/zz-bad.yaml\na: rel\n  b: c\n\n")
    assert "NOTES" not in partial.manifest and "Root notes" not in partial.manifest
    assert [h.name for h in partial.hooks] == ["rel-test"]  # hook.yaml sorts before the failing file
    (chart / "templates" / "zz-bad.yaml").rename(chart / "templates" / "a-bad.yaml")
    with pytest.raises(RenderError) as err:
        render_release(load(chart), {}, ReleaseContext(name="rel"), Capabilities())
    assert partial_render(err.value).hooks == []  # type: ignore[union-attr]


def test_template_and_kube_version_errors_carry_an_empty_partial(tmp_path):
    chart = _copy(tmp_path, "render-pipeline")
    (chart / "templates" / "fail.yaml").write_text('{{ fail("boom") }}\n')
    with pytest.raises(TemplateFailError) as err:
        render_release(load(chart), {}, ReleaseContext(name="rel"), Capabilities())
    partial = partial_render(err.value)
    assert partial is not None and partial.manifest == "" and partial.hooks == []
    with pytest.raises(ChartError, match="requires kubeVersion") as err2:
        run("render-pipeline", caps=Capabilities(kube_version="v1.19.4"))
    assert partial_render(err2.value) is not None


def test_errors_before_rendering_carry_no_partial():
    with pytest.raises(SchemaValidationError) as err:
        run("render-pipeline", {"replicas": "many"})
    assert partial_render(err.value) is None
    # the schema is checked before kubeVersion, as Helm does (ToRenderValues, then the render's gate)
    with pytest.raises(SchemaValidationError):
        run("render-pipeline", {"replicas": "many"}, caps=Capabilities(kube_version="v1.19.4"))


def test_go_chart_sprig_allocations_check_the_renders_own_limits(tmp_path):
    """A render's Limits (not only HELMPY_RENDER_MAX_OUTPUT) bind Sprig's size check: ``repeat`` is refused
    before it builds a string larger than this render's output limit, with the file named."""
    chart = tmp_path / "big"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text('a: {{ repeat 5000 "x" }}\n')
    small = Limits(max_output_bytes=4096)
    with pytest.raises(RenderLimitError, match=r"^big/templates/cm.yaml: a value of 5000 bytes .*4096"):
        render_release(load(chart), {}, ReleaseContext(), Capabilities(), limits=small)
    out = render_release(load(chart), {}, ReleaseContext(), Capabilities(), limits=Limits(max_output_bytes=10**6))
    assert "x" * 5000 in out.manifest
