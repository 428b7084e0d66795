"""The fork server, driven as a user drives it: the console script in real processes, a real server it starts.

Each test gets a socket directory of its own (``XDG_RUNTIME_DIR``) and stops the servers started there. A
command's answer through a server is compared with the same command run with ``HELMPY_FORKSERVER=0`` (stdout,
stderr, exit code); that it really ran in the server is shown by the process tree a post-renderer sees.
"""

from __future__ import annotations

import marshal
import os
import signal
import site
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helmpy.forkserver import client, identity, wire
from tests.support.forkserver import (
    CONSOLE,
    alive,
    environment,
    runtime_dir,
    server_pid,
    sockets,
    wait_gone,
)

ROOT = Path(__file__).resolve().parents[2]


class Fork:
    """The console script with the fork server on, in a socket directory of its own."""

    def __init__(self, work: Path, runtime: Path) -> None:
        self.work = work
        self.runtime = runtime
        self.script = work / "bin" / "helmpy"
        self.script.parent.mkdir(parents=True)
        self.script.write_text(CONSOLE)
        self.env = {**os.environ, **environment(runtime)}

    def popen(self, *args: str, env: dict[str, str] | None = None, server: bool = True,
              **kwargs: object) -> subprocess.Popen[str]:
        environ = {**self.env, **(env or {}), **({} if server else {"HELMPY_FORKSERVER": "0"})}
        kwargs.setdefault("cwd", self.work)
        return subprocess.Popen([sys.executable, str(self.script), *args], env=environ, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]

    def run(self, *args: str, input: str | None = None, **kwargs: object) -> tuple[int, str, str]:
        proc = self.popen(*args, stdin=subprocess.PIPE, **kwargs)
        out, err = proc.communicate(input, timeout=120)
        return proc.returncode, out, err

    def sockets(self) -> list[Path]:
        return sockets(self.runtime)

    def server_pid(self) -> int:
        return server_pid(self.runtime)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def fork(tmp_path: Path) -> Iterator[Fork]:
    with runtime_dir() as runtime:
        yield Fork(tmp_path, runtime)


@pytest.fixture
def charts(fork: Fork, cli) -> Path:  # noqa: ANN001 - the conftest's harness
    for args in (["create", str(fork.work / "jinja")], ["create", "--engine", "go", str(fork.work / "gochart")]):
        assert cli(*args).exit_code == 0
    return fork.work


def started_server(fork: Fork) -> int:
    """Run a first command (it runs itself and starts a server), then the server's pid."""
    assert not fork.sockets()
    code, _, err = fork.run("template", "x", "gochart")
    assert code == 0, err
    return fork.server_pid()


def test_commands_answer_through_the_server_as_they_answer_alone(fork: Fork, charts: Path) -> None:
    server = started_server(fork)
    cases: list[tuple[tuple[str, ...], str | None, dict[str, str]]] = [
        (("template", "x", "gochart"), None, {}),
        (("template", "rel", "./jinja", "-f", "-", "--set", "service.port=81"), "replicaCount: 3\n", {}),
        (("show", "values", "gochart"), None, {}),
        (("template", "x", "missing-chart"), None, {}),  # an error: one line, exit 1
        (("template", "--no-such-flag"), None, {}),  # click's usage error, exit 2
        (("env", "HELM_NAMESPACE"), None, {"HELMPY_NAMESPACE": "from-env"}),
        (("template", "x", str(charts / "gochart"), "-n", "prod", "--show-only", "templates/service.yaml"), None, {}),
    ]
    for args, stdin, env in cases:
        alone = fork.run(*args, input=stdin, env=env, server=False)
        assert fork.run(*args, input=stdin, env=env) == alone, args
    # in a working directory of its own, with a umask of its own: the archive lands there, with the same mode
    modes = []
    for name, use_server in (("alone", False), ("served", True)):
        out = charts / name
        out.mkdir()
        proc = fork.popen("package", "../jinja", cwd=out, server=use_server, preexec_fn=lambda: os.umask(0o077))
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
        archive, = out.glob("*.tgz")
        modes.append(archive.stat().st_mode)
    assert modes[0] == modes[1]
    # the process tree a post-renderer sees: the command ran in a process the server forked (waiter, command)
    tree = charts / "tree.sh"
    tree.write_text('#!/bin/sh\nup=$(awk \'{print $4}\' /proc/$PPID/stat)\n'
                    'echo "$up $(awk \'{print $4}\' /proc/$up/stat)" > "$TREE_OUT"\ncat\n')
    tree.chmod(0o755)
    outputs = {}
    for name, use_server in (("alone", False), ("served", True)):
        record = charts / f"tree-{name}"
        outputs[name] = fork.run("template", "x", "gochart", "--post-renderer", str(tree), server=use_server,
                                 env={"TREE_OUT": str(record)})
        assert outputs[name][0] == 0, outputs[name]
        up, up_up = (int(pid) for pid in record.read_text().split())
        if use_server:  # the command's process, its waiter, the server
            assert up_up == server
        else:  # the command's process is this test's child
            assert up == os.getpid()
    assert outputs["alone"] == outputs["served"]
    # the command's own resource usage, for benches (the console process's is the client's)
    usage = charts / "usage"
    assert fork.run("template", "x", "gochart", env={"HELMPY_FORKSERVER_USAGE": str(usage)}, server=False)[0] == 0
    assert not usage.exists()  # nothing was served
    for _ in range(2):
        assert fork.run("template", "x", "gochart", env={"HELMPY_FORKSERVER_USAGE": str(usage)})[0] == 0
    lines = usage.read_text().splitlines()
    assert len(lines) == 2
    for line in lines:
        rss, user, system = line.split()
        assert int(rss) > 10_000 and float(user) + float(system) > 0  # KiB; a render takes some CPU
    assert fork.server_pid() == server  # the same server answered them all


