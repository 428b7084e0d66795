"""The fork server's messages, over a Unix stream socket.

Client to server, once: :data:`MAGIC`, the payload's length (4 bytes, big-endian) and the payload, the marshalled
request tuple (key, argv, cwd, environment, umask, ignored signals, client pid, inherited fd numbers, blocked
signals); the client's inheritable fds (0-2 and any others) and an fd of its working directory ride along as
``SCM_RIGHTS``, in that order.

Server to client: ``P`` and the pid of the process running the command (8 bytes) once it runs, then ``X``, its
wait status as :func:`os.waitstatus_to_exitcode` gives it (4 bytes, signed: ``-N`` is death by signal N) and
its resource usage as ``wait4`` gives it (peak RSS in KiB, user and system CPU in microseconds: 8 bytes each).
``S`` instead of ``P`` refuses the request before anything ran (a server of other code or another key): the
client runs the command itself.
"""

from __future__ import annotations

MAGIC = b"HPFS"
HEADER = len(MAGIC) + 4
MAX_REQUEST = 16 << 20  # arguments and environment; a bigger request is not one of ours
MAX_FDS = 250  # fds in one request (the kernel's SCM_RIGHTS limit is 253)
STARTED = b"P"
EXITED = b"X"
REFUSED = b"S"
PID_BYTES = 8
STATUS_BYTES = 4
USAGE_BYTES = 3 * 8
EXIT_BYTES = 1 + STATUS_BYTES + USAGE_BYTES


def frame(payload: bytes) -> bytes:
    """The request as sent: magic, length, payload."""
    return MAGIC + len(payload).to_bytes(4, "big") + payload


def payload_length(header: bytes) -> int | None:
    """The payload's length announced by ``header``; None: not a request of this protocol."""
    if len(header) != HEADER or header[:len(MAGIC)] != MAGIC:
        return None
    length = int.from_bytes(header[len(MAGIC):], "big")
    return length if length <= MAX_REQUEST else None


def started(pid: int) -> bytes:
    return STARTED + pid.to_bytes(PID_BYTES, "big")


def exited(code: int, rss_kib: int = 0, user_us: int = 0, system_us: int = 0) -> bytes:
    return EXITED + code.to_bytes(STATUS_BYTES, "big", signed=True) + b"".join(
        max(0, value).to_bytes(8, "big") for value in (rss_kib, user_us, system_us))


def exit_report(message: bytes) -> tuple[int, int, int, int] | None:
    """(code, peak RSS KiB, user us, system us) of an ``X`` message; None: not one."""
    if len(message) != EXIT_BYTES or message[:1] != EXITED:
        return None
    code = int.from_bytes(message[1:1 + STATUS_BYTES], "big", signed=True)
    usage = message[1 + STATUS_BYTES:]
    return (code, *(int.from_bytes(usage[i:i + 8], "big") for i in (0, 8, 16)))  # type: ignore[return-value]
