"""The renderer: built-in objects, partials/macros, missing values, strict mode, errors, sub-charts."""

from __future__ import annotations

import pytest

from helmpy.chart.model import File
from helmpy.engine.render import Capabilities, MissingValue, ReleaseContext, render
from helmpy.errors import RenderError, TemplateFailError
from helmpy.values.coalesce import coalesce_values
from tests.engine.conftest import make_chart, render_chart

HELPERS = """{% macro fullname() -%}
{{ (Release.Name ~ "-" ~ Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}
{% macro labels() -%}
app: {{ fullname() }}
chart: {{ Chart.Name }}-{{ Chart.Version }}
{%- endmacro %}
{% macro greet(who="world") -%}hello {{ who }}{%- endmacro %}
"""


# --- built-in objects -----------------------------------------------------------------------------
def test_release_object(r):
    rel = ReleaseContext(name="rel", namespace="ns", revision=3, is_install=False, is_upgrade=True)
    out = r("{{ Release.Name }} {{ Release.Namespace }} {{ Release.Revision }} {{ Release.IsInstall }} "
            "{{ Release.IsUpgrade }} {{ Release.Service }}", release=rel)
    assert out == "rel ns 3 false true Helm"


def test_release_defaults(r):
    assert r("{{ Release.Name }}/{{ Release.Namespace }}/{{ Release.Revision }}/{{ Release.IsInstall }}") == \
        "release-name/default/1/true"


def test_chart_object_go_field_names(r):
    chart = make_chart(templates={"t.yaml": "{{ Chart.Name }} {{ Chart.Version }} {{ Chart.AppVersion }} "
                                            "{{ Chart.Description }} {{ Chart.IsRoot }} {{ Chart.APIVersion }} "
                                            "{{ Chart.Type | default('application') }}"},
                       app_version="2.0", description="demo")
    assert render_chart(chart)["web/templates/t.yaml"] == "web 0.1.0 2.0 demo true v2 application"


def test_capabilities_object(r):
    out = r("{{ Capabilities.KubeVersion }}|{{ Capabilities.KubeVersion.Version }}|{{ Capabilities.KubeVersion.Major }}"
            "|{{ Capabilities.KubeVersion.Minor }}|{{ Capabilities.KubeVersion.GitVersion }}"
            "|{{ Capabilities.APIVersions.Has('apps/v1') }}|{{ Capabilities.APIVersions.Has('apps/v1/Deployment') }}",
            caps=Capabilities(kube_version="v1.29.3-gke.1"))
    assert out == "v1.29.3|v1.29.3-gke.1|1|29|v1.29.3-gke.1|true|false"


def test_capabilities_defaults_match_helm_offline():
    caps = Capabilities()
    assert caps.kube_version == "v1.35.0"
    assert len(caps.api_versions) == 57
    assert "apps/v1" in caps.api_versions and "networking.k8s.io/v1" in caps.api_versions


def test_capabilities_extra_api_versions(r):
    caps = Capabilities(api_versions=["v1", "monitoring.coreos.com/v1"])
    assert r("{{ Capabilities.APIVersions.Has('monitoring.coreos.com/v1') }}", caps=caps) == "true"
    assert r("{{ 'v1' in Capabilities.APIVersions }}", caps=caps) == "true"


def test_template_object(r):
    assert r("{{ Template.Name }} {{ Template.BasePath }}") == "web/templates/t.yaml web/templates"


def test_template_name_inside_macro_is_callers(r):
    out = r("{{ where() }}", templates={"_h.tpl": "{% macro where() %}{{ Template.Name }}{% endmacro %}"})
    assert out == "web/templates/t.yaml"


# --- values -------------------------------------------------------------------------------------
def test_values_attribute_access_prefers_keys(r):
    values = {"items": ["a", "b"], "config": {"keys": "k", "values": "v", "get": "g", "update": "u", "pop": 1}}
    out = r("{{ Values.items | join(',') }} {{ Values.config.keys }} {{ Values.config.values }} "
            "{{ Values.config.get }} {{ Values.config.update }} {{ Values.config.pop }}", values)
    assert out == "a,b k v g u 1"


