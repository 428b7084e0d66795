"""A chart's crds/ define kinds that its own templates use: install must work in one go (Helm does)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kube.test_remote_cli import write_chart


def test_crds_dir_then_custom_resource_on_the_embedded_cluster(cli, tmp_path: Path) -> None:
    chart = write_chart(tmp_path)
    cluster = f"local:{tmp_path / 'cluster.db'}"
    dry = cli("install", "shop", str(chart), "--cluster", cluster, "--dry-run", "-o", "json")
    assert dry.exit_code == 0, dry
    r = cli("install", "shop", str(chart), "--cluster", cluster)
    assert r.exit_code == 0, r
    status = cli("status", "shop", "--cluster", cluster, "-o", "json")
    assert status.exit_code == 0, status
    assert "kind: Gadget" in cli("get", "manifest", "shop", "--cluster", cluster).stdout
    listing = cli("list", "--cluster", cluster, "-o", "json")
    assert [r["name"] for r in json.loads(listing.stdout)] == ["shop"]
