"""helmpy's merged + coalesced values equal what the real Helm renders for the same flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.errors import HelmpyError
from tests.values.helm_compat import helm_views, helmpy_views, options_from_flags, write_chart

pytestmark = pytest.mark.helm

DEFAULTS = """\
image:
  repository: nginx
  tag: "1.0"
replicas: 1
list: [a, b]
nested:
  drop: me
  keep: 1
nullable: null
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "inputs"
    d.mkdir()
    (d / "one.yaml").write_text("replicas: 3\nlist: [x, w, z]\nnested:\n  extra: true\n---\nsecond: doc\n")
    (d / "two.yaml").write_text("image:\n  tag: \"2.0\"\nnested:\n  drop: null\n")
    (d / "cert.pem").write_text("-----BEGIN-----\nabc\n-----END-----\n")
    return d


CASES = [
    pytest.param([], id="defaults"),
    pytest.param(["-f", "{d}/one.yaml", "-f", "{d}/two.yaml"], id="files-in-order"),
    pytest.param(["-f", "{d}/one.yaml", "--set", "list[1]=Y,list[5]=far"], id="set-edits-file-list"),
    pytest.param(["--set", "a=1,b=true,c=null,d=007,e=1.5,f=,g={},h={a,1},i[2]=x,j=x=y,k=a\\,b,l\\.m=1"],
                 id="set-typing"),
    pytest.param(["--set", "image=null,nested.drop=null,unknown=null"], id="null-deletes"),
    pytest.param(["--set", "nested=flat", "--set", "replicas.x=1"], id="type-clashes"),
    pytest.param(["--set-string", "replicas=5,b=true", "--set", "replicas=4"], id="set-string-wins"),
    pytest.param(["--set-json", 'list=[1,{"a":null}],obj={"k":[true]}', "--set-json", '{"nested":{"j":1}}'],
                 id="set-json"),
    pytest.param(["--set-literal", "lit=a,b=\\c", "--set", "lit=x"], id="set-literal"),
    pytest.param(["--set-file", "tls.cert={d}/cert.pem"], id="set-file"),
    pytest.param(["--set", "a=1", "--set-string", "a=2", "--set-json", "a=3", "--set-literal", "a=4"],
                 id="fixed-order"),
    pytest.param(["--set", "arr[0].name=x,arr[0].v=1,arr[2][1]=deep"], id="lists-of-maps"),
]


@pytest.mark.parametrize("flags", CASES)
def test_values_match_helm(helm, tmp_path: Path, files: Path, flags: list[str]) -> None:
    chart = write_chart(tmp_path, "c", DEFAULTS)
    flags = [f.replace("{d}", str(files)) for f in flags]
    assert helmpy_views(chart, flags) == helm_views(helm, chart, flags)


@pytest.mark.parametrize("flags", [
    ["--set", "a"], ["--set", "a.=1"], ["--set", "x={a,b}c"], ["--set", "a[1]x=1"],
    ["--set", "a=1", "--set", "a.b=2"], ["--set-json", "a=[1"], ["--set-json", '{"a":1'],
    ["--set-literal", "a"], ["--set-string", "a,"],
])
def test_errors_match_helm(helm, tmp_path: Path, flags: list[str]) -> None:
    chart = write_chart(tmp_path)
    proc = helm("template", "r", str(chart), *flags, check=False)
    assert proc.returncode != 0
    with pytest.raises(HelmpyError) as err:
        options_from_flags(flags).merge()
    assert proc.stderr.strip() == f"Error: {err.value}"
