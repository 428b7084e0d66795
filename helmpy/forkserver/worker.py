"""One request to the fork server: the process that waits for the command, and the one that runs it.

The server forks a *waiter* per connection (:func:`handle`). The waiter reads the request and the client's
three fds, checks that the peer is this user and that the key is the server's own, forks the *command's
process*, tells the client its pid, and then waits for whichever comes first: the command's exit, reported to
the client as its wait status, or the client's end (its socket closes: killed, ``kill -9`` included), upon
which the command's process is killed with SIGKILL - a command never outlives the ``helmpy`` process that
asked for it.

The command's process becomes the client's (:func:`become_client`): its fds 0-2, working directory, umask,
environment (and time zone), ``sys.argv``, the signal dispositions of a fresh interpreter (with the client's
ignored signals still ignored), and new ``sys.stdin``/``stdout``/``stderr`` made as the interpreter makes them
(line-buffered on a terminal, stderr always). Then it runs :func:`helmpy.cli.main.main` and ends as the
interpreter would (:func:`finish`), without tearing its modules down.
"""

from __future__ import annotations

import fcntl
import io
import marshal
import os
import select
import signal
import socket
import struct
import sys
from typing import Any, NoReturn

from helmpy.forkserver import client, wire

_REQUEST_FIELDS = 9
_server_stdio: tuple[Any, ...] = ()  # the server's own streams, kept referenced


def handle(conn: socket.socket, server_key: tuple[object, ...]) -> NoReturn:
    """Serve one connection in a process the server forked (the waiter, and the command's process it forks);
    never returns."""
    waiter = os.getpid()
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server ignores it: this process waits for its child
        request, fds = receive(conn, server_key)
        pid = os.fork()
        if pid == 0:
            conn.close()
            try:
                become_client(request, fds)
            except KeyboardInterrupt:  # a forwarded Ctrl-C before the command started: as at a start-up
                finish(0, die_by=signal.SIGINT)
            finish(*run_command())
        for fd in fds:
            os.close(fd)
        try:
            conn.sendall(wire.started(pid))
            report = wait(conn, pid)
        except BaseException:  # the client is gone (or this waiter cannot wait): the command ends with it
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        try:
            conn.sendall(wire.exited(*report))
        except OSError:
            pass
    except BaseException:  # noqa: BLE001 - the waiter ends quietly
        if os.getpid() != waiter:
            os._exit(1)
    os._exit(0)


def run_command() -> tuple[int, int]:
    """Run :func:`helmpy.cli.main.main` as the interpreter runs a script: (exit code, 0) by ``SystemExit``'s
    rules (None is 0, an int itself, anything else printed to stderr and 1); an exception that escapes is
    printed as the interpreter prints it, and an escaping ``KeyboardInterrupt`` is (1, SIGINT): death by SIGINT."""
    from helmpy.cli.main import main

    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0, 0
        if isinstance(exc.code, int):
            return exc.code, 0
        print(exc.code, file=sys.stderr)
        return 1, 0
    except BaseException as exc:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        import traceback

        traceback.print_exception(exc)
        return 1, signal.SIGINT if isinstance(exc, KeyboardInterrupt) else 0
    return 0, 0


def finish(code: int, die_by: int = 0) -> NoReturn:
    """End the command's process as the interpreter ends: non-daemon threads joined, ``atexit`` handlers run,
    stdout and stderr flushed (a failing flush of stdout is exit code 120) - then ``os._exit``, without
    tearing down the ~500 modules the server imported (~20 ms). ``die_by``: end by that signal instead."""
    threading = sys.modules.get("threading")
    if threading is not None:
        # what the interpreter calls first at exit: non-daemon threads (a parallel apply's) are joined
        threading._shutdown()  # type: ignore[attr-defined]
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - the interpreter's rule for a stream it cannot flush at exit
            if stream is sys.stdout:
                code = 120
    if die_by:
        signal.signal(die_by, signal.SIG_DFL)
        os.kill(os.getpid(), die_by)
    os._exit(code & 0xFF)


