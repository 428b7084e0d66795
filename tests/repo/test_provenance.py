"""Provenance files: Helm's message layout, signing/verifying with gpg, and interop with real Helm."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.chart import loader
from helmpy.chart.save import save_archive
from helmpy.errors import ProvenanceError
from helmpy.repo import provenance
from tests.repo.gpg_fixture import SigningKey, _gpg, make_key, signing_key  # noqa: F401

META = {"apiVersion": "v2", "name": "demo", "version": "0.1.0", "description": "--- dashes"}


def _chart_dir(tmp_path: Path) -> Path:
    d = tmp_path / "demo"
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\ndescription: '-- dashes'\n"
                                  "keywords: [one]\n")
    (d / "values.yaml").write_text("a: 1\n")
    (d / "templates" / "cm.yaml").write_text("kind: ConfigMap\n")
    return d


def _signed(tmp_path: Path, key: SigningKey) -> Path:
    chart = loader.load_dir(_chart_dir(tmp_path))
    data = save_archive(chart)
    tgz = tmp_path / "demo-0.1.0.tgz"
    tgz.write_bytes(data)
    prov = provenance.sign(tgz.name, data, chart.metadata.to_dict(), "Test Signer", key.secring)
    Path(str(tgz) + ".prov").write_text(prov)
    return tgz


def test_message_block_layout() -> None:
    body = provenance.message_block("demo-0.1.0.tgz", b"abc", META)
    meta, files = body.split("\n...\n")
    assert meta.startswith("apiVersion: v2\n") and meta.endswith("\n")
    assert files == ("files:\n  demo-0.1.0.tgz: "
                     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n")
    info = provenance.parse_message(body)
    assert info.metadata["name"] == "demo" and info.files == {"demo-0.1.0.tgz": "sha256:" + provenance.digest_bytes(b"abc")}


def test_parse_message_without_separator_fails() -> None:
    with pytest.raises(ProvenanceError, match="missing '...' separator"):
        provenance.parse_message("name: x\n")


def test_sign_and_verify_roundtrip(tmp_path: Path, signing_key: SigningKey) -> None:
    tgz = _signed(tmp_path, signing_key)
    text = Path(str(tgz) + ".prov").read_text()
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n")
    assert "\n\n-----BEGIN PGP SIGNATURE-----" in text and text.endswith("-----END PGP SIGNATURE-----")
    assert "\n- - one\n" in text  # clearsign dash-escaping of YAML list lines
    info = provenance.parse_unverified(text)
    assert info.metadata["description"] == "-- dashes" and info.metadata["keywords"] == ["one"]
    result = provenance.verify(tgz, signing_key.pubring)
    assert result.lines() == [f"Signed by: {signing_key.uid}",
                              f"Using Key With Fingerprint: {signing_key.fingerprint}",
                              f"Chart Hash Verified: sha256:{provenance.digest_bytes(tgz.read_bytes())}"]


def test_tampered_archive_is_rejected(tmp_path: Path, signing_key: SigningKey) -> None:
    tgz = _signed(tmp_path, signing_key)
    tgz.write_bytes(tgz.read_bytes() + b"\0")
    with pytest.raises(ProvenanceError, match="sha256 sum does not match for demo-0.1.0.tgz"):
        provenance.verify(tgz, signing_key.pubring)


def test_tampered_signed_text_is_rejected(tmp_path: Path, signing_key: SigningKey) -> None:
    tgz = _signed(tmp_path, signing_key)
    prov = Path(str(tgz) + ".prov")
    prov.write_text(prov.read_text().replace("name: demo", "name: evil"))
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        provenance.verify(tgz, signing_key.pubring)


def test_unknown_signer_and_missing_files(tmp_path: Path, signing_key: SigningKey) -> None:
    tgz = _signed(tmp_path, signing_key)
    other_home = tmp_path / "other-gpg"
    other_home.mkdir(mode=0o700)
    try:
        make_key(other_home, "Someone Else <else@example.com>")
        ring = tmp_path / "other.gpg"
        ring.write_bytes(_gpg(other_home, "--export").stdout)
    finally:
        import subprocess

        subprocess.run(["gpgconf", "--homedir", str(other_home), "--kill", "gpg-agent"], capture_output=True)
    with pytest.raises(ProvenanceError, match="signature verification failed"):
        provenance.verify(tgz, ring)
    with pytest.raises(ProvenanceError, match="keyring .* not found"):
        provenance.verify(tgz, tmp_path / "nope.gpg")
    with pytest.raises(ProvenanceError, match="chart must be a tgz file"):
        provenance.verify(Path(str(tgz) + ".prov"), signing_key.pubring)
    Path(str(tgz) + ".prov").unlink()
    with pytest.raises(ProvenanceError, match="could not load provenance file"):
        provenance.verify(tgz, signing_key.pubring)


def test_renamed_archive_has_no_sha(tmp_path: Path, signing_key: SigningKey) -> None:
    tgz = _signed(tmp_path, signing_key)
    other = tmp_path / "renamed-0.1.0.tgz"
    other.write_bytes(tgz.read_bytes())
    with pytest.raises(ProvenanceError, match='does not contain a SHA for a file named "renamed-0.1.0.tgz"'):
        provenance.verify(other, signing_key.pubring, prov_path=str(tgz) + ".prov")


def test_key_selection(tmp_path: Path, signing_key: SigningKey) -> None:
    data = b"x"
    with pytest.raises(ProvenanceError, match='private key "nobody" not found'):
        provenance.sign("a.tgz", data, META, "nobody", signing_key.secring)
    with pytest.raises(ProvenanceError, match="keyring .* not found"):
        provenance.sign("a.tgz", data, META, "Test", tmp_path / "missing.gpg")
    assert provenance.sign("a.tgz", data, META, signing_key.uid, signing_key.secring).startswith("-----BEGIN")


@pytest.mark.helm
def test_helm_verifies_our_provenance(tmp_path: Path, signing_key: SigningKey, helm) -> None:  # type: ignore[no-untyped-def]
    tgz = _signed(tmp_path, signing_key)
    out = helm("verify", "--keyring", str(signing_key.pubring), str(tgz)).stdout
    assert f"Signed by: {signing_key.uid}" in out
    assert f"Chart Hash Verified: sha256:{provenance.digest_bytes(tgz.read_bytes())}" in out


@pytest.mark.helm
def test_we_verify_helms_provenance(tmp_path: Path, signing_key: SigningKey, helm) -> None:  # type: ignore[no-untyped-def]
    chart = _chart_dir(tmp_path)
    out = tmp_path / "out"
    helm("package", "--sign", "--key", "Test Signer", "--keyring", str(signing_key.secring), "-d", str(out),
         str(chart))
    tgz = out / "demo-0.1.0.tgz"
    result = provenance.verify(tgz, signing_key.pubring)
    assert result.fingerprint == signing_key.fingerprint
    assert result.file_hash == "sha256:" + provenance.digest_bytes(tgz.read_bytes())
    info = provenance.parse_unverified(Path(str(tgz) + ".prov").read_bytes())
    assert info.metadata["name"] == "demo"
