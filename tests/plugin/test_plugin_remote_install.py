"""``plugin install`` from remote sources with Helm 4's TLS and credential flags: an HTTPS download server with a
throwaway CA and basic auth, and ``oci://`` plugin artifacts in a real registry (Debian's docker-registry, plain
and TLS + htpasswd), pushed as Helm 4's plugin artifact and installed by helmpy - and by real Helm 4, the same
artifact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.plugin.conftest import Run, plugins_dir, write_plugin
from tests.repo.gpg_fixture import SigningKey
from tests.support.http_repo import serve
from tests.support.oci_registry import (
    PASSWORD,
    USERNAME,
    Registry,
    make_ca,
    push_artifact,
    push_plugin,
)

HELLO = 'name: hello\nversion: 0.1.0\nusage: hi\ndescription: says hi\ncommand: "$HELM_PLUGIN_DIR/hello.sh"\n'
HELLO_SH = '#!/bin/sh\necho "hello $*"\n'


def _package(helmpy: Run, tmp_path: Path, keyring: Path | None = None) -> Path:
    src = write_plugin(tmp_path / "src" / "hello", HELLO, {"hello.sh": HELLO_SH})
    sign = ["--keyring", str(keyring)] if keyring else ["--sign=false"]
    made = helmpy("plugin", "package", str(src), "-d", str(tmp_path / "dist"), *sign)
    assert made.returncode == 0, made.stderr
    return tmp_path / "dist" / "hello-0.1.0.tgz"


# --- an HTTPS tarball server with a private CA and basic auth ---------------------------------------------------
def test_https_tarball_with_ca_file_and_basic_auth(helmpy: Run, tmp_path: Path) -> None:
    tgz = _package(helmpy, tmp_path)
    ca, cert, key = make_ca(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(tgz, served)
    with serve(served, tls=(cert, key), auth=("ann", "pw")) as server:
        url = f"{server.url}/hello-0.1.0.tgz"
        untrusted = helmpy("plugin", "install", url, "--verify=false")
        anonymous = helmpy("plugin", "install", url, "--verify=false", "--ca-file", str(ca))
        wrong = helmpy("plugin", "install", url, "--verify=false", "--ca-file", str(ca), "--username", "ann",
                       "--password", "nope")
        installed = helmpy("plugin", "install", url, "--verify=false", "--ca-file", str(ca), "--username", "ann",
                           "--password", "pw")
        sent = [r.authorization for r in server.requests]
    for refused in (untrusted, anonymous, wrong):
        assert refused.returncode == 1 and refused.stderr.startswith("Error: ") and "Traceback" not in refused.stderr
    assert "certificate" in untrusted.stderr.lower()
    assert "401" in anonymous.stderr and "--username" in anonymous.stderr
    assert "pw" not in wrong.stderr.replace("password", "")  # no credential in the message
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines()[-1] == "Installed plugin: hello"
    assert helmpy("hello", "there").stdout == "hello there\n"
    assert sent[-1] is not None and sent[-1].startswith("Basic ")
    assert not any(p.name.startswith(".install-") for p in plugins_dir().iterdir())  # the failures left nothing


def test_insecure_skip_tls_verify_and_client_certificates(helmpy: Run, tmp_path: Path) -> None:
    tgz = _package(helmpy, tmp_path)
    _, cert, key = make_ca(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(tgz, served)
    with serve(served, tls=(cert, key)) as server:
        url = f"{server.url}/hello-0.1.0.tgz"
        missing = helmpy("plugin", "install", url, "--verify=false", "--insecure-skip-tls-verify", "--cert-file",
                         str(tmp_path / "none.pem"), "--key-file", str(key))
        installed = helmpy("plugin", "install", url, "--verify=false", "--insecure-skip-tls-verify")
    assert missing.returncode == 1 and "none.pem" in missing.stderr and "Traceback" not in missing.stderr
    assert installed.returncode == 0, installed.stderr


# --- OCI plugin artifacts ---------------------------------------------------------------------------------------
def _debug_install(helmpy: Run, ref: str, *args: str):
    """Install ``ref`` again under --debug (uninstalling it first), for the pull's debug line."""
    helmpy("plugin", "uninstall", "hello")
    r = helmpy("plugin", "install", ref, "--verify=false", "--plain-http", "--debug", *args)
    assert r.returncode == 0, r.stderr
    return r


