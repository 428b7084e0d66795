"""Every limit of ``helmpy serve`` and ``helmpy cluster serve`` in one place, with its default; the commands'
flags set them. Both run :class:`helmpy.server.guarded.GuardedServer`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # --max-upload-size: largest chart (or chart + prov) upload body


@dataclass(frozen=True)
class PageLimits:
    """How much the web pages of ``helmpy serve`` show and keep: one page never grows with the repository."""

    page_size: int = 50  # charts (or versions) on one page; ``?per_page=`` may ask for 10..max_page_size
    max_page_size: int = 200
    max_query: int = 200  # characters of a search query (longer ones are cut)
    details_cache: int = 128  # chart archives whose README/values/schema are kept parsed (by digest)
    max_text: int = 1024 * 1024  # bytes of a README or values.yaml shown (the rest is cut, with a note)
    max_schema_rows: int = 500  # rows of the values.schema.json table (deeper/larger schemas are cut)
    max_icon: int = 64 * 1024  # characters of a ``data:image/...`` icon shown inline (remote icons never load)


@dataclass(frozen=True)
class ServerLimits:
    """How long and how much a client may take."""

    header_timeout: float = 10.0  # --read-header-timeout: complete request header (from connect, or from the
    #                               first byte on a kept-alive connection, which may idle as long); each recv/send
    read_timeout: float = 120.0  # --read-timeout: the rest of a request (its body), once a worker reads it
    max_header_bytes: int = 64 * 1024  # request line and headers together (413/414 beyond)
    max_body: int = 0  # request body bytes (413 beyond); 0 leaves the limit to the application
    max_chunked_body: int = 0  # decoded bytes of a chunked body (413 at the chunk passing it); 0: as max_body
    workers: int = 16  # --workers: threads running requests whose headers are complete
    max_connections: int = 512  # --max-connections: open connections, idle ones included


# ``helmpy cluster serve``: the kube-apiserver's own values where it has them (ReadHeaderTimeout 32 s, 3 MiB
# request bodies, MaxRequestBodyBytes). Watches hold a worker each for up to their timeout, hence more workers;
# a few of them are kept for other requests (kube_api_max_watches).
KUBE_API_MAX_BODY = 3 * 1024 * 1024  # request body bytes (413 beyond, before a byte of it is read)
# the app answers an over-long Content-Length itself (with a Status); the server refuses chunks passing the cap
KUBE_API_LIMITS = ServerLimits(header_timeout=32.0, read_timeout=60.0, workers=64, max_connections=1024,
                               max_chunked_body=KUBE_API_MAX_BODY)


def kube_api_max_watches(workers: int) -> int:
    """Watches open at once for a server with ``workers`` threads (429 beyond): the rest serve other requests."""
    return max(1, workers - max(2, workers // 8))


__all__ = ["DEFAULT_MAX_UPLOAD", "KUBE_API_LIMITS", "KUBE_API_MAX_BODY", "PageLimits", "ServerLimits",
           "kube_api_max_watches"]
