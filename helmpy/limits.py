"""Limits on untrusted input (values, YAML, JSON), their defaults and overrides, in one place.

Every limit is a named default here and can be changed with a ``HELMPY_MAX_*`` environment variable,
read by :func:`env_limit` only. The defaults are chosen so that what they admit can still be processed:
Python walks values recursively (merge, copy, ``toYaml``), so nesting deeper than a few hundred levels
would end in ``RecursionError``, and PyYAML needs ~200 bytes of memory per node, so a values file is
capped in bytes before it is parsed.
"""

from __future__ import annotations

from helmpy import settings
from helmpy.errors import UsageError

#: Bytes read from one ``-f``/``--set-file`` source (file, ``-`` or URL) at most. Helm has no such cap
#: for ``-f``; this is the per-file cap Helm applies to every file of a chart (values.yaml included).
MAX_VALUES_SIZE = 5 * 1024 * 1024
MAX_VALUES_SIZE_ENV = "HELMPY_MAX_VALUES_SIZE"

#: Nesting levels (maps and lists) of one YAML/JSON document or ``--set`` path. go-yaml refuses more
#: than 10,000; helmpy needs headroom below Python's recursion limit (about 1000 frames).
MAX_NESTING_DEPTH = 200
MAX_NESTING_DEPTH_ENV = "HELMPY_MAX_NESTING_DEPTH"
#: The highest depth the environment may ask for: libyaml's C composer itself recurses per level.
NESTING_DEPTH_CEILING = 5000

#: Bytes of one OCI manifest, config blob, provenance layer, tag-list page, token answer or registry
#: credentials file read at most (oras-go, which Helm uses, caps manifests at 4 MiB too).
MAX_OCI_METADATA_SIZE = 4 * 1024 * 1024
MAX_OCI_METADATA_SIZE_ENV = "HELMPY_MAX_OCI_METADATA_SIZE"

#: How much of a user's argument an error message repeats.
MAX_ECHO = 72


#: Bytes of one file inside a chart, and of a whole chart, once decompressed (Helm's own limits).
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILE_SIZE_ENV = "HELMPY_MAX_FILE_SIZE"
MAX_CHART_SIZE = 100 * 1024 * 1024
MAX_CHART_SIZE_ENV = "HELMPY_MAX_CHART_SIZE"

#: Render limits (Helm has none). install/upgrade may call ``lookup`` against a live API server inside
#: the render, so they get more time; template and lint render offline, where a 1,000-object chart takes
#: ~0.3 s, so a hostile chart in a CI job or a GitOps controller gives up sooner.
RENDER_TIMEOUT = 30.0
OFFLINE_RENDER_TIMEOUT = 10.0
RENDER_TIMEOUT_ENV = "HELMPY_RENDER_TIMEOUT"
RENDER_MAX_OUTPUT = 64 * 1024 * 1024
RENDER_MAX_OUTPUT_ENV = "HELMPY_RENDER_MAX_OUTPUT"
RENDER_MAX_DEPTH = 100
RENDER_MAX_DEPTH_ENV = "HELMPY_RENDER_MAX_DEPTH"


#: Bytes the compiled-template cache (``$HELMPY_CACHE_HOME/templates``: Jinja2 code, Go parse trees) may
#: hold on disk; past it the least recently used entries go. kube-prometheus-stack's trees take ~4 MB.
MAX_TEMPLATE_CACHE_SIZE = 256 * 1024 * 1024
MAX_TEMPLATE_CACHE_SIZE_ENV = "HELMPY_MAX_TEMPLATE_CACHE_SIZE"


def env_limit(name: str, default: int, *, ceiling: int | None = None) -> int:
    """``default``, or the positive integer in environment variable ``name`` (capped at ``ceiling``)."""
    raw = settings.environ().get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(f"{name}={raw[:MAX_ECHO]!r} is not a positive whole number")
    return min(value, ceiling) if ceiling is not None else value


def env_seconds(name: str, default: float) -> float:
    """``default``, or the positive number of seconds in environment variable ``name``."""
    raw = settings.environ().get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{name}={raw[:MAX_ECHO]!r} is not a positive number of seconds")
    return value


def values_size() -> int:
    """The byte cap for one values source."""
    return env_limit(MAX_VALUES_SIZE_ENV, MAX_VALUES_SIZE)


