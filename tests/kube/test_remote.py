"""RemoteCluster through the KubeClient Protocol over real HTTPS to ``helmpy cluster serve`` (no mocks):
discovery incl. CRDs, server-side apply and conflicts, errors (401, down, TLS, 409, 422, 403, 5xx with
retries), and a readiness wait that times out naming the objects."""

from __future__ import annotations

import http.server
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from helmpy.errors import (
    KubeConflict,
    KubeConnectionError,
    KubeError,
    KubeForbidden,
    KubeInvalid,
    KubeServerError,
    KubeTLSError,
    KubeUnauthorized,
    WaitTimeout,
)
from helmpy.kube.client import KubeClient
from helmpy.kube.remote import RemoteCluster
from helmpy.kube.retry import Backoff
from tests.support import kubeapi_server
from tests.support.kubeapi_server import KubeApiServer, free_port, write_kubeconfig

FAST = Backoff(attempts=3, base=0.01, cap=0.05)

CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                "versions": [{"name": "v1", "served": True, "storage": True,
                              "schema": {"openAPIV3Schema": {"type": "object",
                                                             "x-kubernetes-preserve-unknown-fields": True}}}]}}


def cm(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": dict(data)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApiServer]:
    server = kubeapi_server.start(tmp_path_factory.mktemp("remote"))
    yield server
    server.stop()


@pytest.fixture
def client(served: KubeApiServer) -> RemoteCluster:
    return RemoteCluster.from_kubeconfig(str(served.kubeconfig), backoff=FAST)


def test_is_a_kube_client_with_server_facts(client: RemoteCluster) -> None:
    assert isinstance(client, KubeClient)
    assert client.server_version() == "v1.35.0"
    versions = client.api_versions()
    assert {"v1", "v1/ConfigMap", "apps/v1", "apps/v1/Deployment"} <= set(versions)
    assert client.is_namespaced("apps/v1", "Deployment") and not client.is_namespaced("v1", "Namespace")
    assert client.namespace == "default"


def test_crud_and_server_side_apply(client: RemoteCluster) -> None:
    created = client.apply(cm("remote-a", x="1"))
    assert created["data"] == {"x": "1"} and created["metadata"]["uid"]
    assert client.apply(cm("remote-a", x="1"))["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    client.apply(cm("remote-a", y="2"))  # a key helmpy stopped setting is removed (SSA ownership)
    assert client.get("v1", "ConfigMap", "remote-a")["data"] == {"y": "2"}
    listed = client.list("v1", "ConfigMap", "default")
    assert any(o["metadata"]["name"] == "remote-a" and o["kind"] == "ConfigMap" for o in listed)
    labelled = {**cm("remote-b"), "metadata": {"name": "remote-b", "labels": {"team": "x"}}}
    client.create(labelled)  # no namespace: the context's namespace
    assert [o["metadata"]["name"] for o in client.list("v1", "ConfigMap", None, "team=x")] == ["remote-b"]
    live = client.get("v1", "ConfigMap", "remote-b")
    live["data"] = {"z": "3"}
    updated = client.replace(live)
    assert updated["data"] == {"z": "3"}
    with pytest.raises(KubeConflict, match="modified"):
        client.replace(live)  # stale resourceVersion
    assert client.delete("v1", "ConfigMap", "remote-b") is True
    assert client.delete("v1", "ConfigMap", "remote-b") is False
    assert client.get("v1", "ConfigMap", "remote-b") is None


def test_crd_then_custom_resource_in_the_same_run(client: RemoteCluster) -> None:
    with pytest.raises(KubeError, match='no matches for kind "Widget" in version "example.com/v1"'):
        client.is_namespaced("example.com/v1", "Widget")
    client.apply(CRD)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    assert client.apply(widget)["spec"] == {"size": 3}
    assert client.get("example.com/v1", "Widget", "w1", "default")["spec"]["size"] == 3
    assert "example.com/v1/Widget" in client.api_versions()


def test_create_existing_is_409_and_invalid_name_is_422(client: RemoteCluster) -> None:
    client.apply(cm("remote-dup"))
    with pytest.raises(KubeConflict, match='"remote-dup" already exists'):
        client.create(cm("remote-dup"))
    with pytest.raises(KubeInvalid, match=r'422.*"Bad_Name" is invalid') as info:
        client.create(cm("Bad_Name"))
    assert info.value.code == 422


def test_apply_conflict_with_another_manager_and_force(client: RemoteCluster) -> None:
    client.apply(cm("remote-owned", key="kubectl-value"), field_manager="kubectl")
    with pytest.raises(KubeConflict, match=r"apply conflict.*data\.key.*kubectl") as info:
        client.apply(cm("remote-owned", key="helm-value"), field_manager="helm")
    assert "--force-conflicts" in (info.value.hint or "")
    taken = client.apply(cm("remote-owned", key="helm-value"), field_manager="helm", force=True)
    assert taken["data"]["key"] == "helm-value"


def test_refused_token_is_401(served: KubeApiServer) -> None:
    client = RemoteCluster.from_kubeconfig(str(served.kubeconfig), token="not-the-token", backoff=FAST)
    with pytest.raises(KubeUnauthorized) as info:
        client.get("v1", "ConfigMap", "x")
    assert "rejected the credentials" in info.value.message and "401 Unauthorized" in info.value.message
    assert "--kube-token" in (info.value.hint or "")


def test_server_down_is_a_connection_error(tmp_path: Path) -> None:
    kc = write_kubeconfig(tmp_path / "kc.yaml", f"https://127.0.0.1:{free_port()}", token="t", insecure=True)
    with pytest.raises(KubeConnectionError, match=r"cannot connect to the Kubernetes API at https://127\.0\.0\.1:\d+ "
                                                  r".*connection refused"):
        RemoteCluster.from_kubeconfig(str(kc), backoff=FAST).server_version()


def test_unknown_certificate_authority_is_a_tls_error(served: KubeApiServer, tmp_path: Path) -> None:
    kc = write_kubeconfig(tmp_path / "kc.yaml", served.url, token=served.token)  # no CA: system trust only
    with pytest.raises(KubeTLSError, match="TLS handshake .* failed: certificate verify failed") as info:
        RemoteCluster.from_kubeconfig(str(kc), backoff=FAST).server_version()
    assert "--kube-ca-file" in (info.value.hint or "")
    ok = RemoteCluster.from_kubeconfig(str(kc), ca_file=str(served.ca_file))
    assert ok.server_version() == "v1.35.0"
    insecure = RemoteCluster.from_kubeconfig(str(kc), insecure_skip_tls_verify=True)
    assert insecure.server_version() == "v1.35.0"


def test_wait_times_out_naming_the_objects(tmp_path: Path) -> None:
    server = kubeapi_server.start(tmp_path / "noctl", "--no-controller")
    try:
        progress = io.StringIO()
        client = RemoteCluster.from_kubeconfig(str(server.kubeconfig), progress=progress)
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "slow", "namespace": "default"},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "slow"}},
                           "template": {"metadata": {"labels": {"app": "slow"}},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
        client.apply(deploy)
        client.apply(cm("ready-at-once"))
        with pytest.raises(WaitTimeout) as info:
            client.wait_ready([deploy, cm("ready-at-once")], timeout=1.5)
        message = info.value.message
        assert "timed out after 1.5s waiting for 1 resource(s)" in message
        assert "Deployment/default/slow not ready: Replicas: 0/2" in message and "ConfigMap" not in message
        assert "waiting for 1 of 2 resource(s) to be ready" in progress.getvalue()
        client.wait_ready([cm("ready-at-once")], timeout=1)
    finally:
        server.stop()


# --- status codes a `cluster serve` never answers: a tiny real HTTP server ---------------------------------
class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers GET /version from a script of (status, headers) per request, then 200."""

    script: ClassVar[list[tuple[int, dict[str, str]]]] = []
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).seen.append(self.path)
        code, headers = type(self).script.pop(0) if type(self).script else (200, {})
        body = {"kind": "Status", "status": "Failure", "code": code, "reason": "Scripted", "message": f"scripted {code}"}
        if code == 200:
            body = {"major": "1", "minor": "30", "gitVersion": "v1.30.2"}
        data = json.dumps(body).encode()
        self.send_response(code)
        for key, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[tuple[type[_Scripted], Path]]:
    handler = type("Handler", (_Scripted,), {"script": [], "seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    kc = write_kubeconfig(tmp_path / "kc.yaml", f"http://127.0.0.1:{httpd.server_address[1]}")
    yield handler, kc
    httpd.shutdown()
    httpd.server_close()


def test_transient_errors_are_retried_with_backoff(scripted) -> None:
    handler, kc = scripted
    handler.script = [(503, {}), (429, {"Retry-After": "0"}), (500, {})]
    client = RemoteCluster.from_kubeconfig(str(kc), backoff=Backoff(attempts=4, base=0.01, cap=0.05))
    assert client.server_version() == "v1.30.2"
    assert len(handler.seen) == 4


def test_persistent_5xx_and_403_are_clear(scripted) -> None:
    handler, kc = scripted
    handler.script = [(503, {})] * 3
    client = RemoteCluster.from_kubeconfig(str(kc), backoff=FAST)
    with pytest.raises(KubeServerError, match=r"failed \(503 Scripted\) on GET /version: scripted 503"):
        client.server_version()
    assert len(handler.seen) == 3
    handler.script = [(403, {})]
    with pytest.raises(KubeForbidden, match=r"forbidden \(403\) on GET /version: scripted 403"):
        client.server_version()


def test_kubectl_sees_what_was_applied(client: RemoteCluster, served: KubeApiServer, helm_bin_dir: Path) -> None:
    client.apply({**cm("seen-by-kubectl", a="b"), "metadata": {"name": "seen-by-kubectl", "namespace": "default",
                                                                "labels": {"via": "remote"}}})
    out = subprocess.run([str(helm_bin_dir / "kubectl"), "get", "configmaps", "-l", "via=remote", "-o", "json",
                          "--show-managed-fields"],
                         capture_output=True, text=True, env=served.env(), timeout=60, check=True)
    items = json.loads(out.stdout)["items"]
    assert [(i["metadata"]["name"], i["data"]) for i in items] == [("seen-by-kubectl", {"a": "b"})]
    assert [m["manager"] for m in items[0]["metadata"]["managedFields"]] == ["helmpy"]


def test_backoff_policy_caps_and_honours_retry_after() -> None:
    from helmpy.kube.retry import Transient, with_backoff

    policy = Backoff(attempts=4, base=0.5, cap=2.0)
    assert 0.375 <= policy.delay(0) <= 0.625 and policy.delay(10) <= 2.5
    assert policy.delay(3, retry_after=1.0) == 1.0 and policy.delay(0, retry_after=60) == 2.0
    waits: list[float] = []
    calls = iter([Transient(KubeServerError("boom"), 0.1), Transient(KubeServerError("boom"), 0.2)])

    def attempt() -> str:
        err = next(calls, None)
        if err:
            raise err
        return "ok"

    assert with_backoff(attempt, policy, sleep=waits.append) == "ok" and waits == [0.1, 0.2]
    with pytest.raises(KubeServerError, match="final"):
        with_backoff(lambda: (_ for _ in ()).throw(Transient(KubeServerError("final"))), Backoff(attempts=2),
                     sleep=waits.append)


def test_remote_path_only_imports_the_client_library_when_connecting() -> None:
    code = ("import sys, helmpy.kube.factory, helmpy.kube.remote, helmpy.kube.embedded; "
            "print(any(m == 'kubernetes' or m.startswith('kubernetes.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_an_answer_over_the_response_cap_is_one_clear_error(served: KubeApiServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    client = RemoteCluster.from_kubeconfig(str(served.kubeconfig), backoff=FAST)
    client.apply(cm("big-answer", blob="x" * 5000))
    monkeypatch.setenv("HELMPY_MAX_KUBE_RESPONSE_SIZE", "4096")
    capped = RemoteCluster.from_kubeconfig(str(served.kubeconfig), backoff=FAST)
    with pytest.raises(KubeError, match=r"GET /api/v1/namespaces/default/configmaps/big-answer: the answer of .* is too "
                                        r"large: .* \(limit HELMPY_MAX_KUBE_RESPONSE_SIZE\)"):
        capped.get("v1", "ConfigMap", "big-answer")
    assert client.get("v1", "ConfigMap", "big-answer")["data"]["blob"] == "x" * 5000


def test_lists_are_fetched_in_pages(client: RemoteCluster) -> None:
    """``limit``/``continue`` (kubectl's chunking); cluster serve answers everything at once, so the loop ends."""
    for i in range(3):
        client.apply({**cm(f"paged-{i}"), "metadata": {"name": f"paged-{i}", "namespace": "default",
                                                       "labels": {"paged": "yes"}}})
    assert sorted(o["metadata"]["name"] for o in client.list("v1", "ConfigMap", "default", "paged=yes")) == [
        "paged-0", "paged-1", "paged-2"]