def receive(conn: socket.socket, server_key: tuple[object, ...]) -> tuple[tuple[Any, ...], list[int]]:
    """The request and the fds that came with it; anything amiss is refused (the client then runs the command
    itself). The peer must be this user before anything it sent is decoded."""
    conn.settimeout(10)
    pid_uid_gid = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", pid_uid_gid)
    header, ancillary, flags, _ = conn.recvmsg(wire.HEADER, socket.CMSG_SPACE(wire.MAX_FDS * 4))
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.extend(struct.unpack(f"{len(data) // 4}i", data[:len(data) - len(data) % 4]))
    try:
        if uid != os.getuid() or flags & socket.MSG_CTRUNC:
            raise ValueError("refused")
        header += _exactly(conn, wire.HEADER - len(header))
        length = wire.payload_length(header)
        request = marshal.loads(_exactly(conn, length)) if length is not None else None
        if (not isinstance(request, tuple) or len(request) != _REQUEST_FIELDS or request[0] != server_key
                or not isinstance(request[7], list) or len(fds) != len(request[7]) + 1):
            raise ValueError("refused")
    except BaseException:
        try:
            conn.sendall(wire.REFUSED)
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        raise
    conn.settimeout(None)
    return request, fds


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 16))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def wait(conn: socket.socket, pid: int) -> tuple[int, int, int, int]:
    """The command's exit code (``-N``: killed by signal N), peak RSS (KiB) and user and system CPU (us); kills
    it when the client goes away first."""
    pidfd = os.pidfd_open(pid)
    watching = [conn.fileno(), pidfd]
    try:
        while True:
            ready, _, _ = select.select(watching, [], [])
            if pidfd in ready:
                break
            try:
                gone = not conn.recv(64)
            except OSError:
                gone = True
            if gone:  # the helmpy process that asked is dead: so is its command
                os.kill(pid, signal.SIGKILL)
                watching = [pidfd]
    finally:
        os.close(pidfd)
    _, status, usage = os.wait4(pid, 0)
    return (os.waitstatus_to_exitcode(status), usage.ru_maxrss, round(usage.ru_utime * 1e6),
            round(usage.ru_stime * 1e6))


def become_client(request: tuple[Any, ...], fds: list[int]) -> None:
    """Make this process the one the client would have started (see the module)."""
    global _server_stdio
    _, argv, _cwd_path, environ, umask, ignored, client_pid, targets, blocked = request
    *passed, cwd = fds
    # the client's fds at their own numbers: first moved above all of them, so none is overwritten early
    floor = max([2, *targets]) + 1
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor) for fd in passed]
    for fd in passed:
        os.close(fd)
    for target, fd in zip(targets, moved, strict=True):
        os.dup2(fd, target)  # inheritable, as the client's were
        os.close(fd)
    os.fchdir(cwd)
    os.close(cwd)
    os.umask(umask)
    os.environ.clear()
    os.environ.update(environ)
    import time

    time.tzset()
    sys.argv = list(argv)
    for sig in signal.valid_signals():  # a fresh interpreter's dispositions, with the client's ignored signals
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        wanted = signal.SIG_IGN if sig in ignored else (
            signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        try:
            signal.signal(sig, wanted)
        except (OSError, ValueError):  # the C library's own real-time signals
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    _server_stdio = (sys.stdin, sys.stdout, sys.stderr)
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        stream = _stream(fd, _server_stdio[fd], write=fd > 0)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    tempfile: Any = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # found again from this environment's TMPDIR
    client.in_worker = True
    client.user_pid = client_pid


def _stream(fd: int, like: Any, write: bool) -> io.TextIOWrapper:
    """``sys.stdin``/``stdout``/``stderr`` on ``fd`` as the interpreter makes them at start-up (the encoding,
    errors and buffering options of the server's own, which started as the client did)."""
    raw = io.FileIO(fd, "wb" if write else "rb", closefd=False)
    raw.name = ("<stdin>", "<stdout>", "<stderr>")[fd]  # type: ignore[misc]
    unbuffered = write and bool(getattr(like, "write_through", False))
    buffered: Any = raw if unbuffered else (io.BufferedWriter(raw) if write else io.BufferedReader(raw))
    stream = io.TextIOWrapper(buffered, encoding=getattr(like, "encoding", None) or "utf-8",
                              errors=getattr(like, "errors", None) or "strict", newline="\n",
                              line_buffering=not unbuffered and (fd == 2 or raw.isatty()),
                              write_through=unbuffered)
    stream.mode = "w" if write else "r"  # type: ignore[misc]
    return stream
