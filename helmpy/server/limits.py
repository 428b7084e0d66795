"""Every limit of ``helmpy serve`` in one place, with its default; the command's flags set them.

``helmpy cluster serve`` (``helmpy/server/kubeapi/server.py``) runs its own cheroot server and does not use these.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # --max-upload-size: largest chart (or chart + prov) upload body


@dataclass(frozen=True)
class ServerLimits:
    """How long and how much a client may take."""

    header_timeout: float = 10.0  # --read-header-timeout: complete request header (from connect, or from the
    #                               first byte on a kept-alive connection, which may idle as long); each recv/send
    read_timeout: float = 120.0  # --read-timeout: the rest of a request (its body), once a worker reads it
    max_header_bytes: int = 64 * 1024  # request line and headers together (413/414 beyond)
    max_body: int = 0  # request body bytes (413 beyond); 0 leaves the limit to the application
    workers: int = 16  # --workers: threads running requests whose headers are complete
    max_connections: int = 512  # --max-connections: open connections, idle ones included


__all__ = ["DEFAULT_MAX_UPLOAD", "ServerLimits"]
