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

_STREAMS = 3
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
            become_client(request, fds)
            finish(run_command())
        for fd in fds:
            os.close(fd)
        conn.sendall(wire.started(pid))
        try:
            conn.sendall(wire.exited(*wait(conn, pid)))
        except OSError:
            pass
    except BaseException:  # noqa: BLE001 - the waiter ends quietly
        if os.getpid() != waiter:
            os._exit(1)
    os._exit(0)


def run_command() -> int:
    """Run :func:`helmpy.cli.main.main` as the interpreter runs a script: its exit code (``SystemExit``'s rules:
    None is 0, an int itself, anything else printed to stderr and 1); an exception that escapes is printed as
    the interpreter prints it, and an escaping ``KeyboardInterrupt`` ends the process by SIGINT."""
    from helmpy.cli.main import main

    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException as exc:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        import traceback

        traceback.print_exception(exc)
        if isinstance(exc, KeyboardInterrupt):
            finish(-signal.SIGINT)
        return 1
    return 0


def finish(code: int) -> NoReturn:
    """End the command's process as the interpreter ends: non-daemon threads joined, ``atexit`` handlers run,
    stdout and stderr flushed (a failing flush of stdout is exit code 120) - then ``os._exit``, without
    tearing down the ~400 modules the server imported (~20 ms). ``-N``: die by signal N."""
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
            if stream is sys.stdout and code >= 0:
                code = 120
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code
    os._exit(code & 0xFF)


def receive(conn: socket.socket, server_key: tuple[object, ...]) -> tuple[tuple[Any, ...], list[int]]:
    """The request and the client's fds; anything amiss is refused (the client then runs the command itself)."""
    conn.settimeout(10)
    pid_uid_gid = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", pid_uid_gid)
    header, ancillary, flags, _ = conn.recvmsg(wire.HEADER, socket.CMSG_SPACE(_STREAMS * 4))
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.extend(struct.unpack(f"{len(data) // 4}i", data[:len(data) - len(data) % 4]))
    try:
        header += _exactly(conn, wire.HEADER - len(header))
        length = wire.payload_length(header)
        request = marshal.loads(_exactly(conn, length)) if length is not None else None
        if (uid != os.getuid() or flags & socket.MSG_CTRUNC or len(fds) != _STREAMS
                or not isinstance(request, tuple) or len(request) != 7 or request[0] != server_key):
            conn.sendall(wire.REFUSED)
            raise ValueError("refused")
    except BaseException:
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
    _, argv, cwd, environ, umask, ignored, client_pid = request
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.umask(umask)
    os.environ.clear()
    os.environ.update(environ)
    import time

    time.tzset()
    sys.argv = list(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    for sig in ignored:
        signal.signal(sig, signal.SIG_IGN)
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
    try:
        os.chdir(cwd)
    except OSError as exc:
        sys.stderr.write(f"Error: cannot enter the working directory {cwd!r}: {exc.strerror}\n")
        sys.exit(1)


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
