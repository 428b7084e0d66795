"""The console script's side of the fork server: hand the command line over, forward signals, return its status.

:func:`run` is called by :func:`helmpy.cli.main.main` for the console script only. It connects to the server of
this process's key (:mod:`helmpy.forkserver.identity`), sends the request with fds 0-2, forwards SIGINT, SIGTERM,
SIGHUP and SIGQUIT to the process running the command (signals ignored here stay ignored there), and returns
that process's exit code - or, when it died by a signal, dies by the same signal. When no server answers (or
one refuses: other code, another key) nothing has run: :func:`run` returns None, the command runs in this
process, and a server is started in the background when it exits.

Only the commands of :data:`COMMANDS` go to a server (long-running servers, plugins, shell completion and
``registry`` stay in the process the user started), and none whose standard streams are not all open. A command
line that may prompt for a password on the terminal (``--username`` without ``--password`` while stdin is a
terminal) stays too: a forked process has no controlling terminal to turn echo off on.
"""

from __future__ import annotations

import os
import sys

from helmpy.forkserver import identity, wire

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COMMANDS = frozenset({
    "create", "template", "lint", "show", "inspect", "package", "verify", "dependency", "dep", "repo", "search",
    "pull", "fetch", "push", "install", "upgrade", "rollback", "uninstall", "un", "del", "delete", "history",
    "hist", "status", "list", "ls", "get", "diff", "env", "version",
})
_SIGNALS = (2, 15, 1, 3)  # SIGINT, SIGTERM, SIGHUP, SIGQUIT (the same numbers on every POSIX system)
_SIGKILL, _SIGSTOP, _SIGTSTP, _SIGCONT = 9, 19, 20, 18  # Linux's numbers (the fork server is Linux-only)
_COMPLETE_VAR = "_HELMPY_COMPLETE"
in_worker = False  # set in the process a server forked to run a command: it never asks a server itself
user_pid = 0  # there: the pid of the helmpy process that asked for the command
USAGE_ENV = "HELMPY_FORKSERVER_USAGE"  # a file: each served command appends "PEAK_RSS_KIB USER_S SYSTEM_S"


def command_pid() -> int:
    """The pid of the ``helmpy`` process the user started: this process's own or, in a process a fork server
    runs a command in, the client's (a release lock names it; killing it stops the command)."""
    return user_pid or os.getpid()


def eligible(args: list[str], environ: Any = None) -> bool:
    """Whether ``helmpy ARGS`` may run in a fork server (see the module)."""
    env = os.environ if environ is None else environ
    if not args or args[0] not in COMMANDS or _COMPLETE_VAR in env or not identity.enabled(env):
        return False
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return False
    if any(a == "--username" or a.startswith("--username=") for a in args) and not any(
            a == "--password" or a.startswith(("--password=", "--password-stdin")) for a in args):
        return not os.isatty(0)
    return True


def run(args: list[str]) -> int | None:
    """The exit code of ``helmpy ARGS`` run by a fork server; None: run it in this process (see the module)."""
    if in_worker or not eligible(args):
        return None
    server_key = identity.key()
    path = identity.socket_path(server_key) if server_key is not None else None
    if server_key is None or path is None:
        return None
    code = _ask(path, server_key)
    if code is None:
        import atexit

        atexit.register(start, path)
    return code


class _Forwarder:
    """This process's signals, passed on to the command's process once its pid is known (queued before)."""

    def __init__(self, signal_module: Any) -> None:
        self._signal = signal_module
        self.worker = 0
        self.pidfd = -1
        self.pending: list[int] = []
        self.ignored = [sig for sig in signal_module.valid_signals()
                        if sig not in (_SIGKILL, _SIGSTOP) and signal_module.getsignal(sig) == signal_module.SIG_IGN]
        self.previous = {sig: signal_module.signal(sig, self.forward) for sig in _SIGNALS if sig not in self.ignored}

    def send(self, signum: int) -> None:
        try:
            if self.pidfd >= 0:
                self._signal.pidfd_send_signal(self.pidfd, signum)
            else:
                os.kill(self.worker, signum)
        except OSError:
            pass

    def forward(self, signum: int, _frame: object) -> None:
        if self.worker:
            self.send(signum)
        else:
            self.pending.append(signum)

    def suspend(self, _signum: int, _frame: object) -> None:
        """Ctrl-Z: the command stops, and continues when this process does."""
        self.send(_SIGSTOP)
        os.kill(os.getpid(), _SIGSTOP)
        self.send(_SIGCONT)

    def started(self, worker: int) -> None:
        self.worker = worker
        try:
            self.pidfd = os.pidfd_open(worker)  # signals then reach that process, never a reused pid
        except OSError:  # it has already ended
            pass
        for sig in self.pending:
            self.send(sig)
        if _SIGTSTP not in self.ignored:
            self.previous[_SIGTSTP] = self._signal.signal(_SIGTSTP, self.suspend)

    def refused(self) -> None:
        """Nothing ran: this process's own handlers back, and a signal that came meanwhile delivered to it."""
        for sig, handler in self.previous.items():
            self._signal.signal(sig, handler)
        for sig in self.pending:
            os.kill(os.getpid(), sig)

    def ended(self) -> None:
        """The command has ended: a late signal (a second Ctrl-C) is ignored, not left to end this process's own
        exit by the signal (the interpreter resets Python handlers on the way out), as a command run here
        ignores signals once interrupted (helmpy/cli/signals.py)."""
        for sig in self.previous:
            self._signal.signal(sig, self._signal.SIG_DFL if sig == _SIGTSTP else self._signal.SIG_IGN)
        if self.pidfd >= 0:
            os.close(self.pidfd)


