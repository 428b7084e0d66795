"""Release records in SQL (Helm's ``sql`` driver): PostgreSQL with Helm's exact schema, or SQLite.

Tables ``releases_v1`` and ``custom_labels_v1`` are created as Helm's sql-migrate migrations
``init`` and ``custom_labels`` create them, and those ids are recorded in ``gorp_migrations`` so
real Helm sharing the database does not try to create them again. ``sqlite:///path`` selects
SQLite (same tables; no GRANT/row-level security); anything else is a libpq DSN for psycopg2,
which is imported only when used.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from helmpy.errors import ReleaseExists, ReleaseNotFound, StorageError
from helmpy.release import codec
from helmpy.release.model import Release
from helmpy.storage import labels as lbl

logger = logging.getLogger(__name__)

SQLITE_PREFIX = "sqlite:///"
QUERYABLE = ("name", "owner", "status", "version", "createdAt", "modifiedAt")

_RELEASES_DDL = """CREATE TABLE releases_v1 (
    key VARCHAR(90), type VARCHAR(64) NOT NULL, body TEXT NOT NULL, name VARCHAR(64) NOT NULL,
    namespace VARCHAR(64) NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,
    createdAt INTEGER NOT NULL, modifiedAt INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(key, namespace))"""
_LABELS_DDL = """CREATE TABLE custom_labels_v1 (
    releaseKey VARCHAR(64), releaseNamespace VARCHAR(67), key VARCHAR(317), value VARCHAR(63))"""
_RELEASE_INDEXES = (("key", "namespace"), ("version",), ("status",), ("owner",), ("createdAt",), ("modifiedAt",))

# sql-migrate ids -> (table, statements per dialect)
_MIGRATIONS: dict[str, dict[str, list[str]]] = {
    "init": {
        "postgres": [_RELEASES_DDL, *(f"CREATE INDEX ON releases_v1 ({', '.join(c)})" for c in _RELEASE_INDEXES),
                     "GRANT ALL ON releases_v1 TO PUBLIC", "ALTER TABLE releases_v1 ENABLE ROW LEVEL SECURITY"],
        "sqlite": [_RELEASES_DDL, *(f"CREATE INDEX releases_v1_{'_'.join(c).lower()}_idx ON releases_v1 "
                                    f"({', '.join(c)})" for c in _RELEASE_INDEXES)],
    },
    "custom_labels": {
        "postgres": [_LABELS_DDL, "CREATE INDEX ON custom_labels_v1 (releaseKey, releaseNamespace)",
                     "GRANT ALL ON custom_labels_v1 TO PUBLIC",
                     "ALTER TABLE custom_labels_v1 ENABLE ROW LEVEL SECURITY"],
        "sqlite": [_LABELS_DDL, "CREATE INDEX custom_labels_v1_release_idx ON custom_labels_v1 "
                                "(releaseKey, releaseNamespace)"],
    },
}
_MIGRATION_TABLES = {"init": "releases_v1", "custom_labels": "custom_labels_v1"}


class SQLDriver:
    """Helm's SQL storage; ``namespace=""`` sees every namespace."""

    name = "SQL"

    def __init__(self, dsn: str, namespace: str = "default") -> None:
        self.namespace = namespace
        self.dsn = dsn
        if dsn.startswith(SQLITE_PREFIX):
            self.dialect = "sqlite"
            self._db_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
            self._integrity: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
            self._conn: Any = self._connect_sqlite(dsn[len(SQLITE_PREFIX):])
        else:
            self.dialect = "postgres"
            try:
                import psycopg2
            except ImportError as err:
                raise StorageError("the sql driver needs psycopg2 for PostgreSQL",
                                   hint="pip install psycopg2-binary") from err
            self._db_errors, self._integrity = (psycopg2.Error,), (psycopg2.IntegrityError,)
            try:
                self._conn = psycopg2.connect(dsn)
            except psycopg2.Error as err:
                raise StorageError(f"sql: cannot connect to the database: {str(err).strip()}") from err
        self._ensure_schema()

    @staticmethod
    def _connect_sqlite(path: str) -> sqlite3.Connection:
        """``sqlite:///rel.db`` is relative, ``sqlite:////abs/path.db`` absolute (SQLAlchemy's convention)."""
        if not path:
            raise StorageError("sql: sqlite:/// needs a file path, e.g. sqlite:////var/lib/helmpy/releases.db")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=60000")
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as err:
            raise StorageError(f"sql: cannot open {path}: {err}") from err
        return conn

    def close(self) -> None:
        self._conn.close()

    # -- plumbing ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[Any]:
        """One atomic unit of work; yields a cursor. Database errors become StorageError."""
        conn = self._conn
        try:
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE")
            cur = conn.cursor()
            try:
                yield cur
            except BaseException:
                conn.rollback() if self.dialect == "postgres" else conn.execute("ROLLBACK")
                raise
            conn.commit() if self.dialect == "postgres" else conn.execute("COMMIT")
        except self._integrity:
            raise
        except self._db_errors as err:
            raise StorageError(f"sql: {str(err).strip()}") from err

    def _q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def _exec(self, cur: Any, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> Any:
        cur.execute(self._q(sql), tuple(args))
        return cur

    def _table_exists(self, cur: Any, table: str) -> bool:
        if self.dialect == "postgres":
            self._exec(cur, "SELECT to_regclass(?)", (table,))
        else:
            self._exec(cur, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        row = cur.fetchone()
        return bool(row and row[0])

    def _ensure_schema(self) -> None:
        """Run Helm's migrations that are not recorded yet, recording them like sql-migrate."""
        stamp = "timestamp with time zone" if self.dialect == "postgres" else "TEXT"
        with self._tx() as cur:
            if self.dialect == "postgres":  # serialise concurrent first runs
                self._exec(cur, "SELECT pg_advisory_xact_lock(4242000001)")
            self._exec(cur, f"CREATE TABLE IF NOT EXISTS gorp_migrations (id text not null primary key, "
                            f"applied_at {stamp})")
            applied = {row[0] for row in self._exec(cur, "SELECT id FROM gorp_migrations").fetchall()}
            for mid, statements in _MIGRATIONS.items():
                if mid in applied:
                    continue
                if not self._table_exists(cur, _MIGRATION_TABLES[mid]):
                    for stmt in statements[self.dialect]:
                        self._exec(cur, stmt)
                now = "now()" if self.dialect == "postgres" else "datetime('now')"
                self._exec(cur, f"INSERT INTO gorp_migrations (id, applied_at) VALUES (?, {now})", (mid,))
                logger.debug("sql migration applied id=%s", mid)

    def _where_namespace(self, sql: str, args: list[Any], column: str = "namespace") -> str:
        if self.namespace:
            args.append(self.namespace)
            return f"{sql} AND {column} = ?"
        return sql

    def _custom_labels(self, cur: Any, key: str, namespace: str) -> dict[str, str]:
        rows = self._exec(cur, "SELECT key, value FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?",
                          (key, namespace)).fetchall()
        return lbl.filter_system_labels(dict(rows))

    def _decode_rows(self, cur: Any, rows: list[tuple[str, str, str]]) -> list[Release]:
        out = []
        for key, namespace, body in rows:
            try:
                rls = codec.decode(body, f"sql record {namespace}/{key}")
            except StorageError as err:
                logger.warning("skipping a release record that cannot be decoded: %s", err)
                continue
            rls.labels = self._custom_labels(cur, key, namespace)
            out.append(rls)
        return out

    def _write_labels(self, cur: Any, key: str, namespace: str, labels: dict[str, str]) -> None:
        self._exec(cur, "DELETE FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?", (key, namespace))
        for k, v in lbl.filter_system_labels(labels).items():
            self._exec(cur, "INSERT INTO custom_labels_v1 (releaseKey, releaseNamespace, key, value) "
                            "VALUES (?, ?, ?, ?)", (key, namespace, k, v))

    # -- Driver ------------------------------------------------------------------------------------
    def get(self, key: str) -> Release:
        args: list[Any] = [key]
        sql = self._where_namespace("SELECT key, namespace, body FROM releases_v1 WHERE key = ?", args)
        with self._tx() as cur:
            found = self._decode_rows(cur, self._exec(cur, sql + " ORDER BY namespace", args).fetchall()[:1])
        if not found:
            raise ReleaseNotFound(lbl.NOT_FOUND)
        return found[0]

    def list(self, keep: Callable[[Release], bool] | None = None) -> list[Release]:
        args: list[Any] = [lbl.OWNER]
        sql = self._where_namespace("SELECT key, namespace, body FROM releases_v1 WHERE owner = ?", args)
        with self._tx() as cur:
            found = self._decode_rows(cur, self._exec(cur, sql + " ORDER BY namespace, key", args).fetchall())
        return [r for r in found if keep is None or keep(r)]

    def summaries(self) -> builtins.list[Release]:
        return self.list()

    def query(self, labels: dict[str, str]) -> builtins.list[Release]:
        sql, args = "SELECT key, namespace, body FROM releases_v1 WHERE 1 = 1", []
        for key in sorted(labels):
            if key not in QUERYABLE:
                raise StorageError(f"unknown label {key}")
            sql += f" AND {key} = ?"
            args.append(int(labels[key]) if key in ("version", "createdAt", "modifiedAt") and
                        labels[key].isdigit() else labels[key])
        sql = self._where_namespace(sql, args)
        with self._tx() as cur:
            found = self._decode_rows(cur, self._exec(cur, sql + " ORDER BY namespace, key", args).fetchall())
        if not found:
            raise ReleaseNotFound(lbl.NOT_FOUND)
        return found

    def create(self, key: str, release: Release) -> None:
        lbl.check_custom_labels(release.labels)
        namespace = release.namespace or "default"
        body = codec.encode(release)
        try:
            with self._tx() as cur:
                self._exec(cur, "INSERT INTO releases_v1 (key, type, body, name, namespace, version, status, owner, "
                                "createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (key, lbl.RELEASE_TYPE, body, release.name, namespace, release.version,
                            release.status.value, lbl.OWNER, int(time.time())))
                self._write_labels(cur, key, namespace, release.labels)
        except self._integrity as err:
            raise ReleaseExists(lbl.ALREADY_EXISTS) from err

    def update(self, key: str, release: Release) -> None:
        lbl.check_custom_labels(release.labels)
        namespace = release.namespace or "default"
        with self._tx() as cur:
            self._exec(cur, "UPDATE releases_v1 SET body = ?, name = ?, version = ?, status = ?, owner = ?, "
                            "modifiedAt = ? WHERE key = ? AND namespace = ?",
                       (codec.encode(release), release.name, release.version, release.status.value, lbl.OWNER,
                        int(time.time()), key, namespace))
            if cur.rowcount == 0:
                raise ReleaseNotFound(lbl.NOT_FOUND)
            self._write_labels(cur, key, namespace, release.labels)

    def delete(self, key: str) -> Release:
        args: list[Any] = [key]
        sql = self._where_namespace("SELECT key, namespace, body FROM releases_v1 WHERE key = ?", args)
        with self._tx() as cur:
            rows = self._exec(cur, sql + " ORDER BY namespace", args).fetchall()[:1]
            found = self._decode_rows(cur, rows)
            if not found:
                raise ReleaseNotFound(lbl.NOT_FOUND)
            _, namespace, _ = rows[0]
            self._exec(cur, "DELETE FROM releases_v1 WHERE key = ? AND namespace = ?", (key, namespace))
            self._exec(cur, "DELETE FROM custom_labels_v1 WHERE releaseKey = ? AND releaseNamespace = ?",
                       (key, namespace))
        return found[0]
