"""A Go chart's release passed back and forth between real Helm and helmpy on ``helmpy cluster serve``:
helm installs, helmpy upgrades with ``--reuse-values``, helm upgrades again, helmpy rolls back; both tools
print the same manifest, values and history at every revision, and the live objects follow."""

from __future__ import annotations

import json

import pytest
import yaml

pytestmark = pytest.mark.helm


def test_go_chart_release_moves_between_helm_and_helmpy(served, khelm, kubectl, cli):
    khelm("create", "gochart")
    chart = str(served.home / "gochart")
    remote = ("--kubeconfig", str(served.kubeconfig))

    def helmpy(*args: str):
        result = cli(*args, *remote)
        assert result.exit_code == 0, result
        return result

    def agree(revision: int) -> dict:
        theirs = khelm("get", "manifest", "gorel", "--revision", str(revision)).stdout
        assert helmpy("get", "manifest", "gorel", "--revision", str(revision)).stdout == theirs
        values = json.loads(khelm("get", "values", "gorel", "--revision", str(revision), "-o", "json").stdout)
        assert helmpy("get", "values", "gorel", "--revision", str(revision), "-o", "json").json == values
        return values

    khelm("install", "gorel", chart, "--set", "replicaCount=2")
    assert agree(1) == {"replicaCount": 2}
    helmpy("upgrade", "gorel", chart, "--reuse-values", "--set", "image.tag=1.27")
    assert agree(2) == {"replicaCount": 2, "image": {"tag": "1.27"}}
    khelm("upgrade", "gorel", chart, "--reuse-values", "--set", "service.port=8080")
    assert agree(3) == {"replicaCount": 2, "image": {"tag": "1.27"}, "service": {"port": 8080}}
    deploy = json.loads(kubectl("get", "deploy", "gorel-gochart", "-o", "json").stdout)
    assert deploy["spec"]["replicas"] == 2
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    manifest = helmpy("get", "manifest", "gorel").stdout
    service = next(d for d in yaml.safe_load_all(manifest) if d and d["kind"] == "Service")
    assert service["spec"]["ports"][0]["port"] == 8080

    helmpy("rollback", "gorel", "1")
    assert agree(4) == {"replicaCount": 2}
    deploy = json.loads(kubectl("get", "deploy", "gorel-gochart", "-o", "json").stdout)
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16.0"
    history = json.loads(khelm("history", "gorel", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"),
                                                               (3, "superseded"), (4, "deployed")]
    assert [(h["revision"], h["status"]) for h in helmpy("history", "gorel", "-o", "json").json] == \
        [(h["revision"], h["status"]) for h in history]
    khelm("uninstall", "gorel")
    assert helmpy("list", "-o", "json").json == []