def test_oci_plugin_installs_from_a_plain_registry(helmpy: Run, tmp_path: Path, oci_registry: Registry) -> None:
    tgz = _package(helmpy, tmp_path)
    digest = push_plugin(oci_registry, "plugins/hello", "0.1.0", tgz)
    ref = f"oci://{oci_registry.host}/plugins/hello:0.1.0"
    https = helmpy("plugin", "install", ref, "--verify=false")
    assert https.returncode == 1 and "--plain-http" in https.stderr, https.stderr  # a plain registry needs the flag
    r = helmpy("plugin", "install", ref, "--verify=false", "--plain-http")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["WARNING: Skipping plugin signature verification", "Installed plugin: hello"]
    assert (f"pulled plugin ref={oci_registry.host}/plugins/hello:0.1.0 manifest={digest}"
            in _debug_install(helmpy, ref).stderr)
    assert helmpy("hello", "oci").stdout == "hello oci\n"
    assert helmpy("plugin", "uninstall", "hello").returncode == 0
    push_plugin(oci_registry, "plugins/hello", "0.2.0-rc.1", tgz, legacy=True)  # Helm's legacy form: config type
    push_plugin(oci_registry, "plugins/hello", "0.1.5", tgz, legacy=True)
    r = helmpy("plugin", "install", f"oci://{oci_registry.host}/plugins/hello", "--version", "^0.1",
               "--verify=false", "--plain-http")
    assert r.returncode == 0, r.stderr
    assert (plugins_dir() / "hello").is_dir()
    assert f"ref={oci_registry.host}/plugins/hello:0.1.5 " in _debug_install(helmpy, f"oci://{oci_registry.host}/"
                                                                           "plugins/hello", "--version", "^0.1").stderr


def test_oci_plugin_through_tls_and_basic_auth(helmpy: Run, tmp_path: Path, oci_registry_tls: Registry) -> None:
    reg = oci_registry_tls
    push_plugin(reg, "plugins/hello", "0.1.0", _package(helmpy, tmp_path))
    ref = f"oci://{reg.host}/plugins/hello:0.1.0"
    no_ca = helmpy("plugin", "install", ref, "--verify=false", "--username", USERNAME, "--password", PASSWORD)
    no_auth = helmpy("plugin", "install", ref, "--verify=false", "--ca-file", reg.ca_file)
    for refused in (no_ca, no_auth):
        assert refused.returncode != 0 and refused.stderr.startswith("Error: ") and "Traceback" not in refused.stderr
    assert "certificate" in no_ca.stderr.lower() and PASSWORD not in no_ca.stderr
    r = helmpy("plugin", "install", ref, "--verify=false", "--ca-file", reg.ca_file, "--username", USERNAME,
               "--password", PASSWORD)
    assert r.returncode == 0, r.stderr
    assert helmpy("hello").stdout == "hello \n"
    assert helmpy("plugin", "uninstall", "hello").returncode == 0
    login = helmpy("registry", "login", reg.host, "--ca-file", reg.ca_file, "-u", USERNAME, "-p", PASSWORD)
    assert login.returncode == 0, login.stderr
    r = helmpy("plugin", "install", ref, "--verify=false", "--ca-file", reg.ca_file)  # login's stored credentials
    assert r.returncode == 0, r.stderr


def test_signed_oci_plugin_is_verified(helmpy: Run, tmp_path: Path, oci_registry: Registry,
                                       signing_key: SigningKey) -> None:
    tgz = _package(helmpy, tmp_path, signing_key.secring)
    push_plugin(oci_registry, "plugins/hello", "0.1.0", tgz)
    ref = f"oci://{oci_registry.host}/plugins/hello:0.1.0"
    r = helmpy("plugin", "install", ref, "--plain-http", "--keyring", str(signing_key.pubring))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "Verifying plugin signature..." in lines
    assert f"Signed by: {signing_key.uid}" in lines and lines[-1] == "Installed plugin: hello"
    assert helmpy("plugin", "list").stdout.splitlines()[1].split()[4] == "signed"
    assert helmpy("plugin", "uninstall", "hello").returncode == 0
    push_plugin(oci_registry, "plugins/hello", "0.1.1", _package(helmpy, tmp_path / "unsigned"))
    r = helmpy("plugin", "install", f"oci://{oci_registry.host}/plugins/hello:0.1.1", "--plain-http")
    assert r.returncode == 1 and "no provenance file (.prov) found" in r.stderr, r.stderr


