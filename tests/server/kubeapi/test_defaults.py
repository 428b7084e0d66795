"""Through `cluster serve`, real kubectl sees the API server's defaults: `describe` and `get -o yaml` look like a
real cluster's (strategy, ports' protocol, probes' timings, Service targetPort and session affinity)."""

from __future__ import annotations

import json
import re

from helmpy import yamlutil

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dflt"},
          "spec": {"selector": {"matchLabels": {"app": "dflt"}}, "template": {
              "metadata": {"labels": {"app": "dflt"}},
              "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8000}],
                                       "readinessProbe": {"httpGet": {"path": "/", "port": 8000}}}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dflt"},
           "spec": {"selector": {"app": "dflt"}, "ports": [{"name": "http", "port": 80}]}}


def test_kubectl_describe_shows_defaulted_fields(kubectl, tmp_path) -> None:
    manifest = tmp_path / "d.yaml"
    manifest.write_text(f"{json.dumps(DEPLOY)}\n---\n{json.dumps(SERVICE)}\n")
    kubectl("apply", "-f", str(manifest))
    described = kubectl("describe", "deployment", "dflt").stdout
    assert re.search(r"^StrategyType:\s+RollingUpdate$", described, re.M)
    assert re.search(r"^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", described, re.M)
    assert re.search(r"^\s+Port:\s+8000/TCP$", described, re.M)
    assert "http-get http://:8000/ delay=0s timeout=1s period=10s #success=1 #failure=3" in described
    svc = yamlutil.load(kubectl("get", "service", "dflt", "-o", "yaml").stdout)["spec"]
    assert svc["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}]
    assert svc["sessionAffinity"] == "None" and svc["type"] == "ClusterIP" and svc["clusterIP"].startswith("10.96.")
    again = kubectl("apply", "-f", str(manifest)).stdout  # defaults are no difference to the manifest
    assert "deployment.apps/dflt unchanged" in again and "service/dflt unchanged" in again