def test_values_dict_methods_are_not_reachable(r):
    assert r("[{{ Values.items }}][{{ Values.cfg.keys }}]{{ 'yes' if Values.items else 'no' }}", {"cfg": {}}) == "[][]no"


def test_calling_a_dict_method_explains(r):
    with pytest.raises(RenderError) as err:
        r("{% for k, v in Values.labels.items() %}{{ k }}{% endfor %}", {"labels": {"a": 1}})
    assert "Values.labels.items" in str(err.value) and "| items" in str(err.value)


def test_iterating_maps(r):
    out = r("{% for k, v in Values.labels | items %}{{ k }}={{ v }};{% endfor %}"
            "{% for k, v in Values.labels | dictsort %}{{ k }}={{ v }};{% endfor %}",
            {"labels": {"b": 2, "a": 1}})
    assert out == "b=2;a=1;a=1;b=2;"


def test_missing_values_render_empty(r):
    out = r("[{{ Values.nope }}][{{ Values.nope.deeper.still }}][{{ Values.a.missing }}]"
            "[{{ nosuchname }}][{{ Values.nope['x'] }}]{{ 'f' if not Values.nope.x else 't' }}", {"a": {}})
    assert out == "[][][][][]f"


def test_missing_values_iterate_as_empty(r):
    assert r("{% for x in Values.nope %}x{% else %}none{% endfor %}") == "none"


def test_go_style_scalars(r):
    out = r("{{ Values.t }} {{ Values.f }} {{ Values.n }} {{ Values.fl }} {{ Values.half }} {{ Values.lst }} "
            "{{ Values.m }}", {"t": True, "f": False, "n": None, "fl": 3.0, "half": 1.5, "lst": ["a", 1],
                               "m": {"b": 1, "a": "x"}})
    assert out == "true false  3 1.5 [a 1] map[a:x b:1]"


def test_missing_values_recorded():
    chart = make_chart(templates={"t.yaml": "{{ Values.a.b }}{{ Values.c | default('d') }}"
                                            "{% if Values.e is defined %}{% endif %}"})
    missing: list[MissingValue] = []
    render(chart, {}, ReleaseContext(), Capabilities(), missing=missing)
    assert [str(m) for m in missing] == ["web/templates/t.yaml: Values.a.b"]


def test_strict_mode_fails_on_missing_value():
    chart = make_chart(templates={"t.yaml": "ok: 1\nimage: {{ Values.image.tag }}\n"}, values={"image": {}})
    with pytest.raises(RenderError) as err:
        render(chart, coalesce_values(chart, {}), ReleaseContext(), Capabilities(), strict=True)
    assert str(err.value) == "web/templates/t.yaml:2: value 'Values.image.tag' is not set (strict mode)"


def test_strict_mode_allows_defaults_and_defined_tests():
    chart = make_chart(templates={"t.yaml": "{{ Values.x | default('d') }}{% if Values.y is defined %}y{% endif %}"
                                            "{{ Values.z.w | default('e') }}"})
    assert render(chart, {}, ReleaseContext(), Capabilities(), strict=True)["web/templates/t.yaml"] == "de"


# --- named templates --------------------------------------------------------------------------------
def test_macros_from_partials_and_include(r):
    out = r("name: {{ fullname() }}\nlabels: {{ labels() | nindent(2) }}\nagain: {{ include('fullname') }}\n"
            "ctx: {{ include('fullname', Values) }}\ng: {{ include('greet', 'you') }} {{ greet() }}\n",
            templates={"_helpers.tpl": HELPERS})
    assert out == ("name: release-name-web\nlabels: \n  app: release-name-web\n  chart: web-0.1.0\n"
                   "again: release-name-web\nctx: release-name-web\ng: hello you hello world\n")


