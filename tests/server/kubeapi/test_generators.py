"""Every `kubectl create <generator>` sends a protobuf body (kube-api.md §2.2): real kubectl creates each one, and
the stored object holds everything kubectl would have sent (its `--dry-run=client -o json` rendering)."""

from __future__ import annotations

import json
import subprocess

import pytest

pytestmark = pytest.mark.helm

SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")

GENERATORS = {
    "deployment": ["deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=8080", "--", "sleep", "3600"],
    "deployment-zero": ["deployment", "idle", "--image=nginx", "--image=busybox", "--replicas=0"],
    "job": ["job", "once", "--image=busybox", "--", "echo", "hi"],
    "cronjob": ["cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--restart=Never", "--", "date"],
    "service-clusterip": ["service", "clusterip", "svc-c", "--tcp=5678:8080", "--tcp=443:https"],
    "service-headless": ["service", "clusterip", "svc-h", "--clusterip=None"],
    "service-nodeport": ["service", "nodeport", "svc-n", "--tcp=80:8080", "--node-port=30080"],
    "service-loadbalancer": ["service", "loadbalancer", "svc-l", "--tcp=443:8443"],
    "service-externalname": ["service", "externalname", "svc-e", "--external-name=db.example.com", "--tcp=5432"],
    "ingress": ["ingress", "ing", "--class=nginx", "--rule=foo.com/bar*=svc1:8080,tls=foo-tls",
                "--rule=bar.com/=svc2:http", "--default-backend=fallback:80", "--annotation=team=web"],
    "role": ["role", "reader", "--verb=get,list,watch", "--resource=pods,deployments.apps",
             "--resource-name=web"],
    "clusterrole": ["clusterrole", "logs", "--verb=get", "--non-resource-url=/logs/*"],
    "clusterrole-aggregated": ["clusterrole", "agg", "--aggregation-rule=rbac.example.com/aggregate=true"],
    "rolebinding": ["rolebinding", "read", "--role=reader", "--user=alice", "--group=devs",
                    "--serviceaccount=default:robot"],
    "clusterrolebinding": ["clusterrolebinding", "logs", "--clusterrole=logs", "--user=bob"],
    "quota": ["quota", "q", "--hard=cpu=1500m,memory=1Gi,pods=2,services.nodeports=0", "--scopes=BestEffort"],
    "priorityclass": ["priorityclass", "high", "--value=1000", "--description=important",
                      "--preemption-policy=Never"],
    "priorityclass-zero": ["priorityclass", "zero", "--value=0"],
    "pdb-percent": ["poddisruptionbudget", "pdb-p", "--selector=app=web", "--min-available=50%"],
    "pdb-zero": ["poddisruptionbudget", "pdb-z", "--selector=app in (web,api)", "--max-unavailable=0"],
    "serviceaccount": ["serviceaccount", "robot"],
    "secret-generic": ["secret", "generic", "creds", "--from-literal=user=admin", "--type=Opaque"],
    "secret-docker-registry": ["secret", "docker-registry", "pull", "--docker-server=r.example.com",
                               "--docker-username=u", "--docker-password=p"],
    "configmap": ["configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"],
    "namespace": ["namespace", "team-a"],
}


def _prune(value):
    """Drop what JSON omits when empty (and the server's own metadata) so client and stored forms compare."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items() if k != "status"}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _subset(expected, actual, path="") -> None:
    """Everything kubectl sent is stored (the server may add defaults such as a Service's clusterIP)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing from the stored object"
            _subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual} != {expected}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _subset(e, a, f"{path}[{i}]")
    else:
        assert expected == actual, f"{path}: stored {actual!r}, kubectl sent {expected!r}"


def _stored(kubectl, rendered: dict) -> dict:
    kind, name = rendered["kind"], rendered["metadata"]["name"]
    resource = {"Deployment": "deployment.apps", "Job": "job.batch", "CronJob": "cronjob.batch",
                "Ingress": "ingress.networking.k8s.io"}.get(kind, kind.lower())
    doc = json.loads(kubectl("get", resource, name, "-o", "json").stdout)
    for key in SERVER_FIELDS:
        doc["metadata"].pop(key, None)
    return doc


@pytest.mark.parametrize("args", GENERATORS.values(), ids=GENERATORS.keys())
def test_create_generator(kubectl, args):
    cut = args.index("--") if "--" in args else len(args)  # flags go before a container command
    dry_run = [*args[:cut], "--dry-run=client", "-o", "json", *args[cut:]]
    rendered = json.loads(kubectl("create", *dry_run).stdout)
    created = kubectl("create", *args, check=False)
    assert created.returncode == 0, created.stderr  # was: protobuf request bodies of kind ... are not supported
    _subset(_prune(rendered), _prune(_stored(kubectl, rendered)))


def test_generator_details_that_zero_values_would_lose(kubectl):
    def get(*args: str) -> dict:
        return json.loads(kubectl("get", *args, "-o", "json").stdout)

    deploy = get("deployment", "web")
    assert deploy["spec"]["replicas"] == 3
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.27" and container["command"] == ["sleep", "3600"]
    assert container["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]  # defaulted, as on a real cluster
    assert "creationTimestamp" not in deploy["spec"]["template"]["metadata"]  # Go's zero time is no timestamp
    idle = get("deployment", "idle")
    assert idle["spec"]["replicas"] == 0
    assert [c["image"] for c in idle["spec"]["template"]["spec"]["containers"]] == ["nginx", "busybox"]
    assert get("priorityclass", "zero")["value"] == 0
    assert get("pdb", "pdb-z")["spec"]["maxUnavailable"] == 0
    assert get("pdb", "pdb-z")["spec"]["selector"]["matchExpressions"] == [
        {"key": "app", "operator": "In", "values": ["api", "web"]}]
    assert get("pdb", "pdb-p")["spec"]["minAvailable"] == "50%"
    ports = get("service", "svc-c")["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in ports] == [(5678, 8080), (443, "https")]
    assert get("service", "svc-n")["spec"]["ports"][0]["nodePort"] == 30080
    assert get("quota", "q")["spec"]["hard"] == {"cpu": "1500m", "memory": "1Gi", "pods": "2",
                                                  "services.nodeports": "0"}
    rule = get("ingress", "ing")["spec"]["rules"][0]
    assert rule["host"] == "foo.com" and rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "svc1", "port": {"number": 8080}}
    job = get("job", "once")["spec"]["template"]["spec"]
    assert job["restartPolicy"] == "Never" and job["containers"][0]["command"] == ["echo", "hi"]
    assert get("cronjob", "tick")["spec"]["schedule"] == "*/5 * * * *"


def test_create_secret_tls_and_job_from_cronjob(served, kubectl):
    key, cert = served.home / "tls.key", served.home / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=example.com"], check=True, capture_output=True)
    kubectl("create", "secret", "tls", "site-tls", f"--cert={cert}", f"--key={key}")
    secret = json.loads(kubectl("get", "secret", "site-tls", "-o", "json").stdout)
    assert secret["type"] == "kubernetes.io/tls" and set(secret["data"]) == {"tls.crt", "tls.key"}
    kubectl("create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date")
    kubectl("create", "job", "manual", "--from=cronjob/nightly")
    job = json.loads(kubectl("get", "job", "manual", "-o", "json").stdout)
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert job["metadata"]["ownerReferences"][0]["controller"] is True
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["date"]
