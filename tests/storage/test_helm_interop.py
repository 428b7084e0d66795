"""Records written by helmpy are read by the real Helm binary, and Helm's records by helmpy."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release import codec
from helmpy.release.model import Release, Status, format_time
from helmpy.storage.configmaps import ConfigMapsDriver
from helmpy.storage.driver import Driver
from helmpy.storage.memory import MemoryDriver
from helmpy.storage.secrets import SecretsDriver
from helmpy.storage.sql import SQLDriver
from helmpy.storage.storage import Storage
from tests.storage.conftest import make_release

pytestmark = pytest.mark.helm

VERSION = {"major": "1", "minor": "35", "gitVersion": "v1.35.0", "gitCommit": "0" * 40, "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc", "platform": "linux/amd64"}


class _VersionOnly(BaseHTTPRequestHandler):
    """Just enough API server for Helm's reachability check: /version, 404 elsewhere."""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.split("?")[0] == "/version":
            body, code = json.dumps(VERSION).encode(), 200
        else:
            body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                               "code": 404, "message": "not found"}).encode()
            code = 404
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    """A kubeconfig pointing at a local /version endpoint."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VersionOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    path = tmp_path / "kubeconfig"
    path.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: local, cluster: {{server: "http://127.0.0.1:{server.server_port}"}}}}]
users: [{{name: me, user: {{token: x}}}}]
contexts: [{{name: local, context: {{cluster: local, user: me, namespace: default}}}}]
current-context: local
""")
    yield path
    server.shutdown()


def _history(storage: Storage) -> None:
    first = make_release("demo", 1, Status.SUPERSEDED)
    first.info.description = "Install complete"
    second = make_release("demo", 2, Status.DEPLOYED)
    second.info.description = "Upgrade complete"
    storage.create(first)
    storage.create(second)


def _check_helm_view(helm: Callable[..., Any], env: dict[str, str]) -> None:
    listed = json.loads(helm("list", "-o", "json", extra_env=env).stdout)
    stamp = make_release().info.last_deployed
    assert listed == [{"name": "demo", "namespace": "default", "revision": "2",
                       "updated": "2026-01-02 03:04:05.123456 +0000 UTC", "status": "deployed",
                       "chart": "web-0.1.0", "app_version": "1.0"}]
    history = json.loads(helm("history", "demo", "-o", "json", extra_env=env).stdout)
    assert [(h["revision"], h["status"], h["description"], h["updated"]) for h in history] == [
        (1, "superseded", "Install complete", format_time(stamp)),
        (2, "deployed", "Upgrade complete", format_time(stamp))]
    values = json.loads(helm("get", "values", "demo", "-o", "json", extra_env=env).stdout)
    assert values == {"a": {"b": 1}}
    manifest = helm("get", "manifest", "demo", extra_env=env).stdout
    assert "# Source: web/templates/cm.yaml" in manifest


def test_secret_records_decode_with_helm(helm: Callable[..., Any], tmp_path: Path) -> None:
    """Secrets written by helmpy -> decoded -> HELM_MEMORY_DRIVER_DATA -> real helm list/history/get."""
    cluster = EmbeddedCluster(tmp_path / "cluster.db")
    _history(Storage(SecretsDriver(cluster, "default")))
    records = []
    for secret in cluster.list("v1", "Secret", "default", "owner=helm"):
        text = base64.b64decode(secret["data"]["release"]).decode()
        records.append(codec.decode(text).to_dict())
    data = tmp_path / "releases.json"
    data.write_text(json.dumps(records))
    _check_helm_view(helm, {"HELM_DRIVER": "memory", "HELM_MEMORY_DRIVER_DATA": str(data)})


def _norm_times(value: Any) -> Any:
    """Helm writes nanoseconds, Python keeps microseconds: compare at microsecond precision."""
    text = json.dumps(value, sort_keys=True)
    text = re.sub(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z"',
                  lambda m: f'"{m.group(1)}.{((m.group(2) or "") + "000000")[:6]}Z"', text)
    return json.loads(text)


@pytest.fixture(scope="module")
def helm_release_json(helm_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``helm install --dry-run=client -o json`` of a ``helm create`` chart."""
    import os
    import subprocess

    work = tmp_path_factory.mktemp("helm-create")
    env = {**os.environ, "HOME": str(work / "home"), "HELM_CONFIG_HOME": str(work / "cfg"),
           "HELM_CACHE_HOME": str(work / "cache"), "HELM_DATA_HOME": str(work / "data"),
           "KUBECONFIG": str(work / "none")}
    helm = str(helm_bin_dir / "helm")
    subprocess.run([helm, "create", "mychart"], cwd=work, env=env, check=True, capture_output=True)
    out = subprocess.run([helm, "install", "rel", "./mychart", "--dry-run=client", "-o", "json"], cwd=work, env=env,
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out))


@pytest.mark.parametrize("kind", ["memory", "secrets", "configmaps", "sql-sqlite", "sql-postgres"])
def test_helm_release_roundtrips_through_drivers(kind: str, helm_release_json: dict[str, Any], tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    driver: Driver
    if kind == "memory":
        driver = MemoryDriver("default")
    elif kind in ("secrets", "configmaps"):
        cluster = EmbeddedCluster(tmp_path / "c.db")
        driver = (SecretsDriver if kind == "secrets" else ConfigMapsDriver)(cluster, "default")
    elif kind == "sql-sqlite":
        driver = SQLDriver(f"sqlite:///{tmp_path / 'r.db'}", "default")
    else:
        request.getfixturevalue("clean_postgres")
        driver = SQLDriver(request.getfixturevalue("postgres_dsn"), "default")
    rls = Release.from_dict(helm_release_json)
    assert rls.hooks and rls.chart is not None and rls.chart.templates
    Storage(driver).create(rls)
    back = Storage(driver).get("rel", 1)
    assert _norm_times(back.to_dict()) == _norm_times(helm_release_json)


def test_helm_reads_sql_records(helm: Callable[..., Any], postgres_dsn: str, clean_postgres: None,
                                kubeconfig: Path) -> None:
    """helmpy creates the schema and writes; real Helm (HELM_DRIVER=sql) lists without migrating again."""
    _history(Storage(SQLDriver(postgres_dsn, "default")))
    env = {"HELM_DRIVER": "sql", "HELM_DRIVER_SQL_CONNECTION_STRING": postgres_dsn, "KUBECONFIG": str(kubeconfig)}
    _check_helm_view(helm, env)


def test_helmpy_uses_schema_created_by_helm(helm: Callable[..., Any], postgres_dsn: str, clean_postgres: None,
                                            kubeconfig: Path) -> None:
    """Helm migrates an empty database first; helmpy then writes into Helm's tables."""
    env = {"HELM_DRIVER": "sql", "HELM_DRIVER_SQL_CONNECTION_STRING": postgres_dsn, "KUBECONFIG": str(kubeconfig)}
    assert json.loads(helm("list", "-o", "json", extra_env=env).stdout) == []
    _history(Storage(SQLDriver(postgres_dsn, "default")))
    _check_helm_view(helm, env)