def test_macros_see_callers_values_and_each_other(r):
    partials = {"_a.tpl": "{% macro img() %}{{ Values.image }}:{{ tag() }}{% endmacro %}",
                "_b.tpl": "{% macro tag() %}{{ Values.tag | default(Chart.Version) }}{% endmacro %}"}
    assert r("{{ img() }}", {"image": "nginx"}, templates=partials) == "nginx:0.1.0"


def test_partials_are_not_rendered_and_notes_are():
    chart = make_chart(templates={"_helpers.tpl": HELPERS, "NOTES.txt": "Installed {{ Release.Name }}",
                                  "cm.yaml": "a: 1\n"})
    out = render_chart(chart)
    assert sorted(out) == ["web/templates/NOTES.txt", "web/templates/cm.yaml"]
    assert out["web/templates/NOTES.txt"] == "Installed release-name"


def test_include_unknown_name(r):
    with pytest.raises(RenderError, match=r"web/templates/t.yaml:2: include: no named template 'nope'"):
        r("a\n{{ include('nope') }}")


def test_jinja_include_and_import_within_chart(r):
    out = r("{% include 'snippets/x.inc' %}|{% import '_m.tpl' as m %}{{ m.hi() }}",
            templates={"snippets/x.inc": "X={{ Values.v }}", "_m.tpl": "{% macro hi() %}hi{% endmacro %}"},
            values={"v": 1})
    assert out == "X=1|hi"


def test_tpl_renders_in_context(r):
    out = r("{{ tpl(Values.tmpl) }}|{{ tpl('{{ who }}', {'who': 'me'}) }}|{{ Values.plain | tpl }}",
            {"tmpl": "{{ Release.Name }}-{{ Values.x }}-{{ fullname() }}", "x": 7, "plain": "no braces"},
            templates={"_helpers.tpl": HELPERS})
    assert out == "release-name-7-release-name-web|me|no braces"


def test_lookup_offline_and_injected(r):
    assert r("{{ lookup('v1', 'Secret', 'ns', 'x') | length }}") == "0"
    seen = []

    def fake(api, kind, ns, name):
        seen.append((api, kind, ns, name))
        return {"data": {"k": "djE="}}

    assert r("{{ lookup('v1', 'Secret', 'ns', 'x').data.k | b64dec }}", lookup=fake) == "v1"
    assert seen == [("v1", "Secret", "ns", "x")]


# --- errors ---------------------------------------------------------------------------------------
def test_go_template_chart_renders_with_the_go_engine():
    chart = make_chart(templates={"cm.yaml": "x: {{ .Values.x }} {{ .Chart.Name }}"}, values={"x": 3}, jinja=False)
    assert render_chart(chart) == {"web/templates/cm.yaml": "x: 3 web"}


def test_jinja_parent_and_go_subchart_render_in_one_release():
    parent = make_chart("par", templates={"a.yaml": "a: 1"})
    parent.add_subchart(make_chart("empty", jinja=False))
    assert render_chart(parent) == {"par/templates/a.yaml": "a: 1"}
    parent.add_subchart(make_chart("gosub", templates={"b.yaml": "b: {{ .Template.Name }}"}, jinja=False))
    assert render_chart(parent) == {"par/templates/a.yaml": "a: 1",
                                    "par/charts/gosub/templates/b.yaml": "b: par/charts/gosub/templates/b.yaml"}


def test_error_names_file_and_line(r):
    with pytest.raises(RenderError) as err:
        r("a: 1\nb: 2\nc: {{ nofunc() }}\n")
    assert str(err.value).startswith("web/templates/t.yaml:3: ")
    assert "'nofunc' is undefined" in str(err.value)


def test_python_error_is_located(r):
    with pytest.raises(RenderError, match=r"^web/templates/t.yaml:2: TypeError"):
        r("x\n{{ 1 + 'a' }}")


def test_syntax_error_is_parse_error(r):
    with pytest.raises(RenderError, match=r"^parse error at \(web/templates/t.yaml:2\): "):
        r("ok\n{{ Values.x }\n")


