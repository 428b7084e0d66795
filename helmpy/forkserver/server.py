"""The fork server's process: import the hot commands' modules once, then fork for each request.

Started in the background by :func:`helmpy.forkserver.client.start` (``python [-S ...] -c ... main(PATH)``, its
own session, streams on /dev/null) with the client's ``sys.path`` and environment, it computes its own key
(:mod:`helmpy.forkserver.identity`) and serves only if that key's socket is ``PATH``. It imports
:data:`PRELOAD`, freezes what it holds out of the collector's way, notes the size and mtime of every file it
imported and listens. Each request is answered by a forked process (:func:`helmpy.forkserver.worker.handle`),
so the server itself never runs a command, never reads a request and holds no state a command could change.

It exits (removing its socket) after :func:`~helmpy.forkserver.identity.idle_seconds` without a request, on
SIGTERM, and as soon as a request finds one of its imported files changed: that request is refused, so the
client runs the command itself and starts a server of the new code.
"""

from __future__ import annotations

import gc
import importlib
import os
import select
import signal
import socket
import sys
import time

from helmpy.cli.fastpath import file_stamps, unchanged
from helmpy.forkserver import identity, wire, worker

# what the commands of helmpy.forkserver.client.COMMANDS import on their common paths (a module missing here is
# imported by the command's process, as without a server)
PRELOAD = (
    # the CLI and the API layer
    "helmpy.cli.main", "helmpy.cli.root", "helmpy.cli.chart_cmds", "helmpy.cli.repo_cmds", "helmpy.cli.package_cmds",
    "helmpy.cli.release_cmds", "helmpy.cli.dependency_cmds", "helmpy.cli.diff_cmds", "helmpy.cli.env_cmd",
    "helmpy.cli.apiclient", "helmpy.cli.output", "helmpy.cli.holder", "helmpy.cli.release_output",
    "helmpy.api.client", "helmpy.api._release_results", "helmpy.api._chart_results", "helmpy.api._pull_result",
    "helmpy.api._template_result", "helmpy.logfmt", "helmpy.paths", "helmpy.yamlutil",
    # charts and rendering, both engines
    "helmpy.action.template", "helmpy.action.render", "helmpy.action.chartload", "helmpy.action.chartref",
    "helmpy.action.codecache", "helmpy.action.show", "helmpy.action.lint", "helmpy.action.package",
    "helmpy.chart.save", "helmpy.chart.dependencies", "helmpy.chart.lint", "helmpy.values.options",
    "helmpy.values.schema", "helmpy.engine.jinjarender", "helmpy.engine.gorender", "helmpy.engine.sandbox",
    "helmpy.engine.funcs", "helmpy.engine.headscan", "helmpy.engine.gotemplate.templateset",
    "helmpy.engine.gotemplate.exec", "helmpy.engine.gotemplate.parser", "helmpy.engine.gotemplate.lexer",
    "helmpy.engine.gotemplate.builtins", "helmpy.engine.gotemplate.helmfuncs",
    "helmpy.engine.gotemplate.treecodec",
    # repositories and registries
    "helmpy.action.pull", "helmpy.action.repo", "helmpy.action.env", "helmpy.repo.getter", "helmpy.repo.downloader",
    "helmpy.repo.cache", "helmpy.repo.repofile", "helmpy.repo.search", "helmpy.registry.pull",
    "helmpy.registry.push", "helmpy.registry.client", "helmpy.plugin.getter",
    # releases on the embedded cluster and on an API server
    "helmpy.action.install", "helmpy.action.upgrade", "helmpy.action.rollback", "helmpy.action.uninstall",
    "helmpy.action.list", "helmpy.action.status", "helmpy.action.history", "helmpy.action.get",
    "helmpy.action.diff", "helmpy.action.record_size", "helmpy.diff.compute", "helmpy.release.codec",
    "helmpy.release.shapes", "helmpy.storage.factory", "helmpy.storage.secrets", "helmpy.storage.storage",
    "helmpy.kube.factory", "helmpy.kube.embedded", "helmpy.kube.remote", "helmpy.kube.printers",
    "helmpy.kube.immutable", "helmpy.kube.controllers.workloads",
    # the standard library and libraries those use
    "yaml", "http.client", "ssl", "json", "tarfile", "gzip", "sqlite3", "difflib", "subprocess",
    "concurrent.futures.thread", "encodings.ascii", "encodings.unicode_escape",
)


