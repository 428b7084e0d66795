"""Fork servers (helmpy/forkserver/) for tests and benches: a private socket directory, its servers, stopping them.

A console process started with :func:`environment`'s variables asks the servers of that directory only; the
first eligible command there runs by itself and starts one (:func:`start` does that and waits for it).
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CONSOLE = "import sys\nfrom helmpy.cli.main import main\nsys.exit(main())\n"  # what the console script runs


@contextmanager
def runtime_dir() -> Iterator[Path]:
    """A short private directory for ``XDG_RUNTIME_DIR`` (a socket path holds ~100 bytes); its servers are
    stopped when the block ends."""
    runtime = Path(tempfile.mkdtemp(prefix="hpfs-", dir="/tmp"))
    try:
        yield runtime
    finally:
        stop(runtime)
        import shutil

        shutil.rmtree(runtime, ignore_errors=True)


@contextmanager
def serving(monkeypatch: Any, root: Path) -> Iterator[int]:
    """For the block: ``python -m helmpy`` processes that the test starts from ``root`` (``PYTHONPATH=root``, as
    tests/cli/test_release_cmds.py's ``helmpy_proc``) hand their command to a fork server, started now; its pid."""
    with runtime_dir() as runtime:
        for name, value in environment(runtime).items():
            monkeypatch.setenv(name, value)
        yield start(runtime, [sys.executable, "-m", "helmpy"], {**os.environ, "PYTHONPATH": str(root)}, root)


def environment(runtime: Path, **extra: str) -> dict[str, str]:
    """The variables that turn the fork server on with its sockets in ``runtime``."""
    return {"HELMPY_FORKSERVER": "1", "XDG_RUNTIME_DIR": str(runtime), "HELMPY_FORKSERVER_IDLE": "120", **extra}


def sockets(runtime: Path) -> list[Path]:
    directory = runtime / "helmpy"
    return sorted(directory.glob("*.sock")) if directory.is_dir() else []


def peer_pid(path: Path) -> int | None:
    """The pid of the server listening on ``path`` (``SO_PEERCRED``); None: nothing listens."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        pid, _, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
        return int(pid)
    except OSError:
        return None
    finally:
        sock.close()


def server_pid(runtime: Path, timeout: float = 60) -> int:
    """The pid of the (first) server listening in ``runtime``, waiting for one to start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sockets(runtime):
            pid = peer_pid(path)
            if pid:
                return pid
        time.sleep(0.05)
    raise AssertionError("no fork server started")


def start(runtime: Path, command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Run an eligible command (``helmpy env``) as ``command`` (how the tests start helmpy: the server's key is
    that of the process) with ``env`` in ``cwd``, so that it starts the server of that configuration; the
    server's pid."""
    subprocess.run([*command, "env", "HELM_NAMESPACE"], env=env, cwd=cwd, check=True, capture_output=True,
                   timeout=120)
    return server_pid(runtime)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still runs"
        time.sleep(0.02)


def stop(runtime: Path) -> int:
    """SIGTERM to every server listening in ``runtime``, waiting for each to end; how many there were."""
    pids = [pid for pid in (peer_pid(path) for path in sockets(runtime)) if pid]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for pid in pids:
        wait_gone(pid)
    return len(pids)
