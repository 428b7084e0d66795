"""Fixtures for the OCI registry tests: real docker-registry processes (tests/support/oci_registry.py)."""

from tests.support.oci_registry import oci_registry, oci_registry_tls, oci_registry_token  # noqa: F401
