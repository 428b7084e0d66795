"""A chart layer is taken as it arrives: hashed, checked as a chart archive and written to the content cache in
one pass. A layer that is no chart is refused with one line and kept nowhere; a connection cut in the middle of
the layer is retried, and when it keeps failing nothing is left behind (no file in the destination, no
temporary file in the content cache)."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from helmpy import paths
from helmpy.registry import chartformat
from tests.chart.test_archive import bad_sparse_map
from tests.registry.test_oci_cli import package
from tests.support.oci_registry import Registry
from tests.support.threaded_http import QuietHandler, ThreadedServer

CONFIG = json.dumps({"apiVersion": "v2", "name": "web", "version": "0.1.0"}).encode()


def tgz(*files: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def push_raw(reg: Registry, repo: str, tag: str, layer: bytes) -> str:
    """Store ``layer`` as a Helm chart layer (with a valid config) through the registry's own API; its digest."""
    descs = []
    for media_type, blob in ((chartformat.CONFIG_MEDIA_TYPE, CONFIG), (chartformat.CHART_LAYER_MEDIA_TYPE, layer)):
        desc = chartformat.describe(media_type, blob)
        start = requests.post(f"{reg.base_url}/v2/{repo}/blobs/uploads/", timeout=10)
        assert start.status_code == 202, start.text
        location = requests.compat.urljoin(reg.base_url, start.headers["Location"])
        done = requests.put(location, params={"digest": desc.digest}, data=blob, timeout=10,
                            headers={"Content-Type": "application/octet-stream"})
        assert done.status_code == 201, done.text
        descs.append(desc)
    body = chartformat.manifest(descs[0], descs[1:], {})
    put = requests.put(f"{reg.base_url}/v2/{repo}/manifests/{tag}", data=body, timeout=10,
                       headers={"Content-Type": chartformat.MANIFEST_MEDIA_TYPE})
    assert put.status_code == 201, put.text
    return descs[1].digest


