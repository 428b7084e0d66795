"""The API server's answers to raw HTTP: auth, discovery, Status errors, protobuf bodies, patches, watch."""

from __future__ import annotations

import json
import threading

import pytest
import requests

from helmpy.server.kubeapi.discovery import AGGREGATED_CONTENT_TYPE


@pytest.fixture(scope="module")
def api(served):
    """``api(method, path, ...)`` -> requests.Response, authenticated and verifying the server's CA."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {served.token}"
    ca = str(served.ca_file)

    def call(method: str, path: str, **kwargs):
        return session.request(method, served.url + path, timeout=30, verify=ca, **kwargs)

    yield call
    session.close()


def _status(resp, code: int, reason: str) -> dict:
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["reason"] == reason and body["code"] == code
    assert "Traceback" not in resp.text
    return body


def _cm(name: str, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}, **extra}


def test_token_is_checked_on_every_request(served):
    ca = str(served.ca_file)
    _status(requests.get(served.url + "/version", verify=ca, timeout=10), 401, "Unauthorized")
    _status(requests.get(served.url + "/api/v1/namespaces", verify=ca, timeout=10,
                         headers={"Authorization": "Bearer wrong"}), 401, "Unauthorized")
    _status(requests.get(served.url + "/api/v1/namespaces", verify=ca, timeout=10,
                         headers={"Authorization": f"Basic {served.token}"}), 401, "Unauthorized")
    lower = requests.get(served.url + "/api/v1/namespaces", verify=ca, timeout=10,
                         headers={"Authorization": f"bearer {served.token}"})
    assert lower.status_code == 200  # the scheme is case-insensitive, like the API server's


def test_version_and_discovery(api):
    assert api("GET", "/version").json()["gitVersion"] == "v1.35.0"
    legacy = api("GET", "/apis").json()
    assert legacy["kind"] == "APIGroupList" and "apps" in [g["name"] for g in legacy["groups"]]
    agg = api("GET", "/apis", headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;"
                                                 "as=APIGroupDiscoveryList,application/json"})
    assert agg.headers["Content-Type"] == AGGREGATED_CONTENT_TYPE
    assert agg.json()["kind"] == "APIGroupDiscoveryList"
    apps = api("GET", "/apis/apps/v1").json()
    deploy = next(r for r in apps["resources"] if r["name"] == "deployments")
    assert deploy["namespaced"] and "deploy" in deploy["shortNames"] and "watch" in deploy["verbs"]
    root = api("GET", "/openapi/v3").json()
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    doc = api("GET", url).json()
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert any(p["name"] == "fieldValidation" for p in patch["parameters"])
    assert api("GET", "/openapi/v2").status_code == 404


def test_error_statuses(api):
    base = "/api/v1/namespaces/default/configmaps"
    _status(api("POST", base, data=b"{not json", headers={"Content-Type": "application/json"}), 400, "BadRequest")
    _status(api("POST", base, data=b"a: [", headers={"Content-Type": "application/yaml"}), 400, "BadRequest")
    _status(api("POST", base, data=b"k8s\x00\x0a\xff", headers={"Content-Type": "application/vnd.kubernetes.protobuf"}),
            400, "BadRequest")
    _status(api("GET", "/api/v1/namespaces/default/nothings"), 404, "NotFound")
    _status(api("GET", "/apis/nope.example/v1/things"), 404, "NotFound")
    body = _status(api("GET", base + "/missing"), 404, "NotFound")
    assert body["message"] == 'configmaps "missing" not found' and body["details"]["name"] == "missing"
    body = _status(api("POST", base, json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert api("POST", base, json=_cm("dup")).status_code == 201
    _status(api("POST", base, json=_cm("dup")), 409, "AlreadyExists")
    _status(api("PUT", base + "/dup", json=_cm("dup", metadata={"name": "dup", "resourceVersion": "1"})),
            409, "Conflict")
    _status(api("PATCH", base + "/dup", data=b"{}", headers={"Content-Type": "text/plain"}), 415,
            "UnsupportedMediaType")
    _status(api("PATCH", base + "/dup?", data=b"{}", headers={"Content-Type": "application/apply-patch+yaml"}),
            422, "Invalid")  # apply without fieldManager
    _status(api("POST", "/api/v1/namespaces/nowhere/configmaps", json=_cm("x")), 404, "NotFound")
    _status(api("POST", "/api/v1/namespaces/default/configmaps/dup", json=_cm("dup")), 405, "MethodNotAllowed")


def test_put_without_resource_version_is_unconditional_and_generate_name(api):
    base = "/api/v1/namespaces/default/configmaps"
    created = api("POST", base, json={**_cm(""), "metadata": {"generateName": "gen-"}}).json()
    name = created["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == 9
    updated = api("PUT", f"{base}/{name}", json={**_cm(name), "data": {"a": "2"}})
    assert updated.status_code == 200 and updated.json()["data"] == {"a": "2"}
    assert int(updated.json()["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_patch_types(api):
    base = "/api/v1/namespaces/default/configmaps"
    api("POST", base, json=_cm("p", data={"a": "1", "b": "2"}))
    merged = api("PATCH", base + "/p", data=json.dumps({"data": {"a": None, "c": "3"}}),
                 headers={"Content-Type": "application/merge-patch+json"}).json()
    assert merged["data"] == {"b": "2", "c": "3"}
    patched = api("PATCH", base + "/p", data=json.dumps([{"op": "replace", "path": "/data/b", "value": "9"}]),
                  headers={"Content-Type": "application/json-patch+json"}).json()
    assert patched["data"]["b"] == "9"
    _status(api("PATCH", base + "/p", data=json.dumps([{"op": "remove", "path": "/data/zz"}]),
                headers={"Content-Type": "application/json-patch+json"}), 422, "Invalid")
    # server-side apply creates (201), then drops a key the manager stopped setting
    applied = api("PATCH", base + "/ssa?fieldManager=t", data=json.dumps(_cm("ssa", data={"x": "1", "y": "2"})),
                  headers={"Content-Type": "application/apply-patch+yaml"})
    assert applied.status_code == 201
    again = api("PATCH", base + "/ssa?fieldManager=t", data=json.dumps(_cm("ssa", data={"x": "1"})),
                headers={"Content-Type": "application/apply-patch+yaml"})
    assert again.status_code == 200 and again.json()["data"] == {"x": "1"}


def test_watch_with_send_initial_events(api):
    base = "/api/v1/namespaces/default/configmaps"
    api("POST", base, json=_cm("w1", metadata={"name": "w1", "labels": {"watch": "me"}}))
    resp = api("GET", base + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
               "&resourceVersionMatch=NotOlderThan&labelSelector=watch%3Dme&timeoutSeconds=10", stream=True)
    assert resp.status_code == 200
    lines = resp.iter_lines()
    first = json.loads(next(lines))
    assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "w1"
    bookmark = json.loads(next(lines))
    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"] == "true"
    writer = threading.Thread(target=lambda: (
        api("POST", base, json=_cm("w2", metadata={"name": "w2", "labels": {"watch": "me"}})),
        api("DELETE", base + "/w1", json={"propagationPolicy": "Background"})))
    writer.start()
    events = []
    for line in lines:
        if line.strip():
            events.append(json.loads(line))
        if len(events) == 2:
            break
    writer.join()
    resp.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "w2"), ("DELETED", "w1")]


def test_watch_from_a_resource_version_streams_later_changes_and_ends_at_timeout(api):
    base = "/api/v1/namespaces/default/configmaps"
    api("POST", base, json=_cm("r1"))
    rv = api("GET", base).json()["metadata"]["resourceVersion"]
    resp = api("GET", f"{base}?watch=true&resourceVersion={rv}&timeoutSeconds=2", stream=True)
    api("POST", base, json=_cm("r2"))
    events = [json.loads(line) for line in resp.iter_lines() if line.strip()]  # ends by itself after 2 s
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "r2")]


def test_apply_patch_bodies_may_be_json_or_yaml(api):
    base = "/api/v1/namespaces/default/configmaps"
    flow = b"{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}, data: {k: v}}"  # YAML, not JSON
    resp = api("PATCH", base + "/flow?fieldManager=t", data=flow, headers={"Content-Type": "application/apply-patch+yaml"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["data"] == {"k": "v"}
    block = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow}\ndata: {k: w}\n"
    resp = api("PATCH", base + "/flow?fieldManager=t", data=block, headers={"Content-Type": "application/apply-patch+yaml"})
    assert resp.json()["data"] == {"k": "w"}
    _status(api("PATCH", base + "/flow?fieldManager=t", data=b"{a: [", headers={
        "Content-Type": "application/apply-patch+yaml"}), 400, "BadRequest")


def test_concurrent_writers_lose_nothing_and_do_not_stall(served, api):
    """Parallel clients (Helm creates objects concurrently) and an in-process helmpy writer share the file:
    every create lands, every merge patch to one object survives, in reasonable time."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from helmpy.kube.embedded import EmbeddedCluster

    base = "/api/v1/namespaces/default/configmaps"
    assert api("POST", base, json=_cm("shared", data={})).status_code == 201
    local = EmbeddedCluster(served.db)

    def create(i: int) -> int:
        return api("POST", base, json=_cm(f"par-{i}", metadata={"name": f"par-{i}", "labels": {"par": "y"}})
                   ).status_code

    def patch(i: int) -> int:
        return api("PATCH", f"{base}/shared", data=json.dumps({"data": {f"k{i}": str(i)}}),
                   headers={"Content-Type": "application/merge-patch+json"}).status_code

    def in_process(i: int) -> None:
        local.create(_cm(f"cli-{i}", metadata={"name": f"cli-{i}", "namespace": "default", "labels": {"par": "y"}}))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        jobs = [pool.submit(create, i) for i in range(120)] + [pool.submit(patch, i) for i in range(40)]
        jobs += [pool.submit(in_process, i) for i in range(20)]
        codes = [j.result() for j in jobs]
    elapsed = time.monotonic() - started
    assert codes[:120] == [201] * 120 and codes[120:160] == [200] * 40
    names = {o["metadata"]["name"] for o in api("GET", base + "?labelSelector=par%3Dy").json()["items"]}
    assert names == {f"par-{i}" for i in range(120)} | {f"cli-{i}" for i in range(20)}
    assert api("GET", base + "/shared").json()["data"] == {f"k{i}": str(i) for i in range(40)}
    assert elapsed < 20, f"{elapsed:.1f}s for 180 concurrent writes"