def test_concurrent_commands_each_get_their_own_answer(fork: Fork, charts: Path) -> None:
    started_server(fork)
    expected = {port: fork.run("template", "x", "jinja", "--set", f"service.port={port}", server=False)
                for port in range(8001, 8007)}
    got: dict[int, tuple[int, str, str]] = {}

    def one(port: int) -> None:
        got[port] = fork.run("template", "x", "jinja", "--set", f"service.port={port}")

    threads = [threading.Thread(target=one, args=(port,)) for port in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert got == expected


@pytest.fixture
def stalled_url() -> Iterator[str]:
    """A URL whose server accepts and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/web-0.1.0.tgz"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_signals_reach_the_command_and_its_end_comes_back(fork: Fork, charts: Path, stalled_url: str) -> None:
    server = started_server(fork)

    def pull_running() -> tuple[subprocess.Popen[str], int]:
        proc = fork.popen("pull", stalled_url, "--timeout", "5m")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for waiter in children(server):
                commands = children(waiter)
                if commands:
                    return proc, commands[0]
            time.sleep(0.02)
        raise AssertionError("the command did not start in the server")

    # SIGTERM to helmpy: the command is interrupted as it is without a server (exit 143, one Error: line)
    alone = fork.popen("pull", stalled_url, "--timeout", "5m", server=False)
    time.sleep(1)
    alone.send_signal(signal.SIGTERM)
    expected = alone.communicate(timeout=60)
    proc, command = pull_running()
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.communicate(timeout=60) == expected
    assert proc.returncode == alone.returncode == 143
    wait_gone(command)
    # kill -9 of helmpy: its command dies with it
    proc, command = pull_running()
    proc.kill()
    proc.communicate(timeout=60)
    wait_gone(command, timeout=10)
    # the command killed: helmpy dies by the same signal
    proc, command = pull_running()
    os.kill(command, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # Ctrl-Z: the command stops with helmpy and continues with it
    proc, command = pull_running()
    time.sleep(0.3)
    proc.send_signal(signal.SIGTSTP)
    deadline = time.monotonic() + 10
    while state(command) != "T" or state(proc.pid) != "T":
        assert time.monotonic() < deadline, (state(command), state(proc.pid))
        time.sleep(0.02)
    proc.send_signal(signal.SIGCONT)
    while state(command) == "T":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    assert proc.communicate(timeout=60) == expected
    # a client that goes away before it learns the command's pid: the command is killed all the same
    for _ in range(3):
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        raw.connect(str(fork.sockets()[0]))
        key = identity_key_of(fork)
        payload = wire.frame(marshal.dumps((key, ["helmpy", "pull", stalled_url, "--timeout", "5m"], str(fork.work),
                                            fork.env, 0o022, [], os.getpid(), [0, 1, 2], [])))
        cwd = os.open(fork.work, os.O_RDONLY)
        raw.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("4i", 0, 1, 2, cwd))])
        os.close(cwd)
        raw.close()
    deadline = time.monotonic() + 10
    while any(children(waiter) for waiter in children(server)):
        assert time.monotonic() < deadline, "a command outlived its client"
        time.sleep(0.05)
    assert fork.server_pid() == server


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def identity_key_of(fork: Fork) -> tuple[object, ...]:
    """The key the console script of ``fork`` computes (run as it runs)."""
    code = "import sys; sys.path[0] = sys.argv[1]; from helmpy.forkserver import identity; print(repr(identity.key()))"
    out = subprocess.run([sys.executable, "-c", code, str(fork.script.parent)], env=fork.env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    import ast

    return ast.literal_eval(out)  # type: ignore[no-any-return]


def test_the_command_gets_the_clients_fds_signals_and_environment(fork: Fork, charts: Path) -> None:
    """``-f <(...)`` (an fd the shell passes), ignored signals, the environment: each the client's, none the
    first client's, whose server it is."""
    secret = {"FIRST_CLIENTS_TOKEN": "s3cret"}
    first = fork.popen("template", "x", "gochart", env=secret,
                       preexec_fn=lambda: signal.signal(signal.SIGALRM, signal.SIG_IGN))
    assert first.wait(timeout=120) == 0
    server = fork.server_pid()
    assert b"s3cret" not in Path(f"/proc/{server}/environ").read_bytes()
    line = f"{sys.executable} {fork.script} template x gochart -f <(printf 'service:\n  port: 9999\n')"
    runs = {}
    for use_server in (False, True):
        env = {**fork.env, "HELMPY_FORKSERVER": "1" if use_server else "0"}
        runs[use_server] = subprocess.run(["bash", "-c", line], env=env, cwd=fork.work, capture_output=True,
                                          text=True, timeout=120)
    assert runs[True].returncode == 0, runs[True].stderr
    assert "port: 9999" in runs[True].stdout
    assert (runs[True].returncode, runs[True].stdout, runs[True].stderr) == (
        runs[False].returncode, runs[False].stdout, runs[False].stderr)
    # the post-renderer sees the signals its helmpy ignores (SIGUSR1 here), not the first client's (SIGALRM)
    probe = charts / "sigs.sh"
    probe.write_text('#!/bin/sh\ngrep SigIgn /proc/self/status > "$SIGS_OUT"\ncat\n')
    probe.chmod(0o755)
    seen = {}
    for use_server in (False, True):
        out = charts / f"sigs-{use_server}"
        proc = fork.popen("template", "x", "gochart", "--post-renderer", str(probe), server=use_server,
                          env={"SIGS_OUT": str(out)}, preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN))
        assert proc.wait(timeout=120) == 0
        seen[use_server] = int(out.read_text().split()[1], 16)
    assert seen[True] == seen[False]
    assert seen[True] & (1 << (signal.SIGUSR1 - 1)) and not seen[True] & (1 << (signal.SIGALRM - 1))
    assert fork.server_pid() == server