def nesting_depth() -> int:
    """The nesting cap for YAML/JSON documents and ``--set`` paths."""
    return env_limit(MAX_NESTING_DEPTH_ENV, MAX_NESTING_DEPTH, ceiling=NESTING_DEPTH_CEILING)


def chart_file_size() -> int:
    """The decompressed byte cap for one file of a chart."""
    return env_limit(MAX_FILE_SIZE_ENV, MAX_FILE_SIZE)


def chart_size() -> int:
    """The decompressed byte cap for a whole chart."""
    return env_limit(MAX_CHART_SIZE_ENV, MAX_CHART_SIZE)


def render_timeout(offline: bool = False) -> float:
    """Seconds one render may take (``offline``: template and lint)."""
    return env_seconds(RENDER_TIMEOUT_ENV, OFFLINE_RENDER_TIMEOUT if offline else RENDER_TIMEOUT)


def render_max_output() -> int:
    """Bytes one render may produce (and the cap on any one value it builds)."""
    return env_limit(RENDER_MAX_OUTPUT_ENV, RENDER_MAX_OUTPUT)


def render_max_depth() -> int:
    """Nesting of macro/include/tpl calls one render may reach."""
    return env_limit(RENDER_MAX_DEPTH_ENV, RENDER_MAX_DEPTH)


def oci_metadata_size() -> int:
    """The byte cap for OCI manifests and the other small documents a registry sends."""
    return env_limit(MAX_OCI_METADATA_SIZE_ENV, MAX_OCI_METADATA_SIZE)


def excerpt(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters (``...`` marks the cut), for error messages that quote input."""
    return text if len(text) <= limit else text[:limit] + "..."


#: Blobs whose repositories helmpy remembers per cache (what ``push`` offers a registry to mount from another
#: repository instead of uploading): the oldest are forgotten first. Each remembers a few repositories.
MAX_KNOWN_BLOBS = 2000
MAX_KNOWN_BLOBS_ENV = "HELMPY_MAX_KNOWN_BLOBS"
KNOWN_REPOSITORIES_PER_BLOB = 4


def known_blobs() -> int:
    """How many blob digests the push-mount hints keep."""
    return env_limit(MAX_KNOWN_BLOBS_ENV, MAX_KNOWN_BLOBS)


def template_cache_size() -> int:
    """The byte cap of the on-disk compiled-template cache."""
    return env_limit(MAX_TEMPLATE_CACHE_SIZE_ENV, MAX_TEMPLATE_CACHE_SIZE)


#: Bytes of one answer from a Kubernetes API server (after gzip) read at most. client-go has no cap; a list
#: is fetched in pages of 500 objects (kubectl's chunk size), and a Secret holds at most ~1 MiB.
MAX_KUBE_RESPONSE_SIZE = 256 * 1024 * 1024
MAX_KUBE_RESPONSE_SIZE_ENV = "HELMPY_MAX_KUBE_RESPONSE_SIZE"


def kube_response_size() -> int:
    """Bytes one Kubernetes API answer may hold."""
    return env_limit(MAX_KUBE_RESPONSE_SIZE_ENV, MAX_KUBE_RESPONSE_SIZE)


#: Bytes of parsed inputs (values files, Chart.yaml, rendered documents' heads, repository indexes) kept under
#: ``$HELMPY_CACHE_HOME/parsed`` (see :mod:`helmpy.diskcache`); past it, the oldest entries are deleted (down to
#: three quarters) on a run's first write. ``HELMPY_PARSE_CACHE=0`` turns it off.
MAX_PARSE_CACHE_SIZE = 64 * 1024 * 1024
MAX_PARSE_CACHE_SIZE_ENV = "HELMPY_MAX_PARSE_CACHE_SIZE"
PARSE_CACHE_ENV = "HELMPY_PARSE_CACHE"
TEMPLATE_CACHE_ENV = "HELMPY_TEMPLATE_CACHE"


def parse_cache_size() -> int:
    """The byte bound of the parsed-inputs cache."""
    return env_limit(MAX_PARSE_CACHE_SIZE_ENV, MAX_PARSE_CACHE_SIZE)


def env_switch(name: str) -> bool:
    """False when environment variable ``name`` turns a feature off (``0``, ``false``, ``no``, ``off``)."""
    return settings.environ().get(name, "1").strip().lower() not in ("0", "false", "no", "off")
