"""The Secret and ConfigMap objects are exactly what Helm writes (kube-api.md section 8)."""

from __future__ import annotations

import base64
import gzip
import json
import time
from pathlib import Path

import pytest

from helmpy.kube.embedded import EmbeddedCluster
from helmpy.release import codec
from helmpy.release.model import Status
from helmpy.storage.configmaps import ConfigMapsDriver
from helmpy.storage.secrets import SecretsDriver
from tests.storage.conftest import make_release


@pytest.fixture
def cluster(tmp_path: Path) -> EmbeddedCluster:
    return EmbeddedCluster(tmp_path / "cluster.db")


def test_secret_fields(cluster: EmbeddedCluster) -> None:
    rls = make_release("demo", 3, Status.DEPLOYED, labels={"team": "blue"})
    before = int(time.time())
    SecretsDriver(cluster, "default").create(rls.key, rls)
    secret = cluster.get("v1", "Secret", "sh.helm.release.v1.demo.v3", "default")
    assert secret is not None
    assert secret["type"] == "helm.sh/release.v1"
    assert secret["metadata"]["name"] == "sh.helm.release.v1.demo.v3"
    assert secret["metadata"]["namespace"] == "default"
    labels = secret["metadata"]["labels"]
    created = int(labels.pop("createdAt"))
    assert before <= created <= int(time.time())
    assert labels == {"name": "demo", "owner": "helm", "status": "deployed", "version": "3", "team": "blue"}
    assert list(secret["data"]) == ["release"]
    inner = base64.b64decode(secret["data"]["release"]).decode("ascii")  # the API's base64 of Helm's text
    assert secret["data"]["release"].startswith("SDRzSUFB") and inner.startswith("H4sI")
    assert inner == codec.encode(rls)
    record = json.loads(gzip.decompress(base64.b64decode(inner)))
    assert record == rls.to_dict()
    assert "labels" not in record
    assert "\\u003cthere\\u003e \\u0026 bye" in gzip.decompress(base64.b64decode(inner)).decode()


def test_update_restamps_labels(cluster: EmbeddedCluster) -> None:
    drv = SecretsDriver(cluster, "default")
    rls = make_release("demo", 1, Status.DEPLOYED)
    drv.create(rls.key, rls)
    rls.info.status = Status.SUPERSEDED
    drv.update(rls.key, rls)
    labels = cluster.get("v1", "Secret", rls.key, "default")["metadata"]["labels"]  # type: ignore[index]
    assert "createdAt" not in labels and labels["modifiedAt"].isdigit()
    assert labels["status"] == "superseded"


def test_configmap_fields(cluster: EmbeddedCluster) -> None:
    rls = make_release("demo", 1)
    ConfigMapsDriver(cluster, "default").create(rls.key, rls)
    cm = cluster.get("v1", "ConfigMap", rls.key, "default")
    assert cm is not None and "type" not in cm
    assert cm["data"] == {"release": codec.encode(rls)}
    assert cm["metadata"]["labels"]["owner"] == "helm"


def test_reads_secret_written_by_hand_like_helm(cluster: EmbeddedCluster) -> None:
    """A Secret built as Helm builds it (no gzip is also accepted) is read back."""
    rls = make_release("hand", 2, Status.FAILED)
    plain = base64.b64encode(json.dumps(rls.to_dict()).encode()).decode()
    cluster.create({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                    "metadata": {"name": rls.key, "labels": {"name": "hand", "owner": "helm", "status": "failed",
                                                             "version": "2", "modifiedAt": "1795697064"}},
                    "data": {"release": base64.b64encode(plain.encode()).decode()}})
    drv = SecretsDriver(cluster, "default")
    assert drv.get(rls.key).to_dict() == rls.to_dict()
    assert drv.get(rls.key).labels == {}
    assert [r.version for r in drv.query({"name": "hand", "owner": "helm"})] == [2]


def test_undecodable_records_are_skipped_in_lists(cluster: EmbeddedCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                    "metadata": {"name": "sh.helm.release.v1.bad.v1", "labels": {"owner": "helm", "name": "bad"}},
                    "data": {"release": base64.b64encode(b"not base64 !").decode()}})
    assert SecretsDriver(cluster, "default").list() == []


def test_objects_and_release_secret_commit_together(cluster: EmbeddedCluster) -> None:
    """An action applies objects and writes the release Secret in one cluster transaction."""
    drv = SecretsDriver(cluster, "default")
    rls = make_release("atomic", 1)
    with pytest.raises(RuntimeError), cluster.transaction():
        cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "atomic-cm"}, "data": {}})
        drv.create(rls.key, rls)
        raise RuntimeError("the action failed after writing")
    assert cluster.get("v1", "ConfigMap", "atomic-cm") is None
    assert drv.list() == []
    with cluster.transaction():
        cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "atomic-cm"}, "data": {}})
        drv.create(rls.key, rls)
    assert drv.get(rls.key).name == "atomic"