def main(path: str) -> None:
    """Serve on ``path`` if it is this process's socket; return when done (idle, stale, SIGTERM)."""
    server_key = identity.key()
    if server_key is None or identity.socket_path(server_key) != path:
        return
    lock = claim(path)
    if lock is None:  # another server of this key lives: it serves
        return
    preload()
    listener = listen(path)
    if listener is None:
        return
    gc.collect()
    gc.freeze()  # forked processes then do not copy pages when the collector would touch these objects
    serve(listener, path, server_key, stamps(), lock)


def claim(path: str) -> int | None:
    """An exclusive lock on ``PATH.lock``, held for the server's life (the kernel drops it when the process
    ends, ``kill -9`` included); None when another server holds it. Only the holder binds ``path``."""
    import fcntl

    try:
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def preload() -> None:
    """Import :data:`PRELOAD` (a module that fails to import is left to the command's process)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional part missing here is missing for the command too
            pass


def stamps() -> list[tuple[str, int, int]]:
    """Size and mtime of every file this process imported outside the standard library (which changes with the
    interpreter's version, part of the key) - helmpy's and its libraries' - and of every shared library it has
    mapped (libssl, libsqlite3: a security update retires the server too)."""
    stdlib = os.path.dirname(os.__file__) + os.sep
    files = [getattr(module, "__file__", None) for module in list(sys.modules.values())]
    files = [path for path in files
             if isinstance(path, str) and (not path.startswith(stdlib) or "-packages" + os.sep in path)]
    try:
        with open("/proc/self/maps") as maps:
            files.extend(sorted({line.split(None, 5)[5].strip() for line in maps
                                 if line.count(" ") >= 5 and ".so" in line and "/" in line}))
    except (OSError, IndexError):
        pass
    return file_stamps([path for path in files if isinstance(path, str)])


def fresh(recorded: list[tuple[str, int, int]]) -> bool:
    """True while none of the files of :func:`stamps` has changed (or gone)."""
    return unchanged(recorded)


def listen(path: str) -> socket.socket | None:
    """A listening socket on ``path`` (the caller holds its lock: a socket file there is a dead server's)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        sock.bind(path)
    except OSError:
        sock.close()
        return None
    sock.listen(64)
    return sock


def serve(listener: socket.socket, path: str, server_key: tuple[object, ...],
          recorded: list[tuple[str, int, int]], lock: int = -1) -> None:
    """The accept loop: fork a process per request (:func:`helmpy.forkserver.worker.handle`, which never returns
    in the processes it runs in); the socket is removed by the server's own process only.

    SIGTERM only sets a flag (through a wakeup pipe, so the wait ends at once): a handler that raised could do
    so inside ``os.fork``'s at-fork hooks, which swallow exceptions, and the server would not stop."""
    server = os.getpid()
    inode = os.stat(path).st_ino
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the processes it forks are reaped by the kernel
    idle = identity.idle_seconds()
    last = time.monotonic()
    try:
        while not stopping:
            ready, _, _ = select.select([listener.fileno(), wake_read], [], [],
                                        max(0.0, last + idle - time.monotonic()))
            if stopping or (not ready and time.monotonic() - last >= idle):
                break
            if listener.fileno() not in ready:
                continue
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            last = time.monotonic()
            if not fresh(recorded):
                try:
                    conn.sendall(wire.REFUSED)
                finally:
                    conn.close()
                break
            if os.fork() == 0:
                signal.set_wakeup_fd(-1)
                for fd in (wake_read, wake_write, lock):  # the lock is the server's alone
                    if fd >= 0:
                        os.close(fd)
                listener.close()
                worker.handle(conn, server_key)
            conn.close()
    finally:
        if os.getpid() == server:
            listener.close()
            try:
                if os.stat(path).st_ino == inode:
                    os.unlink(path)
            except OSError:
                pass