def _ask(path: str, server_key: tuple[object, ...]) -> int | None:
    import _signal  # type: ignore[import-not-found, unused-ignore]  # signal would import enum
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
        peer = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)  # pid, uid, gid (3 C ints)
    except OSError:
        sock.close()
        return None
    if int.from_bytes(peer[4:8], sys.byteorder) != os.getuid():  # not this user's server: never talk to it
        sock.close()
        return None
    signals = _Forwarder(_signal)
    try:
        try:
            reply = _send(sock, server_key, tuple(signals.ignored), _signal.pthread_sigmask(_signal.SIG_BLOCK, []))
        except OSError:
            reply = b""
        if reply[:1] != wire.STARTED or len(reply) != 1 + wire.PID_BYTES:
            signals.refused()
            return None
        signals.started(int.from_bytes(reply[1:], "big"))
        try:
            reply = _read(sock, wire.EXIT_BYTES)
        except OSError:
            reply = b""
    finally:
        sock.close()
    signals.ended()
    report = wire.exit_report(reply)
    if report is None:
        os.write(2, b"Error: helmpy's fork server stopped before the command ended (HELMPY_FORKSERVER=0 runs "
                    b"commands without it)\n")
        return 1
    code, rss, user, system = report
    usage_file = os.environ.get(USAGE_ENV)
    if usage_file:
        _record_usage(usage_file, rss, user, system)
    return _ended(code)


def _send(sock: Any, server_key: tuple[object, ...], ignored: tuple[int, ...], blocked: set[int]) -> bytes:
    """Send the request with this process's inheritable fds (0-2 and any other a shell handed it, such as
    ``<(...)``'s) and its working directory; the server's first answer (``P`` and the pid, or ``S``)."""
    import _socket
    import marshal

    inherited = _inherited_fds()
    cwd = os.open(".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        request: Any = (server_key, list(sys.argv), os.getcwd(), dict(os.environ), umask, ignored, os.getpid(),
                        inherited, sorted(blocked))
        data = wire.frame(marshal.dumps(request))
        fds = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (*inherited, cwd))
        sent = sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        if sent < len(data):
            sock.sendall(data[sent:])
    finally:
        os.close(cwd)
    return _read(sock, 1 + wire.PID_BYTES)


def _inherited_fds() -> list[int]:
    """This process's fds a child would inherit: 0-2 and any the caller left open (helmpy's own are close-on-exec).
    Raises OSError when they cannot be listed or are too many for one message (then no server is asked)."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd <= 2 or os.get_inheritable(fd):
                fds.append(fd)
        except OSError:  # the directory listing's own fd, closed by now
            continue
    if len(fds) > wire.MAX_FDS - 1:
        raise OSError("too many inherited file descriptors")
    return sorted(fds)


def _ended(code: int) -> int:
    """The command's exit code; when it died by a signal, so does this process, as its parent would have seen."""
    if code >= 0:
        return code
    import _signal

    try:
        _signal.signal(-code, _signal.SIG_DFL)
    except (OSError, ValueError):  # SIGKILL and SIGSTOP keep their only action
        pass
    os.kill(os.getpid(), -code)
    return 128 - code


def _record_usage(path: str, rss_kib: int, user_us: int, system_us: int) -> None:
    """Append the served command's usage to ``path`` (benches read it: this process's own is the client's)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return
    try:
        os.write(fd, f"{rss_kib} {user_us / 1e6:.6f} {system_us / 1e6:.6f}\n".encode())
    finally:
        os.close(fd)


def _read(sock: Any, size: int) -> bytes:
    """``size`` bytes from ``sock``, or fewer when it closes first."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def start(path: str) -> None:
    """Start the fork server of this process's key in the background (its own session, no terminal, streams on
    /dev/null, default signal dispositions); it exits at once if another one got there first. A failure only
    means no server. (``fork`` and ``exec``: ``posix_spawn`` would leave the C library's own signals ignored.)"""
    import marshal

    options = identity.interpreter_options()
    if options is None:
        return
    code = ("import os, sys, marshal; os.closerange(3, os.sysconf('SC_OPEN_MAX')); "  # nothing of the caller's
            "sys.path[:] = marshal.loads(bytes.fromhex(sys.argv[1])); "
            "from helmpy.forkserver.server import main; main(sys.argv[2])")
    argv = [sys.executable, *options, "-c", code, marshal.dumps(list(sys.path)).hex(), path]
    env = _server_environment()
    defaulted = _defaulted()
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        return
    try:  # the child: nothing here may return into the caller's code
        import _signal

        for sig in defaulted:
            _signal.signal(sig, _signal.SIG_DFL)
        _signal.pthread_sigmask(_signal.SIG_SETMASK, [])
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.execve(sys.executable, argv, env)
    finally:
        os._exit(127)


def _server_environment() -> dict[str, str]:
    """A server's environment: what its key reads and where its socket lives - nothing else of this process's
    (its commands get their client's whole environment; tokens in it never sit in the server's)."""
    env = identity.key_environment()
    for name in ("PATH", "XDG_RUNTIME_DIR", "TMPDIR", identity.IDLE_ENV):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _defaulted() -> list[int]:
    """Every signal this process ignores, back to its default in the server (each command then gets its own
    client's dispositions)."""
    import _signal

    return [sig for sig in _signal.valid_signals()
            if sig not in (_SIGKILL, _SIGSTOP) and _signal.getsignal(sig) == _signal.SIG_IGN]
