"""Release builders shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime

from helmpy.release.model import ChartRecord, Info, Release, Status
from tests.support.postgres import clean_postgres, postgres_dsn  # noqa: F401  (fixtures for the SQL tests)

T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def make_release(name: str = "demo", version: int = 1, status: Status = Status.DEPLOYED,
                 namespace: str = "default", labels: dict[str, str] | None = None) -> Release:
    """A small but complete record (chart, config, manifest, notes)."""
    chart = ChartRecord(metadata={"name": "web", "version": "0.1.0", "apiVersion": "v2", "appVersion": "1.0"},
                        templates=[{"name": "templates/cm.yaml", "data": "a2luZDogQ29uZmlnTWFw"}],
                        values={"replicas": 1})
    return Release(name=name, namespace=namespace, version=version,
                   info=Info(first_deployed=T0, last_deployed=T0, description="Install complete",
                             status=status, notes="hi <there> & bye\n"),
                   chart=chart, config={"a": {"b": 1}}, manifest="---\n# Source: web/templates/cm.yaml\nkind: ConfigMap\n",
                   labels=dict(labels or {}))

