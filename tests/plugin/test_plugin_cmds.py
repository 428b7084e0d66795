"""``helmpy plugin ...`` and ``helmpy NAME``, through the real CLI with real plugins written here."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from helmpy import __version__
from tests.plugin.conftest import Run, plugins_dir, write_plugin

HELLO = """\
name: hello
version: 0.1.0
usage: say hello
description: Says hello and shows its environment
command: "$HELM_PLUGIN_DIR/hello.sh"
hooks:
  install: echo "install hook for $HELM_PLUGIN_NAME"
  delete: echo "delete hook in $HELM_PLUGIN_DIR" > "$HELLO_LOG"
  update: echo "update hook" > "$HELLO_LOG"
"""
HELLO_SH = """\
#!/bin/sh
echo "args=$*"
echo "ns=$HELM_NAMESPACE ctx=$HELM_KUBECONTEXT debug=$HELM_DEBUG name=$HELM_PLUGIN_NAME"
echo "dir=$HELM_PLUGIN_DIR"
echo "plugins=$HELM_PLUGINS repos=$HELM_REPOSITORY_CONFIG"
"$HELM_BIN" version --short
exit ${HELLO_EXIT:-0}
"""


def _hello(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "src" / "hello", HELLO, {"hello.sh": HELLO_SH})


def test_shell_plugin_runs_with_helms_environment(helmpy: Run, tmp_path: Path) -> None:
    installed = helmpy("plugin", "install", str(_hello(tmp_path)))
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines() == ["Installing plugin from local directory (development mode)",
                                             "install hook for hello", "Installed plugin: hello"]
    ran = helmpy("-n", "outer", "hello", "-n", "inner", "--kube-context=ctx", "--debug", "a", "--b", "c")
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "args=a --b c"  # helmpy's global flags are settings, not the plugin's arguments
    assert lines[1] == "ns=inner ctx=ctx debug=true name=hello"
    assert lines[2] == f"dir={plugins_dir() / 'hello'}"
    repos = Path(os.environ["HELMPY_CONFIG_HOME"]) / "repositories.yaml"
    assert lines[3] == f"plugins={plugins_dir()} repos={repos}"
    assert lines[4] == f"v{__version__}"  # $HELM_BIN runs helmpy
    outer = helmpy("-n", "outer", "hello")
    assert "ns=outer " in outer.stdout


def test_plugin_environment_is_what_helmpy_env_prints(helmpy: Run, tmp_path: Path) -> None:
    """One implementation: every HELM_* line of `helmpy env` reaches a plugin with the same value, HELMPY_*
    winning over HELM_*, and a kubeconfig named on the command line arrives as KUBECONFIG."""
    src = write_plugin(tmp_path / "envdump", "name: envdump\ncommand: $HELM_PLUGIN_DIR/dump.sh\n",
                       {"dump.sh": "#!/bin/sh\nenv | grep -E '^(HELM_|KUBECONFIG=)' | sort\n"})
    assert helmpy("plugin", "install", str(src)).returncode == 0
    env = {"HELM_NAMESPACE": "from-helm", "HELMPY_NAMESPACE": "from-helmpy", "HELM_DEBUG": "t",
           "HELM_MAX_HISTORY": "4", "HELM_KUBEAPISERVER": "https://127.0.0.1:1"}
    printed = helmpy("env", env=env)
    assert printed.returncode == 0, printed.stderr
    expected = {k: v.strip('"') for k, _, v in (line.partition("=") for line in printed.stdout.splitlines())
                if k.startswith("HELM_")}
    ran = helmpy("--kubeconfig", str(tmp_path / "kc"), "envdump", env=env)
    assert ran.returncode == 0, ran.stderr
    seen = dict(line.split("=", 1) for line in ran.stdout.splitlines())
    assert {k: seen[k] for k in expected} == expected
    assert (seen["HELM_NAMESPACE"], seen["HELM_DEBUG"], seen["HELM_MAX_HISTORY"]) == ("from-helmpy", "true", "4")
    assert seen["KUBECONFIG"] == str(tmp_path / "kc")
    assert (seen["HELM_PLUGIN_NAME"], seen["HELM_PLUGIN_DIR"]) == ("envdump", str(plugins_dir() / "envdump"))
    assert os.access(seen["HELM_BIN"], os.X_OK)


def test_plugin_exit_code_and_help(helmpy: Run, tmp_path: Path) -> None:
    assert helmpy("plugin", "install", str(_hello(tmp_path))).returncode == 0
    failed = helmpy("hello", env={"HELLO_EXIT": "3"})
    assert failed.returncode == 3
    assert failed.stderr.strip() == 'Error: plugin "hello" exited with error'
    assert helmpy("hello", "--help").stdout.startswith("args=--help\n")  # as Helm: --help goes to the plugin
    listing = helmpy("--help").stdout
    assert any(line.split() == ["hello", "say", "hello"] for line in listing.splitlines()), listing
    assert helmpy("nosuch").returncode == 2


def test_ignore_flags_passes_no_arguments(helmpy: Run, tmp_path: Path) -> None:
    src = write_plugin(tmp_path / "quiet", "name: quiet\nignoreFlags: true\ncommand: $HELM_PLUGIN_DIR/q.sh\n",
                       {"q.sh": "#!/bin/sh\necho \"got [$*]\"\n"})
    assert helmpy("plugin", "install", str(src)).returncode == 0
    assert helmpy("quiet", "x", "--y").stdout == "got []\n"


def test_helm4_v1_plugin_with_platform_commands(helmpy: Run, tmp_path: Path) -> None:
    manifest = """\