@pytest.mark.parametrize("artifact_type, config_type, layer_type, title, message", [
    ("application/vnd.cncf.helm.chart.v1", "application/vnd.oci.empty.v1+json",
     "application/vnd.oci.image.layer.v1.tar+gzip", "hello-0.1.0.tgz", "expected artifact type"),
    ("", "application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
     "hello-0.1.0.tgz", "expected config media type application/vnd.helm.plugin.v1+json"),
    ("application/vnd.helm.plugin.v1+json", "application/vnd.oci.empty.v1+json",
     "application/vnd.oci.image.layer.v1.tar+gzip", "other-0.1.0.tgz",
     "required layer matching pattern hello-VERSION.tgz not found in manifest"),
    ("application/vnd.helm.plugin.v1+json", "application/vnd.oci.empty.v1+json", "text/plain",
     "hello-0.1.0.tgz", "layer hello-0.1.0.tgz has media type text/plain"),
])
def test_artifacts_that_are_not_plugins_are_refused(helmpy: Run, tmp_path: Path, oci_registry: Registry,
                                                    artifact_type: str, config_type: str, layer_type: str,
                                                    title: str, message: str) -> None:
    data = _package(helmpy, tmp_path).read_bytes()
    push_artifact(oci_registry, "plugins/hello", "0.1.0",
                  [(layer_type, data, {"org.opencontainers.image.title": title})], (config_type, b"{}"), artifact_type)
    r = helmpy("plugin", "install", f"oci://{oci_registry.host}/plugins/hello:0.1.0", "--verify=false",
               "--plain-http")
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and message in r.stderr.splitlines()[0], r.stderr
    assert not (plugins_dir() / "hello").exists()


def test_missing_tag_and_registry_errors_are_one_line(helmpy: Run, oci_registry: Registry) -> None:
    r = helmpy("plugin", "install", f"oci://{oci_registry.host}/plugins/nothere:1.0.0", "--verify=false",
               "--plain-http")
    assert r.returncode != 0 and r.stderr.startswith("Error: ") and "Traceback" not in r.stderr
    r = helmpy("plugin", "install", "oci://Bad_Host!/x", "--verify=false")
    assert r.returncode != 0 and r.stderr.startswith("Error: invalid OCI reference"), r.stderr


@pytest.mark.helm
def test_real_helm_installs_the_artifact_helmpy_installs(helmpy: Run, helm, tmp_path: Path,
                                                          oci_registry: Registry) -> None:
    """The artifact these tests push is one Helm 4 accepts: real helm installs and runs it."""
    push_plugin(oci_registry, "plugins/hello", "0.1.0", _package(helmpy, tmp_path))
    ref = f"oci://{oci_registry.host}/plugins/hello:0.1.0"
    theirs = helm("plugin", "install", ref, "--plain-http", "--verify=false", check=False)
    assert theirs.returncode == 0, theirs.stderr
    assert helm("hello", "from", "helm").stdout == "hello from helm\n"
    ours = helmpy("plugin", "install", ref, "--plain-http", "--verify=false")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout  # Helm 4 prints no "Pulled plugin:" lines for a plugin


def test_helm_lists_the_same_install_flags(helm) -> None:
    from click import Context

    from helmpy.cli.main import cli

    flags = {line.split()[0] if line.split()[0].startswith("--") else line.split()[1]
             for line in helm("plugin", "install", "--help").stdout.split("Global Flags:")[0].splitlines()
             if line.strip().startswith("-")}
    plugin = cli.get_command(Context(cli), "plugin")
    install = plugin.get_command(Context(plugin), "install")  # type: ignore[union-attr]
    ours = {o for p in install.params for o in p.opts}
    assert {f.rstrip(",") for f in flags} - {"-h", "--help"} <= ours
