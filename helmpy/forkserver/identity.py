"""Which fork server a process may hand its command to: the key both sides compute, and the socket's place.

A server may run a client's command only if a fresh process of the client would have started exactly as the
server did: the same interpreter and version, the same options (only ``-S``, ``-s``, ``-B`` and ``-P`` are
carried over; any other option means no server), the same ``sys.path`` (and, when it holds ``''`` or a relative
directory, the same working directory), the same environment variables read at start-up (``PYTHON*``, ``LANG``,
``LC_*``: stdio encoding, hash seed, bytecode...; ``OPENSSL_*``, read when ``ssl`` is imported), the same user,
groups, priority, namespaces and cgroup, and the same resource limits. All of that is the key; its CRC names
the socket, and the server compares the whole key of every request with its own.

The socket lives in ``$XDG_RUNTIME_DIR/helmpy`` or else ``$TMPDIR/helmpy-forkserver-UID`` (``/tmp`` without
``TMPDIR``): a directory the user owns, mode 0700, refused (no server used) when it is anything else. This
module imports nothing beyond what the interpreter has loaded at start-up, as the client runs it on every
command.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENV_SWITCH = "HELMPY_FORKSERVER"  # 0/false/no/off: never use nor start a server
IDLE_ENV = "HELMPY_FORKSERVER_IDLE"  # seconds a server waits for a request before it exits
IDLE_SECONDS = 600.0
PROTOCOL = 1
_CARRIED_FLAGS = (("no_site", "-S"), ("no_user_site", "-s"), ("dont_write_bytecode", "-B"), ("safe_path", "-P"))
_REFUSED_FLAGS = ("debug", "inspect", "interactive", "optimize", "ignore_environment", "verbose", "bytes_warning",
                  "isolated", "dev_mode")
_RLIMITS = ("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE",
            "RLIMIT_NPROC", "RLIMIT_STACK")
_MAX_SOCKET_PATH = 100  # sockaddr_un holds 104-108 bytes
_KEY_PREFIXES = ("PYTHON", "LC_", "OPENSSL_")


def enabled(environ: Any = None) -> bool:
    """False when ``HELMPY_FORKSERVER`` turns the fork server off."""
    value = (os.environ if environ is None else environ).get(ENV_SWITCH, "1")
    return value.strip().lower() not in ("0", "false", "no", "off")


def idle_seconds() -> float:
    """How long a server waits for its next request (``HELMPY_FORKSERVER_IDLE``; a bad value: the default)."""
    try:
        value = float(os.environ.get(IDLE_ENV, IDLE_SECONDS))
    except ValueError:
        return IDLE_SECONDS
    return value if value > 0 else IDLE_SECONDS


def interpreter_options() -> list[str] | None:
    """The options a server is started with (this process's own); None: one a server cannot share."""
    flags = sys.flags
    if any(getattr(flags, name, 0) for name in _REFUSED_FLAGS) or sys._xoptions or sys.warnoptions:
        return None
    options = [option for name, option in _CARRIED_FLAGS if getattr(flags, name, 0)]
    if getattr(sys.__stdout__, "write_through", False):  # -u (or PYTHONUNBUFFERED): not in sys.flags
        options.append("-u")
    return options


def key_environment(environ: Any = None) -> dict[str, str]:
    """The environment variables the interpreter (and OpenSSL, at ``import ssl``) read at start-up: part of the
    key, and all of a server's environment besides where its socket lives."""
    env = os.environ if environ is None else environ
    return {name: value for name, value in env.items() if name.startswith(_KEY_PREFIXES) or name == "LANG"}


def _process_context() -> tuple[object, ...]:
    """Who and where this process runs: ids and groups, priority, namespaces and cgroup (a server forked for
    another container, user namespace or network sandbox must not run its commands)."""
    namespaces = []
    for name in ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts"):
        try:
            namespaces.append(os.readlink(f"/proc/self/ns/{name}"))
        except OSError:
            namespaces.append("")
    try:
        with open("/proc/self/cgroup", "rb") as fh:
            cgroup = fh.read(65536)
    except OSError:
        cgroup = b""
    return (os.getuid(), os.geteuid(), os.getgid(), os.getegid(), tuple(sorted(os.getgroups())),
            os.getpriority(os.PRIO_PROCESS, 0), tuple(namespaces), cgroup)


def key() -> tuple[object, ...] | None:
    """What a server must share with this process; None: this process cannot use one."""
    options = interpreter_options()
    if options is None or not sys.executable or not hasattr(os, "fork") or not hasattr(os, "pidfd_open"):
        return None
    import resource

    limits = tuple(resource.getrlimit(getattr(resource, name)) for name in _RLIMITS if hasattr(resource, name))
    cwd = None
    # '' (``python -c``) and relative directories are found from the working directory: then it is the server's
    # too (an entry that names no file, such as an editable install's path hook, is no directory)
    if any(entry == "" or (not os.path.isabs(entry) and os.path.exists(entry)) for entry in sys.path):
        try:
            cwd = os.getcwd()
        except OSError:
            return None
    environ = tuple(sorted(key_environment().items()))
    return (PROTOCOL, sys.executable, sys.version, tuple(options), tuple(sys.path), cwd, environ,
            _process_context(), limits, sys.pycache_prefix)


def socket_dir() -> str | None:
    """The user's private directory of server sockets, created if missing; None: none safe to use."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        path = os.path.join(runtime, "helmpy")
    else:
        tmp = os.environ.get("TMPDIR", "")
        path = os.path.join(tmp if os.path.isabs(tmp) else "/tmp", f"helmpy-forkserver-{os.getuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not (st.st_mode & 0o170000 == 0o040000 and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0):
        return None  # a symlink, someone else's directory, or one others can enter: not ours to trust
    return path


def socket_path(server_key: tuple[object, ...]) -> str | None:
    """Where the server of ``server_key`` listens; None: no usable place."""
    import binascii

    directory = socket_dir()
    if directory is None:
        return None
    path = os.path.join(directory, f"{binascii.crc32(repr(server_key).encode()):08x}.sock")
    return path if len(os.fsencode(path)) <= _MAX_SOCKET_PATH else None
