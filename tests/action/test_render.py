"""The render pipeline: dependencies, kubeVersion gate, schema, notes, hooks, CRDs, and Helm output parity."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.action.render import RenderedRelease, render_release
from helmpy.chart.loader import load
from helmpy.engine.manifests import hooks_text
from helmpy.engine.render import Capabilities, ReleaseContext
from helmpy.errors import ChartError, GoTemplateUnsupported, RenderError, SchemaValidationError

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


def test_go_chart_is_unsupported():
    with pytest.raises(GoTemplateUnsupported):
        run("render-golden-go")


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