def test_syntax_error_in_partial_names_partial(r):
    with pytest.raises(RenderError, match=r"^parse error at \(web/templates/_bad.tpl:1\)"):
        r("ok", templates={"_bad.tpl": "{% macro x( %}"})


def test_required_and_fail_messages(r):
    with pytest.raises(TemplateFailError) as err:
        r("a\n{{ required('image.repository is required', Values.image.repository) }}")
    assert str(err.value) == "execution error at (web/templates/t.yaml:2): image.repository is required"
    with pytest.raises(TemplateFailError) as err:
        r("{{ Values.x | required('x please') }}", {"x": ""})
    assert str(err.value) == "execution error at (web/templates/t.yaml:1): x please"
    with pytest.raises(TemplateFailError) as err:
        r("line1\n{{ check() }}", templates={"_h.tpl": "\n\n{% macro check() %}{{ fail('bad config') }}{% endmacro %}"})
    assert str(err.value) == "execution error at (web/templates/_h.tpl:3): bad config"


def test_required_passes_values_through(r):
    assert r("{{ required('m', Values.x) }}|{{ Values.z | required('m') }}", {"x": 0, "z": False}) == "0|false"


# --- sub-charts -------------------------------------------------------------------------------------
def _parent_with_sub():
    parent = make_chart("par", templates={
        "cm.yaml": "sub: {{ Values.sub.name }}\nglobal: {{ Values.global.env }}\n"
                   "subchart: {{ Subcharts.sub.Chart.Name }} {{ Subcharts.sub.Values.name }}\n"
                   "lib: {{ subhelper() }}\n",
        "_h.tpl": "{% macro shared() %}parent{% endmacro %}",
    }, values={"global": {"env": "prod"}, "sub": {"name": "from-parent"}})
    sub = make_chart("sub", templates={
        "cm.yaml": "name: {{ Values.name }}\nglobal: {{ Values.global.env }}/{{ Values.global.own }}\n"
                   "chart: {{ Chart.Name }} {{ Chart.IsRoot }} {{ Template.Name }}\n"
                   "parentvals: [{{ Values.sub }}]\nshared: {{ shared() }}\n",
        "_h.tpl": "{% macro subhelper() %}{{ Chart.Name }}-helper{% endmacro %}"
                  "{% macro shared() %}sub{% endmacro %}",
    }, values={"name": "default", "global": {"own": "subglobal", "env": "subdefault"}})
    parent.add_subchart(sub)
    return parent


def test_subchart_renders_with_scoped_values_and_globals():
    out = render_chart(_parent_with_sub())
    assert sorted(out) == ["par/charts/sub/templates/cm.yaml", "par/templates/cm.yaml"]
    assert out["par/charts/sub/templates/cm.yaml"] == (
        "name: from-parent\nglobal: prod/subglobal\nchart: sub false par/charts/sub/templates/cm.yaml\n"
        "parentvals: []\nshared: sub\n")
    # the parent sees sub-chart macros (Helm's shared template namespace); its own definitions win
    assert out["par/templates/cm.yaml"] == ("sub: from-parent\nglobal: prod\nsubchart: sub from-parent\n"
                                            "lib: par-helper\n")


def test_library_chart_is_not_rendered():
    parent = make_chart("app", templates={"a.yaml": "{{ lib_name() }}"})
    lib = make_chart("lib", templates={"_lib.tpl": "{% macro lib_name() %}L-{{ Chart.Name }}{% endmacro %}",
                                       "x.yaml": "should not render"}, type="library")
    parent.add_subchart(lib)
    assert render_chart(parent) == {"app/templates/a.yaml": "L-app"}


def test_binary_template_bytes_are_decoded():
    chart = make_chart(templates={})
    chart.templates.append(File("templates/u.yaml", "é: {{ 'ü' }}".encode()))
    assert render_chart(chart)["web/templates/u.yaml"] == "é: ü"
