"""The keyword arguments of :class:`helmpy.Client` methods, named after Helm's flags (``--set-string`` is
``set_string=``, ``--skip-schema-validation`` is ``skip_schema_validation=``), as ``TypedDict`` s.

A method declares ``**flags: Unpack[InstallFlags]``: type checkers and editors know every name and type, and a
name that is not one of them is a ``TypeError``, as for any Python function. Durations are seconds (a float) or a
``timedelta``; values are dicts. Each flag keeps Helm's default when left out.
"""

# No ``from __future__ import annotations`` here: a TypedDict turns each annotation string into a ForwardRef,
# which compiles it (~50 us each, 4 ms for these classes on every command that reaches the API); evaluated
# annotations cost nothing more.
import os
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, TypedDict

PathLike = str | os.PathLike[str]


class ValuesFlags(TypedDict, total=False):
    """User values, merged in Helm's order: ``values_files``, then ``values``, then the ``set*`` lists."""

    values: Mapping[str, Any]  #: a dict of values (as one more ``-f`` file, after ``values_files``)
    values_files: Sequence[PathLike]  #: ``-f/--values``: YAML files or http(s) URLs
    set: Sequence[str]  #: ``--set key=value[,key=value]``
    set_string: Sequence[str]  #: ``--set-string``
    set_json: Sequence[str]  #: ``--set-json key=<json>``
    set_file: Sequence[str]  #: ``--set-file key=path``
    set_literal: Sequence[str]  #: ``--set-literal``


class RemoteFlags(TypedDict, total=False):
    """How a chart repository or registry is reached (``--username``, ``--ca-file``, ``--plain-http``, ...)."""

    username: str
    password: str
    pass_credentials: bool
    ca_file: PathLike
    cert_file: PathLike
    key_file: PathLike
    insecure_skip_tls_verify: bool
    plain_http: bool  #: oci:// registries only: http instead of https


class ChartFlags(RemoteFlags, total=False):
    """Which chart a reference means (``--version``, ``--devel``, ``--repo``) and checks on it."""

    version: str  #: a version or constraint (``^1.2``)
    devel: bool  #: consider pre-release versions
    repo: str  #: ``--repo URL``: find the chart in this repository (not a configured one)
    verify: bool  #: check the archive's provenance file first (``keyring`` holds the signer's key)
    keyring: PathLike
    dependency_update: bool  #: fetch the dependencies a chart directory's ``charts/`` lacks first


class RenderFlags(ChartFlags, ValuesFlags, total=False):
    """What install, upgrade and template share about rendering."""

    skip_schema_validation: bool
    no_hooks: bool
    post_renderer: PathLike  #: an executable (or a command on PATH) the rendered manifests go through
    post_renderer_args: Sequence[str]


class DeployFlags(RenderFlags, total=False):
    """Flags install and upgrade share."""

    create_namespace: bool
    dry_run: bool  #: render and check against the cluster, change nothing
    wait: bool  #: wait until the objects are ready (``--wait``)
    wait_for_jobs: bool  #: with ``wait``: Jobs must complete too
    timeout: float | timedelta  #: per Kubernetes operation (hooks, waits); default 300 s
    rollback_on_failure: bool  #: ``--rollback-on-failure`` (Helm 3's ``--atomic``)
    description: str
    skip_crds: bool
    take_ownership: bool
    labels: Mapping[str, str | None]  #: labels on the release record (``None`` removes one on upgrade)
    hide_secret: bool  #: dry runs only: Secrets become one ``# HIDDEN`` line
    render_subchart_notes: bool
    force_conflicts: bool  #: server-side apply: take over fields other managers own


class InstallFlags(DeployFlags, total=False):
    """``install`` alone."""

    generate_name: bool  #: the release is named ``<chart>-<unix seconds>`` (give ``name=None``)
    name_template: str  #: a template for the name (give ``name=None``)
    replace: bool  #: reuse the name of an uninstalled or failed release


class UpgradeFlags(DeployFlags, total=False):
    """``upgrade`` alone."""

    install: bool  #: ``--install``: install the release when it does not exist
    reuse_values: bool
    reset_values: bool
    reset_then_reuse_values: bool
    cleanup_on_fail: bool
    history_max: int  #: keep at most this many revisions (0: all); default 10 or ``max_history=``
    force: bool


class TemplateFlags(RenderFlags, total=False):
    """``template`` alone."""

    show_only: Sequence[str]  #: only the manifests of these templates (globs, ``templates/*.yaml``)
    output_dir: PathLike  #: write files there instead of returning the text
    release_name: bool  #: ``--release-name``: put the release name in the ``output_dir`` path
    include_crds: bool
    kube_version: str  #: ``Capabilities.KubeVersion`` (``1.30.0``)
    api_versions: Sequence[str]  #: extra ``Capabilities.APIVersions``
    is_upgrade: bool
    skip_tests: bool
    generate_name: bool
    name_template: str
    validate: bool  #: render against the Client's cluster and check it serves every kind


class DiffFlags(TypedDict, total=False):
    """How a diff compares and what it shows (helm-diff's flags: ``--show-secrets``, ``--suppress``, ...)."""

    show_secrets: bool  #: Secret values as stored (base64) instead of ``*****``
    show_secrets_decoded: bool  #: Secret values decoded
    suppress: Sequence[str]  #: hide the lines of objects of these kinds
    suppress_secrets: bool  #: same as ``suppress=["Secret"]``
    suppress_output_line_regex: Sequence[str | re.Pattern[str]]  #: drop diff lines matching these
    normalize_manifests: bool  #: compare stored manifests re-written, so formatting does not show
    strip_trailing_cr: bool  #: ignore carriage returns at line ends
    include_tests: bool  #: include test hooks


class DiffUpgradeFlags(UpgradeFlags, DiffFlags, total=False):
    """``diff_upgrade``: the upgrade's own flags and how to compare."""


def check(flags: Mapping[str, Any], allowed: type, method: str) -> None:
    """A name ``allowed`` (a TypedDict) does not declare is a TypeError, as Python raises for a function."""
    known: frozenset[str] = allowed.__optional_keys__ | allowed.__required_keys__  # type: ignore[attr-defined]
    unknown = sorted(set(flags) - known)
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")


REMOTE_KEYS = frozenset(RemoteFlags.__optional_keys__)
DIFF_KEYS = frozenset(DiffFlags.__optional_keys__)
