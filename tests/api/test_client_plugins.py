"""helmpy.Client's plugin methods: install (a directory, a tarball, signed or not), update, uninstall, package and
verify, with typed results, against real plugin directories, real tarballs and real gpg keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy import Client, InstalledPlugin, PluginError, PluginPackage, PluginVerification
from tests.plugin.conftest import write_plugin
from tests.repo.gpg_fixture import SigningKey, signing_key  # noqa: F401 - the fixture

HELLO = "name: hello\nversion: 0.1.0\nusage: hi\ncommand: $HELM_PLUGIN_DIR/hello.sh\n"


def _client(tmp_path: Path, notices: list[str]) -> Client:
    return Client(environ={"HELMPY_PLUGINS": str(tmp_path / "plugins"), "HOME": str(tmp_path),
                           "HELMPY_CACHE_HOME": str(tmp_path / "cache")}, on_notice=notices.append)


def _source(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "src" / "hello", HELLO, {"hello.sh": "#!/bin/sh\necho hi\n"})


def test_install_update_uninstall_a_directory(tmp_path: Path) -> None:
    notices: list[str] = []
    hp = _client(tmp_path, notices)
    installed = hp.plugin_install(_source(tmp_path))
    assert isinstance(installed, InstalledPlugin)
    assert (installed.name, installed.version, installed.type) == ("hello", "0.1.0", "cli/v1")
    assert installed.to_dict() == {"name": "hello", "version": "0.1.0", "type": "cli/v1",
                                   "directory": installed.directory}
    assert Path(installed.directory, "plugin.yaml").is_file()
    assert [p.name for p in hp.plugin_list()] == ["hello"]
    assert notices == ["Installing plugin from local directory (development mode)"]  # progress, not printed
    (tmp_path / "src" / "hello" / "plugin.yaml").write_text(HELLO.replace("0.1.0", "0.2.0"))
    [updated] = hp.plugin_update("hello")  # a linked directory is current
    assert (updated.name, updated.version) == ("hello", "0.2.0")
    with pytest.raises(PluginError) as err:
        hp.plugin_uninstall("hello", "nope")
    assert "nope" in str(err.value)
    assert hp.plugin_list() == []  # the one that exists was removed before the error
    with pytest.raises(PluginError):
        hp.plugin_update("hello")


def test_package_unsigned_then_install_the_tarball(tmp_path: Path) -> None:
    notices: list[str] = []
    hp = _client(tmp_path, notices)
    made = hp.plugin_package(_source(tmp_path), destination=tmp_path / "dist", sign=False)
    assert isinstance(made, PluginPackage) and made.provenance is None
    assert made.to_dict() == {"path": str(tmp_path / "dist" / "hello-0.1.0.tgz"), "provenance": None}
    assert Path(made.path).is_file()
    with pytest.raises(PluginError):
        hp.plugin_verify(made.path)  # no .prov to check
    installed = hp.plugin_install(made.path, verify=False)
    assert (installed.name, installed.version) == ("hello", "0.1.0")
    assert Path(installed.directory, "hello.sh").is_file()


def test_signed_package_verifies_and_installs(tmp_path: Path, signing_key: SigningKey) -> None:
    hp = _client(tmp_path, [])
    made = hp.plugin_package(_source(tmp_path), destination=tmp_path / "dist", keyring=signing_key.secring)
    assert made.provenance == f"{made.path}.prov" and Path(made.provenance).is_file()
    checked = hp.plugin_verify(made.path, keyring=signing_key.pubring)
    assert isinstance(checked, PluginVerification)
    assert checked.signed_by == (signing_key.uid,) and checked.fingerprint == signing_key.fingerprint
    assert checked.lines()[2].startswith("Plugin Hash Verified: sha256:")
    tampered = tmp_path / "t" / Path(made.path).name
    tampered.parent.mkdir()
    tampered.write_bytes(Path(made.path).read_bytes()[:-8] + b"\0" * 8)
    Path(f"{tampered}.prov").write_bytes(Path(made.provenance).read_bytes())
    with pytest.raises(PluginError):
        hp.plugin_verify(tampered, keyring=signing_key.pubring)
    installed = hp.plugin_install(made.path, keyring=signing_key.pubring)
    assert installed.name == "hello"
    assert [p.provenance for p in hp.plugin_list()] == ["signed"]
