"""A release record over 1 MiB fails before anything is applied, naming the size and the big parts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmpy.action import install
from helmpy.action.config import Configuration
from helmpy.errors import RecordTooLarge
from tests.action.release_support import app_chart, cm, env  # noqa: F401 - fixtures


def test_oversized_record_fails_before_apply(env: Configuration, app_chart: Path) -> None:
    (app_chart / "files").mkdir()
    (app_chart / "files" / "blob.bin").write_bytes(os.urandom(900 * 1024))  # incompressible
    (app_chart / "files" / "small.txt").write_text("x")
    opts = install.InstallOptions(name="demo", chart_ref=str(app_chart))
    if not env.record_size_limited:  # the memory driver has no object size limit
        install.run(env, opts)
        return
    with pytest.raises(RecordTooLarge) as exc:
        install.run(env, opts)
    msg = str(exc.value)
    assert "MiB" in msg and "over the 1.0 MiB limit" in msg
    assert "biggest contributors: file files/blob.bin (1." in msg
    assert cm(env, "demo-main") is None
    assert env.kube.list("v1", "Secret", "default") == []
