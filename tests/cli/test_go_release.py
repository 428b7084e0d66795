"""A Go-template chart installed and upgraded on the embedded cluster by the real ``helmpy`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gocharts import write_files

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: goapp\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    "values.yaml": "replicas: 2\ngreeting: hi\n",
    "templates/_helpers.tpl": '{{ define "goapp.name" }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}\n',
    "templates/cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "goapp.name" . }}
data:
  greeting: "{{ .Values.greeting }}"
  replicas: "{{ printf "%v %T" .Values.replicas .Values.replicas }}"
  revision: "{{ .Release.Revision }} {{ .Release.IsUpgrade }}"
""",
    "templates/NOTES.txt": "{{ .Chart.Name }} is {{ .Values.greeting }} in {{ .Release.Namespace }}{{ .Values.nope }}\n",
}


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return write_files(tmp_path / "goapp", CHART)


def _data(cli, name: str = "rel") -> str:
    r = cli("get", "manifest", name)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_install_then_upgrade_with_reuse_values(cli, chart):
    r = cli("install", "rel", str(chart))
    assert r.exit_code == 0, r.stderr
    assert "NOTES:\ngoapp is hi in default\n" in r.stdout
    manifest = _data(cli)
    assert 'name: rel-goapp' in manifest and 'replicas: "2 float64"' in manifest and 'revision: "1 false"' in manifest

    r = cli("upgrade", "rel", str(chart), "--reuse-values", "--set", "greeting=hello")
    assert r.exit_code == 0, r.stderr
    manifest = _data(cli)
    assert 'greeting: "hello"' in manifest and 'revision: "2 true"' in manifest
    assert 'replicas: "2 float64"' in manifest

    r = cli("upgrade", "rel", str(chart), "--reuse-values", "--set", "replicas=3")
    assert r.exit_code == 0, r.stderr
    manifest = _data(cli)
    assert 'greeting: "hello"' in manifest  # reused from revision 2's config
    assert 'replicas: "3 int64"' in manifest  # a --set integer is Go's int64, as in Helm
    values = cli("get", "values", "rel")
    assert values.stdout == "USER-SUPPLIED VALUES:\ngreeting: hello\nreplicas: 3\n"


def test_upgrade_render_error_is_prefixed_and_keeps_the_release(cli, chart):
    assert cli("install", "rel", str(chart)).exit_code == 0
    (chart / "templates" / "cm.yaml").write_text('{{ required "greeting is required" .Values.missing }}\n')
    r = cli("upgrade", "rel", str(chart))
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == (
        "Error: UPGRADE FAILED: execution error at (goapp/templates/cm.yaml:1:3): greeting is required")
    assert 'revision: "1 false"' in _data(cli)
