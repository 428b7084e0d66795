"""``oci://`` through the CLI against a real docker-registry: push, pull, show, template, install, login."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import requests

from helmpy import paths
from helmpy.redact import REDACTED
from tests.support.oci_registry import PASSWORD, USERNAME, Registry

ROOT = Path(__file__).resolve().parents[2]
ACCEPT = {"Accept": "application/vnd.oci.image.manifest.v1+json"}


def package(cli: Any, tmp_path: Path, version: str = "0.1.0", name: str = "web") -> Path:
    src = tmp_path / "src" / f"{name}-{version}"
    shutil.copytree(ROOT / "charts" / "web", src)
    chart_yaml = src / "Chart.yaml"
    text = chart_yaml.read_text().replace("version: 0.1.0", f"version: {version}").replace("name: web", f"name: {name}")
    chart_yaml.write_text(text)
    out = tmp_path / "pkg"
    out.mkdir(exist_ok=True)
    r = cli("package", str(src), "-d", str(out))
    assert r.exit_code == 0, r
    return out / f"{name}-{version}.tgz"


def manifest(reg: Registry, repo: str, ref: str, auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.get(f"{reg.base_url}/v2/{repo}/manifests/{ref}", headers=ACCEPT, timeout=10,
                        verify=reg.ca_file or True, auth=auth)


def test_push_then_pull_round_trip(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    tgz = package(cli, tmp_path)
    r = cli("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http")
    assert r.exit_code == 0, r
    lines = r.stderr.splitlines()
    assert lines[0] == f"Pushed: {oci_registry.host}/charts/web:0.1.0"
    resp = manifest(oci_registry, "charts/web", "0.1.0")
    assert resp.status_code == 200
    assert lines[1] == f"Digest: {resp.headers['Docker-Content-Digest']}"
    doc = resp.json()
    assert doc["config"]["mediaType"] == "application/vnd.cncf.helm.config.v1+json"
    assert [layer["mediaType"] for layer in doc["layers"]] == ["application/vnd.cncf.helm.chart.content.v1.tar+gzip"]
    assert doc["annotations"]["org.opencontainers.image.title"] == "web"

    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{oci_registry.host}/charts/web", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 0, r
    assert r.stderr.splitlines() == [f"Pulled: {oci_registry.host}/charts/web:0.1.0", lines[1]]
    assert (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes()

    # a second push of the same archive skips the blobs (HEAD) and gives the same digest
    r2 = cli("push", str(tgz), f"oci://{oci_registry.host}/charts", "--plain-http")
    assert r2.exit_code == 0 and r2.stderr.splitlines()[1] == lines[1], r2


def test_versions_tags_and_digests(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    for v in ("0.1.0", "0.1.5", "0.2.0", "0.3.0-rc.1", "1.0.0+build.7"):
        r = cli("push", str(package(cli, tmp_path, v)), f"oci://{host}/c", "--plain-http")
        assert r.exit_code == 0, r
    assert "1.0.0_build.7 contains an underscore." in r.stderr
    assert manifest(oci_registry, "c/web", "1.0.0_build.7").status_code == 200

    def pulled(*args: str) -> str:
        dest = tmp_path / f"d{len(list(tmp_path.iterdir()))}"
        dest.mkdir()
        res = cli("pull", f"oci://{host}/c/web", *args, "--plain-http", "-d", str(dest))
        assert res.exit_code == 0, res
        return next(p.name for p in dest.iterdir())

    assert pulled("--version", "^0.1") == "web-0.1.5.tgz"
    assert pulled() == "web-1.0.0+build.7.tgz"  # highest, no pre-release
    assert pulled("--version", "<1.0.0") == "web-0.2.0.tgz"
    assert pulled("--version", "<1.0.0-0") == "web-0.3.0-rc.1.tgz"  # a pre-release constraint admits them
    assert pulled("--version", "<1.0.0", "--devel") == "web-0.2.0.tgz"  # Helm: --devel only when no --version
    assert pulled("--version", "1.0.0+build.7") == "web-1.0.0+build.7.tgz"

    digest = manifest(oci_registry, "c/web", "0.2.0").headers["Docker-Content-Digest"]
    dest = tmp_path / "bydigest"
    dest.mkdir()
    r = cli("pull", f"oci://{host}/c/web@{digest}", "--plain-http", "-d", str(dest))
    assert r.exit_code == 0, r
    assert [p.name for p in dest.iterdir()] == ["web-0.2.0.tgz"]
    r = cli("pull", f"oci://{host}/c/web:0.2.0", "--plain-http", "-d", str(dest), "--untar", "--untardir", "u")
    assert r.exit_code == 0 and (dest / "u" / "web" / "Chart.yaml").is_file(), r

    r = cli("pull", f"oci://{host}/c/web:0.2.0", "--version", "0.1.0", "--plain-http", "-d", str(dest))
    assert r.exit_code == 1 and r.stderr.strip() == "Error: chart reference and version mismatch: 0.1.0 is not 0.2.0", r
    r = cli("pull", f"oci://{host}/c/web", "--version", "^5", "--plain-http", "-d", str(dest))
    assert r.exit_code == 1 and "could not locate a version matching provided version string ^5" in r.stderr, r


def test_show_template_install_upgrade_from_registry(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    for v in ("0.1.0", "0.2.0"):
        assert cli("push", str(package(cli, tmp_path, v)), f"oci://{host}/charts", "--plain-http").exit_code == 0
    ref = f"oci://{host}/charts/web"
    local = cli("show", "values", str(ROOT / "charts" / "web"))
    r = cli("show", "values", ref, "--plain-http")
    assert r.exit_code == 0 and r.stdout == local.stdout, r
    r = cli("show", "chart", ref, "--version", "0.1.0", "--plain-http")
    assert r.exit_code == 0 and "version: 0.1.0" in r.stdout, r
    r = cli("template", "rel", ref, "--plain-http", "--version", "~0.2")
    assert r.exit_code == 0 and "kind: Deployment" in r.stdout and "Pulled:" not in r.stdout, r
    db = tmp_path / "cluster.db"
    r = cli("install", "web", ref, "--version", "0.1.0", "--plain-http", "--cluster", f"local:{db}")
    assert r.exit_code == 0 and "STATUS: deployed" in r.stdout, r
    r = cli("upgrade", "web", ref, "--plain-http", "--cluster", f"local:{db}", "-o", "json")
    assert r.exit_code == 0, r
    assert r.json["chart"]["metadata"]["version"] == "0.2.0"


def test_missing_chart_and_tag(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    assert cli("push", str(package(cli, tmp_path)), f"oci://{host}/charts", "--plain-http").exit_code == 0
    r = cli("pull", f"oci://{host}/charts/web", "--version", "9.9.9", "--plain-http", "-d", str(tmp_path))
    assert r.exit_code == 1, r
    assert r.stderr.startswith(f"Error: {host}/charts/web:9.9.9: not found") and len(r.stderr.splitlines()) == 1, r
    r = cli("show", "chart", f"oci://{host}/charts/nothing", "--plain-http")
    assert r.exit_code == 1 and f"{host}/charts/nothing: not found" in r.stderr, r
    r = cli("pull", f"oci://{host}/Bad/Name", "--plain-http")
    assert r.exit_code == 1 and "must be lowercase" in r.stderr, r
    r = cli("pull", f"oci://{host}/charts/web", "-d", str(tmp_path))  # https to a plain-HTTP registry
    assert r.exit_code == 1 and "pass --plain-http" in r.stderr and "Traceback" not in r.stderr, r


def test_altered_blob_is_refused_and_nothing_is_saved(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    host = oci_registry.host
    assert cli("push", str(package(cli, tmp_path)), f"oci://{host}/charts", "--plain-http").exit_code == 0
    layer = manifest(oci_registry, "charts/web", "0.1.0").json()["layers"][0]
    blob = oci_registry.blob_path(layer["digest"])
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other content
    blob.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{host}/charts/web", "--plain-http", "-d", str(dest), "--untar")
    assert r.exit_code == 1, r
    assert f"blob {layer['digest']}" in r.stderr and "refusing it" in r.stderr and len(r.stderr.splitlines()) == 1, r
    assert list(dest.iterdir()) == []
    r = cli("install", "web", f"oci://{host}/charts/web", "--plain-http", "--cluster", f"local:{tmp_path / 'c.db'}")
    assert r.exit_code == 1 and "refusing it" in r.stderr, r


def test_repo_add_oci_gives_the_hint(cli: Any) -> None:
    r = cli("repo", "add", "x", "oci://registry.example.com/charts")
    assert r.exit_code == 1, r
    assert "use the oci:// reference directly" in r.stderr, r


# --- TLS + basic auth --------------------------------------------------------------------------------
def test_login_push_pull_logout_over_tls(cli: Any, oci_registry_tls: Registry, tmp_path: Path,
                                         helmpy_home: Path) -> None:
    reg = oci_registry_tls
    tls = ["--ca-file", reg.ca_file]
    tgz = package(cli, tmp_path)
    r = cli("push", str(tgz), f"oci://{reg.host}/charts", *tls)
    assert r.exit_code == 1 and "authentication required" in r.stderr and "registry login" in r.stderr, r

    r = cli("registry", "login", reg.host, "-u", USERNAME, "--password-stdin", *tls, input="wrong\n")
    assert r.exit_code == 1 and "username or password was refused" in r.stderr, r
    config = helmpy_home / "config" / "registry" / "config.json"
    assert not config.exists()

    r = cli("registry", "login", reg.host, "-u", USERNAME, "--password-stdin", *tls, input=PASSWORD + "\n")
    assert r.exit_code == 0 and r.stdout == "Login Succeeded\n", r
    assert PASSWORD not in r.stdout + r.stderr
    stored = json.loads(config.read_text())
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert stored == {"auths": {reg.host: {"auth": token}}}
    assert config.stat().st_mode & 0o077 == 0

    proc = subprocess.run([sys.executable, "-m", "helmpy", "--debug", "push", str(tgz), f"oci://{reg.host}/charts",
                           *tls], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and f"Pushed: {reg.host}/charts/web:0.1.0\n" in proc.stderr, proc
    assert f"'Authorization': 'Basic {REDACTED}'" in proc.stderr  # the header is logged, its value is not
    assert token not in proc.stderr + proc.stdout and PASSWORD not in proc.stderr + proc.stdout

    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{reg.host}/charts/web", "--version", "^0.1", *tls, "-d", str(dest))
    assert r.exit_code == 0 and (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes(), r
    r = cli("pull", f"oci://{reg.host}/charts/web", "-d", str(dest))  # no CA: the certificate is refused
    assert r.exit_code == 1 and "TLS error" in r.stderr, r
    r = cli("pull", f"oci://{reg.host}/charts/web", "--insecure-skip-tls-verify", "-d", str(tmp_path))
    assert r.exit_code == 0, r

    r = cli("registry", "logout", reg.host)
    assert r.exit_code == 0 and r.stdout == f"Removing login credentials for {reg.host}\n", r
    assert json.loads(config.read_text()) == {"auths": {}}
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls)
    assert r.exit_code == 1 and "registry login" in r.stderr, r
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls, "--username", USERNAME, "--password", "nope")
    assert r.exit_code == 1 and "username or password was refused" in r.stderr, r
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls, "--username", USERNAME, "--password", PASSWORD)
    assert r.exit_code == 0 and "name: web" in r.stdout, r


def test_credentials_from_docker_config_and_helpers(cli: Any, oci_registry_tls: Registry, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    reg = oci_registry_tls
    tls = ["--ca-file", reg.ca_file]
    docker = tmp_path / "docker"
    docker.mkdir()
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    (docker / "config.json").write_text(json.dumps({"auths": {f"https://{reg.host}": {"auth": token}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    assert cli("push", str(package(cli, tmp_path)), f"oci://{reg.host}/charts", *tls).exit_code == 0

    # a credsStore helper: a real program on PATH speaking the docker-credential protocol
    bindir = tmp_path / "bin"
    bindir.mkdir()
    helper = bindir / "docker-credential-testhelper"
    store = tmp_path / "helper-store.json"
    helper.write_text(f"""#!/usr/bin/env python3