apiVersion: v1
name: v1demo
type: cli/v1
runtime: subprocess
version: 1.2.3
sourceURL: https://example.com/v1demo
config:
  shortHelp: a Helm 4 plugin
  ignoreFlags: false
runtimeConfig:
  platformCommand:
    - os: plan9
      command: /no/such/binary
    - os: linux
      command: $HELM_PLUGIN_DIR/run.sh first
      args: ["$HELM_PLUGIN_NAME"]
    - command: $HELM_PLUGIN_DIR/run.sh fallback
  platformHooks:
    install:
      - command: $HELM_PLUGIN_DIR/run.sh hook
"""
    src = write_plugin(tmp_path / "v1demo", manifest, {"run.sh": "#!/bin/sh\necho \"run $*\"\n"})
    installed = helmpy("plugin", "install", str(src))
    assert installed.returncode == 0, installed.stderr
    assert "run hook\n" in installed.stdout
    expected = "run first v1demo extra\n" if os.uname().sysname == "Linux" else "run fallback v1demo extra\n"
    assert helmpy("v1demo", "extra").stdout == expected
    listing = helmpy("plugin", "list").stdout.splitlines()
    assert listing[1].split() == ["v1demo", "1.2.3", "cli/v1", "v1", "local", "dev", "https://example.com/v1demo"]


@pytest.mark.helm
def test_plugin_list_is_helms(helmpy: Run, helm: Run, tmp_path: Path) -> None:
    src = _hello(tmp_path)
    getter = write_plugin(tmp_path / "src" / "getme", "name: getme\nversion: 2.0.0\ndownloaders:\n"
                          "- command: get.sh\n  protocols: [getme]\n", {"get.sh": "#!/bin/sh\n"})
    for plugin in (src, getter):
        assert helmpy("plugin", "install", str(plugin)).returncode == 0
        helm("plugin", "install", str(plugin))
    assert helmpy("plugin", "list").stdout == helm("plugin", "list").stdout
    assert helmpy("plugin", "list", "--type", "getter/v1").stdout == helm("plugin", "list", "--type", "getter/v1").stdout


def test_uninstall_update_and_their_hooks(helmpy: Run, tmp_path: Path) -> None:
    src = _hello(tmp_path)
    log = tmp_path / "hook.log"
    env = {"HELLO_LOG": str(log)}
    assert helmpy("plugin", "install", str(src)).returncode == 0
    updated = helmpy("plugin", "update", "hello", env=env)
    assert updated.stdout == "Updated plugin: hello\n" and log.read_text() == "update hook\n"
    removed = helmpy("plugin", "uninstall", "hello", "ghost", env=env)
    assert removed.returncode == 1
    assert removed.stdout == "Uninstalled plugin: hello\n"
    assert removed.stderr.strip() == "Error: plugin: ghost not found"
    assert log.read_text() == f"delete hook in {plugins_dir() / 'hello'}\n"
    assert not os.path.lexists(plugins_dir() / "hello")
    assert (src / "hello.sh").is_file()  # the linked source directory is the user's: it stays


def test_failing_install_hook_undoes_the_install(helmpy: Run, tmp_path: Path) -> None:
    src = write_plugin(tmp_path / "bad", "name: bad\ncommand: /bin/true\nhooks:\n  install: exit 7\n")
    failed = helmpy("plugin", "install", str(src))
    assert failed.returncode == 1
    assert failed.stderr.strip() == 'Error: plugin install hook for "bad" exited with error (exit code 7)'
    assert not os.path.lexists(plugins_dir() / "bad")


@pytest.mark.parametrize("name, message", [
    ("../evil", "invalid plugin name '../evil'"),
    ("a/b", "invalid plugin name 'a/b'"),
    ("with space", "invalid plugin name 'with space'"),
    ('"x\\ny"', "invalid plugin name 'x\\ny'"),  # a newline, escaped in the message
    ("''", "invalid plugin name ''"),
    ("install", 'plugin "install" has the name of a helmpy command'),
    ("ls", 'plugin "ls" has the name of a helmpy command'),
])
def test_plugin_names_from_plugin_yaml_are_checked(helmpy: Run, tmp_path: Path, name: str, message: str) -> None:
    src = write_plugin(tmp_path / "p", f"name: {name}\ncommand: /bin/true\n")
    failed = helmpy("plugin", "install", str(src))
    assert failed.returncode == 1
    assert len(failed.stderr.strip().splitlines()) == 1 and message in failed.stderr, failed.stderr
    assert not plugins_dir().exists() or [p.name for p in plugins_dir().iterdir()] == []


@pytest.mark.parametrize("manifest, message", [
    ("name: x\ncommand: a\nplatformCommand: [{command: b}]\n", "both platformCommand and command are set"),
    ("name: x\nversion: v1\n", "invalid plugin version 'v1': must be valid semver"),
    ("apiVersion: v1\nname: x\ntype: cli/v1\nruntime: subprocess\n", "plugin `version` is required"),
    ("apiVersion: v1\nname: x\ntype: cli/v1\nruntime: extism/v1\nversion: 1.0.0\n", "unsupported plugin runtime"),
    ("apiVersion: v1\nname: x\ntype: cli/v1\nruntime: subprocess\nversion: 1.0.0\nextra: 1\n", "field extra not found"),
    ("apiVersion: v2\nname: x\n", "invalid plugin apiVersion: 'v2'"),
    ("name: x\ndownloaders:\n- command: d\n", "downloader 0 has no protocols"),
    ("- a list\n", "plugin.yaml must be a mapping"),
    ("name: [unclosed\n", "plugin.yaml"),
])
def test_bad_plugin_yaml_is_one_error_line(helmpy: Run, tmp_path: Path, manifest: str, message: str) -> None:
    failed = helmpy("plugin", "install", str(write_plugin(tmp_path / "p", manifest)))
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], failed.stderr


def _tarball(members: dict[str, tuple[bytes, int]], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, (data, mode) in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


TAR_PLUGIN = {"tarred/plugin.yaml": (b"name: tarred\nversion: 0.3.0\ncommand: $HELM_PLUGIN_DIR/bin/run\n", 0o644),
              "tarred/bin/run": (b"#!/bin/sh\necho tarred $*\n", 0o4777)}


def test_tarball_plugins_from_a_file_and_over_http(helmpy: Run, tmp_path: Path) -> None:
    from tests.support.http_repo import serve

    archive = tmp_path / "tarred-0.3.0.tgz"
    archive.write_bytes(_tarball(TAR_PLUGIN))
    unverified = helmpy("plugin", "install", str(archive))
    assert unverified.returncode == 1
    assert "no provenance file (.prov) found" in unverified.stderr  # as Helm 4: tarballs are verified by default
    installed = helmpy("plugin", "install", str(archive), "--verify=false")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines() == ["WARNING: Skipping plugin signature verification", "Installed plugin: tarred"]
    run = plugins_dir() / "tarred" / "bin" / "run"
    assert run.stat().st_mode & 0o7777 == 0o755  # executable, but neither set-uid nor world-writable
    assert helmpy("tarred", "x").stdout == "tarred x\n"
    assert helmpy("plugin", "uninstall", "tarred").returncode == 0
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(archive, served)
    with serve(served) as server:
        over_http = helmpy("plugin", "install", f"{server.url}/tarred-0.3.0.tgz", "--verify=false")
        missing = helmpy("plugin", "install", f"{server.url}/nothere-1.0.0.tgz", "--verify=false")
    assert over_http.returncode == 0, over_http.stderr
    assert helmpy("tarred").stdout == "tarred\n"
    assert missing.returncode == 1 and "404" in missing.stderr


@pytest.mark.parametrize("members, links, message", [
    ({"../escape/plugin.yaml": (b"name: escape\n", 0o644)}, None, "a path outside its directory"),
    ({"/abs/plugin.yaml": (b"name: abs\n", 0o644)}, None, "a path outside its directory"),
    ({"p/plugin.yaml": (b"name: p\n", 0o644)}, {"p/link": "/etc/passwd"}, "a link or special file"),
    ({"p/readme": (b"no manifest", 0o644)}, None, "plugin.yaml not found"),
])
def test_hostile_plugin_archives_are_refused(helmpy: Run, tmp_path: Path, members: dict[str, tuple[bytes, int]],
                                             links: dict[str, str] | None, message: str) -> None:
    archive = tmp_path / "p.tgz"
    archive.write_bytes(_tarball(members, links))
    failed = helmpy("plugin", "install", str(archive), "--verify=false")
    assert failed.returncode == 1 and message in failed.stderr, failed.stderr
    assert not (tmp_path / "escape").exists()
    assert [p.name for p in plugins_dir().iterdir()] == []  # the staging directory is gone too


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


def test_git_plugin_install_version_and_update(helmpy: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    script = {"run.sh": "#!/bin/sh\necho git plugin\n"}
    write_plugin(repo, "name: gitplug\nversion: 0.1.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n", script)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    _git(repo, "tag", "v0.1.0")
    (repo / "plugin.yaml").write_text("name: gitplug\nversion: 0.2.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n")
    _git(repo, "commit", "-qam", "two")
    _git(repo, "tag", "v0.2.0")
    url = repo.as_uri()
    assert "does not support verification" in helmpy("plugin", "install", url).stderr
    pinned = helmpy("plugin", "install", url, "--version", "~0.1", "--verify=false")
    assert pinned.returncode == 0, pinned.stderr
    assert helmpy("plugin", "list").stdout.splitlines()[1].split()[:2] == ["gitplug", "0.1.0"]
    assert helmpy("gitplug").stdout == "git plugin\n"
    assert helmpy("plugin", "uninstall", "gitplug").returncode == 0
    assert "requested version \"^9\" does not exist" in helmpy("plugin", "install", url, "--version", "^9",
                                                               "--verify=false").stderr
    assert helmpy("plugin", "install", url, "--verify=false").returncode == 0  # the default branch
    (repo / "plugin.yaml").write_text("name: gitplug\nversion: 0.3.0\ncommand: $HELM_PLUGIN_DIR/run.sh\n")
    _git(repo, "commit", "-qam", "three")
    updated = helmpy("plugin", "update", "gitplug")
    assert updated.stdout == "Updated plugin: gitplug\n", updated.stderr
    assert helmpy("plugin", "list").stdout.splitlines()[1].split()[:2] == ["gitplug", "0.3.0"]
    (plugins_dir() / "gitplug" / "run.sh").write_text("#!/bin/sh\necho edited\n")
    dirty = helmpy("plugin", "update", "gitplug")
    assert dirty.returncode == 1 and "plugin repo was modified" in dirty.stderr
    assert "no-such-source" in helmpy("plugin", "install", "no-such-source", "--verify=false").stderr


# --- plugin package / plugin verify -------------------------------------------------------------------------
from tests.repo.gpg_fixture import SigningKey, signing_key  # noqa: E402,F401


def test_package_unsigned_then_install_the_tarball(helmpy: Run, tmp_path: Path) -> None:
    src = _hello(tmp_path)
    (src / "docs").mkdir()
    (src / "docs" / "README").write_text("read me\n")
    made = helmpy("plugin", "package", str(src), "--sign=false", "-d", str(tmp_path / "dist"))
    assert made.returncode == 0, made.stderr
    tgz = tmp_path / "dist" / "hello-0.1.0.tgz"
    assert made.stdout.splitlines() == [
        "WARNING: Skipping plugin signing. This is not recommended for plugins intended for distribution.",
        f"Successfully packaged plugin and saved it to: {tgz}"]
    with tarfile.open(tgz) as tar:
        modes = {m.name: m.mode for m in tar.getmembers()}
    assert modes == {"hello/docs/README": 0o644, "hello/hello.sh": 0o755, "hello/plugin.yaml": 0o644}
    assert helmpy("plugin", "install", str(tgz), "--verify=false").returncode == 0
    assert helmpy("hello", "x").stdout.startswith("args=x\n")  # the script kept its execute bit


def test_package_refuses_what_install_would(helmpy: Run, tmp_path: Path) -> None:
    src = _hello(tmp_path)
    (src / "link").symlink_to("/etc/passwd")
    r = helmpy("plugin", "package", str(src), "--sign=false", "-d", str(tmp_path / "dist"))
    assert r.returncode == 1 and r.stderr.strip() == (f"Error: {src}: 'link' is a link or special file; a plugin "
                                                      "archive holds only files and directories"), r.stderr
    (src / "link").unlink()
    r = helmpy("plugin", "package", str(src), "-d", str(tmp_path / "dist"), env={"HOME": str(tmp_path)})
    assert r.returncode == 1 and r.stderr.startswith("Error: cannot sign the plugin: secret keyring"), r.stderr
    assert not (tmp_path / "dist" / "hello-0.1.0.tgz").exists()  # nothing written when signing cannot happen
    r = helmpy("plugin", "package", str(src), "--sign=false", "-d", str(tmp_path / "dist"),
               env={"HELMPY_MAX_FILE_SIZE": "100"})
    assert r.returncode == 1 and r.stderr.startswith(f"Error: {src}: plugin archive is larger than the maximum "
                                                     "size (100 bytes per file"), r.stderr
    r = helmpy("plugin", "package", str(tmp_path / "nope"))
    assert r.returncode == 1 and r.stderr.strip() == f"Error: {tmp_path / 'nope'}: no such directory", r.stderr


def test_signed_package_verifies_installs_and_lists_as_signed(helmpy: Run, tmp_path: Path,
                                                              signing_key: SigningKey) -> None:
    dist = tmp_path / "dist"
    made = helmpy("plugin", "package", str(_hello(tmp_path)), "-d", str(dist), "--keyring",
                  str(signing_key.secring))
    assert made.returncode == 0, made.stderr
    tgz = dist / "hello-0.1.0.tgz"
    assert made.stdout.splitlines() == [f"Successfully signed. Signature written to: {tgz}.prov",
                                        f"Successfully packaged plugin and saved it to: {tgz}"]
    lines = [f"Signed by: {signing_key.uid}", f"Using Key With Fingerprint: {signing_key.fingerprint}"]
    checked = helmpy("plugin", "verify", str(tgz), "--keyring", str(signing_key.pubring))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[:2] == lines
    assert checked.stdout.splitlines()[2].startswith("Plugin Hash Verified: sha256:")
    installed = helmpy("plugin", "install", str(tgz), "--keyring", str(signing_key.pubring))
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines()[1:3] == lines
    assert helmpy("plugin", "list").stdout.splitlines()[1].split()[4] == "signed"
    tampered = tmp_path / "t" / tgz.name
    tampered.parent.mkdir()
    tampered.write_bytes(tgz.read_bytes()[:-8] + b"\0" * 8)
    shutil.copy(f"{tgz}.prov", f"{tampered}.prov")
    r = helmpy("plugin", "verify", str(tampered), "--keyring", str(signing_key.pubring))
    assert r.returncode == 1 and r.stderr.startswith("Error: plugin verification failed: sha256 sum does not match")
    r = helmpy("plugin", "verify", str(tmp_path / "src" / "hello"))
    assert r.returncode == 1 and "directory verification not supported" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.helm
def test_plugin_signatures_cross_with_real_helm(helmpy: Run, helm: Run, tmp_path: Path,
                                                signing_key: SigningKey) -> None:
    """Helm 4 verifies what helmpy packages and signs, and helmpy verifies what Helm 4 packages and signs,
    with the same lines."""
    src = _hello(tmp_path)
    keys = ["--keyring", str(signing_key.pubring)]
    ours = tmp_path / "ours" / "hello-0.1.0.tgz"
    assert helmpy("plugin", "package", str(src), "-d", str(ours.parent), "--keyring",
                  str(signing_key.secring)).returncode == 0
    theirs = tmp_path / "theirs" / "hello-0.1.0.tgz"
    helm("plugin", "package", str(src), "-d", str(theirs.parent), "--key", signing_key.uid, "--keyring",
         str(signing_key.secring))
    for tgz in (ours, theirs):
        by_helm = helm("plugin", "verify", str(tgz), *keys)
        by_us = helmpy("plugin", "verify", str(tgz), *keys)
        assert by_us.returncode == 0, by_us.stderr
        assert by_us.stdout == by_helm.stdout
    helm("plugin", "install", str(ours), *keys)
    assert helm("hello", "z").stdout.startswith("args=z\n")


def test_a_missing_source_path_is_named_as_helm_names_it(helmpy: Run, helm: Run, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    ours = helmpy("plugin", "install", missing)
    theirs = helm("plugin", "install", missing, check=False)
    assert ours.returncode == 1 and theirs.returncode == 1
    first = ours.stderr.splitlines()[0]
    assert first == f'Error: cannot get information about plugin source "{missing}" (if it\'s a local directory, ' \
                    "does it exist?)"
    assert theirs.stderr.startswith(first.rstrip(")"))  # Helm adds its VCS detection's last error
