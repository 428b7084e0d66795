"""The benches' view of helmpy's fork server (helmpy/forkserver/): where it listens, what a served command used.

A helmpy command run by a fork server is timed as any command (wall clock of the ``helmpy`` process the bench
starts), but that process's own CPU time and peak RSS are the small client's. :func:`environment` makes each
bench's servers its own (a private ``XDG_RUNTIME_DIR``) and asks the client to record the served command's
resource usage (``HELMPY_FORKSERVER_USAGE``: peak RSS and CPU of the process that ran it, as ``wait4`` gives
them); :func:`usage` reads and clears that record after each run, so the benches' CPU and peak-RSS columns are
the command's. ``--no-forkserver`` on the benches (:func:`environment` with ``enabled=False``) times helmpy
without a server, as a first run or ``HELMPY_FORKSERVER=0`` does. :func:`stop` ends the servers a bench started.
"""

from __future__ import annotations

import os
from pathlib import Path


def environment(env: dict[str, str], base: Path, enabled: bool = True) -> dict[str, str]:
    """``env`` with the fork server on (or off) in a socket directory under ``base``, usage recorded."""
    runtime = base / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {**env, "HELMPY_FORKSERVER": "1" if enabled else "0", "XDG_RUNTIME_DIR": str(runtime),
            "HELMPY_FORKSERVER_USAGE": str(base / "served-usage")}


def usage(env: dict[str, str]) -> tuple[int, float] | None:
    """(peak RSS in KiB, CPU seconds) of the command a server ran since the last call; None: none was served."""
    path = env.get("HELMPY_FORKSERVER_USAGE")
    if not path or not os.path.exists(path):
        return None
    lines = Path(path).read_text().split()
    os.unlink(path)
    if len(lines) < 3:
        return None
    rss, user, system = lines[-3:]
    return int(rss), float(user) + float(system)


def stop(env: dict[str, str]) -> int:
    """Stop the servers listening in ``env``'s socket directory; how many there were."""
    from tests.support import forkserver

    return forkserver.stop(Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")))


def describe(servers: int, enabled: bool) -> str:
    """The results line's note on how helmpy ran."""
    if not enabled:
        return "no fork server (HELMPY_FORKSERVER=0)"
    return f"helmpy's runs served by {servers} fork server(s) (CPU and peak RSS: the command's process too)"
