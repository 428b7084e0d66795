"""repositories.yaml: Helm's format, 0600 atomic writes, and the add lock."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

import pytest
import yaml

from helmpy.errors import RepoError
from helmpy.repo import repofile
from helmpy.repo.repofile import Entry, RepoFile


def test_missing_file_is_empty(tmp_path: Path) -> None:
    rf = repofile.load(tmp_path / "nope.yaml")
    assert rf.repositories == [] and rf.api_version == ""


def test_save_writes_helm_format_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "repositories.yaml"
    rf = RepoFile()
    rf.update(Entry(name="r", url="http://127.0.0.1:1/", username="u", password="p"))
    repofile.save(path, rf)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    data = yaml.safe_load(text)
    assert data["apiVersion"] == ""
    assert list(data["repositories"][0]) == ["caFile", "certFile", "insecure_skip_tls_verify", "keyFile", "name",
                                             "pass_credentials_all", "password", "url", "username"]
    assert text.index("apiVersion") < text.index("generated") < text.index("repositories")
    again = repofile.load(path)
    assert again.get("r") == Entry(name="r", url="http://127.0.0.1:1/", username="u", password="p")
    assert again.generated == repofile.ZERO_TIME


def test_reads_file_written_by_helm(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text('apiVersion: ""\ngenerated: "0001-01-01T00:00:00Z"\nrepositories:\n- caFile: ""\n'
                    '  certFile: ""\n  insecure_skip_tls_verify: true\n  keyFile: ""\n  name: myrepo\n'
                    '  pass_credentials_all: false\n  password: ""\n  url: http://127.0.0.1:18879/\n'
                    '  username: ""\n')
    entry = repofile.load(path).get("myrepo")
    assert entry is not None and entry.insecure_skip_tls_verify and entry.url == "http://127.0.0.1:18879/"


def test_update_replaces_and_remove(tmp_path: Path) -> None:
    rf = RepoFile()
    rf.update(Entry(name="a", url="http://x"))
    rf.update(Entry(name="a", url="http://y"))
    assert [e.url for e in rf.repositories] == ["http://y"]
    assert rf.remove("a") and not rf.remove("a")


def test_malformed_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text("repositories: [\n")
    with pytest.raises(RepoError, match="repositories.yaml"):
        repofile.load(path)
    path.write_text("repositories: 3\n")
    with pytest.raises(RepoError, match="must be a list"):
        repofile.load(path)


def test_lock_is_exclusive_and_times_out(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with repofile.locked(path):
            held.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    try:
        start = time.monotonic()
        with pytest.raises(RepoError, match="timed out"), repofile.locked(path, timeout=0.3):
            pass
        assert time.monotonic() - start >= 0.3
    finally:
        release.set()
        t.join()
    with repofile.locked(path, timeout=1):  # free again
        pass
    assert (tmp_path / "repositories.lock").exists()
