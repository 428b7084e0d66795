"""Bearer token auth end to end: a TLS docker-registry in ``auth: token`` mode and a real token service
(tests/support/oci_token.py) that checks basic credentials and signs JWTs the registry trusts."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.registry.test_oci_cli import ROOT, package
from tests.registry.test_oci_dependency import charts_dir, parent_chart
from tests.support.oci_registry import PASSWORD, USERNAME, TokenRegistry


def run_debug(*args: str) -> subprocess.CompletedProcess[str]:
    """``helmpy --debug ...`` as a subprocess (the real log handlers and their redaction; the helmpy_home
    fixture's environment)."""
    return subprocess.run([sys.executable, "-m", "helmpy", "--debug", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def assert_no_secret(tr: TokenRegistry, text: str) -> None:
    assert tr.tokens.issued, "no token was issued: the flow did not go through the token service"
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, basic, *tr.tokens.issued):
        assert secret not in text
    for token in tr.tokens.issued:  # not even the JWT's signature part
        assert token.rsplit(".", 1)[1] not in text


def test_login_push_pull_install_through_the_token_service(cli: Any, oci_registry_token: TokenRegistry,
                                                           tmp_path: Path, helmpy_home: Path) -> None:
    tr = oci_registry_token
    reg = tr.registry
    tls = ["--ca-file", reg.ca_file]
    tgz = package(cli, tmp_path)

    r = cli("push", str(tgz), f"oci://{reg.host}/charts", *tls)  # anonymous: a token that grants nothing
    assert r.exit_code == 1 and len(r.stderr.splitlines()) == 1, r
    assert "authentication required" in r.stderr and f"helmpy registry login {reg.host}" in r.stderr, r
    assert tr.tokens.requests[-1]["auth"] == "anonymous"

    r = cli("registry", "login", reg.host, "-u", USERNAME, "--password-stdin", *tls, input="wrong\n")
    assert r.exit_code == 1 and r.stderr.count("\n") == 1, r
    assert r.stderr.startswith(f"Error: {reg.host}: unauthorized (401): the username or password was refused"), r
    config = helmpy_home / "config" / "registry" / "config.json"
    assert not config.exists()

    r = cli("registry", "login", reg.host, "-u", USERNAME, "--password-stdin", *tls, input=PASSWORD + "\n")
    assert r.exit_code == 0 and r.stdout == "Login Succeeded\n", r
    assert tr.tokens.requests[-1] == {"path": "/token", "scope": "", "service": "helmpy-test-registry",
                                      "auth": "basic"}

    before = len(tr.tokens.requests)
    proc = run_debug("push", str(tgz), f"oci://{reg.host}/charts", *tls)
    assert proc.returncode == 0 and f"Pushed: {reg.host}/charts/web:0.1.0\n" in proc.stderr, proc
    asked = [q["scope"] for q in tr.tokens.requests[before:]]
    assert asked and all("repository:charts/web:pull,push" in s for s in asked), asked
    assert "token service realm=" in proc.stderr and "'Authorization': 'Bearer xxxxx'" in proc.stderr
    assert_no_secret(tr, proc.stdout + proc.stderr)

    dest = tmp_path / "dest"
    dest.mkdir()
    proc = run_debug("pull", f"oci://{reg.host}/charts/web", "--version", "^0.1", *tls, "-d", str(dest))
    assert proc.returncode == 0 and (dest / "web-0.1.0.tgz").read_bytes() == tgz.read_bytes(), proc
    assert_no_secret(tr, proc.stdout + proc.stderr)

    r = cli("install", "web", f"oci://{reg.host}/charts/web", *tls, "--cluster", f"local:{tmp_path / 'c.db'}")
    assert r.exit_code == 0 and "STATUS: deployed" in r.stdout, r

    # one token per scope for the whole run: two dependencies on the same chart ask once
    chart = parent_chart(tmp_path, "parent", [("dep=web", "^0.1.0", f"oci://{reg.host}/charts"),
                                              ("other=web", "~0.1", f"oci://{reg.host}/charts")])
    before = len(tr.tokens.requests)
    r = cli("dependency", "update", str(chart), *tls)
    assert r.exit_code == 0 and list(charts_dir(chart)) == ["web-0.1.0.tgz"], r
    assert [q["scope"] for q in tr.tokens.requests[before:]] == ["repository:charts/web:pull"]

    assert cli("registry", "logout", reg.host).exit_code == 0
    assert json.loads(config.read_text()) == {"auths": {}}
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls, "--username", USERNAME, "--password", "nope")
    assert r.exit_code == 1 and "username or password was refused" in r.stderr and "Traceback" not in r.stderr, r
    r = cli("show", "chart", f"oci://{reg.host}/charts/web", *tls, "--username", USERNAME, "--password", PASSWORD)
    assert r.exit_code == 0 and "name: web" in r.stdout, r


@pytest.mark.helm
def test_helm_and_helmpy_share_a_token_registry(cli: Any, helm: Any, oci_registry_token: TokenRegistry,
                                                tmp_path: Path) -> None:
    reg = oci_registry_token.registry
    tls = ["--ca-file", reg.ca_file]
    helm("registry", "login", reg.host, "-u", USERNAME, "-p", PASSWORD, *tls)
    tgz = package(cli, tmp_path, "0.3.0")
    helm("push", str(tgz), f"oci://{reg.host}/charts", *tls)
    assert cli("registry", "login", reg.host, "-u", USERNAME, "-p", PASSWORD, *tls).exit_code == 0
    dest = tmp_path / "dest"
    dest.mkdir()
    r = cli("pull", f"oci://{reg.host}/charts/web", *tls, "-d", str(dest))
    assert r.exit_code == 0 and (dest / "web-0.3.0.tgz").read_bytes() == tgz.read_bytes(), r
    other = package(cli, tmp_path, "0.4.0")
    assert cli("push", str(other), f"oci://{reg.host}/charts", *tls).exit_code == 0
    h = helm("pull", f"oci://{reg.host}/charts/web", "--version", "0.4.0", *tls, "-d", str(dest))
    assert h.returncode == 0 and (dest / "web-0.4.0.tgz").read_bytes() == other.read_bytes()
