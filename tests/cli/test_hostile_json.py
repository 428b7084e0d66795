"""Deep JSON from strangers: a ``fromJson`` string in values, and a hostile or corrupt release Secret in the
cluster. The real commands run in subprocesses under an address-space limit; none may end in a traceback."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release import codec
from tests.cli.test_hostile_yaml import SECONDS, assert_one_error, helmpy

DEEP = 100_000


def _chart(root: Path, template: str) -> Path:
    chart = root / "deepjson"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: deepjson\nversion: 0.1.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "values.yaml").write_text(json.dumps({"obj": "{\"a\":" * DEEP + "1" + "}" * DEEP,
                                                   "arr": "[" * DEEP + "]" * DEEP, "fine": "{\"a\": [1, {\"b\": 2}]}"}))
    (chart / "templates" / "cm.yaml").write_text(template)
    return chart


def test_from_json_of_deep_json_in_values_is_an_error_value_not_a_crash(tmp_path: Path) -> None:
    chart = _chart(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
                             "  obj: {{ (Values.obj | fromJson) | toJson | quote }}\n"
                             "  arr: {{ (Values.arr | fromJsonArray) | toJson | quote }}\n"
                             "  fine: {{ (Values.fine | fromJson) | toJson | quote }}\n")
    proc = helmpy("template", "r", str(chart))
    assert proc.returncode == 0, proc.stderr[-2000:]  # Helm's fromJson answers {"Error": ...} instead of failing
    assert proc.elapsed < SECONDS / 2  # type: ignore[attr-defined]
    doc = proc.stdout
    assert 'obj: "{\\"Error\\":\\"fromJson: JSON nested deeper than 200 levels (limit HELMPY_MAX_NESTING_DEPTH)\\"}"' \
        in doc, doc[-2000:]
    assert 'arr: "[\\"fromJsonArray: JSON nested deeper than 200 levels' in doc, doc[-2000:]
    assert 'fine: "{\\"a\\":[1,{\\"b\\":2}]}"' in doc


def test_deep_from_json_can_fail_the_render_with_one_error(tmp_path: Path) -> None:
    chart = _chart(tmp_path, "{% set got = Values.obj | fromJson %}{{ fail(got.Error) if got.Error }}\n")
    assert_one_error(helmpy("template", "r", str(chart)), "fromJson: JSON nested deeper than 200 levels")


def _deep_record(name: str, version: int) -> str:
    """A release record as Helm stores it (base64 of gzip of JSON) whose config is DEEP levels of lists."""
    text = (f'{{"name":"{name}","version":{version},"namespace":"default","info":{{"status":"deployed"}},'
            f'"config":{{"a":' + "[" * DEEP + "]" * DEEP + "}}")
    return base64.b64encode(gzip.compress(text.encode())).decode()


def _ok_chart(tmp_path: Path) -> Path:
    chart = tmp_path / "ok"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: ok\nversion: 0.1.0\n"
                                      "annotations:\n  helmpy.io/template-engine: jinja2\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n")
    return chart


def _install(db: Path, tmp_path: Path, *extra: str) -> None:
    proc = helmpy("install", "demo", str(_ok_chart(tmp_path)), "--cluster", f"local:{db}", *extra)
    assert proc.returncode == 0, proc.stderr


def test_a_release_secret_holding_deep_json_is_skipped_with_a_warning_or_one_error(tmp_path: Path) -> None:
    db = tmp_path / "cluster.db"
    _install(db, tmp_path)
    key = "sh.helm.release.v1.demo.v2"
    EmbeddedCluster(db, controller=False).create({
        "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": {"name": key, "namespace": "default",
                     "labels": {"name": "demo", "owner": "helm", "status": "deployed", "version": "2"}},
        "data": {"release": base64.b64encode(_deep_record("demo", 2).encode()).decode()}})
    problem = f"Secret default/{key}: cannot decode release record: JSON nested deeper than 208 levels"
    cluster = ("--cluster", f"local:{db}")
    for args in (("list",), ("history", "demo"), ("status", "demo")):  # Helm skips what it cannot decode
        proc = helmpy(*args, *cluster)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-2000:]
        assert proc.stderr.splitlines() == [f'level=WARN msg="skipping a release record that cannot be decoded: '
                                            f'{problem} (limit HELMPY_MAX_NESTING_DEPTH)"'], proc.stderr[-2000:]
        assert "deployed" in proc.stdout
    history = helmpy("history", "demo", "-o", "json", *cluster)
    assert [h["revision"] for h in json.loads(history.stdout)] == [1]
    # the record asked for by revision is one clear error
    assert_one_error(helmpy("get", "values", "demo", "--revision", "2", *cluster), problem)
    # the good record is intact
    assert codec.decode(base64.b64decode(EmbeddedCluster(db, controller=False).get(
        "v1", "Secret", "sh.helm.release.v1.demo.v1", "default")["data"]["release"]).decode()).version == 1


def test_a_release_whose_values_are_at_the_nesting_limit_still_decodes(tmp_path: Path) -> None:
    db = tmp_path / "cluster.db"
    deep_values = tmp_path / "deep.json"
    deep_values.write_text('{"a":' * 199 + "1" + "}" * 199)
    _install(db, tmp_path, "-f", str(deep_values))
    proc = helmpy("get", "values", "demo", "-o", "json", "--cluster", f"local:{db}")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    assert proc.stdout.count('{"a":') == 199




def test_a_release_secret_that_is_a_gzip_bomb_is_skipped_without_inflating_it(tmp_path: Path) -> None:
    """704 MiB of zeros in 715 KB of concatenated gzip members (a Secret under the API server's 1 MiB data
    limit): decoding stops at the record cap, in a process whose address space could not hold the bomb twice."""
    db = tmp_path / "cluster.db"
    _install(db, tmp_path)
    key = "sh.helm.release.v1.demo.v2"
    member = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    bomb = base64.b64encode(member * 11).decode()
    EmbeddedCluster(db, controller=False).create({
        "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": {"name": key, "namespace": "default",
                     "labels": {"name": "demo", "owner": "helm", "status": "deployed", "version": "2"}},
        "data": {"release": base64.b64encode(bomb.encode()).decode()}})
    problem = (f"Secret default/{key}: cannot decode release record: it decompresses to more than "
               f"{2 * 100 * 1024 * 1024} bytes (limit HELMPY_MAX_CHART_SIZE, twice the chart size cap)")
    cluster = ("--cluster", f"local:{db}")
    proc = helmpy("history", "demo", "-o", "json", *cluster)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.splitlines() == [f'level=WARN msg="skipping a release record that cannot be decoded: '
                                        f'{problem}"'], proc.stderr[-2000:]
    assert [h["revision"] for h in json.loads(proc.stdout)] == [1]
    assert_one_error(helmpy("get", "values", "demo", "--revision", "2", *cluster), problem)
