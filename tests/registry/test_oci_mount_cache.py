"""Fewer transfers against a real docker-registry: cross-repository blob mounts on push, content-cache reuse on
pull. What the client sent is read from the registry's own access log."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from helmpy import paths
from tests.registry.test_oci_cli import manifest, package
from tests.support.oci_registry import Registry


def blob_requests(seen: list[tuple[str, str]], digest: str) -> list[tuple[str, str]]:
    """The requests that named ``digest`` (HEAD/GET of the blob, an upload's ``?digest=``, a mount's ``?mount=``)."""
    return [(method, path) for method, path in seen if digest in path]


def layer_digests(reg: Registry, repo: str) -> tuple[str, str]:
    doc = manifest(reg, repo, "0.1.0").json()
    return doc["config"]["digest"], doc["layers"][0]["digest"]


def test_push_mounts_blobs_known_in_another_repository(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    tgz = package(cli, tmp_path)
    assert cli("push", str(tgz), f"oci://{host}/team-a", "--plain-http").exit_code == 0
    config, layer = layer_digests(oci_registry, "team-a/web")

    mark = oci_registry.log_mark()
    r = cli("push", str(tgz), f"oci://{host}/team-b/charts", "--plain-http")
    assert r.exit_code == 0, r
    seen = oci_registry.requests(mark)
    for digest in (config, layer):
        # one mount from team-a (its 201 says the blob is there): no HEAD, no upload session, no PUT of the bytes
        assert blob_requests(seen, digest) == [
            ("POST", f"/v2/team-b/charts/web/blobs/uploads/?mount={digest}&from=team-a%2Fweb")], seen
    assert not [p for m, p in seen if m in ("PUT", "PATCH") and "/blobs/" in p], seen
    assert r.stderr.splitlines()[1] == f"Digest: {manifest(oci_registry, 'team-b/charts/web', '0.1.0').headers['Docker-Content-Digest']}"

    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{host}/team-b/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 0, r
    assert (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes()


def test_a_refused_mount_falls_back_to_an_upload(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    tgz = package(cli, tmp_path)
    assert cli("push", str(tgz), f"oci://{host}/gone", "--plain-http").exit_code == 0
    config, layer = layer_digests(oci_registry, "gone/web")
    # the hint goes stale: the source repository no longer holds the layer (nor the config)
    for digest in (config, layer):
        resp = requests.delete(f"{oci_registry.base_url}/v2/gone/web/blobs/{digest}", timeout=10)
        assert resp.status_code == 202, resp.text
        os.remove(oci_registry.blob_path(digest))  # and the storage has lost it (a garbage collection)

    mark = oci_registry.log_mark()
    r = cli("push", str(tgz), f"oci://{host}/fresh", "--plain-http")
    assert r.exit_code == 0, r
    seen = oci_registry.requests(mark)
    mounts = [p for m, p in seen if m == "POST" and f"mount={layer}" in p]
    assert mounts == [f"/v2/fresh/web/blobs/uploads/?mount={layer}&from=gone%2Fweb"], seen
    # the registry's 202 opened the upload session: the bytes go to it, no second POST
    assert [m for m, p in blob_requests(seen, layer)] == ["POST", "PUT"], seen

    dest = tmp_path / "dest"
    dest.mkdir()
    assert cli("pull", f"oci://{host}/fresh/web", "--plain-http", "-d", str(dest)).exit_code == 0
    assert (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes()


def test_a_pull_records_where_its_blobs_live(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    tgz = package(cli, tmp_path)
    assert cli("push", str(tgz), f"oci://{host}/src", "--plain-http").exit_code == 0
    paths.known_blobs_file().unlink()  # as on another machine: only the pull below knows the blobs
    dest = tmp_path / "dest"
    dest.mkdir()
    assert cli("pull", f"oci://{host}/src/web", "--plain-http", "-d", str(dest)).exit_code == 0
    _, layer = layer_digests(oci_registry, "src/web")

    mark = oci_registry.log_mark()
    assert cli("push", str(dest / "web-0.1.0.tgz"), f"oci://{host}/copy", "--plain-http").exit_code == 0
    assert ("POST", f"/v2/copy/web/blobs/uploads/?mount={layer}&from=src%2Fweb") in oci_registry.requests(mark)


def test_an_unreadable_hints_file_is_ignored(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    hints = paths.known_blobs_file()
    hints.parent.mkdir(parents=True)
    hints.write_text("{not json")
    tgz = package(cli, tmp_path)
    r = cli("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http")
    assert r.exit_code == 0, r
    layer = layer_digests(oci_registry, "charts/web")[1]
    assert json.loads(hints.read_text()) == {oci_registry.host: {
        d: ["charts/web"] for d in json.loads(hints.read_text())[oci_registry.host]}}
    assert layer in json.loads(hints.read_text())[oci_registry.host]


def test_known_blobs_are_bounded(cli: Any, oci_registry: Registry, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("HELMPY_MAX_KNOWN_BLOBS", "3")
    for version in ("0.1.0", "0.2.0", "0.3.0"):
        assert cli("push", str(package(cli, tmp_path, version)), f"oci://{oci_registry.host}/charts",
                   "--plain-http").exit_code == 0
    known = json.loads(paths.known_blobs_file().read_text())[oci_registry.host]
    newest = manifest(oci_registry, "charts/web", "0.3.0").json()
    assert len(known) == 3 and newest["layers"][0]["digest"] in known and newest["config"]["digest"] in known


def test_pull_reuses_the_content_cache_by_digest(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    tgz = package(cli, tmp_path)
    assert cli("push", str(tgz), f"oci://{host}/charts", "--plain-http").exit_code == 0
    _, layer = layer_digests(oci_registry, "charts/web")
    ref = f"oci://{host}/charts/web"

    def pull(into: str) -> list[tuple[str, str]]:
        dest = tmp_path / into
        dest.mkdir()
        mark = oci_registry.log_mark()
        r = cli("pull", ref, "--version", "0.1.0", "--plain-http", "-d", str(dest))
        assert r.exit_code == 0, r
        assert (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes()
        return blob_requests(oci_registry.requests(mark), layer)

    assert pull("first") == [("GET", f"/v2/charts/web/blobs/{layer}")]
    assert pull("second") == []  # the manifest names a blob the cache holds: not downloaded again

    cached = paths.content_cache() / layer[7:9] / f"{layer[7:]}.chart"
    data = bytearray(cached.read_bytes())
    data[len(data) // 2] ^= 0xFF  # the cached copy altered (same size): it fails its digest and is fetched again
    cached.write_bytes(bytes(data))
    assert pull("third") == [("GET", f"/v2/charts/web/blobs/{layer}")]
    assert cached.read_bytes() == tgz.read_bytes()


def test_a_mount_asks_the_token_service_for_both_repositories(cli: Any, oci_registry_token: Any,
                                                              tmp_path: Path) -> None:
    from tests.support.oci_registry import PASSWORD, USERNAME

    tr = oci_registry_token
    reg = tr.registry
    tls = ["--ca-file", reg.ca_file]
    r = cli("registry", "login", reg.host, "-u", USERNAME, "--password-stdin", *tls, input=PASSWORD + "\n")
    assert r.exit_code == 0, r
    tgz = package(cli, tmp_path)
    assert cli("push", str(tgz), f"oci://{reg.host}/charts", *tls).exit_code == 0
    before, mark = len(tr.tokens.requests), reg.log_mark()
    assert cli("push", str(tgz), f"oci://{reg.host}/mirror", *tls).exit_code == 0
    asked = [q["scope"] for q in tr.tokens.requests[before:]]
    assert any({"repository:mirror/web:pull,push", "repository:charts/web:pull"} <= set(a.split()) for a in asked), asked
    # one token for the whole push: the mount's (asked for both repositories) serves the manifest's PUT too
    assert len(asked) == 1, asked
    seen = reg.requests(mark)
    # (a request the registry answered 401 is sent again with the token: the set of POSTs, not their count)
    assert {p for m, p in seen if m == "POST"} == {
        f"/v2/mirror/web/blobs/uploads/?mount={d}&from=charts%2Fweb" for d in stored_digests(reg, "mirror/web")}, seen
    assert not [p for m, p in seen if m == "PUT" and "/blobs/" in p], seen  # mounted: no bytes sent


def stored_digests(reg: Registry, repo: str) -> list[str]:
    """The config and layer digests of ``repo:0.1.0`` (in the order push sends them), read from the registry's
    storage (the token registry answers nothing without a token)."""
    link = reg.storage / "docker/registry/v2/repositories" / repo / "_manifests/tags/0.1.0/current/link"
    digest = link.read_text().strip()
    doc = json.loads(reg.blob_path(digest).read_text())
    return [doc["config"]["digest"], doc["layers"][0]["digest"]]