def test_scale_subresource(api):
    base = "/apis/apps/v1/namespaces/default/deployments"
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "sc"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "sc"}, "matchExpressions": [
                  {"key": "tier", "operator": "In", "values": ["a", "b"]}]}, "template": {
                  "metadata": {"labels": {"app": "sc", "tier": "a"}},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    assert api("POST", base, json=deploy).status_code == 201
    scale = api("GET", base + "/sc/scale").json()
    assert scale["spec"] == {"replicas": 2} and scale["status"]["selector"] == "app=sc,tier in (a,b)"
    put = api("PUT", base + "/sc/scale", json={**scale, "spec": {"replicas": 4}})
    assert put.status_code == 200 and put.json()["spec"]["replicas"] == 4
    _status(api("PUT", base + "/sc/scale", json=scale), 409, "Conflict")  # scale's resourceVersion is stale now
    _status(api("PATCH", base + "/sc/scale", data=b'{"spec":{"replicas":-1}}',
                headers={"Content-Type": "application/merge-patch+json"}), 422, "Invalid")
    assert api("GET", base + "/sc").json()["spec"]["replicas"] == 4
    _status(api("DELETE", base + "/sc/scale"), 405, "MethodNotAllowed")
    _status(api("GET", "/api/v1/namespaces/default/configmaps/x/scale"), 404, "NotFound")
    apps = api("GET", "/apis/apps/v1").json()["resources"]
    assert {"name": "deployments/scale", "group": "autoscaling", "version": "v1", "kind": "Scale"}.items() <= next(
        r for r in apps if r["name"] == "deployments/scale").items()
    agg = api("GET", "/apis", headers={"Accept": AGGREGATED_CONTENT_TYPE}).json()
    apps_v1 = next(i for i in agg["items"] if i["metadata"]["name"] == "apps")["versions"][0]["resources"]
    subs = next(r for r in apps_v1 if r["resource"] == "deployments")["subresources"]
    assert {s["subresource"] for s in subs} == {"status", "scale"}


def test_invalid_workloads_and_services_are_422_like_the_api_server(api):
    base = "/apis/apps/v1/namespaces/default/deployments"
    no_selector = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
                   "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}}}}
    body = _status(api("POST", base, json=no_selector), 422, "Invalid")
    assert body["message"] == ('Deployment.apps "bad" is invalid: [spec.selector: Required value, '
                               "spec.template.spec.containers[0].image: Required value]")
    mismatch = {**no_selector, "spec": {**no_selector["spec"], "selector": {"matchLabels": {"app": "y"}}}}
    body = _status(api("POST", base, json=mismatch), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"
    assert "`selector` does not match template `labels`" in body["message"]
    good = {**no_selector, "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {
        "metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    assert api("POST", base, json=good).status_code == 201
    _status(api("PATCH", base + "/worse?fieldManager=t", data=json.dumps({**no_selector, "metadata": {"name": "worse"}}),
                headers={"Content-Type": "application/apply-patch+yaml"}), 422, "Invalid")
    _status(api("PATCH", base + "/bad", data=b'{"spec":{"template":{"spec":{"containers":null}}}}',
                headers={"Content-Type": "application/merge-patch+json"}), 422, "Invalid")
    assert api("GET", base + "/bad").json()["spec"]["template"]["spec"]["containers"]  # unchanged
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 70000}]}}
    body = _status(api("POST", "/api/v1/namespaces/default/services", json=svc), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.ports[0].port"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {}}}}
    body = _status(api("POST", "/apis/batch/v1/namespaces/default/jobs", json=job), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.template.spec.containers"


def test_a_client_that_never_handshakes_does_not_stall_others(served):
    import socket
    import time

    host, port = served.url.removeprefix("https://").rsplit(":", 1)
    silent = [socket.create_connection((host, int(port))) for _ in range(3)]  # connect, send nothing
    try:
        time.sleep(0.2)
        started = time.monotonic()
        resp = requests.get(served.url + "/version", headers={"Authorization": f"Bearer {served.token}"},
                            verify=str(served.ca_file), timeout=10)
        assert resp.status_code == 200 and time.monotonic() - started < 5
    finally:
        for sock in silent:
            sock.close()


def test_hostile_bodies_are_400s_not_500s(served, api):
    """A YAML bomb, a self-containing anchor and 100,000-deep JSON/YAML get a 400 naming the problem."""
    base = "/api/v1/namespaces/default/configmaps"
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, " \
           "lol, lol]\n" + "".join(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    for body, ctype, problem in [
        (bomb.encode(), "application/yaml", "excessive aliasing"),
        (b"a: &a [*a]", "application/yaml", "anchor value contains itself"),
        (b"a: " + b"[" * 100_000 + b"]" * 100_000, "application/yaml", "nesting deeper than 200 levels"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", "JSON nested deeper than 200"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/apply-patch+yaml", "nesting deeper"),
    ]:
        method, path = ("PATCH", base + "/bomb?fieldManager=t") if "apply" in ctype else ("POST", base)
        resp = _status(api(method, path, data=body, headers={"Content-Type": ctype}), 400, "BadRequest")
        assert problem in resp["message"], resp["message"]
    assert "Traceback" not in served.log_text()
