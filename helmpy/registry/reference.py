"""``oci://host[:port]/path/name[:tag][@sha256:...]``: parsing, validation and Helm's tag rules.

The grammar is the OCI distribution spec's (what oras-go's ``ParseReference`` checks): lowercase
repository path components, tags ``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``, digests ``sha256:<64 hex>``.
A ``+`` in a tag (SemVer build metadata) is turned into ``_``, because ``+`` is not a tag character;
tags listed by a registry are turned back (``_`` -> ``+``) and only strict SemVer tags count.
"""

from __future__ import annotations

from typing import NamedTuple

from helmpy.errors import RegistryError
from helmpy.lazyre import LazyPattern

SCHEME = "oci://"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY_RE = LazyPattern(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG_RE = LazyPattern(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST_RE = LazyPattern(r"^sha256:[a-f0-9]{64}$")
_HOST_RE = LazyPattern(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                      r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
#: The longest reference accepted (the distribution spec's repository name limit is 255).
MAX_REFERENCE = 4096


def is_oci(ref: str) -> bool:
    return ref.startswith(SCHEME)


def tag_for_version(version: str) -> str:
    """The tag Helm pushes a chart version under (``1.0.0+build`` -> ``1.0.0_build``)."""
    return version.replace("+", "_")


def version_for_tag(tag: str) -> str:
    """The chart version a tag stands for (the inverse of :func:`tag_for_version`)."""
    return tag.replace("_", "+")


def check_digest(digest: str, where: str) -> str:
    if not _DIGEST_RE.match(digest):
        raise RegistryError(f"{where}: invalid digest {digest[:80]!r} (want sha256:<64 lowercase hex digits>)")
    return digest


def check_tag(tag: str, where: str) -> str:
    if not _TAG_RE.match(tag):
        raise RegistryError(f"{where}: invalid tag {tag[:80]!r}")
    return tag


class Reference(NamedTuple):
    """One artifact (or, without tag and digest, one repository) in a registry (a NamedTuple: the registry
    modules' value types are built at every start-up of ``pull``/``push``, a dataclass costs ~10x more)."""

    registry: str  # host[:port]
    repository: str  # path/name
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        """The last path component: the chart name."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when pinned, else the tag."""
        return self.digest or self.tag

    def with_tag(self, tag: str) -> Reference:
        return Reference(self.registry, self.repository, tag, self.digest)

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, self.tag, digest)

    def __str__(self) -> str:
        """``host/path/name:tag`` (Helm's ``Pushed:``/``Pulled:`` form; ``@digest`` when there is no tag)."""
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            return f"{text}:{self.tag}"
        return f"{text}@{self.digest}" if self.digest else text


UNDERSCORE_NOTICE = """
OCI artifact references (e.g. tags) do not support the plus sign (+). To support
storing semantic versions, Helm adopts the convention of changing plus (+) to
an underscore (_) in chart version tags when pushing to a registry and back to
a plus (+) when pulling from a registry."""


def underscore_notice(ref: Reference) -> list[str]:
    """The lines Helm prints after ``Pushed:``/``Pulled:`` when the tag holds an ``_`` (a version's ``+``)."""
    return [f"{ref} contains an underscore.", UNDERSCORE_NOTICE] if "_" in ref.tag else []


def parse(ref: str) -> Reference:
    """Parse ``oci://host/path[:tag][@digest]`` (the scheme is optional); ``+`` in a tag becomes ``_``."""
    if len(ref) > MAX_REFERENCE:
        raise RegistryError(f"invalid OCI reference: longer than {MAX_REFERENCE} characters")
    raw = ref[len(SCHEME):] if ref.startswith(SCHEME) else ref
    where = f"invalid OCI reference {ref[:120]!r}"
    digest = ""
    if "@" in raw:
        raw, _, digest = raw.rpartition("@")
        check_digest(digest, where)
    host, sep, path = raw.partition("/")
    if not sep or not path:
        raise RegistryError(f"{where}: want oci://host[:port]/path/name")
    if not _HOST_RE.match(host):
        raise RegistryError(f"{where}: bad registry host {host[:80]!r}")
    tag = ""
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, _, tag = path.rpartition(":")
        tag = check_tag(tag_for_version(tag), where)
    if not _REPOSITORY_RE.match(path) or len(path) > 255:
        raise RegistryError(f"{where}: the repository path {path[:80]!r} must be lowercase letters, digits and "
                            "separators (. _ __ -), components joined by /")
    return Reference(host, path, tag, digest)


def registry_host(text: str) -> str:
    """The ``host[:port]`` a ``registry login``/``logout`` argument names (a scheme or path is dropped)."""
    host = text
    for prefix in (SCHEME, "https://", "http://"):
        if host.startswith(prefix):
            host = host[len(prefix):]
    host = host.split("/", 1)[0]
    if not host or not _HOST_RE.match(host):
        raise RegistryError(f"invalid registry host {text[:120]!r}: want host[:port]")
    return host
