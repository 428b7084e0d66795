"""A real PostgreSQL server for the SQL driver tests (Debian's ``postgresql`` package).

The session fixture ``postgres_dsn`` runs initdb and pg_ctl in a temporary directory on a free
127.0.0.1 port (as the ``postgres`` user when running as root, because PostgreSQL refuses root)
and stops it at the end; ``clean_postgres`` drops Helm's tables before a test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _install() -> Path | None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], env=env, capture_output=True, timeout=900)
    return _bin_dir()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], as_postgres: bool) -> subprocess.CompletedProcess[str]:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT/postgres?sslmode=disable`` of a throwaway server."""
    bindir = _bin_dir() or _install()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    as_postgres = os.geteuid() == 0
    work = Path(tempfile.mkdtemp(prefix="helmpy-pg-"))
    data = work / "data"
    data.mkdir()
    if as_postgres:
        shutil.chown(work, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"], as_postgres)
    opts = f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(work / "server.log"), "-w", "start"],
         as_postgres)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        subprocess.run((["runuser", "-u", "postgres", "--"] if as_postgres else [])
                       + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def clean_postgres(postgres_dsn: str) -> None:
    """Drop Helm's tables so each test starts from an empty database."""
    import psycopg2

    conn = psycopg2.connect(postgres_dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS releases_v1, custom_labels_v1, gorp_migrations")
    finally:
        conn.close()