def test_one_server_however_many_start_at_once(fork: Fork, charts: Path) -> None:
    procs = [fork.popen("template", "x", "gochart") for _ in range(4)]  # none finds a server: each starts one
    assert all(proc.wait(timeout=120) == 0 for proc in procs)
    fork.server_pid()
    time.sleep(3)  # the others have found the lock taken and left
    ours = [pid for pid in (int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit())
            if alive(pid) and b"helmpy.forkserver.server" in read(f"/proc/{pid}/cmdline")
            and str(fork.runtime).encode() in read(f"/proc/{pid}/environ")]
    servers = [pid for pid in ours if parent(pid) not in ours]  # not the processes a server forked
    assert servers == [fork.server_pid()]


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def test_a_changed_module_retires_the_server(fork: Fork, charts: Path) -> None:
    site_dir = fork.work / "site"
    site_dir.mkdir()
    custom = site_dir / "sitecustomize.py"  # imported at start-up by every process of this PYTHONPATH
    custom.write_text("VERSION = 1\n")
    fork.env["PYTHONPATH"] = os.pathsep.join([str(site_dir), *filter(None, [os.environ.get("PYTHONPATH")])])
    first = started_server(fork)
    expected = fork.run("template", "x", "jinja", server=False)
    assert fork.run("template", "x", "jinja") == expected
    custom.write_text("VERSION = 22\n")
    assert fork.run("template", "x", "jinja") == expected  # refused by the old server: run by the client itself
    wait_gone(first)
    second = fork.server_pid()  # started by that run, with the new file
    assert second != first
    assert fork.run("template", "x", "jinja") == expected


def test_an_idle_server_exits(fork: Fork, charts: Path) -> None:
    fork.env["HELMPY_FORKSERVER_IDLE"] = "1"
    server = started_server(fork)
    wait_gone(server)
    assert fork.sockets() == []


