"""The endpoint controllers' writes stay linear in Pods when every Service selects every Pod.

``cluster serve`` makes one transaction per object; Endpoints are refreshed once per namespace when they
are next read (or a watch polls), as the real controllers batch updates, so N Pods behind M Services cost
O(N + M) writes, not O(N * M). Counted in resourceVersions (one per stored write).
"""

from __future__ import annotations

from pathlib import Path

from helmpy.kube.embedded import EmbeddedCluster


def _install(path: Path, deployments: int, services: int, delay: float) -> tuple[int, EmbeddedCluster]:
    clock = [1000.0]
    kube = EmbeddedCluster(path, pod_ready_delay=delay, clock=lambda: clock[0])
    before = kube.resource_version()
    for i in range(services):
        kube.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"s{i}", "namespace": "default"},
                    "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
    for i in range(deployments):
        clock[0] += 0.1  # Pods come due one after another, and a read between writes starts them
        kube.apply({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": f"d{i}", "namespace": "default"},
                    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x", "d": str(i)}},
                             "template": {"metadata": {"labels": {"app": "x", "d": str(i)}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
        kube.list("v1", "Pod")
    clock[0] += 100
    kube.list("v1", "Pod")
    kube.list("v1", "Endpoints", "default")
    return kube.resource_version() - before, kube


def test_writes_are_linear_in_pods_behind_every_service(tmp_path: Path) -> None:
    for delay in (0.0, 1.0):
        small, _ = _install(tmp_path / f"small-{delay}.db", 10, 10, delay)
        large, kube = _install(tmp_path / f"large-{delay}.db", 40, 10, delay)
        # 4x the Pods: quadratic growth (every Pod change rewriting all 10 Endpoints and slices) would add
        # ~30 * 10 * 2 writes; linear adds a fixed number per Deployment (Deployment, ReplicaSet, Pod, starts)
        assert large - small <= 30 * 8, (delay, small, large)
        ep = kube.get("v1", "Endpoints", "s3", "default")
        assert ep is not None
        assert len(ep["subsets"][0]["addresses"]) == 40
        eps = kube.get("discovery.k8s.io/v1", "EndpointSlice", f"s3-{_slice_suffix('s3')}", "default")
        assert eps is not None and len(eps["endpoints"]) == 40


def test_endpoints_are_current_when_read(tmp_path: Path) -> None:
    kube = EmbeddedCluster(tmp_path / "c.db", pod_ready_delay=0)
    kube.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    kube.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default",
                                                               "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    ep = kube.get("v1", "Endpoints", "web", "default")
    assert ep is not None and [a["targetRef"]["name"] for a in ep["subsets"][0]["addresses"]] == ["p"]
    kube.delete("v1", "Pod", "p", "default")
    assert "subsets" not in (kube.get("v1", "Endpoints", "web", "default") or {"subsets": 1})


def _slice_suffix(name: str) -> str:
    from helmpy.kube.controllers import suffix

    return suffix(name)