import json, sys
path = {str(store)!r}
try:
    db = json.load(open(path))
except OSError:
    db = {{}}
action = sys.argv[1]
if action == "get":
    key = sys.stdin.read().strip()
    if key not in db:
        print("credentials not found in native keychain"); sys.exit(1)
    print(json.dumps({{"ServerURL": key, "Username": db[key][0], "Secret": db[key][1]}}))
elif action == "store":
    d = json.load(sys.stdin); db[d["ServerURL"]] = [d["Username"], d["Secret"]]
    json.dump(db, open(path, "w"))
elif action == "erase":
    db.pop(sys.stdin.read().strip(), None); json.dump(db, open(path, "w"))
""")
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "nodocker"))
    config = tmp_path / "helper-config.json"
    config.write_text(json.dumps({"credsStore": "testhelper", "other": {"kept": True}}))
    monkeypatch.setenv("HELMPY_REGISTRY_CONFIG", str(config))
    r = cli("registry", "login", reg.host, "-u", USERNAME, "-p", PASSWORD, *tls)
    assert r.exit_code == 0, r
    assert json.loads(store.read_text()) == {reg.host: [USERNAME, PASSWORD]}
    assert json.loads(config.read_text()) == {"credsStore": "testhelper", "other": {"kept": True}}
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls)
    assert r.exit_code == 0, r
    assert cli("registry", "logout", reg.host).exit_code == 0
    assert json.loads(store.read_text()) == {}


def test_archive_is_a_real_chart(oci_registry: Registry, cli: Any, tmp_path: Path) -> None:
    """What a pull saves is the pushed archive itself, loadable as a chart."""
    tgz = package(cli, tmp_path, "2.0.0")
    assert cli("push", str(tgz), f"oci://{oci_registry.host}/x", "--plain-http").exit_code == 0
    dest = tmp_path / "dest"
    dest.mkdir()
    assert cli("pull", f"oci://{oci_registry.host}/x/web", "--plain-http", "-d", str(dest)).exit_code == 0
    with tarfile.open(dest / "web-2.0.0.tgz") as tf:
        assert "web/Chart.yaml" in tf.getnames()


def test_large_push_and_pull_show_progress(cli: Any, oci_registry: Registry, tmp_path: Path) -> None:
    """A progress bar follows the chart layer's upload and download (stderr is no terminal here: --debug)."""
    import os

    src = tmp_path / "big"
    shutil.copytree(ROOT / "charts" / "web", src)
    (src / "Chart.yaml").write_text((src / "Chart.yaml").read_text().replace("name: web", "name: big"))
    (src / "files").mkdir()
    for i in range(3):
        (src / "files" / f"blob-{i}.bin").write_bytes(os.urandom(1 << 20))
    assert cli("package", str(src), "-d", str(tmp_path)).exit_code == 0
    tgz = tmp_path / "big-0.1.0.tgz"
    ref = f"oci://{oci_registry.host}/charts"

    def helmpy(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "helmpy", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    quiet = helmpy("push", str(tgz), f"{ref}/quiet", "--plain-http")
    assert quiet.returncode == 0 and "Pushing" not in quiet.stderr, quiet
    paths.known_blobs_file().unlink()  # else the layer is mounted from charts/quiet/big: no upload to show
    proc = helmpy("--debug", "push", str(tgz), ref, "--plain-http")
    assert proc.returncode == 0, proc
    bar = [line for line in proc.stderr.splitlines() if line.startswith("Pushing big [")]  # \r read as \n
    assert bar and "100.0%" in bar[-1] and "MiB" in bar[-1], proc.stderr[-2000:]
    dest = tmp_path / "dest"
    dest.mkdir()
    proc = helmpy("--debug", "pull", f"{ref}/big", "--plain-http", "-d", str(dest))
    assert proc.returncode == 0 and "Pulling big [" in proc.stderr and "100.0%" in proc.stderr, proc
    assert (dest / "big-0.1.0.tgz").read_bytes() == tgz.read_bytes()  # the streamed upload is the archive