def cache_files() -> list[Path]:
    root = paths.content_cache()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("layer, message", [
    (tgz(("web/values.yaml", b"a: 1\n")), "Chart.yaml file is missing"),
    (tgz(("web/Chart.yaml", b"name: web\n"), ("web/../../escape", b"x")), "illegally references parent directory"),
    (gzip.compress(b"not a tar at all" * 100), "corrupt chart archive"),
    (b"PK\x03\x04 a zip file", "not a gzipped chart archive"),
    (bad_sparse_map(), "corrupt chart archive"),
], ids=["no-chart-yaml", "parent-directory", "gzip-no-tar", "zip", "bad-sparse-map"])
def test_a_layer_that_is_no_chart_is_refused_and_kept_nowhere(cli: Any, oci_registry: Registry, tmp_path: Path,
                                                              layer: bytes, message: str) -> None:
    digest = push_raw(oci_registry, "bad/web", "0.1.0", layer)
    dest = tmp_path / "dest"
    dest.mkdir()
    before = cache_files()
    proxy = CuttingProxy(oci_registry, digest, 0)
    try:
        r = cli("pull", f"oci://{proxy.host}/bad/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    finally:
        proxy.close()
    assert r.exit_code == 1, r
    assert r.stderr.startswith("Error: ") and message in r.stderr and len(r.stderr.splitlines()) == 1, r
    assert "Traceback" not in r.stderr and f"{proxy.host}/bad/web:0.1.0" in r.stderr, r
    assert proxy.fetched == 1  # a refused archive is not a transport failure: not fetched again
    assert list(dest.iterdir()) == []
    assert cache_files() == before  # neither the refused layer nor a temporary file
    assert not any(digest[7:] in p.name for p in cache_files())


class CuttingProxy:
    """Forwards to ``reg``; the first ``cuts`` GETs of blob ``digest`` get their headers and half the body, then
    the connection is closed (the registry is untouched). ``fetched``: the GETs of that blob."""

    def __init__(self, reg: Registry, digest: str, cuts: int) -> None:
        self.reg, self.digest, self.cuts, self.cut, self.fetched = reg, digest, cuts, 0, 0
        proxy = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "accept-encoding")}
                resp = requests.get(proxy.reg.base_url + self.path, headers=headers, timeout=30)
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                proxy.fetched += self.path.endswith(f"/blobs/{proxy.digest}")
                if self.path.endswith(f"/blobs/{proxy.digest}") and proxy.cut < proxy.cuts:
                    proxy.cut += 1
                    self.wfile.write(resp.content[:len(resp.content) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(resp.content)

        self.server = ThreadedServer(Handler)
        self.host = self.server.host

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def pushed(cli: Any, oci_registry: Registry, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    tgz_path = package(cli, tmp_path)
    assert cli("push", str(tgz_path), f"oci://{oci_registry.host}/charts", "--plain-http").exit_code == 0
    yield tgz_path, chartformat.sha256_digest(tgz_path.read_bytes())


@pytest.mark.parametrize("cuts, ok", [(1, True), (2, True), (3, False)])
def test_a_cut_download_is_retried_and_a_failed_one_leaves_nothing(cli: Any, oci_registry: Registry, tmp_path: Path,
                                                                   pushed: tuple[Path, str], cuts: int,
                                                                   ok: bool) -> None:
    archive, digest = pushed
    proxy = CuttingProxy(oci_registry, digest, cuts)
    try:
        dest = tmp_path / "dest"
        dest.mkdir()
        before = cache_files()
        r = cli("pull", f"oci://{proxy.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    finally:
        proxy.close()
    assert proxy.cut == cuts
    if ok:  # three attempts per request: two cuts are survived
        assert r.exit_code == 0, r
        assert (dest / "web-0.1.0.tgz").read_bytes() == archive.read_bytes()
        assert [p for p in cache_files() if p not in before] == [
            paths.content_cache() / digest[7:9] / f"{digest[7:]}.chart"]
        return
    assert r.exit_code == 1, r
    assert r.stderr.startswith("Error: ") and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr, r
    short = archive.stat().st_size - archive.stat().st_size // 2
    assert f"the connection closed {short} bytes before the end of the answer" in r.stderr, r
    assert list(dest.iterdir()) == []
    assert cache_files() == before


def test_an_altered_layer_is_reported_as_altered_not_as_a_bad_archive(cli: Any, oci_registry: Registry,
                                                                      tmp_path: Path, pushed: tuple[Path, str]) -> None:
    """The layer is checked as an archive while it arrives, but a digest mismatch is what is reported: the
    archive is broken because it was altered."""
    _, digest = pushed
    blob = oci_registry.blob_path(digest)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = bytes(64)  # inside the deflate stream: no longer inflates
    blob.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{oci_registry.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 1, r
    assert f"blob {digest} (" in r.stderr and "refusing it" in r.stderr and "corrupt" not in r.stderr, r
    assert list(dest.iterdir()) == []


def test_a_content_cache_that_cannot_be_written_is_reported_as_such_not_as_a_connection_failure(
        cli: Any, oci_registry: Registry, tmp_path: Path, pushed: tuple[Path, str]) -> None:
    _, digest = pushed
    shard = paths.content_cache() / digest[7:9]
    shard.parent.mkdir(parents=True, exist_ok=True)
    shard.write_text("a file where the cache's directory goes")
    proxy = CuttingProxy(oci_registry, digest, 0)
    try:
        dest = tmp_path / "dest"
        dest.mkdir()
        r = cli("pull", f"oci://{proxy.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    finally:
        proxy.close()
    assert r.exit_code == 1, r
    assert r.stderr.startswith("Error: ") and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr, r
    assert "cannot store the blob in the content cache" in r.stderr and str(shard.parent) in r.stderr, r
    assert "connection" not in r.stderr.lower(), r
    assert proxy.fetched == 1
    assert list(dest.iterdir()) == []


def test_a_full_disk_while_a_layer_arrives_is_the_disks_error_not_a_tampered_blob(tmp_path: Path) -> None:
    """The layer is checked as an archive while it is written: a write that fails (ENOSPC) must come out as that
    OSError (save_blob names the cache directory), not as a refused archive nor as a digest mismatch."""
    import errno

    from helmpy.chart.archive import check_archive_stream
    from helmpy.registry import blobs

    layer = tgz(("web/Chart.yaml", b"apiVersion: v2\nname: web\nversion: 0.1.0\n"), ("web/big", os.urandom(300_000)))
    digest = chartformat.sha256_digest(layer)
    parts = [layer[i:i + 65536] for i in range(0, len(layer), 65536)]
    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(OSError) as raised:
        blobs.take(parts, digest, len(layer), "reg/web", full, lambda b: check_archive_stream(b, "web.tgz"))
    assert raised.value.errno == errno.ENOSPC
    blobs.take(parts, digest, len(layer), "reg/web", None, lambda b: check_archive_stream(b, "web.tgz"))  # intact
