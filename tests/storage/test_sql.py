"""SQL driver specifics: Helm's schema and migration bookkeeping, reopening, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmpy.errors import ReleaseExists, StorageError
from helmpy.storage.sql import SQLDriver
from tests.storage.conftest import make_release


def test_postgres_schema_matches_helm(postgres_dsn: str, clean_postgres: None) -> None:
    import psycopg2

    SQLDriver(postgres_dsn, "default")
    SQLDriver(postgres_dsn, "default")  # a second open migrates nothing and does not fail
    with psycopg2.connect(postgres_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM gorp_migrations ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == ["custom_labels", "init"]
        cur.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                    "WHERE table_name = 'releases_v1' ORDER BY ordinal_position")
        assert cur.fetchall() == [
            ("key", "character varying", "NO"), ("type", "character varying", "NO"), ("body", "text", "NO"),
            ("name", "character varying", "NO"), ("namespace", "character varying", "NO"),
            ("version", "integer", "NO"), ("status", "text", "NO"), ("owner", "text", "NO"),
            ("createdat", "integer", "NO"), ("modifiedat", "integer", "NO")]
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'custom_labels_v1' "
                    "ORDER BY ordinal_position")
        assert [r[0] for r in cur.fetchall()] == ["releasekey", "releasenamespace", "key", "value"]
        cur.execute("SELECT relrowsecurity FROM pg_class WHERE relname IN ('releases_v1', 'custom_labels_v1')")
        assert [r[0] for r in cur.fetchall()] == [True, True]


def test_postgres_row_contents(postgres_dsn: str, clean_postgres: None) -> None:
    import psycopg2

    drv = SQLDriver(postgres_dsn, "default")
    rls = make_release("web", 4, labels={"team": "x"})
    drv.create(rls.key, rls)
    drv.update(rls.key, rls)
    with psycopg2.connect(postgres_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT key, type, name, namespace, version, status, owner, createdat > 0, modifiedat > 0 "
                    "FROM releases_v1")
        assert cur.fetchall() == [("sh.helm.release.v1.web.v4", "helm.sh/release.v1", "web", "default", 4,
                                   "deployed", "helm", True, True)]
        cur.execute("SELECT releasekey, releasenamespace, key, value FROM custom_labels_v1")
        assert cur.fetchall() == [("sh.helm.release.v1.web.v4", "default", "team", "x")]


def test_concurrent_creators_one_wins(postgres_dsn: str, clean_postgres: None) -> None:
    a, b = SQLDriver(postgres_dsn, "default"), SQLDriver(postgres_dsn, "default")
    rls = make_release()
    a.create(rls.key, rls)
    with pytest.raises(ReleaseExists):
        b.create(rls.key, rls)
    assert b.get(rls.key).version == 1  # b's connection is usable after the failed insert


def test_unknown_query_label(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unknown label team"):
        SQLDriver(f"sqlite:///{tmp_path}/r.db").query({"team": "x"})


def test_sqlite_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    SQLDriver("sqlite:///sub/r.db")
    assert (tmp_path / "sub" / "r.db").is_file()
    with pytest.raises(StorageError, match="needs a file path"):
        SQLDriver("sqlite:///")


def test_bad_postgres_dsn() -> None:
    with pytest.raises(StorageError, match="sql: cannot connect to the database"):
        SQLDriver("postgresql://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