def test_the_client_imports_only_the_client(fork: Fork, charts: Path) -> None:
    """Through a server, the console process imports the client and no more (``-S``, as the import-set test: not
    what a machine's ``.pth`` files import)."""
    probe = fork.work / "bin" / "probe"
    probe.write_text("import atexit, sys\nOUT = sys.argv.pop(1)\n"
                     "atexit.register(lambda: open(OUT, 'w').write('\\n'.join(sorted(sys.modules))))\n" + CONSOLE)
    env = {**fork.env, "PYTHONPATH": os.pathsep.join([str(ROOT), *site.getsitepackages(), site.getusersitepackages()])}
    expected = fork.run("template", "x", "gochart", server=False)[1]
    runs = []
    for _ in range(2):  # the first runs the command itself and starts the server; the second is served
        out = fork.work / f"modules-{len(runs)}.txt"
        proc = subprocess.run([sys.executable, "-S", str(probe), str(out), "template", "x", "gochart"], env=env,
                              cwd=fork.work, capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stdout) == (0, expected), proc.stderr
        runs.append(set(out.read_text().split("\n")))
        fork.server_pid()
    local, served = runs
    assert "click" in local
    assert sorted(m for m in served if m.startswith("helmpy")) == [
        "helmpy", "helmpy.cli", "helmpy.cli.fastpath", "helmpy.cli.main", "helmpy.forkserver",
        "helmpy.forkserver.client", "helmpy.forkserver.identity", "helmpy.forkserver.wire"]
    assert not served & {"click", "typing", "re", "enum", "yaml", "jinja2", "socket", "signal", "subprocess"}


def test_where_a_server_may_not_be_used(fork: Fork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(fork.runtime))
    assert identity.socket_dir() == str(fork.runtime / "helmpy")
    (fork.runtime / "helmpy").chmod(0o755)  # others may enter: not trusted
    assert identity.socket_dir() is None
    (fork.runtime / "helmpy").rmdir()
    (fork.runtime / "elsewhere").mkdir(mode=0o700)
    (fork.runtime / "helmpy").symlink_to(fork.runtime / "elsewhere")
    assert identity.socket_dir() is None
    (fork.runtime / "helmpy").unlink()
    (fork.runtime / "helmpy").mkdir(mode=0o700)
    os.chown(fork.runtime / "helmpy", 4321, 4321)  # someone else's
    assert identity.socket_dir() is None
    on = {"HELMPY_FORKSERVER": "1"}
    assert client.eligible(["template", "x", "c"], on)
    for args in ([], ["serve"], ["cluster", "serve"], ["registry", "login", "h"], ["plugin", "list"],
                 ["completion", "bash"], ["some-plugin"]):
        assert not client.eligible(args, on), args
    assert not client.eligible(["template", "x", "c"], {"HELMPY_FORKSERVER": "off"})
    assert not client.eligible(["template", "x", "c"], {**on, "_HELMPY_COMPLETE": "bash_complete"})


def test_a_password_prompt_stays_on_the_terminal(tmp_path: Path) -> None:
    """``--username`` without a password prompts on the terminal: with stdin a terminal, no server."""
    code = ("import sys; from helmpy.forkserver.client import eligible; env = {'HELMPY_FORKSERVER': '1'}\n"
            "print(eligible(['pull', 'x', '--username', 'u'], env),"
            " eligible(['pull', 'x', '--username=u', '--password', 'p'], env),"
            " eligible(['push', 'a', 'b', '--username', 'u', '--password-stdin'], env))")
    import pty

    primary, secondary = pty.openpty()
    try:
        on_tty = subprocess.run([sys.executable, "-c", code], stdin=secondary, capture_output=True, text=True,
                                timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    piped = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
    assert on_tty.stdout.split() == ["False", "True", "True"], on_tty.stderr
    assert piped.stdout.split() == ["True", "True", "True"], piped.stderr


@given(st.binary(max_size=4096))
def test_a_request_frame_announces_its_payload(payload: bytes) -> None:
    framed = wire.frame(payload)
    assert wire.payload_length(framed[:wire.HEADER]) == len(payload)
    assert framed[wire.HEADER:] == payload
    assert wire.payload_length(b"XXXX" + framed[4:wire.HEADER]) is None
    assert wire.payload_length(framed[:wire.HEADER - 1]) is None


@given(st.integers(-64, 255), st.integers(0, 2**40), st.integers(0, 2**50), st.integers(0, 2**50))
def test_an_exit_report_round_trips(code: int, rss: int, user: int, system: int) -> None:
    message = wire.exited(code, rss, user, system)
    assert wire.exit_report(message) == (code, rss, user, system)
    assert wire.exit_report(message[:-1]) is None
    assert wire.exit_report(wire.REFUSED + message[1:]) is None
    assert int.from_bytes(wire.started(4_194_304)[1:], "big") == 4_194_304
